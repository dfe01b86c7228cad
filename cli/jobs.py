"""``mibao worker`` runs the heavy steps of processes (``workflows.jobs``) on this machine; ``mibao job`` lists
them and retries one that gave up. Any number of workers on any number of machines may share one PostgreSQL
database: each job is claimed with a lease, and one whose worker died is taken over when its lease runs out."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click
from sqlalchemy import select

from cli import context
from records.db import transaction
from records.models import Job, JobStatus
from workflows.jobs import QUEUES, ParkedJobs, PoolJobs, run_job, sweep


@click.command()
@click.option("--threads", default=2, show_default=True, type=int, help="Jobs worked at the same time.")
@click.option("--every", default=2.0, show_default=True, type=float, help="Seconds between looks for work.")
@click.option("--once", is_flag=True, help="Work what is due now, then exit (cron, tests).")
@click.option("--warm", default=1, show_default=True, type=int, help="Warm LibreOffice instances to keep.")
@click.option("--broker", envvar="MIBAO_BROKER_URL", default=None,
              help="Take jobs from this Celery broker (redis://host:6379/0; default MIBAO_BROKER_URL) instead of "
                   "looking for them in the database.")
@click.option("--queues", default=",".join(QUEUES), show_default=True,
              help="With --broker: the queues this worker serves (documents, signing, mail).")
def worker(threads: int, every: float, once: bool, warm: int, broker: str | None, queues: str) -> None:
    """Work queued jobs (preparing agreements…) until stopped (Ctrl+C or SIGTERM finish the jobs in hand)."""
    context.configure_logging()
    if broker and not once:
        _celery_worker(broker, queues, threads, warm)
        return
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    with context.engine(context.instance(), warm_converters=0 if once else warm, jobs=ParkedJobs()) as engine:
        if once:
            total = 0
            for _ in range(50):              # until nothing is due (a job's result may lead to the next one)
                done = sweep(engine, lambda job_id: run_job(engine, job_id))
                if not done:
                    break
                total += done
            click.echo(f"{total} job(s) handled")
            return
        pool = PoolJobs(threads=threads, sweep_seconds=every)
        engine.jobs = pool                   # jobs a finished job leads to go straight to this worker's threads
        click.echo(f"mibao worker: {threads} thread(s), looking for work every {every:g} s (Ctrl+C stops it)")
        try:
            pool.submit(engine, [])          # starts its sweep loop; jobs it finds go to its threads
            while not stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            pool.close()


def _celery_worker(broker: str, queues: str, threads: int, warm: int) -> None:
    """A Celery worker process: one engine (and its warm LibreOffice) shared by ``threads`` threads."""
    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = sorted(set(chosen) - set(QUEUES))
    if unknown or not chosen:
        raise click.ClickException(f"unknown queue(s) {', '.join(unknown) or '(none given)'}; the queues are "
                                   f"{', '.join(QUEUES)}")
    from workflows.celery_jobs import CeleryJobs, make_celery

    with context.engine(context.instance(), warm_converters=warm, jobs=ParkedJobs()) as engine:
        app = make_celery(broker, lambda: engine)
        engine.jobs = CeleryJobs(app)        # jobs a finished job leads to go back to the broker
        app.worker_main(["worker", "--pool", "threads", "--concurrency", str(threads), "--queues",
                         ",".join(chosen), "--loglevel", "INFO", "--without-gossip", "--without-mingle"])


@click.command()
@click.option("--every", default=60.0, show_default=True, type=float, help="Seconds between rounds.")
def scheduler(every: float) -> None:
    """Do the once-across-all-nodes duties without serving pages: fire due timers, remind, send the outbox,
    anchor the audit log, hand over jobs a crash left behind. Safe to run on several machines: one at a time
    holds the database lease, another takes over when it stops."""
    from web import create_app
    from web.background import start_background

    context.configure_logging()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    app = create_app({"BACKGROUND_TICK_SECONDS": every, "JOBS": "pool"})
    click.echo(f"mibao scheduler: a round every {every:g} s (Ctrl+C stops it)")
    try:
        start_background(app.extensions["mibao"], app.config, stop, daemon=False)
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["mibao"].close()


@click.group()
def job() -> None:
    """The heavy steps processes wait for."""


@job.command("list")
@click.option("--all", "everything", is_flag=True, help="Also the applied ones (the newest 200).")
def job_list(everything: bool) -> None:
    """List the jobs not yet applied (queued, running, done, failed)."""
    with context.engine(context.instance()) as engine, engine.sessions() as session:
        query = select(Job).order_by(Job.id.desc()).limit(200)
        if not everything:
            query = query.where(Job.status != JobStatus.APPLIED)
        for row in session.scalars(query):
            click.echo(f"{row.id:6} {row.status:8} instance {row.instance_id:<6} {row.operation:20} "
                       f"attempts {row.attempts}{'  ' + row.error if row.error else ''}")


@job.command("retry")
@click.argument("job_id", type=int)
def job_retry(job_id: int) -> None:
    """Queue a job that gave up (failed) again, now; run a worker to work it."""
    with context.engine(context.instance()) as engine:
        with transaction(engine.sessions) as session:
            row = session.get(Job, job_id, with_for_update=True)
            if row is None:
                raise click.ClickException(f"there is no job {job_id}; `mibao job list` shows them")
            if row.status != JobStatus.FAILED:
                raise click.ClickException(f"job {job_id} is {row.status}, not failed; nothing to retry")
            row.status, row.attempts, row.run_after, row.error = JobStatus.QUEUED, 0, engine.clock.now(), None
        click.echo(f"job {job_id} queued again")
