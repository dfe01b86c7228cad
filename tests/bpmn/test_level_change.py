"""密级变更: assessment → committee vote → chair approval when core is involved → the register is updated."""

from __future__ import annotations

import pytest

from records.db import transaction
from records.models import SecretItem
from tests.bpmn.driver import Run, check_documents, check_outcome, example
from workflows import Engine, FixedClock, FormDataError

ASSESS = {"assessment_opinion": "竞争对手近期挖角，泄露风险显著上升，建议升为核心秘密。", "recommend_change": True}


def register_item(engine: Engine, level: str, knowers: str | None = None) -> int:
    with transaction(engine.sessions) as session:
        item = SecretItem(name="6310 型深沟球轴承精密磨削进给量参数表", level=level, department="技术研发部",
                          knowers=knowers, approval={"votes": []})
        session.add(item)
        session.flush()
        return item.id


def level_of(engine: Engine, item_id: int) -> tuple[str, list[dict[str, str]]]:
    with engine.sessions() as session:
        item = session.get(SecretItem, item_id)
        assert item is not None
        return item.level, item.approval.get("changes", [])


def test_upgrade_to_core_needs_the_chair(engine: Engine, clock: FixedClock) -> None:
    item_id = register_item(engine, "important", knowers="eng01、设计工程师")
    run = Run(engine, clock, "level_change", example("level_change", item_id=item_id), "liaison01")
    run.do("assess_level_change", "sec01", ASSESS)
    for member, choice in (("gm01", "approve"), ("cm02", "approve"), ("cm03", "reject")):
        run.do("committee_vote", member, {"ballot": {"vote": choice}})
    assert run.names() == ["chair_approval"]
    view = run.do("chair_approval", "gm01", {"chair_approved": True})
    check_outcome(engine, view)
    level, changes = level_of(engine, item_id)
    assert level == "core" and [(c["from"], c["to"]) for c in changes] == [("important", "core")]
    check_documents(engine, view, [])
    # Seed 003 §4.3.1 "通知相关人员": those the entry names (a person, a post: eng02 is a 设计工程师), its
    # department's head and liaison are told, by entry number only; the liaison's report carries the level.
    notes = run.notifications()
    told = sorted(n.to_user for n in notes if n.subject.startswith("密级变更通知"))
    assert told == ["eng01", "eng02", "head01", "liaison01"]
    assert all("6310" not in n.subject and "6310" not in (n.body or "") for n in notes
               if n.subject.startswith("密级变更通知"))
    report = [n for n in notes if not n.subject.startswith("密级变更通知")]
    assert [(n.to_user, n.level) for n in report] == [("liaison01", "core")]


def test_downgrade_between_non_core_levels_needs_no_chair(engine: Engine, clock: FixedClock) -> None:
    item_id = register_item(engine, "important")
    data = example("level_change", item_id=item_id, new_level="general", new_period="2年",
                   change_reason="技术迭代，价值下降。")
    run = Run(engine, clock, "level_change", data, "liaison01")
    run.do("assess_level_change", "sec01", {**ASSESS, "assessment_opinion": "同意降级。"})
    for member in ("gm01", "cm02", "cm03"):
        run.do("committee_vote", member, {"ballot": {"vote": "approve"}})
    view = run.show()
    check_outcome(engine, view)
    assert level_of(engine, item_id)[0] == "general"
    with engine.sessions() as session:
        assert session.get(SecretItem, item_id).period == "2年"          # the period the new level takes


@pytest.mark.parametrize(("level", "good", "bad"), [
    ("general", ["1年", "3年"], ["0年", "4年", "长期"]),
    ("important", ["3年", "5 years"], ["2年", "6年", "长期"]),
    ("core", ["长期", "long-term"], ["5年", "30年"])])
def test_the_secrecy_period_must_fit_the_new_level(engine: Engine, level: str, good: list[str],
                                                   bad: list[str]) -> None:
    """Seed 003 §4.1.2: general 1–3 years, important 3–5, core long-term. The boundary is accepted; one step past
    it is refused at the start, naming the rule and the section, and nothing is started."""
    item_id = register_item(engine, "important" if level != "important" else "general")
    for period in bad:
        with pytest.raises(FormDataError) as refused:
            engine.start("level_change", example("level_change", item_id=item_id, new_level=level, new_period=period),
                         actor="liaison01")
        (problem,) = refused.value.problems
        assert problem.startswith(f"new_period: “{period}”") and "seed 003 §4.1.2" in problem
    for period in good:
        engine.start("level_change", example("level_change", item_id=item_id, new_level=level, new_period=period),
                     actor="liaison01")


@pytest.mark.parametrize("where", ["assessment", "chair"])
def test_refused_change_keeps_the_level(engine: Engine, clock: FixedClock, where: str) -> None:
    item_id = register_item(engine, "important")
    run = Run(engine, clock, "level_change", example("level_change", item_id=item_id), "liaison01")
    if where == "assessment":
        view = run.do("assess_level_change", "sec01", {**ASSESS, "recommend_change": False})
    else:
        run.do("assess_level_change", "sec01", ASSESS)
        for member in ("gm01", "cm02", "cm03"):
            run.do("committee_vote", member, {"ballot": {"vote": "approve"}})
        view = run.do("chair_approval", "gm01", {"chair_approved": False, "chair_note": "维持重要秘密。"})
    check_outcome(engine, view)
    assert level_of(engine, item_id) == ("important", [])
    assert [n.subject for n in run.notifications()] == ["6310 型深沟球轴承精密磨削进给量参数表：密级变更申请未获批准"]
