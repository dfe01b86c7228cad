"""Jobs on Celery with a real Redis broker and real worker processes (``mibao worker --broker``): the engine sends a
job to its queue after the commit, a worker prepares the agreement (real LibreOffice) and the instance moves on;
a worker SIGKILLed mid-job loses nothing — the sweep re-sends the job once its lease has run out and another
worker does it, once. PostgreSQL is the shared database, as on many machines."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from records.db import make_engine, make_session_factory, transaction
from records.demo_org import ensure_demo
from records.instance import Instance
from records.migrate import upgrade
from records.models import Document, Job, JobStatus, Task
from signing import verify_pdf
from tests.db import postgresql_schema, schema_url
from tests.workflows.jobs_support import onboarding_at_its_first_agreement
from workflows import Engine, Services
from workflows.agreements import document_bytes
from workflows.celery_jobs import CeleryJobs, make_celery
from workflows.composition import build_engine
from workflows.jobs import sweep

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("MIBAO_TEST_REDIS", "redis://127.0.0.1:6379")


def _free_redis_db() -> str:
    """A Redis database of our own for this test (workers of another test must not take its messages)."""
    for index in range(1, 16):
        client = redis.Redis.from_url(f"{REDIS}/{index}")
        try:
            client.ping()
        except redis.exceptions.ConnectionError:
            if os.environ.get("CI"):
                pytest.fail(f"Redis is not reachable at {REDIS}; CI must test it")
            pytest.skip(f"Redis is not reachable at {REDIS}")
        if client.set("mibao-test-owner", uuid.uuid4().hex, nx=True, ex=900):
            client.flushdb()
            client.set("mibao-test-owner", "taken", ex=900)
            return f"{REDIS}/{index}"
    pytest.skip("no free Redis database for this test")


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, dict[str, str]]]:
    """A 'web node' engine that sends jobs to the broker, and the environment a worker on another machine
    (its own instance folder) runs with: same PostgreSQL (documents and signing keys in it), same Redis."""
    broker = _free_redis_db()
    monkeypatch.setenv("MIBAO_PKI_PASSPHRASE", "the cluster's passphrase")
    with postgresql_schema() as (schema, _engine):
        url = schema_url(schema)
        db = make_engine(url)
        upgrade(db)
        factory = make_session_factory(db)
        with transaction(factory) as session:
            ensure_demo(session)
        web_node = tmp_path / "web-node"
        services = Services(Instance.from_env(web_node))
        app = make_celery(broker)
        # The system clock, like the workers': leases are compared across processes.
        engine = build_engine(factory, services, jobs=CeleryJobs(app))
        env = {**os.environ, "MIBAO_INSTANCE": str(tmp_path / "worker-node"), "MIBAO_DATABASE_URL": url,
               "MIBAO_BROKER_URL": broker,
               "MIBAO_JOB_LEASE_SECONDS": "2", "MIBAO_JOB_UNAPPLIED_SECONDS": "0"}
        try:
            yield engine, env
        finally:
            app.close()
            services.close()
            db.dispose()
            redis.Redis.from_url(broker).flushdb()


def _start_worker(env: dict[str, str], crash_at: str | None = None) -> subprocess.Popen[str]:
    run_env = dict(env)
    if crash_at:
        run_env["MIBAO_TEST_JOB_CRASH_AT"] = crash_at
    return subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "worker", "--threads", "1",
                             "--warm", "0"], cwd=ROOT, env=run_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _wait(engine: Engine, instance_id: int, status: JobStatus, count: int = 1, seconds: float = 180) -> list[Job]:
    """The instance's jobs once there are ``count`` and all are in ``status``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.sessions() as session:
            jobs = list(session.scalars(select(Job).where(Job.instance_id == instance_id).order_by(Job.id)))
        if len(jobs) >= count and all(j.status == status for j in jobs):
            return jobs
        time.sleep(0.3)
    raise AssertionError(f"job of instance {instance_id} never reached {status}: {[(j.status, j.error) for j in jobs]}")


def _stop(worker: subprocess.Popen[str]) -> str:
    """Stop the worker (a warm shutdown: SIGTERM) and return what it logged."""
    if worker.poll() is None:
        worker.terminate()
    try:
        out, _ = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        out, _ = worker.communicate()
    return out or ""


def test_a_job_goes_through_redis_to_a_worker_and_the_instance_moves_on(
        cluster: tuple[Engine, dict[str, str]]) -> None:
    engine, env = cluster
    worker = _start_worker(env)
    try:
        instance_id = onboarding_at_its_first_agreement(engine)
        jobs = _wait(engine, instance_id, JobStatus.APPLIED, 2)
    finally:
        log = _stop(worker)
    assert [(j.status, j.attempts, j.queue) for j in jobs] == [(JobStatus.APPLIED, 1, "documents"),
                                                               (JobStatus.APPLIED, 1, "signing")], log
    with engine.sessions() as session:
        documents = session.scalars(select(Document).where(Document.instance_id == instance_id)).all()
        ready = session.scalars(select(Task.spec_name).where(Task.instance_id == instance_id,
                                                             Task.state == "ready")).all()
    assert [(d.template_id, [s["party"] for s in d.signatures]) for d in documents] == [
        ("legacy_secret_pledge", ["company"])]
    assert ready == ["sign_legacy_employee"]
    # The worker (its own instance folder, as on another machine) sealed with the keys in the database: the
    # seal verifies under the web node's root, and neither folder holds a key.
    verdict = verify_pdf(document_bytes(engine.services, documents[0]),
                         trust_roots=[engine.services.pki.root_certificate_pem()])
    assert verdict.ok and [s.signer for s in verdict.signatures if s.kind == "signature"] == [
        engine.services.company["company_name"]], verdict.problems
    assert not list(Path(env["MIBAO_INSTANCE"]).glob("pki/**/*.key.pem"))


def test_a_celery_worker_killed_mid_job_loses_nothing(cluster: tuple[Engine, dict[str, str]]) -> None:
    engine, env = cluster
    doomed = _start_worker(env, crash_at="worked")
    try:
        instance_id = onboarding_at_its_first_agreement(engine)
        doomed.wait(timeout=180)
    finally:
        log = _stop(doomed)
    assert doomed.returncode == -9, log
    assert [j.status for j in _wait(engine, instance_id, JobStatus.RUNNING, 1, 5)] == [JobStatus.RUNNING]
    time.sleep(2.5)                                        # its lease runs out
    worker = _start_worker(env)
    try:
        assert sweep(engine, lambda job_id: engine.jobs.submit(engine, [job_id])) == 1   # the scheduler's round
        jobs = _wait(engine, instance_id, JobStatus.APPLIED, 2)
    finally:
        log = _stop(worker)
    assert [(j.status, j.attempts) for j in jobs] == [(JobStatus.APPLIED, 2), (JobStatus.APPLIED, 1)], log
    with engine.sessions() as session:
        assert len(session.scalars(select(Document).where(Document.instance_id == instance_id)).all()) == 1
