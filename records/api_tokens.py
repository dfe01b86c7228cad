"""API tokens (``ApiToken``): made for one person with a scope and an expiry, shown once, stored as SHA-256,
checked on every API request (which records when it was last used), listed and revoked by their owner, by an
administrator, and all at once when the account is disabled."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from records.models import ApiToken, TokenScope, User
from records.people import may_sign_in

__all__ = ["MAX_DAYS", "TokenError", "create", "holder", "owned", "revoke", "revoke_all"]

# A token lives at most a year: an HR system's credential is renewed, not kept forever.
MAX_DAYS = 365
_TOUCH_EVERY = dt.timedelta(minutes=1)


class TokenError(ValueError):
    """A token that cannot be made as asked; the message says what to change."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(session: Session, *, user_id: str, label: str, scope: TokenScope, days: int,
           now: dt.datetime) -> tuple[ApiToken, str]:
    """A new token for ``user_id``; the row and the secret (shown only now)."""
    label = label.strip()
    if not label or len(label) > 100:
        raise TokenError("label: say in 1–100 characters what the token is for, e.g. the HR system's name")
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"days: a token lives 1 to {MAX_DAYS} days, not {days}")
    user = session.get(User, user_id)
    if user is None or not may_sign_in(user):
        raise TokenError(f"there is no active account {user_id!r} to make a token for")
    secret = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user_id, label=label, scope=scope, token_sha256=_digest(secret), created_at=now,
                   expires_at=now + dt.timedelta(days=days))
    session.add(row)
    session.flush()
    return row, secret


def holder(session: Session, secret: str, *, now: dt.datetime) -> tuple[ApiToken, User] | None:
    """The live token ``secret`` names and its user, or None (unknown, revoked, expired, account disabled)."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_sha256 == _digest(secret.strip()))).first()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and now >= row.expires_at):
        return None
    user = session.get(User, row.user_id)
    if user is None or not may_sign_in(user):
        return None
    if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
        row.last_used_at = now
        session.flush()
    return row, user


def owned(session: Session, user_id: str | None = None) -> list[ApiToken]:
    """Tokens, newest first: one person's, or everyone's (``user_id`` None, for administrators)."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def revoke(session: Session, token_id: int, *, now: dt.datetime, owner: str | None = None) -> bool:
    """Revoke one token (only ``owner``'s when given); False when there is no such live token."""
    query = update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
    if owner is not None:
        query = query.where(ApiToken.user_id == owner)
    return bool(session.execute(query.values(revoked_at=now)).rowcount)  # type: ignore[attr-defined]


def revoke_all(session: Session, user_id: str, *, now: dt.datetime) -> int:
    """Revoke every live token of ``user_id``; how many."""
    done = session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                           .values(revoked_at=now))
    return int(done.rowcount)  # type: ignore[attr-defined]
