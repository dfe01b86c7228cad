"""年度保密承诺: the company seals the pledge, the employee signs it with their own certificate."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.bpmn.driver import AGREE, CST, Run, check_documents, check_outcome, example
from workflows import ConflictError, Engine, FixedClock, Forbidden


def test_employee_signs_the_annual_pledge(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "annual_pledge", example("annual_pledge"), "hr01")
    task = run.task("sign_annual_pledge_employee")
    assert (task.assignee, task.sign_party) == ("eng01", "employee")
    assert engine.tasks(user="eng02") == []
    with pytest.raises(Forbidden):
        engine.complete(task.id, actor="eng02", data=AGREE)
    view = run.sign("sign_annual_pledge_employee", "eng01")
    with pytest.raises(ConflictError):
        engine.complete(task.id, actor="eng01", data=AGREE)           # a second click never signs twice
    check_outcome(engine, view)
    check_documents(engine, view, [("annual_pledge", [("company", "system"), ("employee", "eng01")])])
    assert [(n.to_user, n.subject) for n in run.notifications()] == [("hr01", "王志强：年度保密承诺书已签署")]


def test_an_unsigned_pledge_is_due_in_a_month_then_escalated_to_the_secrecy_office(engine: Engine,
                                                                                   clock: FixedClock) -> None:
    """Seed 003 §5.1.2 schedules: the pledge has a due date (the inbox reminds before it); once it passes
    unsigned, the secrecy office is told — once — and the employee can still sign."""
    run = Run(engine, clock, "annual_pledge", example("annual_pledge"), "hr01")
    due = run.task("sign_annual_pledge_employee").due_at
    assert due == dt.datetime(2026, 12, 21, 9, tzinfo=CST)          # a calendar month after 2026-11-21
    run.tick(due - dt.timedelta(minutes=1))
    assert run.notifications() == []
    run.tick(due + dt.timedelta(minutes=1))
    run.tick(due + dt.timedelta(days=3))
    assert [(n.to_role, n.subject) for n in run.notifications()] == [
        ("secrecy_office", "王志强：年度保密承诺书逾期未签署")]
    view = run.sign("sign_annual_pledge_employee", "eng01")
    check_outcome(engine, view)
