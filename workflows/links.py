"""Links for outside parties: issued when their task becomes ready, opened with a one-time code sent by mail.

Only hashes are stored: the link token's SHA-256, and the code's HMAC (app secret key, salted with the link id).
A link expires after ``EXTERNAL_LINK_DAYS``; it is spent when its task is done. A code lives 10 minutes, is used
once, allows 5 attempts, and a link gets at most 5 codes an hour (counted in the outbox, so the limit holds
across restarts and worker processes). These functions take a session and plain values, never the request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from documents.manifest import TemplateCatalog
from records.models import Document, ExternalLink, Notification, PersonStatus, ProcessInstance, Task, TaskState, User
from records.people import OUTSIDE_PARTY_ROLE
from workflows.clock import SHANGHAI

__all__ = [
    "CODES_PER_HOUR",
    "CODE_ATTEMPTS",
    "CODE_MINUTES",
    "CodeCheck",
    "LinkState",
    "Request",
    "check_code",
    "describe",
    "issue_code",
    "issue_link",
    "issue_personal_link",
    "link_state",
    "on_task_ready",
    "party_user_id",
    "token_hash",
]

CODE_MINUTES = 10
CODE_ATTEMPTS = 5
CODES_PER_HOUR = 5
CODE_SUBJECT = "验证码 / Your one-time code"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The start data field that names the outside party, per agreement (their certificate carries this name).
_NAME_FIELDS = ("visitor_name", "auditor_name", "maintainer_name", "partner_representative", "attendee_name",
                "expert_name", "inspector_name")
_ID_FIELDS = ("visitor_id_number", "maintainer_id_number", "attendee_id_number", "expert_id_number",
              "inspector_id_number")


class LinkState(StrEnum):
    UNKNOWN = "unknown"      # forged, or never issued
    EXPIRED = "expired"
    USED = "used"            # its task is done (signed or declined)
    WITHDRAWN = "withdrawn"  # its task was cancelled (the request was withdrawn)
    OPEN = "open"


class CodeCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"      # no code, or its 10 minutes are over
    LOCKED = "locked"        # 5 wrong attempts: a new code is needed


@dataclass(frozen=True)
class IssuedCode:
    code: str | None         # None: the hourly limit is reached
    remaining: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def party_user_id(link: ExternalLink) -> str:
    """The account the link acts as: a former employee's own, else the one made for the outside party."""
    return link.user_id or f"ext-{link.id}"


def is_email(contact: str | None) -> bool:
    return bool(contact and _EMAIL.match(contact.strip()))


def party_name(data: dict[str, Any]) -> str | None:
    return next((str(data[f]) for f in _NAME_FIELDS if data.get(f)), None)


@dataclass(frozen=True)
class Request:
    """What an outside party is asked to sign, and by whom: named in their mail and on their pages, instead of the
    workflow step's name."""

    agreement_zh: str
    agreement_en: str
    company: str | None
    asked_by: str | None          # the host (visitor, area entry) or whoever started the request


def describe(session: Session, task: Task, data: dict[str, Any], *, catalog: TemplateCatalog,
             company: str | None = None) -> Request:
    title = {"zh": task.title, "en": task.title}
    document = session.get(Document, task.sign_document) if task.sign_document else None
    agreement = str(data.get("agreement") or "")
    manifest = next((m for m in catalog.all() if m.id == agreement), None)
    if manifest is not None:
        title = {"zh": manifest.title.get("zh", task.title), "en": manifest.title.get("en", task.title)}
    elif document is not None:
        title = {"zh": document.title, "en": document.title}
    host = session.get(User, str(data["host_user"])) if data.get("host_user") else None
    if host is None:
        instance = session.get(ProcessInstance, task.instance_id)
        host = session.get(User, instance.started_by) if instance is not None else None
    asked_by = f"{host.name}（{host.department}）" if host is not None and host.department else \
        (host.name if host is not None else None)
    return Request(title["zh"], title["en"], company or data.get("company_name") or None, asked_by)


def issue_link(session: Session, task: Task, data: dict[str, Any], *, public_url: str, days: int,
               catalog: TemplateCatalog, company: str | None = None) -> str:
    """Create the link for ``task`` (an outside party's), its account and the mail with the link; the token."""
    token = secrets.token_urlsafe(32)
    contact = str(data.get("external_contact") or "").strip()
    name = party_name(data) or contact or "external party"
    link = ExternalLink(token_sha256=token_hash(token), task_id=task.id, email=contact[:200], name=name[:200],
                        expires_at=task.created_at + dt.timedelta(days=days), created_at=task.created_at)
    session.add(link)
    session.flush()
    identifier = next((str(data[f]) for f in _ID_FIELDS if data.get(f)), None)
    # The account that signs: no password (it cannot log in), the role of the lane, the party's own name.
    user = session.get(User, party_user_id(link)) or User(id=party_user_id(link), created_at=task.created_at)
    user.name, user.roles, user.identifier = name[:200], [OUTSIDE_PARTY_ROLE], identifier
    user.email, user.password_hash = (contact if is_email(contact) else None), None
    session.add(user)
    session.flush()
    # The task belongs to the invited person alone: no other account, outside or staff, may see or sign it.
    task.assignee = user.id
    url = f"{public_url}/x/{token}"
    asked = describe(session, task, data, catalog=catalog, company=company)
    until = f"{link.expires_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
    session.add(Notification(
        instance_id=task.instance_id, to_user=party_user_id(link), to_email=contact if is_email(contact) else None,
        to_role="external", subject=f"请签署《{asked.agreement_zh}》/ Please sign: {asked.agreement_en}"
                                    + (f" — {asked.company}" if asked.company else ""),
        body=(f"{name}，您好：\n"
              + (f"{asked.company}" if asked.company else "我公司")
              + (f"的{asked.asked_by}" if asked.asked_by else "")
              + f"请您查看并签署《{asked.agreement_zh}》。请打开以下链接；打开后系统会向您发送一次性验证码。\n"
              f"{asked.asked_by or 'We'}{' of ' + asked.company if asked.company else ''} "
              f"asked you to read and sign \"{asked.agreement_en}\". Open this link; a one-time code will be sent "
              f"to you.\n\n{url}\n\n有效期至 / valid until: {until}（北京时间 / China time）\n"
              + ("" if is_email(contact) else f"（联系方式 / contact: {contact} — 请转交 / pass this on）\n")),
        created_at=task.created_at))
    session.flush()
    return token


def issue_personal_link(session: Session, task: Task, person: User, *, public_url: str, days: int) -> str:
    """A link for a task of someone who has left (a late hand-over signature, the monthly non-compete proof):
    their account no longer signs in, so the task reaches them like an outside party's — by their own link and
    a one-time code — and is done as their own account (their name on the signature). Mailed to the address on
    file; without one the secrecy office passes it on."""
    token = secrets.token_urlsafe(32)
    email = (person.email or "").strip()
    expires = task.due_at if task.due_at and task.due_at > task.created_at + dt.timedelta(days=days) \
        else task.created_at + dt.timedelta(days=days)
    link = ExternalLink(token_sha256=token_hash(token), task_id=task.id, user_id=person.id, email=email[:200],
                        name=person.name[:200], expires_at=expires, created_at=task.created_at)
    session.add(link)
    session.flush()
    url = f"{public_url}/x/{token}"
    session.add(Notification(
        instance_id=task.instance_id, to_user=person.id, to_email=email if is_email(email) else None,
        to_role=None if is_email(email) else "secrecy_office", subject=f"请办理 / Please complete: {task.title}",
        body=(f"{person.name}，您好：\n您已离职，公司系统账号已停用。请打开以下专属链接办理《{task.title}》；"
              "打开后系统会向本邮箱发送一次性验证码。\n"
              f"Your account was closed when you left. Please open your personal link to complete \"{task.title}\"; "
              "a one-time code will be sent to you.\n\n"
              f"{url}\n\n有效期至 / valid until: "
              f"{link.expires_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}（北京时间 / China time）\n"
              + ("" if is_email(email) else "（本人无邮箱记录 — 请保密管理部转交 / no e-mail on file: the secrecy "
                                            "office passes this on）\n")),
        created_at=task.created_at))
    session.flush()
    return token


def link_state(session: Session, token: str, now: dt.datetime) -> tuple[LinkState, ExternalLink | None]:
    if not token or len(token) > 100:
        return LinkState.UNKNOWN, None
    link = session.scalars(select(ExternalLink).where(ExternalLink.token_sha256 == token_hash(token))).first()
    if link is None:
        return LinkState.UNKNOWN, None
    task = session.get(Task, link.task_id)
    if link.used_at is not None or (task is not None and task.state == TaskState.COMPLETED):
        return LinkState.USED, link
    if task is None or task.state != TaskState.READY:
        return LinkState.WITHDRAWN, link
    if now >= link.expires_at:
        return LinkState.EXPIRED, link
    return LinkState.OPEN, link


def _code_digest(secret_key: str, link_id: int, code: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), f"{link_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(session: Session, link: ExternalLink, *, secret_key: str, now: dt.datetime) -> IssuedCode:
    """A new 6-digit code for ``link`` (replacing any earlier one), put in the outbox; None past the limit."""
    sent = session.scalar(select(func.count()).select_from(Notification).where(
        Notification.to_user == party_user_id(link), Notification.subject == CODE_SUBJECT,
        Notification.created_at > now - dt.timedelta(hours=1))) or 0
    if sent >= CODES_PER_HOUR:
        return IssuedCode(None, 0)
    code = f"{secrets.randbelow(10**6):06d}"
    link.code_sha256 = _code_digest(secret_key, link.id, code)
    link.code_expires_at = now + dt.timedelta(minutes=CODE_MINUTES)
    link.code_attempts = 0
    task = session.get(Task, link.task_id)
    session.add(Notification(
        instance_id=task.instance_id if task else None, to_user=party_user_id(link),
        to_email=link.email if is_email(link.email) else None, to_role="external", subject=CODE_SUBJECT,
        body=f"您的一次性验证码 / Your one-time code: {code}\n{CODE_MINUTES} 分钟内有效，仅可使用一次。"
             f" / Valid for {CODE_MINUTES} minutes, once.\n如非本人操作，请忽略。 / If this was not you, ignore it.\n",
        created_at=now))
    session.flush()
    return IssuedCode(code, CODES_PER_HOUR - sent - 1)


def check_code(link: ExternalLink, code: str, *, secret_key: str, now: dt.datetime) -> CodeCheck:
    """Check ``code``; counts a wrong attempt, and spends the code when it is right (the caller commits)."""
    if link.code_sha256 is None or link.code_expires_at is None or now >= link.code_expires_at:
        return CodeCheck.EXPIRED
    if link.code_attempts >= CODE_ATTEMPTS:
        return CodeCheck.LOCKED
    if not hmac.compare_digest(link.code_sha256, _code_digest(secret_key, link.id, code.strip())):
        link.code_attempts += 1
        return CodeCheck.LOCKED if link.code_attempts >= CODE_ATTEMPTS else CodeCheck.WRONG
    link.code_sha256, link.code_expires_at, link.verified_at = None, None, now
    return CodeCheck.OK


def on_task_ready(public_url: str, days: int, catalog: TemplateCatalog, company: str | None = None
                  ) -> Callable[[Session, Task, dict[str, Any]], None]:
    """The engine listener that issues a link whenever a task becomes ready in lane ``external``, or for someone
    who has left (inside the engine's transaction)."""

    def listener(session: Session, task: Task, data: dict[str, Any]) -> None:
        if task.lane == "external":
            issue_link(session, task, data, public_url=public_url, days=days, catalog=catalog, company=company)
            return
        person = session.get(User, task.assignee) if task.assignee else None
        if person is not None and person.status == PersonStatus.LEFT:
            issue_personal_link(session, task, person, public_url=public_url, days=days)

    return listener
