"""A bulk launch (issue 11, item 6): the rows are accepted at once, each with a job of its own, and real worker
processes start them; a worker SIGKILLed after starting a row (before its job was marked finished) does not start
it twice, and a row that cannot be started says why — on SQLite and PostgreSQL."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from records.models import Job, JobStatus, LaunchRow, LaunchRowStatus, ProcessInstance
from tests.bpmn.driver import example
from tests.workflows.jobs_support import run_worker
from workflows import Engine
from workflows.launch import RowIn, accept, progress


def _batch(engine: Engine) -> int:
    rows = [RowIn(1, "王志强", example("onboarding")),
            RowIn(2, "无此人", example("onboarding", employee_user="ghost", employee_name="无此人")),
            RowIn(3, "坏行", problems=["start_date: not a date — write it as 2026-12-01"])]
    return accept(engine, "onboarding", "new-hires.csv", rows, actor="hr01")


def test_rows_are_started_by_workers_once_even_when_one_dies(setup: tuple[Engine, dict[str, str]]) -> None:
    engine, env = setup
    batch_id = _batch(engine)
    with engine.sessions() as session:
        accepted = progress(session, batch_id)
        jobs = list(session.scalars(select(Job).order_by(Job.id)))
    assert accepted is not None and (accepted.total, accepted.started, accepted.failed) == (3, 0, 1)
    assert accepted.failures == [{"row": 3, "label": "坏行",
                                  "problems": ["start_date: not a date — write it as 2026-12-01"]}]
    assert [(j.operation, j.queue, j.status, j.instance_id) for j in jobs] == [
        ("launch_row", "documents", JobStatus.QUEUED, None)] * 2
    crashed = run_worker(env, crash_at="worked")                # started row 1, killed before finishing its job
    assert crashed.returncode == -9, crashed.stderr
    with engine.sessions() as session:
        assert session.scalars(select(LaunchRow.status).order_by(LaunchRow.number)).all() == [
            LaunchRowStatus.STARTED, LaunchRowStatus.QUEUED, LaunchRowStatus.FAILED]
    time.sleep(1.2)                                             # the dead worker's lease runs out
    again = run_worker(env)
    assert again.returncode == 0, again.stderr
    with engine.sessions() as session:
        done = progress(session, batch_id)
        jobs = list(session.scalars(select(Job).order_by(Job.id)))
        instances = session.scalar(select(func.count()).select_from(ProcessInstance))
        started = session.scalars(select(LaunchRow).where(LaunchRow.status == LaunchRowStatus.STARTED)).one()
    assert done is not None and done.finished and (done.started, done.failed) == (1, 2)
    assert [f["row"] for f in done.failures] == [2, 3]
    assert "ghost" in done.failures[0]["problems"][0]
    assert [(j.status, j.attempts) for j in jobs] == [(JobStatus.APPLIED, 2), (JobStatus.APPLIED, 1)]
    assert instances == 1                                       # row 1 started once, though its job ran twice
    assert engine.show(started.instance_id or 0).subject_user == "eng01"
