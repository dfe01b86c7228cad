"""Two-step sign-in: a TOTP authenticator (RFC 6238, 30 s steps, six digits: any authenticator app, WeChat's and
Alipay's mini-programs included) and ten one-time recovery codes for a lost phone.

A security key or passkey (records.security_keys) is the other kind of second step: a person with one has
two-step sign-in on, with or without the app, and their recovery codes work all the same.

Who must have it is the installation's setting (``required_for``: by default HR, the secrecy office (who also
administer accounts) and the committee, whose accounts open the most); anyone may turn it on for themselves. A code
is accepted once (its step is remembered) and one step either side of now, for clocks a little apart; only SHA-256
of the recovery codes is kept. The TOTP secret itself must be readable to check codes: it lives in the database
like the password hashes, and the database's backups are to be kept as carefully (docs/deploy.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

import pyotp
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from records.models import RecoveryCode, SecurityKey, TwoFactor, User

__all__ = ["DEFAULT_ROLES", "RECOVERY_CODES", "active", "begin", "confirm", "new_recovery_codes", "pending_secret",
           "provisioning_uri", "recovery_codes_left", "remove", "required", "totp_active", "verify"]

DEFAULT_ROLES = frozenset({"hr", "secrecy_office", "committee"})
RECOVERY_CODES = 10
ISSUER = "mibao"
_STEP = 30


def required(user: User, required_for: Iterable[str]) -> bool:
    return bool(set(user.roles or []) & set(required_for))


def active(session: Session, user_id: str) -> bool:
    """Whether signing in asks ``user_id`` for a second step: a confirmed app, or at least one security key."""
    return totp_active(session, user_id) or session.scalar(
        select(SecurityKey.id).where(SecurityKey.user_id == user_id).limit(1)) is not None


def totp_active(session: Session, user_id: str) -> bool:
    row = session.get(TwoFactor, user_id)
    return row is not None and row.confirmed_at is not None


def begin(session: Session, user_id: str, *, now: dt.datetime) -> str:
    """A new, unconfirmed secret for ``user_id`` (replacing an unconfirmed one); its base32 text."""
    row = session.get(TwoFactor, user_id)
    if row is not None and row.confirmed_at is not None:
        raise ValueError("two-step sign-in is already on for this account: turn it off first to set up another app")
    secret = pyotp.random_base32()
    if row is None:
        session.add(TwoFactor(user_id=user_id, secret=secret, created_at=now))
    else:
        row.secret, row.created_at, row.last_step = secret, now, None
    session.flush()
    return secret


def pending_secret(session: Session, user_id: str) -> str | None:
    row = session.get(TwoFactor, user_id)
    return row.secret if row is not None and row.confirmed_at is None else None


def provisioning_uri(secret: str, user: User) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=f"{user.id} ({user.name})", issuer_name=ISSUER)


def _code_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The 30 s step ``code`` belongs to (now, or one either side), or None."""
    totp, here = pyotp.TOTP(secret), int(now.timestamp()) // _STEP
    for step in (here, here - 1, here + 1):
        if secrets.compare_digest(totp.at(step * _STEP), code):
            return step
    return None


def confirm(session: Session, user_id: str, code: str, *, now: dt.datetime) -> list[str] | None:
    """Turn on two-step sign-in once the person typed a code from the new app; the recovery codes (shown once),
    or None when the code is wrong."""
    row = session.get(TwoFactor, user_id)
    digits = _digits(code)
    if row is None or row.confirmed_at is not None or digits is None:
        return None
    step = _code_step(row.secret, digits, now)
    if step is None:
        return None
    row.confirmed_at, row.last_step = now, step
    return new_recovery_codes(session, user_id, now=now)


def _digits(code: str) -> str | None:
    code = "".join(code.split())
    return code if len(code) == 6 and code.isascii() and code.isdigit() else None


def _recovery_digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").lower().encode("ascii", "ignore")).hexdigest()


def new_recovery_codes(session: Session, user_id: str, *, now: dt.datetime) -> list[str]:
    """Ten fresh recovery codes (``xxxxx-xxxxx``), replacing any earlier ones."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user_id, code_sha256=_recovery_digest(raw), created_at=now))
    session.flush()
    return codes


def recovery_codes_left(session: Session, user_id: str) -> int:
    return len(list(session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user_id,
                                                                   RecoveryCode.used_at.is_(None)))))


def verify(session: Session, user_id: str, code: str, *, now: dt.datetime) -> str | None:
    """Check the second step: a current code from the app (each accepted once), or an unused recovery code (then
    spent; also for a person whose second step is a security key). Which was used ("totp" / "recovery"), or None."""
    if not active(session, user_id):
        return None
    row = session.get(TwoFactor, user_id)
    digits = _digits(code)
    if digits is not None:
        if row is None or row.confirmed_at is None:
            return None
        step = _code_step(row.secret, digits, now)
        if step is None or (row.last_step is not None and step <= row.last_step):
            return None          # wrong, or already used: a code seen over a shoulder cannot be replayed
        row.last_step = step
        session.flush()
        return "totp"
    spent = session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.code_sha256 == _recovery_digest(code),
        RecoveryCode.used_at.is_(None)).values(used_at=now))
    return "recovery" if spent.rowcount else None  # type: ignore[attr-defined]


def remove(session: Session, user_id: str) -> bool:
    """Turn two-step sign-in off (the person, or an administrator for a lost phone or key): the app, the security
    keys and the recovery codes; whether it was on."""
    was_on = active(session, user_id) or session.get(TwoFactor, user_id) is not None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.execute(delete(SecurityKey).where(SecurityKey.user_id == user_id))
    session.execute(delete(TwoFactor).where(TwoFactor.user_id == user_id))
    return was_on
