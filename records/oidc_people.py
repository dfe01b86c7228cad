"""People who sign in through the company's OpenID provider: found by the provider's subject, made on first use.

A person is ``(IdentitySource.OIDC, "<issuer>|<sub>")`` on ``User``. The match is by subject alone: a provider
never reassigns ``sub``, while user names and mail addresses are renamed and reused. The user name claim only
names a new account, and an account of that name that exists already is never taken over: that would hand a
local account (or a directory one) to whoever the provider calls by the same name. An administrator links it
(:func:`link`) once they know it is the same person.

Plain data in, an explicit actor, no Flask: the web's callback (web.oidc) and the tests call the same functions;
the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.models import IdentitySource, User
from records.org_import import ROW_ROLES
from records.organisation import log_change
from records.people import Person, ensure_people, may_sign_in

__all__ = ["DEFAULT_ROLES", "GRANTABLE_ROLES", "Disabled", "NotLinked", "OidcIdentity", "SignInRefused",
           "UnusableName", "link", "resolve", "roles_for"]

# What a provider's groups may give: the roles an import row may give. Post roles (head, liaison, committee)
# follow appointments (records.organisation), and an outside party never signs in.
GRANTABLE_ROLES = ROW_ROLES
DEFAULT_ROLES = ("employee",)       # in none of the mapped groups: staff, as the import assumes for an empty cell
# An account name as the import accepts it, plus "@" (providers often name people by their mail address).
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_EXTERNAL_ID_MAX = 300              # User.external_id


class SignInRefused(Exception):
    """The provider vouched for this person, but they may not sign in here; the message says why, for the log."""


class NotLinked(SignInRefused):
    """An account with the provider's user name exists and is not this subject's: an administrator must link it."""

    def __init__(self, user_id: str, *, local: bool, external_id: str) -> None:
        self.user_id, self.local = user_id, local
        kind = "a local account" if local else "an account of another sign-in source"
        super().__init__(f"{user_id!r} is {kind}, not {external_id!r}; if it is the same person, link them "
                         "(records.oidc_people.link)")


class Disabled(SignInRefused):
    """The person has left (or is an outside party): records.people.may_sign_in says no."""


class UnusableName(SignInRefused):
    """The provider sent no user name that can name a new account."""


@dataclass(frozen=True)
class OidcIdentity:
    """Who the provider says signed in, from the verified ID token (and the userinfo answer)."""

    issuer: str
    subject: str
    username: str | None
    name: str | None = None
    email: str | None = None
    groups: tuple[str, ...] = ()

    @property
    def external_id(self) -> str:
        return f"{self.issuer}|{self.subject}"

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any], *, issuer: str, username_claim: str,
                    group_claim: str | None) -> OidcIdentity:
        # A mail address the provider says it has not verified could be anyone's: mail about secrets must not go
        # there. Enterprise providers often omit the flag; only an explicit False drops the address.
        email = _text(claims.get("email")) if claims.get("email_verified") is not False else None
        return cls(issuer=issuer, subject=str(claims["sub"]), username=_text(claims.get(username_claim)),
                   name=_text(claims.get("name")), email=email,
                   groups=_groups(claims.get(group_claim)) if group_claim else ())


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _groups(value: Any) -> tuple[str, ...]:
    # A list of names (Keycloak, Azure, Okta); a few providers send one group as a plain string.
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def roles_for(groups: Iterable[str], group_roles: Sequence[tuple[str, str]]) -> list[str]:
    """The roles ``group_roles`` (group → role pairs, in the configured order) give to a member of ``groups``."""
    held = set(groups)
    roles = list(dict.fromkeys(role for group, role in group_roles if group in held))
    return roles or list(DEFAULT_ROLES)


def resolve(session: Session, identity: OidcIdentity, *, group_roles: Sequence[tuple[str, str]], actor: str,
            now: dt.datetime) -> User:
    """The person ``identity`` is, made on their first sign-in; :class:`SignInRefused` when they may not sign in.

    Roles come from the groups only when the account is made: afterwards HR and the secrecy office keep them here,
    as for everyone else, and a sign-in does not undo their changes."""
    user = session.scalars(select(User).where(User.identity_source == IdentitySource.OIDC,
                                              User.external_id == identity.external_id)).first()
    if user is None:
        user = _create(session, identity, roles_for(identity.groups, group_roles), actor=actor, now=now)
    if not may_sign_in(user):
        raise Disabled(f"{user.id} may not sign in (status {user.status})")
    return user


def _create(session: Session, identity: OidcIdentity, roles: list[str], *, actor: str, now: dt.datetime) -> User:
    name = identity.username
    if not name or not _ID.match(name) or len(identity.external_id) > _EXTERNAL_ID_MAX:
        raise UnusableName(f"the provider's user name {name!r} for {identity.external_id!r} cannot name an account "
                           "here (letters, digits and ._@-, at most 64); create the account and link it instead")
    existing = session.get(User, name)
    if existing is not None:
        raise NotLinked(name, local=existing.identity_source is None, external_id=identity.external_id)
    ensure_people(session, [Person(name, (identity.name or name)[:200], tuple(roles))])
    user = session.get(User, name)
    assert user is not None                 # ensure_people has just written it
    user.email, user.created_at = (identity.email or "")[:200] or None, now
    user.identity_source, user.external_id = IdentitySource.OIDC, identity.external_id
    session.flush()
    log_change(session, actor=actor, action="person_added", subject=name, now=now,
               detail={"source": IdentitySource.OIDC.value, "issuer": identity.issuer, "subject": identity.subject,
                       "name": user.name, "roles": roles})
    return user


def link(session: Session, *, user_id: str, issuer: str, subject: str, actor: str, now: dt.datetime) -> User:
    """Let ``user_id`` sign in through the provider as ``subject`` (an administrator's decision: the same person).

    The account keeps its roles; its password, if any, stays until someone removes it."""
    user = session.get(User, user_id)
    if user is None:
        raise SignInRefused(f"there is no account {user_id!r}")
    external_id = OidcIdentity(issuer=issuer, subject=subject, username=None).external_id
    taken = session.scalars(select(User.id).where(User.identity_source == IdentitySource.OIDC,
                                                  User.external_id == external_id, User.id != user_id)).first()
    if taken is not None:
        raise SignInRefused(f"{external_id!r} already signs in as {taken!r}")
    before = f"{user.identity_source}|{user.external_id}" if user.identity_source else None
    user.identity_source, user.external_id = IdentitySource.OIDC, external_id
    session.flush()
    log_change(session, actor=actor, action="person_linked", subject=user_id, now=now,
               detail={"source": IdentitySource.OIDC.value, "issuer": issuer, "subject": subject, "before": before})
    return user
