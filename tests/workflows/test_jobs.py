"""Heavy steps as jobs (issue 11): preparing an agreement runs on a worker outside the request and the instance's
lock, the instance waits for it visibly, and a worker SIGKILLed at any stage of a job loses nothing and does
nothing twice — real worker processes (``mibao worker --once``) on SQLite and PostgreSQL, real LibreOffice."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from records.db import make_engine, make_session_factory, transaction
from records.demo_org import ensure_demo
from records.instance import Instance
from records.migrate import upgrade
from records.models import Document, Job, JobStatus, ProcessInstance, Task
from tests.bpmn.driver import START
from tests.db import BACKENDS, postgresql_schema, schema_url
from tests.workflows.jobs_support import PREPARING, onboarding_at_its_first_agreement
from workflows import Engine, FixedClock, Services
from workflows.composition import build_engine
from workflows.jobs import MAX_ATTEMPTS, ParkedJobs, backoff, run_job

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def _database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated, empty database both this test and its worker processes use."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'instance' / 'mibao.db'}"
        return
    with postgresql_schema() as (schema, _engine):
        yield schema_url(schema)


@pytest.fixture(params=BACKENDS)
def setup(request: pytest.FixtureRequest, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, dict[str, str]]]:
    (tmp_path / "instance").mkdir()
    monkeypatch.setenv("MIBAO_PKI_PASSPHRASE", "the deployment's passphrase")  # keys in the database on PostgreSQL
    with _database(str(request.param), tmp_path) as url:
        db = make_engine(url)
        upgrade(db)
        factory = make_session_factory(db)
        with transaction(factory) as session:
            ensure_demo(session)
        services = Services(Instance.from_env(tmp_path / "instance"))
        engine = build_engine(factory, services, clock=FixedClock(START), jobs=ParkedJobs())
        env = {**os.environ, "MIBAO_INSTANCE": str(tmp_path / "instance"), "MIBAO_DATABASE_URL": url,
               "MIBAO_JOB_LEASE_SECONDS": "1", "MIBAO_JOB_UNAPPLIED_SECONDS": "0"}
        try:
            yield engine, env
        finally:
            services.close()
            db.dispose()


def _waiting_onboarding(engine: Engine) -> int:
    instance_id = onboarding_at_its_first_agreement(engine)
    view = engine.show(instance_id)
    assert view.status == "waiting" and [t.name for t in view.tasks if t.state == "ready"] == []
    assert [(j["title"], j["status"]) for j in view.jobs] == [(PREPARING, "queued")]
    return instance_id


def _worker(env: dict[str, str], crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    run_env = dict(env)
    if crash_at:
        run_env["MIBAO_TEST_JOB_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-c", "from cli import main; main()", "worker", "--once"],
                          cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=300)


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
    crashed = _worker(env, crash_at=stage)
    assert crashed.returncode == -9, crashed.stderr          # SIGKILL, mid-job
    jobs, documents, ready, _ = _state(engine, instance_id)
    assert [j.status for j in jobs] == ([JobStatus.DONE] if stage == "stored" else [JobStatus.RUNNING])
    assert documents == [] and ready == []                     # nothing half-done is visible
    time.sleep(1.2)                                            # the dead worker's lease runs out
    again = _worker(env)
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
