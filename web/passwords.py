"""Passwords: the strength policy, and hashing with argon2id (argon2-cffi's defaults follow RFC 9106).

Strength is judged by zxcvbn (an estimate of guesses against dictionaries, names, keyboard patterns, dates and
repeats) rather than by composition rules, which push people to ``Password1!``. The account's own id and name
count as dictionary words.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

__all__ = ["MIN_LENGTH", "MIN_SCORE", "WeakPasswordError", "check_password", "hash_password", "verify_password"]

MIN_LENGTH = 10
MIN_SCORE = 3           # zxcvbn 0-4; 3 = "safely unguessable: moderate protection from offline slow-hash attacks"
_MAX_LENGTH = 200       # argon2 takes any length; zxcvbn's cost grows with it


class WeakPasswordError(ValueError):
    """The password is refused; the message says why and what would do."""


def check_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Raise :class:`WeakPasswordError` unless ``password`` is long and hard enough to guess."""
    if not password.strip():
        raise WeakPasswordError("the password is empty")
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"the password has {len(password)} characters; use at least {MIN_LENGTH} "
                                f"(a few unrelated words are easy to remember)")
    if len(password) > _MAX_LENGTH:
        raise WeakPasswordError(f"the password is longer than {_MAX_LENGTH} characters")
    verdict = zxcvbn(password, user_inputs=[value for value in user_inputs if value])
    if verdict["score"] < MIN_SCORE:
        feedback = verdict["feedback"]
        advice = " ".join(part for part in [feedback.get("warning") or "", *feedback.get("suggestions", [])] if part)
        raise WeakPasswordError(f"the password is too easy to guess. {advice}".strip())

_HASHER = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY = _HASHER.hash("not a password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
