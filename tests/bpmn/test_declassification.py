"""解密评估: the yearly review timer fired by ``engine.tick``; kept → next year; approved → declassified."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from records.db import transaction
from records.models import LaunchBatch, LaunchRow, ProcessInstance, SecretItem
from tests.bpmn.driver import CST, Run, check_documents, check_outcome, example
from workflows import Engine, FixedClock, FormDataError, InstanceView
from workflows.launch import progress
from workflows.schedules import launch_declassification_reviews

MEMBERS = ("gm01", "cm02", "cm03")


def vote(run: Run, choice: str) -> InstanceView:
    """Each member votes from their own task; the tally, not a typed count, decides."""
    for member in MEMBERS:
        view = run.do("committee_vote", member, {"ballot": {"vote": choice}})
    return view


def register_item(engine: Engine, level: str = "general") -> int:
    with transaction(engine.sessions) as session:
        item = SecretItem(name="6204 型深沟球轴承旧版保持架冲压模具图纸", level=level, approval={})
        session.add(item)
        session.flush()
        return item.id


def status_of(engine: Engine, item_id: int) -> SecretItem:
    with engine.sessions() as session:
        item = session.get(SecretItem, item_id)
        assert item is not None
        return item


def test_yearly_review_keeps_then_declassifies(engine: Engine, clock: FixedClock) -> None:
    item_id = register_item(engine)
    run = Run(engine, clock, "declassification", example("declassification", item_id=item_id), "sec01")
    first = dt.datetime(2027, 11, 21, 9, 0, tzinfo=CST)
    assert run.view.status == "waiting" and run.view.next_timer_at == first
    assert run.tick(first - dt.timedelta(hours=1)).status == "waiting" and run.ready() == []
    run.tick(first + dt.timedelta(minutes=1))
    run.do("declassification_review", "sec01", {"declassify_reason": "keep",
                                                 "review_opinion": "仍用于售后备件生产，继续保密。"})
    view = run.show()
    second = dt.datetime(2028, 11, 21, 9, 0, tzinfo=CST)
    assert view.status == "waiting" and view.next_timer_at == second
    run.tick(second + dt.timedelta(minutes=1))
    run.do("declassification_review", "sec01", {"declassify_reason": "no_value",
                                                 "review_opinion": "该型号已停产，图纸丧失商业价值。"})
    view = vote(run, "approve")
    check_outcome(engine, view)
    item = status_of(engine, item_id)
    assert item.status == "declassified" and item.approval["declassified"]["reason"] == "no_value"
    check_documents(engine, view, [])
    assert [h["title"] for h in view.history if h["actor"] == "timer"].count("年度解密评估日") == 2


def test_ad_hoc_request_refused_goes_back_to_the_yearly_review(engine: Engine, clock: FixedClock) -> None:
    item_id = register_item(engine)
    data = example("declassification", item_id=item_id, trigger="ad_hoc", request_reason="客户要求公开图纸。")
    run = Run(engine, clock, "declassification", data, "sec01")
    run.do("declassification_review", "sec01", {"declassify_reason": "public", "review_opinion": "拟公开。"})
    view = vote(run, "reject")
    check_outcome(engine, view, status="waiting")
    assert view.next_timer_at == dt.datetime(2027, 11, 21, 9, 0, tzinfo=CST)
    assert status_of(engine, item_id).status == "active"
    # A year later the committee votes again in the same instance (the convening empties the last votes).
    run.tick(dt.datetime(2027, 11, 21, 9, 1, tzinfo=CST))
    run.do("declassification_review", "sec01", {"declassify_reason": "public", "review_opinion": "已公开。"})
    view = vote(run, "approve")
    assert view.data["tally"]["yes"] == 3
    assert status_of(engine, item_id).status == "declassified"


def test_a_core_item_is_declassified_only_with_the_chair(engine: Engine, clock: FixedClock) -> None:
    item_id = register_item(engine, "core")
    data = example("declassification", item_id=item_id, trigger="ad_hoc", request_reason="工艺已被行业标准公开。")
    run = Run(engine, clock, "declassification", data, "sec01")
    assert run.view.data["item_name"] == "6204 型深沟球轴承旧版保持架冲压模具图纸"   # read from the register
    run.do("declassification_review", "sec01", {"declassify_reason": "public", "review_opinion": "已公开。"})
    vote(run, "approve")
    assert run.names() == ["chair_approval"] and run.task("chair_approval").assignee == "gm01"
    run.do("chair_approval", "gm01", {"chair_approved": True})
    assert status_of(engine, item_id).status == "declassified"


def test_typed_item_facts_and_votes_are_refused(engine: Engine) -> None:
    item_id = register_item(engine, "core")
    for typed in ({"current_level": "general"}, {"item_name": "x"}, {"committee_chair": "sec01"},
                  {"votes_for": 9}):
        with pytest.raises(FormDataError, match="not part of the start data"):
            engine.start("declassification", example("declassification", item_id=item_id, **typed), actor="sec01")


def test_every_entry_in_force_gets_its_yearly_review_from_the_register(composed: Engine, clock: FixedClock) -> None:
    """Issue 12 item 3 (seed 003 §4.3.2): nobody has to remember to start an entry's review — the duty round starts
    one for each entry in force that has none, once, and none for a declassified entry."""
    engine = composed
    first, second = register_item(engine), register_item(engine, "important")
    batch = launch_declassification_reviews(engine, clock.now())
    assert batch is not None
    with engine.sessions() as session:
        rows = progress(session, batch)
        started_by = session.scalar(select(LaunchBatch.started_by).where(LaunchBatch.id == batch))
        instances = list(session.scalars(select(ProcessInstance).where(
            ProcessInstance.process_id == "declassification")))
    assert rows is not None and (rows.total, rows.started, rows.failures) == (2, 2, []) and started_by == "scheduler"
    assert len(instances) == 2 and {i.status for i in instances} == {"waiting"}   # each waits for its review day
    assert {i.next_timer_at for i in instances} == {dt.datetime(2027, 11, 21, 9, 0, tzinfo=CST)}
    assert launch_declassification_reviews(engine, clock.now()) is None           # the next round: nothing twice
    # An entry registered later gets its own on the next round; a declassified one gets none.
    third = register_item(engine)
    with transaction(engine.sessions) as session:
        declassified = SecretItem(name="已公开的旧版工艺卡", level="general", approval={}, status="declassified")
        session.add(declassified)
    later = launch_declassification_reviews(engine, clock.now())
    with engine.sessions() as session:
        late = progress(session, later) if later is not None else None
    assert late is not None and late.total == 1
    assert {first, second, third} == set(_reviewed(engine))


def _reviewed(engine: Engine) -> list[int]:
    with engine.sessions() as session:
        return [int(row.data["item_id"]) for row in session.scalars(select(LaunchRow).join(
            LaunchBatch, LaunchBatch.id == LaunchRow.batch_id).where(LaunchBatch.process_id == "declassification"))]
