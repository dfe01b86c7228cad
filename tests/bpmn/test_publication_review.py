"""对外发布保密审查 (seed 000 art. 5(5), seed 003 §6.1.3): anyone on the staff submits the material and its file; the
secrecy office approves, approves with the redactions it lists or refuses with its reasons; material that may touch a
core secret goes to the committee the organisation names as well; the decision is an opinion sealed by the company
and signed by the secrecy office, at the level of the most secret item it names, and the requester is told."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from records.db import transaction
from records.models import SecretItem
from records.organisation import committee
from signing import verify_pdf
from tests.bpmn.driver import Run, check_documents, check_outcome, example, pdf_text
from workflows import Engine, FixedClock, FormDataError
from workflows.publication import decide

PDF = b"%PDF-1.4\n% draft paper: dynamic behaviour of bearing cages\n%%EOF\n"
APPROVE = {"publication_decision": "approve", "review_opinion": "与清单比对，文中结构已由专利公开。"}
OPINION = [("publication_review_opinion", [("company", "system"), ("secrecy_office", "sec01")])]


def _item(engine: Engine, name: str, level: str) -> int:
    with transaction(engine.sessions) as session:
        item = SecretItem(name=name, level=level, department="技术研发部")
        session.add(item)
        session.flush()
        return item.id


def _start_data(engine: Engine, **changes: Any) -> tuple[dict[str, Any], str]:
    digest = hashlib.sha256(PDF).hexdigest()
    folder = engine.services.instance.root / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{digest}.pdf").write_bytes(PDF)
    return example("publication_review", material_file=f"upload:{digest}.pdf", **changes), digest


def _members(engine: Engine) -> list[str]:
    with engine.sessions() as session:
        return [u.id for u in committee(session).members]


def _signed_text(engine: Engine, run: Run) -> tuple[str, str]:
    """The opinion's level and text, once its PDF verifies against the instance's own PKI."""
    view = run.sign("sign_publication_opinion", "sec01")
    check_outcome(engine, view)
    (document,) = check_documents(engine, view, OPINION)
    verdict = verify_pdf(engine.services.blobs.get(document.path),
                         trust_roots=[engine.services.pki.root_certificate_pem()])
    assert verdict.ok, verdict.problems
    assert document.title == f"对外发布保密审查意见书（审查 #{run.id}）"
    return document.level, pdf_text(engine, document)


def test_the_secrecy_office_alone_approves_material_without_core_secrets(engine: Engine, clock: FixedClock) -> None:
    item = _item(engine, "轴承保持架设计图（旧版）", "general")
    data, digest = _start_data(engine, item_ids=[item])
    run = Run(engine, clock, "publication_review", data, "eng01")
    assert run.view.data["requester_user"] == "eng01" and run.view.data["publication_level"] == "general"
    assert run.view.data["publication"]["sha256"] == digest and run.view.data["publication"]["committee"] is False
    assert run.names() == ["review_publication"]
    run.do("review_publication", "sec01", APPROVE)
    assert "committee_vote" not in run.names() and run.names() == ["sign_publication_opinion"]
    level, text = _signed_text(engine, run)
    assert level == "general"
    for expected in ("结论同意发布", "高速精密轴承保持架的动态特性研究", "论文发表", digest[:32],
                     "轴承保持架设计图（旧版）", "不涉及核心秘密", "王志强"):
        assert expected in text, expected
    assert [(n.to_user, n.subject) for n in run.notifications()][-1] == (
        "eng01", f"对外发布保密审查 #{run.id}：同意发布")


def test_core_material_goes_to_the_committee_of_the_organisation(engine: Engine, clock: FixedClock) -> None:
    core = _item(engine, "风电主轴轴承热处理工艺参数", "core")
    general = _item(engine, "轴承保持架设计图（旧版）", "general")
    data, _ = _start_data(engine, item_ids=[general, core], material_kind="patent", venue="国家知识产权局")
    run = Run(engine, clock, "publication_review", data, "eng02")
    assert run.view.data["publication_level"] == "core" and run.view.data["publication"]["committee"] is True
    with pytest.raises(FormDataError, match="redactions"):
        run.do("review_publication", "sec01", {**APPROVE, "publication_decision": "approve_redacted"})
    run.do("review_publication", "sec01", {**APPROVE, "publication_decision": "approve_redacted",
                                           "redactions": "权利要求 3 删去淬火温度区间。"})
    members = _members(engine)
    votes = [t for t in run.ready() if t.name == "committee_vote"]
    assert sorted(t.assignee or "" for t in votes) == sorted(members) and "eng02" not in members
    for member in members:
        run.do("committee_vote", member, {"ballot": {"vote": "approve"}})
    level, text = _signed_text(engine, run)
    assert level == "core"                                   # the most secret item it names
    for expected in ("结论删改后同意发布", "权利要求3删去淬火温度区间", "专利申请", "国家知识产权局",
                     "报保密委员会表决：同意", "风电主轴轴承热处理工艺参数", "核心秘密"):
        assert expected in text, expected


def test_the_committee_refuses_with_its_members_reasons(engine: Engine, clock: FixedClock) -> None:
    core = _item(engine, "风电主轴轴承热处理工艺参数", "core")
    data, _ = _start_data(engine, item_ids=[core], material_kind="exhibition", venue="中国国际轴承展")
    run = Run(engine, clock, "publication_review", data, "eng01")
    run.do("review_publication", "sec01", APPROVE)
    members = _members(engine)
    for member in members:
        run.do("committee_vote", member, {"ballot": {"vote": "reject", "comment": "展板可推出工艺窗口"}})
    assert run.show().data["outcome"]["decision"] == "refuse"
    _, text = _signed_text(engine, run)
    assert "结论不同意发布" in text and "保密委员会表决未通过" in text and "展板可推出工艺窗口" in text
    assert run.notifications()[-1].subject == f"对外发布保密审查 #{run.id}：不同意发布"


def test_a_refusal_gives_its_reasons_and_needs_no_vote(engine: Engine, clock: FixedClock) -> None:
    core = _item(engine, "风电主轴轴承热处理工艺参数", "core")
    data, _ = _start_data(engine, item_ids=[core], material_kind="press", venue="公司公众号")
    run = Run(engine, clock, "publication_review", data, "eng01")
    refuse = {"publication_decision": "refuse", "review_opinion": "新闻稿附热处理车间照片。"}
    with pytest.raises(FormDataError, match="refusal_reasons"):
        run.do("review_publication", "sec01", refuse)
    run.do("review_publication", "sec01", {**refuse, "refusal_reasons": "照片可见炉温曲线，属核心秘密。"})
    assert run.names() == ["sign_publication_opinion"]         # a refusal stands without the committee
    level, text = _signed_text(engine, run)
    assert level == "core"
    for expected in ("结论不同意发布", "照片可见炉温曲线，属核心秘密。", "未再报保密委员会表决", "新闻宣传"):
        assert expected in text, expected


@pytest.mark.parametrize("field", ["committee_members", "publication_level", "requester_user", "secret_level"])
def test_the_requester_cannot_choose_deciders_or_levels(engine: Engine, clock: FixedClock, field: str) -> None:
    data, _ = _start_data(engine)
    value: Any = ["eng01", "eng02"] if field == "committee_members" else "general"
    with pytest.raises(FormDataError, match=field):
        Run(engine, clock, "publication_review", {**data, field: value}, "eng01")


def test_the_decision_needs_the_committee_for_core_material() -> None:
    data = {"publication": {"committee": True}, "publication_decision": "approve"}
    with pytest.raises(ValueError, match="committee must vote"):
        decide(data)
    assert decide({**data, "tally": {"approved": True, "yes": 3}})["decision"] == "approve"
    assert decide({**data, "publication_decision": "refuse", "refusal_reasons": "x"})["reasons"] == "x"
