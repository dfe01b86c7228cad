"""Jobs: the heavy steps of a process (preparing an agreement with LibreOffice…) run outside the request and
outside the instance's lock, and the instance waits at that step, visibly, until the job's result is applied.

The life of a job (``records.models.Job``):

1. A service task whose operation is a job (``Registry.job``) runs its light part in the instance's transaction:
   it decides the job's arguments and the job row is written with the instance state that waits for it, so
   neither exists without the other. The task is left STARTED (SpiffWorkflow's state for "running elsewhere").
2. After the commit the engine hands the job to its runner (:class:`InlineJobs` in tests and one-shot commands,
   :class:`PoolJobs` threads in ``mibao serve``, Celery workers when a broker is configured).
3. :func:`run_job` claims it with a lease (``UPDATE … WHERE`` queued, or running with the lease run out — a
   worker killed mid-job leaves exactly that), does the work with no session and no lock, stores the result,
   and asks the engine to apply it: under the instance's lock, once (a job whose task is no longer waiting is
   marked applied and changes nothing). A failure is retried with backoff; after ``MAX_ATTEMPTS`` the instance
   shows the error.
4. :func:`sweep` finds what a crash left behind (queued but never handed over, leases run out, results never
   applied) and hands it over again. The work is idempotent, so running a job twice costs time, not state.

A job **of its own** (:class:`OwnJob`: a row of a bulk launch) has no waiting instance: its work records its own
effect in its own transaction, guarded so that a second run finds it done, and the job is then finished. It goes
through the same queues, leases, retries and sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import and_, or_, select, update

from records.db import transaction
from records.models import HistoryEntry, Job, JobStatus, ProcessInstance

if TYPE_CHECKING:
    from workflows.runtime import Engine

__all__ = [
    "MAX_ATTEMPTS",
    "QUEUES",
    "InlineJobs",
    "JobPending",
    "JobRunner",
    "OwnJob",
    "ParkedJobs",
    "PoolJobs",
    "backoff",
    "lease",
    "run_job",
    "runnable",
    "sweep",
    "unapplied_after",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# The kinds of job, each its own queue so each scales on its own machines (LibreOffice, signing keys, mail).
QUEUES = ("documents", "signing", "mail")
# Test hook: a worker kills itself (SIGKILL) at this stage of a job — claimed, worked, stored — so the tests can
# show that a worker dying anywhere loses nothing and does nothing twice.
_CRASH_AT = "MIBAO_TEST_JOB_CRASH_AT"


def lease() -> dt.timedelta:
    """How long a claimed job is its worker's: one not finished by then is taken to be lost with its worker."""
    return dt.timedelta(seconds=float(os.environ.get("MIBAO_JOB_LEASE_SECONDS", 300)))


def unapplied_after() -> dt.timedelta:
    """How long the sweep leaves a job alone before taking it for lost: a stored result not applied by then was
    left by a crash between storing and applying; a due job still queued by then was never handed over (or its
    message was lost) — one just handed over is still on its way to a worker, and re-sending every queued job each
    round would flood the broker with copies of its backlog."""
    return dt.timedelta(seconds=float(os.environ.get("MIBAO_JOB_UNAPPLIED_SECONDS", 60)))


def _crash_point(stage: str) -> None:
    if os.environ.get(_CRASH_AT) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


class JobPending(Exception):
    """Raised by a job's service task once its job row is written: the engine leaves the task STARTED."""

    def __init__(self, task: Any, job: Job) -> None:
        super().__init__(f"task {task.task_spec.bpmn_id} waits for job {job.operation}")
        self.task, self.job = task, job


@dataclass(frozen=True)
class OwnJob:
    """A kind of job no instance waits for; ``run`` does the work and records its effect, once."""

    queue: str
    title: str
    run: Callable[[Engine, dict[str, Any]], None]

    def job(self, operation: str, key: str, args: dict[str, Any], now: dt.datetime) -> Job:
        """The row to write (in the transaction that needs the work done); ``key`` names it once."""
        return Job(instance_id=None, task_id=None, key=key, operation=operation, queue=self.queue, title=self.title,
                   args=args, status=JobStatus.QUEUED, attempts=0, run_after=now)


def backoff(attempts: int) -> dt.timedelta:
    """10 s, 40 s, 2 min 40 s, … after the first, second, third failure."""
    return dt.timedelta(seconds=10 * 4 ** max(attempts - 1, 0))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def runnable(now: dt.datetime) -> Any:
    """The condition a job can be claimed under: queued and due, or running with its lease run out."""
    return or_(and_(Job.status == JobStatus.QUEUED, Job.run_after <= now),
               and_(Job.status == JobStatus.RUNNING, Job.lease_until < now))


def run_job(engine: Engine, job_id: int, worker: str | None = None) -> bool:
    """Claim, work and apply one job; False when it was not there to claim (done, or another worker has it)."""
    worker = worker or worker_name()
    now = engine.clock.now()
    with transaction(engine.sessions) as session:
        claimed = session.execute(update(Job).where(Job.id == job_id, runnable(now)).values(
            status=JobStatus.RUNNING, lease_until=now + lease(), attempts=Job.attempts + 1, worker=worker))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        job = session.get(Job, job_id)
        assert job is not None
        operation, args, attempts, instance_id = job.operation, dict(job.args), job.attempts, job.instance_id
    _crash_point("claimed")
    try:
        if instance_id is None:                 # a job of its own: its work records its effect itself
            own = engine.own_jobs.get(operation)
            if own is None:
                raise LookupError(f"there is no job {operation!r} (a newer version queued it?)")
            own.run(engine, args)
            result, finished = None, JobStatus.APPLIED
        else:
            spec = engine.registry.get(operation)
            if spec is None or spec.job is None:
                raise LookupError(f"there is no job operation {operation!r} (a newer version queued it?)")
            result, finished = spec.job.work(engine.services, args), JobStatus.DONE
    except Exception as exc:  # a worker must record any failure and live on
        _failed(engine, job_id, instance_id, attempts, f"{type(exc).__name__}: {exc}")
        return True
    _crash_point("worked")
    with transaction(engine.sessions) as session:
        session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING).values(
            status=finished, result=result, lease_until=None, error=None, finished_at=engine.clock.now()))
    if finished == JobStatus.DONE:
        _crash_point("stored")
        engine.apply_job(job_id)
    return True


def _failed(engine: Engine, job_id: int, instance_id: int | None, attempts: int, message: str) -> None:
    now = engine.clock.now()
    log.warning("job %s failed (attempt %s): %s", job_id, attempts, message)
    with transaction(engine.sessions) as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.status != JobStatus.RUNNING:
            return
        job.error, job.lease_until = message, None
        if attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at = JobStatus.FAILED, now
            row = session.get(ProcessInstance, instance_id) if instance_id is not None else None
            if row is not None:
                row.error = f"{job.title}: {message} (tried {attempts} times; fix the cause, then `mibao job retry " \
                            f"{job_id}`)"
                session.add(HistoryEntry(instance_id=instance_id, at=now, actor="worker", action="error",
                                         title=job.title, detail={"error": message, "job": job_id}))
        else:
            job.status, job.run_after = JobStatus.QUEUED, now + backoff(attempts)


def sweep(engine: Engine, hand_over: Callable[[int], object]) -> int:
    """Hand over again what a crash left behind; returns how many jobs. Results that were stored but never
    applied are applied here."""
    now = engine.clock.now()
    lost = or_(and_(Job.status == JobStatus.QUEUED, Job.run_after <= now - unapplied_after()),
               and_(Job.status == JobStatus.RUNNING, Job.lease_until < now))
    with engine.sessions() as session:
        again = list(session.scalars(select(Job.id).where(lost).order_by(Job.run_after, Job.id).limit(500)))
        unapplied = list(session.scalars(select(Job.id).where(Job.status == JobStatus.DONE,
                                                               Job.finished_at <= now - unapplied_after())
                                     .limit(500)))
    for job_id in unapplied:
        engine.apply_job(job_id)
    for job_id in again:
        hand_over(job_id)
    return len(again) + len(unapplied)


class JobRunner(Protocol):
    """Where the engine hands jobs after the transaction that wrote them commits."""

    def submit(self, engine: Engine, job_ids: list[int]) -> None: ...

    def close(self) -> None: ...


class InlineJobs:
    """Run each job at once in the caller's thread, after its transaction and outside the instance's lock: the
    embedded default for one-shot commands and tests, where "complete" returns once the agreement is ready."""

    def submit(self, engine: Engine, job_ids: list[int]) -> None:
        for job_id in job_ids:
            run_job(engine, job_id)

    def close(self) -> None:
        pass


class ParkedJobs:
    """Leave each job in the table for whichever worker looks next (``mibao worker``'s own engine: its sweep
    finds them; a web node whose jobs are worked elsewhere)."""

    def submit(self, engine: Engine, job_ids: list[int]) -> None:
        pass

    def close(self) -> None:
        pass


class PoolJobs:
    """A pool of worker threads in the server process (``mibao serve`` without a broker), with a sweep every
    ``sweep_seconds`` for what a crash left behind. The request returns at once; the page shows the wait."""

    def __init__(self, threads: int = 2, sweep_seconds: float = 15.0) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mibao-job")
        self._stop = threading.Event()
        self._sweep_seconds = sweep_seconds
        self._sweeper: threading.Thread | None = None

    def submit(self, engine: Engine, job_ids: list[int]) -> None:
        if self._sweeper is None:
            self._sweeper = threading.Thread(target=self._sweep_loop, args=(engine,), name="mibao-job-sweep",
                                             daemon=True)
            self._sweeper.start()
        for job_id in job_ids:
            self._pool.submit(self._run, engine, job_id)

    @staticmethod
    def _run(engine: Engine, job_id: int) -> None:
        try:
            run_job(engine, job_id)
        except Exception:  # the sweep hands it over again
            log.exception("job %s could not run", job_id)

    def _sweep_loop(self, engine: Engine) -> None:
        while not self._stop.wait(self._sweep_seconds):
            try:
                sweep(engine, lambda job_id: self._pool.submit(self._run, engine, job_id))
            except Exception:
                log.exception("job sweep failed")

    def close(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=False)
