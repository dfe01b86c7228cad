"""The engine on a small process: start, forms, assignment, services, timers, history — SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from records.models import ProcessDefinition
from tests.workflows.conftest import START
from workflows import ConflictError, Engine, FixedClock, Forbidden, FormDataError, NotFound, UnknownProcess


def _only_task(engine: Engine, **filters: str) -> str:
    tasks = engine.tasks(**filters)
    assert len(tasks) == 1, tasks
    return tasks[0].id


def test_small_amount_goes_straight_to_approval(engine: Engine) -> None:
    inst = engine.start("probe", {"approver": "head2"}, actor="hr1")
    assert inst.status == "running"
    engine.complete(_only_task(engine, role="hr"), actor="hr1", data={"amount": 5})
    task = engine.tasks(user="head2")
    assert [t.title for t in task] == ["部门负责人审批"]
    assert engine.tasks(user="head1") == []                       # assigned to head2 only
    done = engine.complete(task[0].id, actor="head2", data={})
    assert done.status == "completed"
    assert [h["action"] for h in done.history] == ["started", "completed", "ran", "completed"]


def test_big_amount_waits_for_the_timer(engine: Engine, clock: FixedClock) -> None:
    inst = engine.start("probe", {"approver": "head1"}, actor="hr1")
    after = engine.complete(_only_task(engine, role="hr"), actor="hr1", data={"amount": 50})
    assert after.status == "waiting"
    assert after.next_timer_at == dt.datetime(2026, 12, 21, 1, 0, tzinfo=dt.UTC)   # 09:00 China time
    report = engine.tick(START + dt.timedelta(days=29))
    assert report.due == 0 and engine.show(inst.id).status == "waiting"
    report = engine.tick(START + dt.timedelta(days=31))
    assert report.advanced == [inst.id] and not report.errors
    assert [t.title for t in engine.tasks(user="head1")] == ["部门负责人审批"]
    assert engine.show(inst.id).next_timer_at is None


def test_form_data_is_checked(engine: Engine) -> None:
    engine.start("probe", {"approver": "head1"}, actor="hr1")
    task = _only_task(engine, role="hr")
    with pytest.raises(FormDataError) as err:
        engine.complete(task, actor="hr1", data={"amount": -1, "extra": True})
    assert "amount: -1 is less than the minimum of 0" in str(err.value)
    assert "Additional properties are not allowed" in str(err.value)
    assert engine.tasks(role="hr")[0].id == task                  # nothing changed


def test_start_data_is_checked(engine: Engine) -> None:
    with pytest.raises(FormDataError, match="'approver' is a required property"):
        engine.start("probe", {}, actor="hr1")


def test_someone_elses_task_is_refused(engine: Engine) -> None:
    engine.start("probe", {"approver": "head2"}, actor="hr1")
    with pytest.raises(Forbidden, match="for the role hr"):
        engine.complete(_only_task(engine, role="hr"), actor="head1", data={"amount": 1})
    engine.complete(_only_task(engine, role="hr"), actor="hr1", data={"amount": 1})
    with pytest.raises(Forbidden, match="assigned to head2"):
        engine.complete(_only_task(engine, role="department_head"), actor="head1", data={})


def test_second_completion_conflicts_and_changes_nothing(engine: Engine) -> None:
    inst = engine.start("probe", {"approver": "head1"}, actor="hr1")
    task = _only_task(engine, role="hr")
    engine.complete(task, actor="hr1", data={"amount": 1})
    before = engine.show(inst.id)
    with pytest.raises(ConflictError, match="already completed by hr1"):
        engine.complete(task, actor="hr1", data={"amount": 99})
    assert engine.show(inst.id).version == before.version


def test_unknown_things(engine: Engine) -> None:
    with pytest.raises(UnknownProcess, match="there is no process 'nope'; the processes are: probe"):
        engine.start("nope", {}, actor="hr1")
    with pytest.raises(NotFound):
        engine.complete("00000000-0000-0000-0000-000000000000", actor="hr1", data={})
    with pytest.raises(NotFound):
        engine.show(12345)


def test_first_starts_of_a_new_definition_at_once_all_succeed(make_engine) -> None:  # type: ignore[no-untyped-def]
    """The first starts of a process whose definition is not stored yet, at the same moment from several engines
    (web nodes): one stores the definition, the others use it — none fails on the unique hash."""
    engines = [make_engine() for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    results: list[object] = []

    def start(engine: Engine) -> None:
        barrier.wait()
        try:
            results.append(engine.start("probe", {"approver": "head2"}, actor="hr1").status)
        except Exception as exc:  # the assertion below names it
            results.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["running"] * len(engines)
    with engines[0].sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessDefinition)) == 1
