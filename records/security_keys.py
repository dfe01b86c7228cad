"""Security keys and passkeys (WebAuthn) as the second sign-in step, beside the authenticator app
(records.two_factor); py_webauthn checks the ceremonies.

Each ceremony is two calls: the options (with a fresh random challenge, which the caller keeps on the server side
and hands back once) and the verification of what the browser's authenticator answered. The relying party is the
site people open (``PUBLIC_URL``): its host name is the RP ID unless one is configured, and its
``scheme://host:port`` the only origin accepted. A challenge is for one person and one purpose, and valid for
five minutes; an assertion over a challenge issued before the key's last use is refused (a replay), as is one
whose signature counter does not grow once it counts (a cloned key). User verification (a PIN, a fingerprint) is
asked for where the key can do it, not required: the password was the first step.

The first key makes ten recovery codes when the person has none left, as setting up the app does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from records import two_factor
from records.models import SecurityKey, TwoFactor, User

__all__ = [
    "CHALLENGE_VALID",
    "MAX_KEYS",
    "Challenge",
    "KeyRefused",
    "LastSecondStep",
    "Purpose",
    "Registered",
    "RelyingParty",
    "SecurityKeyError",
    "authenticate",
    "authentication_options",
    "keys_of",
    "register",
    "registration_options",
    "remove_key",
]

CHALLENGE_VALID = dt.timedelta(minutes=5)
MAX_KEYS = 10
LABEL_LENGTH = 100
_TIMEOUT_MS = 120_000
# What a malformed or refused answer raises inside py_webauthn: its own errors, and bad base64 or types on the way.
_BAD_ANSWER = (WebAuthnException, ValueError, TypeError, KeyError)


class SecurityKeyError(Exception):
    """A security-key operation that cannot be done."""


class KeyRefused(SecurityKeyError):
    """The authenticator's answer is not accepted (wrong origin or challenge, bad signature, clone, …)."""


class LastSecondStep(SecurityKeyError):
    """Removing this key would leave the account without a second step."""


class Purpose(StrEnum):
    REGISTER = "register"
    SIGN_IN = "sign_in"


@dataclass(frozen=True)
class RelyingParty:
    """This site as WebAuthn names it: the RP ID (a domain) and the one origin its pages are served from."""

    id: str
    origin: str
    name: str = "mibao"

    @classmethod
    def from_public_url(cls, public_url: str, rp_id: str | None = None) -> RelyingParty:
        parts = urlsplit(public_url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise ValueError(f"PUBLIC_URL {public_url!r} is not an http(s) address")
        port = f":{parts.port}" if parts.port else ""
        return cls(id=(rp_id or host).lower(), origin=f"{parts.scheme}://{host}{port}")


@dataclass(frozen=True)
class Challenge:
    """What the server keeps between the options and the answer: one use, for one person and purpose."""

    value: bytes
    purpose: Purpose
    user_id: str
    issued_at: dt.datetime

    def to_dict(self) -> dict[str, str]:
        return {"challenge": bytes_to_base64url(self.value), "purpose": self.purpose.value, "user": self.user_id,
                "at": self.issued_at.isoformat()}

    @classmethod
    def from_dict(cls, data: object) -> Challenge | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(value=base64url_to_bytes(str(data["challenge"])), purpose=Purpose(data["purpose"]),
                       user_id=str(data["user"]), issued_at=dt.datetime.fromisoformat(str(data["at"])))
        except (KeyError, ValueError):
            return None


@dataclass(frozen=True)
class Registered:
    key: SecurityKey
    recovery_codes: list[str]      # new ones (shown once) when the person had none left; else empty


def keys_of(session: Session, user_id: str) -> list[SecurityKey]:
    return list(session.scalars(select(SecurityKey).where(SecurityKey.user_id == user_id)
                                .order_by(SecurityKey.created_at, SecurityKey.id)))


def _descriptors(keys: list[SecurityKey]) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(k.credential_id),
        transports=[AuthenticatorTransport(t) for t in k.transports or [] if t in known] or None) for k in keys]


def registration_options(session: Session, user: User, rp: RelyingParty, *,
                         now: dt.datetime) -> tuple[str, Challenge]:
    """The options for ``navigator.credentials.create`` (JSON), and the challenge to keep."""
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_id=user.id.encode(), user_name=user.id, user_display_name=user.name,
        timeout=_TIMEOUT_MS, attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(keys_of(session, user.id)))
    return options_to_json(options), Challenge(options.challenge, Purpose.REGISTER, user.id, now)


def _check(challenge: Challenge | None, purpose: Purpose, user_id: str, now: dt.datetime) -> Challenge:
    if challenge is None or challenge.purpose != purpose or challenge.user_id != user_id:
        raise KeyRefused("no challenge was issued for this")
    if not dt.timedelta(0) <= now - challenge.issued_at <= CHALLENGE_VALID:
        raise KeyRefused("the challenge has expired")
    return challenge


def register(session: Session, user_id: str, rp: RelyingParty, challenge: Challenge | None, credential: str,
             label: str, *, now: dt.datetime) -> Registered:
    """Keep the new key the browser's answer (``credential``, JSON) describes, once it is verified."""
    expected = _check(challenge, Purpose.REGISTER, user_id, now)
    label = " ".join(label.split())
    if not 1 <= len(label) <= LABEL_LENGTH:
        raise KeyRefused(f"a key's name has 1 to {LABEL_LENGTH} characters")
    if len(keys_of(session, user_id)) >= MAX_KEYS:
        raise KeyRefused(f"at most {MAX_KEYS} keys per person")
    try:
        parsed = parse_registration_credential_json(credential)
        verified = verify_registration_response(credential=parsed, expected_challenge=expected.value,
                                                expected_rp_id=rp.id, expected_origin=rp.origin)
    except _BAD_ANSWER as exc:
        raise KeyRefused(str(exc)) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(select(SecurityKey.id).where(SecurityKey.credential_id == credential_id)) is not None:
        raise KeyRefused("this key is registered already")
    key = SecurityKey(user_id=user_id, credential_id=credential_id, public_key=verified.credential_public_key,
                      sign_count=verified.sign_count, label=label, created_at=now,
                      transports=[t.value for t in parsed.response.transports or []])
    session.add(key)
    session.flush()
    codes = [] if two_factor.recovery_codes_left(session, user_id) else \
        two_factor.new_recovery_codes(session, user_id, now=now)
    return Registered(key, codes)


def authentication_options(session: Session, user_id: str, rp: RelyingParty, *,
                           now: dt.datetime) -> tuple[str, Challenge]:
    """The options for ``navigator.credentials.get`` (JSON: the person's keys), and the challenge to keep."""
    options = generate_authentication_options(rp_id=rp.id, timeout=_TIMEOUT_MS,
                                              allow_credentials=_descriptors(keys_of(session, user_id)),
                                              user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options), Challenge(options.challenge, Purpose.SIGN_IN, user_id, now)


def authenticate(session: Session, user_id: str, rp: RelyingParty, challenge: Challenge | None, credential: str,
                 *, now: dt.datetime) -> SecurityKey:
    """The person's key that signed the challenge (its counter and last use updated), or KeyRefused."""
    expected = _check(challenge, Purpose.SIGN_IN, user_id, now)
    try:
        parsed = parse_authentication_credential_json(credential)
    except _BAD_ANSWER as exc:
        raise KeyRefused(str(exc)) from exc
    key = session.scalar(select(SecurityKey).where(SecurityKey.credential_id == bytes_to_base64url(parsed.raw_id),
                                                   SecurityKey.user_id == user_id))
    if key is None:
        raise KeyRefused("not one of this person's keys")
    handle = parsed.response.user_handle
    if handle is not None and handle != user_id.encode():
        raise KeyRefused("the key answered for another account")
    if key.last_used_at is not None and expected.issued_at < key.last_used_at:
        raise KeyRefused("the challenge was issued before this key's last use")
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=expected.value, expected_rp_id=rp.id, expected_origin=rp.origin,
            credential_public_key=key.public_key, credential_current_sign_count=key.sign_count)
    except _BAD_ANSWER as exc:      # the counter that did not grow (a clone) is one of these
        raise KeyRefused(str(exc)) from exc
    key.sign_count, key.last_used_at = verified.new_sign_count, now
    session.flush()
    return key


def remove_key(session: Session, user_id: str, key_id: int) -> bool:
    """Remove one of the person's keys (False: no such key of theirs); LastSecondStep when neither the app nor
    another key would remain, which is turning two-step sign-in off (records.two_factor.remove)."""
    key = session.get(SecurityKey, key_id)
    if key is None or key.user_id != user_id:
        return False
    others = session.scalar(select(func.count()).select_from(SecurityKey)
                            .where(SecurityKey.user_id == user_id, SecurityKey.id != key_id))
    totp = session.get(TwoFactor, user_id)
    if not others and (totp is None or totp.confirmed_at is None):
        raise LastSecondStep("the account's last second step")
    session.execute(delete(SecurityKey).where(SecurityKey.id == key_id))
    return True

