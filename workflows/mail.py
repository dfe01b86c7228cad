"""Sending the outbox by SMTP: each message that has an address is a job of its own on the ``mail`` queue, so
mail goes out from whichever worker serves that queue — once across all nodes — and a mail server that is down
delays messages (retried with backoff) instead of losing them or holding anything else up.

The duty round (``web.background``, once across all nodes) queues a job for every message not yet sent; the job
key (``mail:<id>``) makes asking twice queue it once. A message is marked sent in the transaction after the SMTP
server accepted it: a worker killed between the two sends it once more when its job is taken over (mail is
at-least-once; the database cannot share a transaction with the mail server). A message the server refuses for
good (a 5xx reply: no such mailbox) keeps the reason on the outbox page and is not retried.

Settings, from the environment: ``MIBAO_SMTP_HOST`` (unset: nothing is mailed, the outbox page is where messages
are read), ``MIBAO_SMTP_PORT`` (587), ``MIBAO_SMTP_SECURITY`` (``starttls``, the default; ``ssl``; ``none`` only for
a relay on the same host), ``MIBAO_SMTP_CA_FILE`` (trust this CA for the server's certificate instead of the
system's), ``MIBAO_SMTP_USER`` / ``MIBAO_SMTP_PASSWORD``, ``MIBAO_MAIL_FROM``.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import String, cast, select, update

from records.db import transaction
from records.levels import LEVEL_NAMES, SecretLevel
from records.models import Document, Job, Notification
from workflows.jobs import OwnJob
from workflows.notices import may_attach
from workflows.runtime import Engine

__all__ = ["SEND_MAIL", "MailSettings", "mail_text", "queue_outbox", "send_mail_job"]

SEND_MAIL = "send_mail"
_BATCH = 500


@dataclass(frozen=True)
class MailSettings:
    host: str | None = None
    port: int = 587
    security: str = "starttls"            # starttls | ssl | none
    ca_file: str | None = None
    user: str | None = None
    password: str | None = None
    sender: str = "mibao@localhost"

    @classmethod
    def from_env(cls) -> MailSettings:
        security = os.environ.get("MIBAO_SMTP_SECURITY", "starttls")
        if security not in ("starttls", "ssl", "none"):
            raise ValueError(f"MIBAO_SMTP_SECURITY is {security!r}: use starttls, ssl or none")
        return cls(host=os.environ.get("MIBAO_SMTP_HOST") or None,
                   port=int(os.environ.get("MIBAO_SMTP_PORT", cls.port)), security=security,
                   ca_file=os.environ.get("MIBAO_SMTP_CA_FILE") or None,
                   user=os.environ.get("MIBAO_SMTP_USER") or None,
                   password=os.environ.get("MIBAO_SMTP_PASSWORD") or None,
                   sender=os.environ.get("MIBAO_MAIL_FROM", cls.sender))

    def tls(self) -> ssl.SSLContext:
        """A verifying context: the server's certificate and name are checked (smtplib's default checks neither)."""
        return ssl.create_default_context(cafile=self.ca_file)


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


def queue_outbox(engine: Engine) -> int:
    """Queue a job for each message with an address that is neither sent, refused nor queued; returns how many.
    Nothing without SMTP (the composition root registers the mail job only when ``MIBAO_SMTP_HOST`` is set)."""
    own = engine.own_jobs.get(SEND_MAIL)
    if own is None:
        return 0
    with transaction(engine.sessions) as session:
        # Jobs are looked up by their unique key, one index probe per message.
        queued = select(Job.id).where(Job.key == "mail:" + cast(Notification.id, String)).exists()
        pending = list(session.scalars(
            select(Notification.id).where(Notification.sent_at.is_(None), Notification.error.is_(None),
                                          Notification.to_email.is_not(None), ~queued)
            .order_by(Notification.id).limit(_BATCH)))
        now = engine.clock.now()
        jobs = [own.job(SEND_MAIL, f"mail:{note_id}", {"notification": note_id}, now) for note_id in pending]
        session.add_all(jobs)
        session.flush()
        job_ids = [job.id for job in jobs]
    engine.jobs.submit(engine, job_ids)
    return len(job_ids)


def send_mail_job(settings: MailSettings, public_url: str) -> OwnJob:
    def run(engine: Engine, args: dict[str, Any]) -> None:
        note_id = int(args["notification"])
        with engine.sessions() as session:
            note = session.get(Notification, note_id)
            if note is None or note.sent_at is not None or note.error is not None or not note.to_email:
                return
            message = EmailMessage()
            subject, body = mail_text(note, public_url)
            message["From"], message["To"], message["Subject"] = settings.sender, note.to_email, subject
            message.set_content(body)
            document = session.get(Document, note.document_id) if note.document_id else None
            if document is not None and may_attach(document):
                message.add_attachment(engine.services.blobs.get(document.path), maintype="application",
                                       subtype="pdf", filename=f"{document.id}.pdf")
        try:
            _deliver(settings, message)
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code < 500:
                raise                                        # 4xx: try again later (the job's backoff)
            _refused(engine, note_id, f"{exc.smtp_code} {_text(exc.smtp_error)}")
            return
        except smtplib.SMTPRecipientsRefused as exc:
            if any(code < 500 for code, _reply in exc.recipients.values()):
                raise                                        # a mailbox busy for now: try again later
            _refused(engine, note_id, "; ".join(f"{who}: {code} {_text(reply)}"
                                                for who, (code, reply) in exc.recipients.items()))
            return
        with transaction(engine.sessions) as session:
            session.execute(update(Notification).where(Notification.id == note_id, Notification.sent_at.is_(None))
                            .values(sent_at=engine.clock.now()))

    return OwnJob(queue="mail", title="正在发送邮件 / sending mail", run=run)


def _deliver(settings: MailSettings, message: EmailMessage) -> None:
    assert settings.host
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=20, context=settings.tls())
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=20)
    with smtp:
        if settings.security == "starttls":
            smtp.starttls(context=settings.tls())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _refused(engine: Engine, note_id: int, reason: str) -> None:
    with transaction(engine.sessions) as session:
        session.execute(update(Notification).where(Notification.id == note_id, Notification.sent_at.is_(None))
                        .values(error=f"the mail server refused it: {reason}"))
