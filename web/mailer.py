"""Mail: every message goes to the outbox (the notifications table) in the same transaction as its cause,
and is sent by SMTP when configured (MIBAO_SMTP_HOST); otherwise the outbox page shows it."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from records.db import transaction
from records.levels import LEVEL_NAMES, SecretLevel
from records.models import Document, Notification, Task, TaskState, User, utcnow
from web.state import WebState
from workflows.clock import SHANGHAI as CST
from workflows.notices import may_attach

__all__ = ["REMIND_BEFORE", "mail_text", "send_pending", "send_reminders"]

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


def mail_text(note: Notification, public_url: str) -> tuple[str, str]:
    """Subject and body as mailed. A message about an important or core secret never travels by ordinary mail
    (seed 003 §4.2): the mail says there is one, of which level, and where to read it signed in."""
    if note.level in (SecretLevel.CORE, SecretLevel.IMPORTANT):
        name = LEVEL_NAMES[note.level]
        return (f"保密通知（{name}）/ A confidential notice",
                f"您有一条涉及{name}的通知，按保密规定不通过邮件发送，请登录系统查看：{public_url}/inbox\n"
                f"You have a notice about a {note.level} secret; it is not sent by mail. Sign in to read it: "
                f"{public_url}/inbox\n")
    return note.subject, note.body or note.subject


def send_pending(web: WebState, config: dict[str, Any]) -> int:
    """Send outbox messages that have an address, by SMTP; returns how many were sent."""
    host = config.get("MAIL_SMTP_HOST")
    if not host:
        return 0
    sent = 0
    with web.sessions() as session, session.begin():
        pending = session.scalars(select(Notification).where(Notification.sent_at.is_(None),
                                                             Notification.to_email.is_not(None),
                                                             Notification.error.is_(None)).limit(100)).all()
        for note in pending:
            message = EmailMessage()
            subject, body = mail_text(note, str(config.get("PUBLIC_URL") or "").rstrip("/"))
            message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], note.to_email, subject
            message.set_content(body)
            if note.document_id:
                document = session.get(Document, note.document_id)
                if document is not None and may_attach(document):
                    data = web.services.blobs.get(document.path)
                    message.add_attachment(data, maintype="application", subtype="pdf",
                                           filename=f"{document.id}.pdf")
            try:
                with smtplib.SMTP(host, int(config["MAIL_SMTP_PORT"]), timeout=20) as smtp:
                    smtp.starttls()
                    if config.get("MAIL_SMTP_USER"):
                        smtp.login(config["MAIL_SMTP_USER"], config["MAIL_SMTP_PASSWORD"] or "")
                    smtp.send_message(message)
                note.sent_at = utcnow()
                sent += 1
            except (OSError, smtplib.SMTPException) as exc:
                note.error = f"{type(exc).__name__}: {exc}"
    return sent
