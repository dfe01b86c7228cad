"""Starting processes for people: one from a form, or many from a CSV at once (a bulk launch).

A bulk launch is accepted in one short request — every row read, checked against the start form and written
with a job of its own — and each row is then started by a worker (``workflows.jobs``), so a file of a thousand
new hires does not hold a request (or the database's write lock) for minutes. A row that fails (bad data, an
unknown account) does not stop the others; each row's outcome, with its reason, is kept on ``LaunchRow`` and
shown as it happens. A row is started once: the instance and the row's "started" are one transaction, and a
second run of the job (a worker killed after starting it) finds the row started and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from documents.errors import DocumentError
from records.db import transaction
from records.models import LaunchBatch, LaunchRow, LaunchRowStatus, ProcessInstance, User
from signing.errors import SigningError
from workflows.errors import FormDataError, WorkflowError
from workflows.jobs import OwnJob
from workflows.runtime import Engine
from workflows.views import InstanceView

__all__ = ["LAUNCH_ROW", "BatchProgress", "RowIn", "accept", "launch_row_job", "progress", "start_one"]

LAUNCH_ROW = "launch_row"
_USER_FIELDS = ("employee_user", "hr_user")


@dataclass(frozen=True)
class RowIn:
    """One data row as read from the file: its start data, or why it cannot be started."""

    number: int                           # 1-based data row (the header is row 0)
    label: str                            # a name to recognise the row by
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BatchProgress:
    batch_id: int
    process_id: str
    filename: str
    started_by: str
    total: int
    started: int
    failed: int
    failures: list[dict[str, Any]]        # {"row", "label", "problems"} in row order

    @property
    def done(self) -> int:
        return self.started + self.failed

    @property
    def finished(self) -> bool:
        return self.done >= self.total


class _AlreadyStarted(Exception):
    """The row was started by an earlier run of its job: this run's instance is rolled back."""


def start_one(engine: Engine, process_id: str, data: dict[str, Any], *, actor: str,
              within: Any = None) -> InstanceView:
    """Start ``process_id`` for one person, after checking that the accounts it names exist."""
    with engine.sessions() as session:
        missing = [_("%(field)s: there is no user “%(user)s”.", field=name, user=data[name]) for name in _USER_FIELDS
                   if isinstance(data.get(name), str) and session.get(User, data[name]) is None]
    if missing:
        raise FormDataError(_("the start form"), missing)
    return engine.start(process_id, data, actor=actor, within=within)


def accept(engine: Engine, process_id: str, filename: str, rows: list[RowIn], *, actor: str) -> int:
    """Write the batch, its rows and one job per startable row in one transaction, hand the jobs to the workers,
    and return the batch's id. Rows whose data was refused are recorded as failed at once."""
    own = engine.own_jobs[LAUNCH_ROW]
    with transaction(engine.sessions) as session:
        now = engine.clock.now()
        batch = LaunchBatch(process_id=process_id, started_by=actor, filename=filename[:200], total=len(rows),
                            created_at=now)
        session.add(batch)
        session.flush()
        records = [LaunchRow(batch_id=batch.id, number=row.number, label=row.label[:200], data=row.data,
                             status=LaunchRowStatus.FAILED if row.problems else LaunchRowStatus.QUEUED,
                             problems=list(row.problems), finished_at=now if row.problems else None)
                   for row in rows]
        session.add_all(records)
        session.flush()
        jobs = [own.job(LAUNCH_ROW, f"launch-row:{r.id}", {"row": r.id}, now)
                for r in records if r.status == LaunchRowStatus.QUEUED]
        session.add_all(jobs)
        session.flush()
        batch_id, job_ids = batch.id, [job.id for job in jobs]
    engine.jobs.submit(engine, job_ids)
    return batch_id


def _run_row(engine: Engine, args: dict[str, Any]) -> None:
    row_id = int(args["row"])
    with engine.sessions() as session:
        row = session.get(LaunchRow, row_id)
        if row is None or row.status != LaunchRowStatus.QUEUED:
            return
        batch = session.get(LaunchBatch, row.batch_id)
        assert batch is not None
        process_id, actor, data = batch.process_id, batch.started_by, dict(row.data)

    def claim(session: Session, instance: ProcessInstance) -> None:
        taken = session.execute(update(LaunchRow).where(LaunchRow.id == row_id,
                                                        LaunchRow.status == LaunchRowStatus.QUEUED)
                                .values(status=LaunchRowStatus.STARTED, instance_id=instance.id,
                                        finished_at=engine.clock.now()))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise _AlreadyStarted

    try:
        start_one(engine, process_id, data, actor=actor, within=claim)
    except _AlreadyStarted:
        return
    except FormDataError as exc:
        _refuse(engine, row_id, list(exc.problems))
    except (WorkflowError, DocumentError, SigningError) as exc:
        _refuse(engine, row_id, [str(exc)])


def _refuse(engine: Engine, row_id: int, problems: list[str]) -> None:
    with transaction(engine.sessions) as session:
        session.execute(update(LaunchRow).where(LaunchRow.id == row_id, LaunchRow.status == LaunchRowStatus.QUEUED)
                        .values(status=LaunchRowStatus.FAILED, problems=problems, finished_at=engine.clock.now()))


def launch_row_job() -> OwnJob:
    """The job that starts one row (documents queue: starting may prepare the first agreement at once)."""
    return OwnJob(queue="documents", title="正在发起流程 / starting the process", run=_run_row)


def progress(session: Session, batch_id: int) -> BatchProgress | None:
    batch = session.get(LaunchBatch, batch_id)
    if batch is None:
        return None
    counts: dict[str, int] = {status: n for status, n in session.execute(
        select(LaunchRow.status, func.count()).where(LaunchRow.batch_id == batch_id).group_by(LaunchRow.status))}
    failures = [{"row": r.number, "label": r.label, "problems": list(r.problems)}
                for r in session.scalars(select(LaunchRow).where(LaunchRow.batch_id == batch_id,
                                                                 LaunchRow.status == LaunchRowStatus.FAILED)
                                         .order_by(LaunchRow.number))]
    return BatchProgress(batch.id, batch.process_id, batch.filename, batch.started_by, batch.total,
                         counts.get(LaunchRowStatus.STARTED, 0), counts.get(LaunchRowStatus.FAILED, 0), failures)
