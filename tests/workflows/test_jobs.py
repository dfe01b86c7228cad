"""Heavy steps as jobs (issue 11): preparing an agreement runs on a worker outside the request and the instance's
lock, the instance waits for it visibly, and a worker SIGKILLed at any stage of a job loses nothing and does
nothing twice — real worker processes (``mibao worker --once``) on SQLite and PostgreSQL, real LibreOffice."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pytest
from sqlalchemy import select

from records.db import transaction
from records.models import Document, Job, JobStatus, ProcessInstance, Task
from tests.bpmn.driver import START
from tests.workflows.jobs_support import PREPARING, onboarding_at_its_first_agreement, run_worker
from workflows import Engine, FixedClock
from workflows.jobs import MAX_ATTEMPTS, backoff, run_job, sweep, unapplied_after


def _waiting_onboarding(engine: Engine) -> int:
    instance_id = onboarding_at_its_first_agreement(engine)
    view = engine.show(instance_id)
    assert view.status == "waiting" and [t.name for t in view.tasks if t.state == "ready"] == []
    assert [(j["title"], j["status"]) for j in view.jobs] == [(PREPARING, "queued")]
    return instance_id


def _state(engine: Engine, instance_id: int) -> tuple[list[Job], list[Document], list[str], int]:
    with engine.sessions() as session:
        jobs = list(session.scalars(select(Job).where(Job.instance_id == instance_id).order_by(Job.id)))
        documents = list(session.scalars(select(Document).where(Document.instance_id == instance_id)))
        ready = list(session.scalars(select(Task.spec_name).where(Task.instance_id == instance_id,
                                                                  Task.state == "ready")))
        ran = engine.show(instance_id).history
    return jobs, documents, ready, sum(1 for h in ran if h["action"] == "ran" and h["detail"].get("job"))


@pytest.mark.parametrize("stage", ["claimed", "worked", "stored"])
def test_a_worker_killed_at_any_stage_loses_nothing_and_does_nothing_twice(
        setup: tuple[Engine, dict[str, str]], stage: str) -> None:
    engine, env = setup
    instance_id = _waiting_onboarding(engine)
    crashed = run_worker(env, crash_at=stage)
    assert crashed.returncode == -9, crashed.stderr          # SIGKILL, mid-job
    jobs, documents, ready, _ = _state(engine, instance_id)
    assert [j.status for j in jobs] == ([JobStatus.DONE] if stage == "stored" else [JobStatus.RUNNING])
    assert documents == [] and ready == []                     # nothing half-done is visible
    time.sleep(1.2)                                            # the dead worker's lease runs out
    again = run_worker(env)
    assert again.returncode == 0, again.stderr
    jobs, documents, ready, applied = _state(engine, instance_id)
    # Preparing (taken over after the crash), then the company's seal it led to: each applied once.
    assert [(j.operation, j.status, j.attempts) for j in jobs] == [
        ("prepare_agreement", JobStatus.APPLIED, 1 if stage == "stored" else 2),
        ("company_sign", JobStatus.APPLIED, 1)]
    assert applied == 2
    (prepared,) = documents                                    # one agreement, made once, sealed by the company
    assert prepared.id == jobs[0].args["document_id"] and prepared.template_id == "legacy_secret_pledge"
    assert [s["party"] for s in prepared.signatures] == ["company"]
    assert hashlib.sha256(engine.services.blobs.get(prepared.path)).hexdigest() == prepared.sha256
    assert ready == ["sign_legacy_employee"]                   # the instance moved on to the signature
    with engine.sessions() as session:
        row = session.get(ProcessInstance, instance_id)
        assert row is not None and row.error is None


def test_a_failing_job_is_retried_with_backoff_then_shows_on_the_instance(
        setup: tuple[Engine, dict[str, str]]) -> None:
    engine, _env = setup
    instance_id = _waiting_onboarding(engine)
    with transaction(engine.sessions) as session:
        job = session.scalars(select(Job).where(Job.instance_id == instance_id)).one()
        job.args = {**job.args, "template_id": "no_such_template"}
        job_id = job.id
    clock = engine.clock
    assert isinstance(clock, FixedClock)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert run_job(engine, job_id, worker="test")
        with engine.sessions() as session:
            job = session.get(Job, job_id)
            assert job is not None and job.attempts == attempt and "no_such_template" in (job.error or "")
            if attempt < MAX_ATTEMPTS:
                assert job.status == JobStatus.QUEUED and job.run_after == clock.now() + backoff(attempt)
                assert not run_job(engine, job_id, worker="test")        # not before its backoff
                clock.set(job.run_after)
    view = engine.show(instance_id)
    assert view.jobs[0]["status"] == "failed" and view.error and "mibao job retry" in view.error


def test_the_sweep_leaves_a_job_just_handed_over_alone(setup: tuple[Engine, dict[str, str]]) -> None:
    """A queued job is on its way to a worker (in the broker's queue, behind others): the sweep re-sends it only
    once it has waited long enough to be taken for lost, not every round — which would copy a whole backlog into
    the broker each minute."""
    engine, _env = setup
    _waiting_onboarding(engine)
    clock = engine.clock
    assert isinstance(clock, FixedClock)
    handed: list[int] = []
    assert sweep(engine, handed.append) == 0
    clock.set(START + unapplied_after() - dt.timedelta(seconds=1))
    assert sweep(engine, handed.append) == 0 and handed == []
    clock.set(START + unapplied_after())
    assert sweep(engine, handed.append) == 1 and len(handed) == 1
