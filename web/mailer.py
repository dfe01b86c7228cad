"""Reminders: a message in the outbox before an open task falls due. Every message goes to the outbox (the
notifications table) in the same transaction as its cause; ``workflows.mail`` sends them by SMTP when configured."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from records.db import transaction
from records.models import Notification, Task, TaskState, User
from web.state import WebState
from workflows.clock import SHANGHAI as CST

__all__ = ["REMIND_BEFORE", "send_reminders"]

# A reminder goes out once, this long before a task's due time (e.g. the proof of employment due on the 10th).
REMIND_BEFORE = dt.timedelta(days=2)


def send_reminders(web: WebState, now: dt.datetime) -> int:
    """Put a reminder in the outbox for every open task due within REMIND_BEFORE that has had none."""
    count = 0
    with transaction(web.sessions) as session:
        due = session.scalars(select(Task).where(Task.state == TaskState.READY, Task.reminded_at.is_(None),
                                                 Task.due_at.is_not(None), Task.due_at <= now + REMIND_BEFORE))
        for task in due:
            assert task.due_at is not None
            user = session.get(User, task.assignee) if task.assignee else None
            session.add(Notification(
                instance_id=task.instance_id, to_user=task.assignee, to_role=task.lane,
                to_email=user.email if user else None, subject=f"提醒 / Reminder: {task.title}",
                body=f"请在 {task.due_at.astimezone(CST):%Y-%m-%d %H:%M} 前完成：{task.title}\n"
                     f"Please complete before the due time: {task.title}", created_at=now))
            task.reminded_at = now
            count += 1
    return count
