"""One-time links to set a password: the invitation a new account gets, and the reset for a forgotten password.

The link's token is shown once (in the mail); only its SHA-256 is kept. A link expires (an invitation after
``INVITE_VALID``, a reset after ``RESET_VALID``: a reset is asked for by the person themselves, at the moment they
need it), is spent by its use, and a newer link for the same person spends the older ones, so only the latest mail
works. Setting the password ends every sign-in the account had and clears its lockout: whoever knew the old one
is out."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from records import audit, login_throttle, sign_ins
from records.models import Notification, PasswordLink, PasswordLinkPurpose, User
from records.people import may_sign_in

__all__ = ["INVITE_VALID", "RESET_VALID", "LinkError", "check", "issue", "use"]

INVITE_VALID = dt.timedelta(hours=72)
RESET_VALID = dt.timedelta(hours=1)
_CHINA = ZoneInfo("Asia/Shanghai")


class LinkError(Exception):
    """The link cannot be used: unknown, used, replaced by a newer one or expired (the message does not say which
    of the first three, so a guessed token learns nothing)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue(session: Session, user: User, purpose: PasswordLinkPurpose, *, actor: str, now: dt.datetime,
          public_url: str) -> str:
    """A new link for ``user`` (earlier unused ones are spent), its mail in the outbox; the token."""
    if not may_sign_in(user):
        raise LinkError(f"{user.id} may not sign in (an outside party, or someone who has left)")
    if user.identity_source is not None:
        raise LinkError(f"{user.id} signs in through the company directory ({user.identity_source}); "
                        "their password is changed there")
    session.execute(update(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
                    .values(used_at=now))
    token = secrets.token_urlsafe(32)
    valid = INVITE_VALID if purpose == PasswordLinkPurpose.INVITE else RESET_VALID
    link = PasswordLink(user_id=user.id, purpose=purpose, token_sha256=_digest(token), created_by=actor,
                        created_at=now, expires_at=now + valid)
    session.add(link)
    url = f"{public_url.rstrip('/')}/password/{token}"
    until = f"{link.expires_at.astimezone(_CHINA):%Y-%m-%d %H:%M}"   # the people reading it are in China
    if purpose == PasswordLinkPurpose.INVITE:
        subject = "密保系统账号已开通 / Your mibao account"
        body = (f"{user.name}，您好：\n公司已为您开通密保（保密协议与审批）系统账号，用户名：{user.id}。\n"
                f"请在 {until}（北京时间）前打开以下链接设置密码，链接只能使用一次：\n\n{url}\n\n"
                f"An account was opened for you; your user name is {user.id}. Open the link to set your password "
                f"before {until} (China time); it works once.\n")
    else:
        subject = "重设密码 / Reset your password"
        body = (f"{user.name}，您好：\n有人（希望是您本人）申请重设您在密保系统的密码（用户名：{user.id}）。\n"
                f"请在 {until}（北京时间）前打开以下链接设置新密码，链接只能使用一次：\n\n{url}\n\n"
                "如果不是您本人申请，请忽略本邮件，您的密码不会改变。\n"
                f"Someone (we hope you) asked to reset your password. Open the link before {until} (China time) to "
                "set a new one; it works once. If it was not you, ignore this mail: nothing changes.\n")
    session.add(Notification(to_user=user.id, to_email=user.email, subject=subject, body=body, created_at=now))
    session.flush()
    audit.record(session, actor=actor, action=f"password_link.{purpose.value}", target_type="user",
                 target_id=user.id, detail={"expires_at": link.expires_at.isoformat()}, at=now)
    return token


def check(session: Session, token: str, *, now: dt.datetime) -> tuple[PasswordLink, User]:
    """The live link ``token`` names and its person, or :class:`LinkError`."""
    link = session.scalars(select(PasswordLink).where(PasswordLink.token_sha256 == _digest(token))).first()
    user = session.get(User, link.user_id) if link is not None else None
    if link is None or user is None or link.used_at is not None:
        raise LinkError("this link is not valid: it was used already, or a newer one was sent")
    if link.expires_at <= now:
        raise LinkError("this link has expired")
    if not may_sign_in(user) or user.identity_source is not None:
        raise LinkError("this link is not valid: it was used already, or a newer one was sent")
    return link, user


def use(session: Session, token: str, password_hash: str, *, now: dt.datetime) -> User:
    """Set the password the link's person chose (already checked for strength, and hashed, by the caller)."""
    link, user = check(session, token, now=now)
    link.used_at = now
    user.password_hash = password_hash
    sign_ins.end_all(session, user_id=user.id, now=now, reason="password_set")
    login_throttle.succeeded(session, user.id)
    session.flush()
    audit.record(session, actor=user.id, action="password.set", target_type="user", target_id=user.id,
                 detail={"by": link.purpose}, at=now)
    return user
