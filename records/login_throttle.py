"""The per-account lockout: after ``Policy.failures`` wrong passwords for one account name within
``Policy.window``, that name is locked for ``Policy.lock`` whatever the password, from any address. (The per-address
limit in the web app stops one machine trying many names; this stops many machines trying one name.)

Names are counted whether or not an account has them, so that a lockout never tells a real name from an invented
one; a successful sign-in clears the count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from records.models import LoginThrottle

__all__ = ["Policy", "failed", "locked_until", "succeeded"]


@dataclass(frozen=True)
class Policy:
    failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)
    lock: dt.timedelta = dt.timedelta(minutes=15)


def _key(username: str) -> str:
    return username.strip().casefold()[:200]


def locked_until(session: Session, username: str, *, now: dt.datetime) -> dt.datetime | None:
    """When the lock on ``username`` ends, or None when it may try now."""
    row = session.get(LoginThrottle, _key(username))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def failed(session: Session, username: str, *, now: dt.datetime, policy: Policy) -> dt.datetime | None:
    """Count one wrong password (or wrong second-step code) for ``username``; when the lock starts, its end."""
    key = _key(username)
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(username=key, failures=0, first_failed_at=now)
        session.add(row)
    if now - row.first_failed_at >= policy.window or (row.locked_until is not None and row.locked_until <= now):
        row.failures, row.first_failed_at, row.locked_until = 0, now, None   # a new window
    row.failures += 1
    if row.failures >= policy.failures:
        row.locked_until = now + policy.lock
    session.flush()
    return row.locked_until


def succeeded(session: Session, username: str) -> None:
    row = session.get(LoginThrottle, _key(username))
    if row is not None:
        session.delete(row)
        session.flush()
