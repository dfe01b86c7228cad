"""泄密事件 (seed 003 §8.2, §7.3.2, §8.1.2; seed 000 art. 5(4)): anyone reports; the secrecy office triages (a
dismissal gives its reason); the grade is computed from the estimated loss and the items' levels (§8.2.1, the
boundaries 100,000 and 500,000 yuan included in the higher grade); containment actions go to their owners with their
deadlines; evidence files are hashed into the audit chain with their custody; major and serious incidents go to the
committee the organisation names; the incident closes with a sealed and signed report."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import select

from records.audit import verify_chain
from records.db import transaction
from records.models import AuditRecord, SecretItem
from records.organisation import committee
from tests.bpmn.driver import CST, Run, check_documents, check_outcome, example, pdf_text
from workflows import Engine, FixedClock, FormDataError
from workflows.incidents import grade

TRIAGE = {"real_leak": True, "triage_note": "邮件网关日志确有外发记录。"}
MEASURES = {"discipline": "对涉事员工书面警告并扣减当年绩效。", "legal_action": True,
            "legal_plan": "委托律师发函，要求删除并承诺不使用。", "notify_partners": False,
            "remediation": "离职审批前先收回邮件外发权限；更新应急预案。"}
PDF = b"%PDF-1.4\n% mail gateway log, 2026-11-19\n%%EOF\n"


@pytest.mark.parametrize(("loss", "levels", "harmed", "expected"), [
    (0, [], False, "general"),
    (Decimal("99999.99"), [], False, "general"),
    (100_000, [], False, "major"),                        # 10 万元：含本数，较大
    (Decimal("499999.99"), ["general"], False, "major"),
    (500_000, [], False, "serious"),                      # 50 万元以上：含本数，重大
    (0, ["important"], False, "major"),                   # 泄露重要秘密
    (0, ["core", "general"], False, "serious"),           # 泄露核心秘密
    (1, [], True, "serious"),                             # 严重影响企业竞争力
])
def test_the_grade_at_each_threshold(loss: Decimal | int, levels: list[str], harmed: bool, expected: str) -> None:
    grading = grade(loss, levels, harmed)
    assert grading.grade == expected
    assert grading.committee == (expected != "general")
    assert "seed 003 §8.2.1" in grading.rule and grading.section == "seed 003 §8.2.1"


def test_a_negative_loss_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        grade(-1, [], False)


def _item(engine: Engine, name: str, level: str) -> int:
    with transaction(engine.sessions) as session:
        item = SecretItem(name=name, level=level, department="技术研发部")
        session.add(item)
        session.flush()
        return item.id


def _upload(engine: Engine, content: bytes = PDF) -> tuple[str, str]:
    digest = hashlib.sha256(content).hexdigest()
    folder = engine.services.instance.root / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{digest}.pdf").write_bytes(content)
    return f"upload:{digest}.pdf", digest


def _contain_and_preserve(run: Run, engine: Engine) -> str:
    run.do("plan_containment", "sec01", {"action": "冻结涉事账号，备份邮件网关日志", "owner_user": "head01",
                                         "due_date": "2026-11-23", "more_actions": False})
    task = run.task("carry_out_containment")
    assert (task.assignee, task.due_at) == ("head01", dt.datetime(2026, 11, 23, 23, 59, tzinfo=CST))
    run.do("carry_out_containment", "head01", {"containment_result": "已冻结并备份。"})
    ref, digest = _upload(engine)
    run.do("preserve_evidence", "sec01", {"evidence_file": ref, "evidence_description": "邮件网关日志",
                                          "received_from": "head01", "more_evidence": False})
    return digest


def test_a_dismissed_report_gives_its_reason(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "leak_incident", example("leak_incident"), "eng02")
    assert run.view.data["reporter_user"] == "eng02" and run.view.data["incident_level"] is None
    with pytest.raises(FormDataError, match="dismissal_reason"):
        run.do("triage_incident", "sec01", {"real_leak": False, "triage_note": "核查邮件日志。"})
    view = run.do("triage_incident", "sec01", {"real_leak": False, "triage_note": "核查邮件日志。",
                                               "dismissal_reason": "外发内容为已公开的产品样本。"})
    check_outcome(engine, view)
    assert [(n.to_user, n.subject) for n in run.notifications()] == [
        ("eng02", f"泄密事件报告 #{run.id}：经核查不构成泄密")]


def test_a_general_incident_closes_with_evidence_in_the_chain_and_a_signed_report(engine: Engine,
                                                                                   clock: FixedClock) -> None:
    item = _item(engine, "轴承保持架设计图（旧版）", "general")
    run = Run(engine, clock, "leak_incident", example("leak_incident", item_ids=[item]), "eng01")
    run.do("triage_incident", "sec01", TRIAGE)
    view = run.do("assess_loss", "sec01", {"leak_scope": "旧版设计图一份。", "leak_cause": "邮件外发未审批。",
                                           "estimated_loss": 99999.99, "competitiveness_harmed": False})
    assert view.data["grading"]["grade"] == "general" and "不足 10 万元" in view.data["grading"]["rule"]
    digest = _contain_and_preserve(run, engine)
    with engine.sessions() as session:
        entry = session.scalars(select(AuditRecord).where(AuditRecord.action == "preserve_evidence")).one()
        assert (entry.actor, entry.target_type, entry.target_id, entry.content_sha256, entry.level) == (
            "sec01", "leak_incident", str(run.id), digest, "general")
        assert entry.detail["received_from"] == "head01"
        assert verify_chain(session, engine.services.pki).ok
    assert run.names() == ["decide_measures"]                      # a general incident skips the committee
    run.do("decide_measures", "sec01", MEASURES)
    view = run.sign("sign_incident_report", "sec01")
    check_outcome(engine, view)
    (document,) = check_documents(engine, view, [("leak_incident_report", [("company", "system"),
                                                                           ("secrecy_office", "sec01")])])
    assert (document.title, document.level) == (f"泄密事件调查报告（事件 #{run.id}）", "important")
    text = pdf_text(engine, document)
    for expected in ("一般泄密", "seed003§8.2.1", digest[:32], "冻结涉事账号", "王志强", "委托律师发函"):
        assert expected in text, expected


def test_a_serious_incident_goes_to_the_committee_of_the_organisation(engine: Engine, clock: FixedClock) -> None:
    item = _item(engine, "风电主轴轴承热处理工艺参数", "core")
    data = example("leak_incident", item_ids=[item])
    with pytest.raises(FormDataError, match="committee_members"):   # the requester cannot choose the deciders
        Run(engine, clock, "leak_incident", {**data, "committee_members": ["eng01", "eng02"]}, "eng01")
    with pytest.raises(FormDataError, match="incident_level"):
        Run(engine, clock, "leak_incident", {**data, "incident_level": "general"}, "eng01")
    run = Run(engine, clock, "leak_incident", data, "eng01")
    assert run.view.data["incident_level"] == "core"
    run.do("triage_incident", "sec01", TRIAGE)
    view = run.do("assess_loss", "sec01", {"leak_scope": "工艺参数表。", "leak_cause": "权限未及时收回。",
                                           "estimated_loss": 120000, "competitiveness_harmed": False})
    assert view.data["grading"]["grade"] == "serious"               # a core item: serious whatever the loss
    _contain_and_preserve(run, engine)
    with engine.sessions() as session:
        members = sorted(u.id for u in committee(session).members)
    votes = [t for t in run.ready() if t.name == "committee_vote"]
    assert sorted(t.assignee or "" for t in votes) == members and "eng01" not in members
    for member in members:
        run.do("committee_vote", member, {"ballot": {"vote": "approve"}})
    run.do("decide_measures", "sec01", {**MEASURES, "notify_partners": True, "partners_notified": "风电客户甲"})
    view = run.sign("sign_incident_report", "sec01")
    check_outcome(engine, view)
    (document,) = check_documents(engine, view, [("leak_incident_report", [("company", "system"),
                                                                           ("secrecy_office", "sec01")])])
    assert document.level == "core"
    text = pdf_text(engine, document)
    assert "重大泄密" in text and "保密委员会审议：同意" in text and "风电客户甲" in text
    subjects = [n.subject for n in run.notifications()]
    assert subjects[-1] == f"泄密事件 #{run.id}：已处置结案（重大泄密）"


def test_the_committee_sends_a_major_incident_back_for_a_new_assessment(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "leak_incident", example("leak_incident"), "eng02")
    run.do("triage_incident", "sec01", TRIAGE)
    assessment = {"leak_scope": "报价单一份。", "leak_cause": "误发。", "estimated_loss": 100000,
                  "competitiveness_harmed": False}
    assert run.do("assess_loss", "sec01", assessment).data["grading"]["grade"] == "major"   # 10 万元含本数
    _contain_and_preserve(run, engine)
    with engine.sessions() as session:
        members = [u.id for u in committee(session).members]
    for member in members:
        run.do("committee_vote", member, {"ballot": {"vote": "reject", "comment": "损失估计偏低"}})
    view = run.do("assess_loss", "sec01", {**assessment, "estimated_loss": 500000})
    assert view.data["grading"]["grade"] == "serious" and view.data["containment_actions"] == []
    assert [len(r["actions"]) for r in view.data["earlier_containment"]] == [1]   # the first round is kept
    assert len(view.data["evidence"]) == 1
    run.do("plan_containment", "sec01", {"action": "通知客户", "owner_user": "sec02", "due_date": "2026-11-24",
                                         "more_actions": False})
    run.do("carry_out_containment", "sec02", {"containment_result": "已通知。"})
    ref, _ = _upload(engine, PDF + b"% second\n")
    run.do("preserve_evidence", "sec01", {"evidence_file": ref, "evidence_description": "客户回函",
                                          "more_evidence": False})
    for member in members:
        run.do("committee_vote", member, {"ballot": {"vote": "approve"}})
    assert run.names() == ["decide_measures"]
