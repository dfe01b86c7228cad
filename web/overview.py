"""Read-only lists the HR pages show: instances with their open tasks, one person's agreements."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from records.models import Document, ProcessInstance, Task, TaskState, User

__all__ = ["Agreement", "InstanceRow", "agreements_of", "instance_rows", "user_names"]


@dataclass(frozen=True)
class InstanceRow:
    id: int
    process_id: str
    status: str
    subject_user: str | None
    subject_name: str | None
    started_by: str
    started_at: dt.datetime
    completed_at: dt.datetime | None
    error: str | None
    open_tasks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Agreement:
    id: str
    title: str
    status: str
    instance_id: int | None
    created_at: dt.datetime
    parties: list[str]
    signatures: list[dict[str, Any]]
    signed_by_person: bool


def instance_rows(session: Session, process_ids: Iterable[str], *, status: str | None = None,
                  limit: int = 200) -> list[InstanceRow]:
    """The newest instances of these processes, each with the titles of its open tasks."""
    query = select(ProcessInstance, User.name).outerjoin(User, User.id == ProcessInstance.subject_user).where(
        ProcessInstance.process_id.in_(list(process_ids)))
    if status:
        query = query.where(ProcessInstance.status == status)
    rows = session.execute(query.order_by(ProcessInstance.id.desc()).limit(limit)).all()
    open_tasks: dict[int, list[str]] = defaultdict(list)
    ids = [row.id for row, _name in rows]
    for instance_id, title in session.execute(select(Task.instance_id, Task.title).where(
            Task.instance_id.in_(ids), Task.state == TaskState.READY).order_by(Task.created_at)):
        open_tasks[instance_id].append(title)
    return [InstanceRow(id=r.id, process_id=r.process_id, status=str(r.status), subject_user=r.subject_user,
                        subject_name=name, started_by=r.started_by, started_at=r.started_at,
                        completed_at=r.completed_at, error=r.error, open_tasks=open_tasks[r.id])
            for r, name in rows]


def agreements_of(session: Session, user_id: str) -> list[Agreement]:
    """Every document about this person (theirs or from a process about them), signed or not."""
    documents = session.scalars(
        select(Document).outerjoin(ProcessInstance, ProcessInstance.id == Document.instance_id)
        .where(or_(Document.subject_user == user_id, ProcessInstance.subject_user == user_id))
        .order_by(Document.created_at, Document.id)).all()
    return [_agreement(d, user_id) for d in documents]


def _agreement(d: Document, user_id: str) -> Agreement:
    return Agreement(id=d.id, title=d.title, status=str(d.status), instance_id=d.instance_id,
                     created_at=d.created_at, parties=list(d.parties), signatures=list(d.signatures),
                     signed_by_person=any(s.get("user") == user_id for s in d.signatures))


def my_agreements(session: Session, user_id: str) -> list[tuple[Agreement, str | None]]:
    """Every agreement a person signed or is to sign — about them, or one they sign as a party (a host's
    countersignature) — with the open signing task that waits for them, if any."""
    about = {a.id: a for a in agreements_of(session, user_id)}
    mine = session.execute(select(Task.sign_document, Task.id, Task.state).where(
        Task.sign_document.is_not(None), or_(Task.assignee == user_id, Task.completed_by == user_id))).all()
    waiting = {str(doc): task_id for doc, task_id, state in mine if state == TaskState.READY}
    extra = {str(doc) for doc, _task, _state in mine} - set(about)
    for d in session.scalars(select(Document).where(Document.id.in_(extra))):
        about[d.id] = _agreement(d, user_id)
    return [(a, waiting.get(a.id)) for a in sorted(about.values(), key=lambda a: (a.created_at, a.id), reverse=True)]


def user_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """Display names for user ids (ids without an account, such as ``timer``, are left out)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {user_id: name for user_id, name in session.execute(select(User.id, User.name).where(User.id.in_(wanted)))}
