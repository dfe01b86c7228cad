"""Plain, immutable views the engine returns: callers never hold ORM objects or SpiffWorkflow tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from records.models import Document, HistoryEntry, Job, ProcessInstance, Task

__all__ = ["InstanceView", "TaskView", "TickReport"]


@dataclass(frozen=True)
class TaskView:
    id: str
    instance_id: int
    process_id: str
    name: str
    title: str
    lane: str | None
    assignee: str | None
    form: str | None
    sign_document: str | None
    sign_party: str | None
    due_at: dt.datetime | None
    state: str
    created_at: dt.datetime
    completed_at: dt.datetime | None
    completed_by: str | None

    @classmethod
    def of(cls, task: Task, process_id: str) -> TaskView:
        return cls(id=task.id, instance_id=task.instance_id, process_id=process_id, name=task.spec_name,
                   title=task.title, lane=task.lane, assignee=task.assignee, form=task.form,
                   sign_document=task.sign_document, sign_party=task.sign_party, due_at=task.due_at,
                   state=str(task.state), created_at=task.created_at, completed_at=task.completed_at,
                   completed_by=task.completed_by)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class InstanceView:
    id: int
    process_id: str
    status: str
    version: int
    subject_user: str | None
    started_by: str
    started_at: dt.datetime
    completed_at: dt.datetime | None
    next_timer_at: dt.datetime | None
    error: str | None
    data: dict[str, Any]
    tasks: list[TaskView] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    # Heavy steps the instance waits for (``workflows.jobs``): what, and how it stands.
    jobs: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, row: ProcessInstance, data: dict[str, Any], tasks: list[Task], history: list[HistoryEntry],
           documents: list[Document], jobs: Sequence[Job] = ()) -> InstanceView:
        return cls(
            id=row.id, process_id=row.process_id, status=str(row.status), version=row.version,
            subject_user=row.subject_user, started_by=row.started_by, started_at=row.started_at,
            completed_at=row.completed_at, next_timer_at=row.next_timer_at, error=row.error, data=data,
            tasks=[TaskView.of(t, row.process_id) for t in tasks],
            history=[{"at": h.at.isoformat(), "actor": h.actor, "action": h.action, "title": h.title,
                      "task_id": h.task_id, "detail": h.detail} for h in history],
            documents=[{"id": d.id, "template_id": d.template_id, "title": d.title, "status": str(d.status),
                        "signatures": d.signatures, "path": d.path} for d in documents],
            jobs=[{"id": j.id, "operation": j.operation, "title": j.title, "status": str(j.status),
                   "attempts": j.attempts, "error": j.error} for j in jobs],
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TickReport:
    now: dt.datetime
    due: int
    advanced: list[int]
    errors: dict[int, str]
