"""定密审批: filing → cross-review → novelty check (core) → value → proposal → three committee votes → resolution →
chair approval (core) → register → 《商业秘密定密审批表》 signed by company, liaison, secrecy office and chair."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from records import organisation
from records.db import transaction
from records.models import OrgPost, ProcessInstance, SecretItem
from tests.bpmn.driver import Run, check_documents, check_outcome, document, example, pdf_text
from workflows import Engine, FixedClock, Forbidden, FormDataError, OperationFailed

REQUEST = {
    "item_name": "风电主轴轴承套圈热处理工艺参数", "item_category": "技术信息—制造工艺", "proposed_level": "core",
    "item_summary": "3.0MW 风电主轴轴承套圈淬火、回火工艺的全套参数及其调整规则，经三年试验形成。",
    "carrier_form": "电子文档、生产控制系统参数文件、纸质工艺卡", "secrecy_period": "长期",
    "knowers": "技术研发部王志强；热处理车间生产主管", "declassification_condition": "技术公开、替代工艺启用或产品退市",
    "protection_measures": "纸质工艺卡存放于双人双锁保密柜；电子文档存储于离线服务器。",
    "self_check_summary": "经部门自查，该参数未在论文、专利、展会资料中公开。", "apply_date": "2026-11-21",
}
REVIEW = {"review_decision": "keep", "cross_review_opinion": "经研发、生产、法务人员交叉审核，不属于已公开信息。",
          "cross_reviewers": "研发部刘振国、生产部李长青、法务部宋佳", "secrecy_office_name": "周明",
          "review_date": "2026-11-23"}
NOVELTY = {"novelty_check": "委托山东省科学技术情报研究院查新，结论为“不为公众所知悉”。",
           "novelty_agency": "山东省科学技术情报研究院", "novelty_confirmed": True}
VALUE = {"value_assessment": "年节约成本约 680 万元，泄露可能造成的损失超过公司年营业收入的 10%。",
         "include_in_protection": True}
PROPOSAL = {"recommended_level": "core", "secrecy_period": "长期", "knowers": "技术研发部王志强；热处理车间生产主管",
            "office_opinion": "建议定为核心秘密，保密期限长期。"}
COMMITTEE = ("gm01", "cm02", "cm03")


RESOLUTION = {"meeting_date": "2026-11-28", "decision_note": "同意保密管理部建议。"}


def to_vote(run: Run, request: dict[str, Any], proposal: dict[str, Any]) -> None:
    run.do("file_item", "liaison01", request)
    run.do("cross_review", "sec01", REVIEW)
    if request["proposed_level"] == "core":
        run.do("novelty_check", "sec01", NOVELTY)
    run.do("value_assessment", "sec01", VALUE)
    run.do("classification_proposal", "sec01", proposal)


def vote(engine: Engine, run: Run, ballots: dict[str, str]) -> None:
    tasks = [t for t in run.ready() if t.name == "committee_vote"]
    assert sorted(t.assignee or "" for t in tasks) == sorted(ballots)   # one vote task per member, each their own
    with pytest.raises(Forbidden):
        engine.complete(tasks[0].id, actor=next(m for m in ballots if m != tasks[0].assignee),
                        data={"ballot": {"vote": "approve"}})
    for member, choice in ballots.items():
        run.do("committee_vote", member, {"ballot": {"vote": choice, "comment": f"{member} 的意见"}})


def items(engine: Engine) -> list[SecretItem]:
    with engine.sessions() as session:
        return list(session.scalars(select(SecretItem)))


def test_core_item_approved_by_the_committee_and_the_chair(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "classification", example("classification"), "liaison01")
    to_vote(run, REQUEST, PROPOSAL)
    vote(engine, run, dict.fromkeys(COMMITTEE, "approve"))
    tally = run.show().data["tally"]
    assert {k: tally[k] for k in ("approved", "yes", "no", "abstain", "quorum_met", "members", "level")} == {
        "approved": True, "yes": 3, "no": 0, "abstain": 0, "quorum_met": True, "members": 3, "level": "core"}
    assert [(v["user"], v["name"], v["vote"]) for v in tally["voters"]] == [
        ("gm01", "陈建华", "approve"), ("cm02", "吴强", "approve"), ("cm03", "郑洁", "approve")]
    run.do("record_resolution", "sec01", RESOLUTION)
    run.do("chair_approval", "gm01", {"chair_approved": True, "chair_note": "同意。"})
    run.sign("sign_classification_form_liaison", "liaison01")
    run.sign("sign_classification_form_secrecy_office", "sec01")
    view = run.sign("sign_classification_form_committee", "gm01")
    check_outcome(engine, view)
    [item] = items(engine)
    assert (item.id, item.name, item.level, item.approver, item.instance_id) == (
        view.data["item_id"], "风电主轴轴承套圈热处理工艺参数", "core", "陈建华", run.id)
    assert item.approval["chair_approved"] is True and item.approval["tally"]["yes"] == 3
    assert [v["vote"] for v in item.approval["tally"]["voters"]] == ["approve"] * 3
    # The approval form holds a core item's name and summary: it is core, and prints what was tallied.
    form = document(engine, view.data["classification_form_doc"])
    assert form.level == "core"
    text = pdf_text(engine, form)
    assert "赞成3票，反对0票，弃权0票" in text and "陈建华（赞成）、吴强（赞成）、郑洁（赞成）" in text
    check_documents(engine, view, [("classification_form", [("company", "system"), ("liaison", "liaison01"),
                                                            ("secrecy_office", "sec01"),
                                                            ("committee_chair", "gm01")])])
    assert [n.to_user for n in run.notifications()] == ["liaison01"]


def test_the_voted_level_is_registered_and_cannot_be_overridden(engine: Engine, clock: FixedClock) -> None:
    """An 'important' proposal recommended 'general' and voted: registered general, whatever the secretary types;
    no novelty check, no chair approval."""
    run = Run(engine, clock, "classification", example("classification"), "liaison01")
    to_vote(run, {**REQUEST, "proposed_level": "important", "item_name": "6310 型轴承客户报价清单",
                  "secrecy_period": "5年"},
            {**PROPOSAL, "recommended_level": "general", "secrecy_period": "3年"})
    vote(engine, run, {"gm01": "approve", "cm02": "approve", "cm03": "abstain"})
    task = run.task("record_resolution")
    for typed in ({"decision": "core"}, {"votes_for": 9}, {"decision": "important", "votes_for": 3}):
        with pytest.raises(FormDataError, match="Additional properties"):
            engine.complete(task.id, actor="sec01", data={**RESOLUTION, **typed})
    run.do("record_resolution", "sec01", RESOLUTION)
    assert run.names() == ["sign_classification_form_liaison"]
    run.sign("sign_classification_form_liaison", "liaison01")
    run.sign("sign_classification_form_secrecy_office", "sec01")
    view = run.sign("sign_classification_form_committee", "gm01")
    check_outcome(engine, view)
    assert [(i.name, i.level) for i in items(engine)] == [("6310 型轴承客户报价清单", "general")]
    check_documents(engine, view, [("classification_form", [("company", "system"), ("liaison", "liaison01"),
                                                            ("secrecy_office", "sec01"),
                                                            ("committee_chair", "gm01")])])


@pytest.mark.parametrize("where", ["committee", "chair", "public"])
def test_rejections_end_with_one_notice_and_nothing_registered(engine: Engine, clock: FixedClock,
                                                               where: str) -> None:
    run = Run(engine, clock, "classification", example("classification"), "liaison01")
    if where == "public":
        run.do("file_item", "liaison01", REQUEST)
        view = run.do("cross_review", "sec01", {**REVIEW, "review_decision": "drop_public"})
    else:
        to_vote(run, REQUEST, PROPOSAL)
        if where == "committee":
            vote(engine, run, {"gm01": "approve", "cm02": "reject", "cm03": "reject"})
            view = run.show()
            assert view.data["tally"]["approved"] is False
        else:
            vote(engine, run, dict.fromkeys(COMMITTEE, "approve"))
            run.do("record_resolution", "sec01", RESOLUTION)
            view = run.do("chair_approval", "gm01", {"chair_approved": False, "chair_note": "暂缓。"})
    check_outcome(engine, view)
    assert items(engine) == []
    check_documents(engine, view, [])
    assert [n.subject for n in run.notifications()] == ["风电主轴轴承套圈热处理工艺参数：不予定密"]


@pytest.mark.parametrize("typed", [{"committee_members": ["sec01"]}, {"committee_chair": "sec01"},
                                   {"quorum": 0.1}, {"liaison_user": "sec01"}, {"majority": 0.01}])
def test_start_data_naming_deciders_is_refused(engine: Engine, typed: dict[str, Any]) -> None:
    """The attack: one officer names itself the committee (or its chair, or lowers the quorum) and votes alone."""
    with pytest.raises(FormDataError, match=f"{next(iter(typed))}: not part of the start data — "):
        engine.start("classification", {**example("classification"), **typed}, actor="sec01")
    with engine.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_the_committee_and_its_rules_come_from_the_organisation(engine: Engine, clock: FixedClock) -> None:
    """A member added in the organisation votes; a member who left does not; a higher quorum is applied."""
    with transaction(engine.sessions) as session:
        organisation.dismiss(session, actor="sec01", post=OrgPost.COMMITTEE_MEMBER, user_id="cm03", now=clock.now())
        organisation.appoint(session, actor="sec01", post=OrgPost.COMMITTEE_MEMBER, user_id="head01",
                             now=clock.now())
        organisation.set_setting(session, actor="sec01", key="committee.quorum", value=1.0, now=clock.now())
    run = Run(engine, clock, "classification", example("classification"), "liaison01")
    to_vote(run, REQUEST, PROPOSAL)
    assert sorted(t.assignee or "" for t in run.ready()) == ["cm02", "gm01", "head01"]
    run.do("committee_vote", "gm01", {"ballot": {"vote": "approve"}})
    run.do("committee_vote", "cm02", {"ballot": {"vote": "approve"}})
    view = run.do("committee_vote", "head01", {"ballot": {"vote": "approve"}})
    assert view.data["tally"]["quorum"] == 1.0 and view.data["tally"]["approved"] is True


def test_a_missing_decider_refuses_the_step_and_changes_nothing(engine: Engine) -> None:
    with pytest.raises(OperationFailed, match="there is no liaison of 生产部: appoint one"):
        engine.start("classification", example("classification", department="生产部"), actor="sec01")
    with engine.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_the_novelty_check_follows_the_recommended_level(engine: Engine, clock: FixedClock) -> None:
    """Proposed important by the liaison, recommended core by the office: checked before the vote."""
    run = Run(engine, clock, "classification", example("classification"), "liaison01")
    to_vote(run, {**REQUEST, "proposed_level": "important", "secrecy_period": "5年"}, PROPOSAL)
    assert run.names() == ["novelty_check_recommended"]
    run.do("novelty_check_recommended", "sec01", {**NOVELTY, "novelty_confirmed": False})
    check_outcome(engine, run.show())
    assert items(engine) == []


def test_only_the_general_manager_chairs_the_committee(engine: Engine, clock: FixedClock) -> None:
    with transaction(engine.sessions) as session, pytest.raises(organisation.OrganisationError,
                                                                match="chair is the general manager"):
        organisation.appoint(session, actor="sec01", post=OrgPost.COMMITTEE_CHAIR, user_id="sec01",
                             now=clock.now())


def test_the_secrecy_period_must_fit_the_level(engine: Engine, clock: FixedClock) -> None:
    """Seed 003 §4.1.2 on both forms that set a period: the liaison's request and the office's proposal. Refused
    with the rule and its section; once corrected, the task completes."""
    run = Run(engine, clock, "classification", example("classification"), "liaison01")
    task = run.task("file_item")
    with pytest.raises(FormDataError, match=r"secrecy_period: “10年”: 核心秘密的保密期限为“长期”.*seed 003 §4\.1\.2"):
        engine.complete(task.id, actor="liaison01", data={**REQUEST, "secrecy_period": "10年"})
    with pytest.raises(FormDataError, match=r"“2年”: 重要秘密的保密期限为 3–5 年"):
        engine.complete(task.id, actor="liaison01", data={**REQUEST, "proposed_level": "important",
                                                          "secrecy_period": "2年"})
    engine.complete(task.id, actor="liaison01", data={**REQUEST, "proposed_level": "important",
                                                      "secrecy_period": "3年"})
