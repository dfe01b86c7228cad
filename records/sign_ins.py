"""Signed-in sessions held on the server (``SignIn``): begun at sign-in, checked on every request, ended by signing
out, by the person from their account page, by idleness or the absolute limit, and all at once when the account
is disabled. The browser's cookie carries only a random token; its SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from records.models import SignIn, User
from records.people import may_sign_in

__all__ = ["Limits", "begin", "current", "end", "end_all", "open_for"]


@dataclass(frozen=True)
class Limits:
    """How long a sign-in lasts: ``idle`` without a request, ``absolute`` whatever the activity."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=8)


# last_seen_at is written at most this often, so reading a page does not mean a write each time.
_TOUCH_EVERY = dt.timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def begin(session: Session, user: User, *, now: dt.datetime, limits: Limits, user_agent: str = "",
          address: str = "") -> str:
    """A new sign-in for ``user``; the token for the cookie (shown only here)."""
    token = secrets.token_urlsafe(32)
    session.add(SignIn(user_id=user.id, token_sha256=_digest(token), created_at=now, last_seen_at=now,
                       expires_at=now + limits.absolute, user_agent=user_agent[:300], address=address[:64]))
    session.flush()
    return token


def current(session: Session, token: str | None, *, now: dt.datetime, limits: Limits) -> tuple[SignIn, User] | None:
    """The live sign-in the token names and its user, or None; a sign-in found idle or past its limit is ended
    (with the reason) so that it shows as ended on the person's account page."""
    if not token:
        return None
    row = session.scalars(select(SignIn).where(SignIn.token_sha256 == _digest(token))).first()
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    reason = ("expired" if now >= row.expires_at else "idle" if now - row.last_seen_at >= limits.idle
              else "account_disabled" if user is None or not may_sign_in(user) else None)
    if reason is not None:
        row.ended_at, row.ended_reason = now, reason
        session.flush()
        return None
    assert user is not None
    if now - row.last_seen_at >= _TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return row, user


def end(session: Session, *, user_id: str, sign_in_id: int, now: dt.datetime, reason: str) -> bool:
    """End one of ``user_id``'s own sign-ins; False when there is no such live one of theirs (someone else's
    looks the same as none)."""
    done = session.execute(update(SignIn).where(SignIn.id == sign_in_id, SignIn.user_id == user_id,
                                                SignIn.ended_at.is_(None))
                           .values(ended_at=now, ended_reason=reason))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def end_all(session: Session, *, user_id: str, now: dt.datetime, reason: str, keep: int | None = None) -> int:
    """End every live sign-in of ``user_id`` (but ``keep``); how many."""
    query = update(SignIn).where(SignIn.user_id == user_id, SignIn.ended_at.is_(None))
    if keep is not None:
        query = query.where(SignIn.id != keep)
    done = session.execute(query.values(ended_at=now, ended_reason=reason))
    return int(done.rowcount)  # type: ignore[attr-defined]


def open_for(session: Session, user_id: str, *, now: dt.datetime, limits: Limits) -> list[SignIn]:
    """The person's sign-ins that are still live, newest first."""
    rows = session.scalars(select(SignIn).where(SignIn.user_id == user_id, SignIn.ended_at.is_(None),
                                                SignIn.expires_at > now, SignIn.last_seen_at > now - limits.idle)
                           .order_by(SignIn.last_seen_at.desc()))
    return list(rows)
