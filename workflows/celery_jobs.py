"""Jobs on Celery, with Redis as the broker (``MIBAO_BROKER_URL=redis://host:6379/0``): the web nodes and the
CLI send each job to the queue of its kind (documents, signing, mail), and ``mibao worker --broker …`` processes
on any machine work them, so each kind scales on its own machines.

The broker only carries job ids; the job's row in the database stays the truth (``workflows.jobs``). A message
is acknowledged after its job ran (``acks_late``), a lost worker's message goes back to the queue, and the
scheduler's sweep re-sends what a crash left behind — at worst a job is handed over twice, and its lease makes
the second hand-over a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from celery import Celery
from sqlalchemy import select

from records.models import Job
from workflows.jobs import QUEUES, run_job

if TYPE_CHECKING:
    from workflows.runtime import Engine

__all__ = ["QUEUES", "TASK", "CeleryJobs", "make_celery"]

TASK = "mibao.run_job"


def make_celery(broker_url: str, engine: Callable[[], Engine] | None = None) -> Celery:
    """The Celery app. ``engine`` (workers only) gives the engine the job task runs on, built once per process."""
    app = Celery("mibao", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,                   # acknowledged after the job ran, not when it was received
        task_reject_on_worker_lost=True,       # a killed worker's message goes back to the queue
        worker_prefetch_multiplier=1,          # a LibreOffice job at a time per slot; no hoarding
        task_ignore_result=True,               # the job's row is its result
        task_default_queue=QUEUES[0],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    built: dict[str, Engine] = {}

    @app.task(name=TASK)  # type: ignore[untyped-decorator]  # celery ships no type hints
    def _run(job_id: int) -> None:
        if engine is None:
            raise RuntimeError("this process sends jobs; it was not started as a worker")
        if "engine" not in built:
            built["engine"] = engine()
        run_job(built["engine"], job_id)

    return app


class CeleryJobs:
    """Send each job to its kind's queue once its transaction has committed."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def submit(self, engine: Engine, job_ids: list[int]) -> None:
        if not job_ids:
            return
        with engine.sessions() as session:
            rows = session.execute(select(Job.id, Job.queue).where(Job.id.in_(job_ids))).all()
        for job_id, queue in rows:
            self.app.send_task(TASK, args=[job_id], queue=queue)

    def close(self) -> None:
        self.app.close()
