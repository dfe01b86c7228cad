"""部门保密自查 (seed 000 art. 5(3), seed 003 §10.1.1): the department's liaison — from the organisation — fills the
self-check form each period; an overdue form is reported to the secrecy office; problems go to the secrecy
office for rectification; the next period opens on its first day; a department that leaves the organisation
stops its self-check."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete

from records.db import transaction
from records.models import Department
from tests.bpmn.driver import CST, Run, check_outcome, example
from workflows import Engine, FixedClock, Forbidden

CLEAN = {"carriers_kept": True, "areas_controlled": True, "staff_conduct_ok": True, "roster_updated": True,
         "new_hires_signed": True, "findings": "逐项检查，未发现问题。", "problems_found": False}


def test_monthly_self_check_with_escalation_and_rectification(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "self_check", example("self_check"), "scheduler")
    run.tick(clock.now() + dt.timedelta(minutes=1))                # the next duty round opens the current period
    task = run.task("fill_self_check", "liaison01")                # November's, open at once, due on the 30th
    assert task.due_at == dt.datetime(2026, 11, 30, 23, 59, tzinfo=CST)
    run.do("fill_self_check", "liaison01", {**CLEAN, "problems_found": True,
                                            "findings": "B-03 保密柜登记簿缺 11 月 12 日借阅记录。"})
    run.do("rectify_findings", "sec01", {"rectification": "已补登记并约谈借阅人，复查无误。", "rectified": True})
    december = dt.datetime(2026, 12, 1, tzinfo=CST)
    assert run.tick(december - dt.timedelta(minutes=1)).status == "waiting" and run.ready() == []
    run.tick(december + dt.timedelta(minutes=1))
    assert run.task("fill_self_check", "liaison01").due_at == dt.datetime(2026, 12, 31, 23, 59, tzinfo=CST)
    run.tick(dt.datetime(2027, 1, 1, 0, 0, tzinfo=CST))              # December's form is late
    assert [(n.to_role, n.subject) for n in run.notifications()][-1] == (
        "secrecy_office", "技术研发部：本期保密自查逾期未报（2026-12）")
    assert run.names() == ["fill_self_check"]                       # still to be filled, late
    clock.set(dt.datetime(2027, 1, 2, 10, tzinfo=CST))
    run.do("fill_self_check", "liaison01", CLEAN)
    run.tick(dt.datetime(2027, 1, 1, 0, 1, tzinfo=CST))
    assert run.task("fill_self_check", "liaison01").due_at == dt.datetime(2027, 1, 31, 23, 59, tzinfo=CST)


def test_weekly_and_a_department_that_leaves(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "self_check", example("self_check", cadence="weekly"), "scheduler")
    run.tick(clock.now() + dt.timedelta(minutes=1))
    assert run.task("fill_self_check", "liaison01").due_at == dt.datetime(2026, 11, 22, 23, 59, tzinfo=CST)
    with pytest.raises(Forbidden):                                  # only the department's liaison
        engine.complete(run.task("fill_self_check").id, actor="eng01", data=CLEAN)
    with transaction(engine.sessions) as session:                  # merged away during the week
        session.execute(delete(Department).where(Department.name == "技术研发部"))
    check_outcome(engine, run.do("fill_self_check", "liaison01", CLEAN))   # its last self-check
