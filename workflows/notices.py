"""What the engine tells people when a task becomes ready or an agreement is complete: messages put in the outbox
(``Notification``) in the same transaction as their cause; the web's mailer sends them when SMTP is configured.

Wired onto the engine by :mod:`workflows.composition`, the same way for the web app, the CLI and the workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.levels import SecretLevel
from records.models import Document, Notification, PersonStatus, Task, User
from workflows.clock import Clock

__all__ = ["document_completed", "may_attach", "task_ready"]


def task_ready(public_url: str) -> Callable[[Session, Task, dict[str, Any]], None]:
    """A "new task" message to the assignee, or to everyone with the task's role."""

    def listener(session: Session, task: Task, data: dict[str, Any]) -> None:
        if task.lane == "external":
            return  # outside parties get a link with a one-time code instead (workflows.links)
        recipients = ([session.get(User, task.assignee)] if task.assignee else
                      [u for u in session.scalars(select(User)) if task.lane in (u.roles or [])])
        for user in recipients:
            if user is None or user.status == PersonStatus.LEFT:
                continue   # someone who left gets a personal link instead (workflows.links)
            session.add(Notification(
                instance_id=task.instance_id, to_user=user.id, to_email=user.email, to_role=task.lane,
                subject=f"新任务 / New task: {task.title}",
                body=f"{user.name}，您有一项新任务：{task.title}\n{public_url}/tasks/{task.id}\n"
                     + (f"截止时间 / due: {task.due_at:%Y-%m-%d %H:%M}\n" if task.due_at else ""),
                created_at=task.created_at))

    return listener


def may_attach(document: Document) -> bool:
    """Whether the signed PDF may travel as a mail attachment: general documents only. Seed 003 §4.2: core
    carriers never by mail ("禁止通过邮件…传输"), important ones only by encrypted mail, which an ordinary SMTP
    relay is not; those mails carry a link to the signed-in page instead."""
    return document.level == SecretLevel.GENERAL


def document_completed(public_url: str, clock: Clock) -> Callable[[Session, Document], None]:
    """A "signed by all parties" message to every person who signed (the PDF attached only when general)."""

    def listener(session: Session, document: Document) -> None:
        users = {s.get("user") for s in document.signatures} - {None, "system"}
        where = ("签署后的 PDF 见附件。" if may_attach(document)
                 else f"请登录后查看 / Sign in to read it: {public_url}/documents/{document.id}.pdf")
        for user_id in sorted(u for u in users if u):
            user = session.get(User, user_id)
            session.add(Notification(
                instance_id=document.instance_id, to_user=user_id, to_email=user.email if user else None,
                subject=f"已签署完成 / Signed by all parties: {document.title}",
                body=f"《{document.title}》（{document.id}）已由各方签署完成。{where}",
                document_id=document.id, created_at=clock.now()))

    return listener
