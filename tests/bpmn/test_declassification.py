"""解密评估: the yearly review timer fired by ``engine.tick``; kept → next year; approved → declassified."""

from __future__ import annotations

import datetime as dt

from records.db import transaction
from records.models import SecretItem
from tests.bpmn.driver import CST, Run, check_documents, check_outcome, example
from workflows import Engine, FixedClock

APPROVAL = {"meeting_date": "2028-11-28", "votes_for": 3, "votes_against": 0, "votes_abstain": 0,
            "declassification_approved": True, "resolution_note": "同意解密，删除密级标识。"}


def register_item(engine: Engine) -> int:
    with transaction(engine.sessions) as session:
        item = SecretItem(name="6204 型深沟球轴承旧版保持架冲压模具图纸", level="general", approval={})
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
    view = run.do("committee_declassification_approval", "gm01", APPROVAL)
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
    view = run.do("committee_declassification_approval", "gm01", {**APPROVAL, "declassification_approved": False})
    check_outcome(engine, view, status="waiting")
    assert view.next_timer_at == dt.datetime(2027, 11, 21, 9, 0, tzinfo=CST)
    assert status_of(engine, item_id).status == "active"
