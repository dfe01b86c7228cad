"""People from the company directory (LDAP / Active Directory): their sign-in is checked there, their account
here is kept in step with their entry.

A directory person is ``(IdentitySource.LDAP, <their DN>)`` on ``User``; a new account takes the directory's user
name as its id, and keeps that id (its rows refer to it) if the entry is later renamed or moved. Two ways in,
one per-entry function (``_write``):

- :func:`sign_in_person`, at each sign-in after :func:`authenticate`, creates or updates that one person, so a
  new employee can sign in before the next sync;
- :func:`sync` (``mibao directory sync``, from cron) does it for everyone, and marks the people who are no longer
  listed as left, the way the Organisation page does (records.organisation.set_status): that ends their
  sign-ins, API tokens and posts at once.

The directory decides the name, mail, department, employee number and the roles MIBAO_LDAP_GROUP_ROLES names.
Everything else stays as it is here: personnel level, post, the posts a person holds, every role the mapping does
not name, and any value the entry lacks. Local accounts (identity_source None) and OpenID ones are never touched:
an entry with one's user name is refused instead of taking it over. Someone marked left here stays left: an
offboarding is not undone by a directory account nobody has disabled yet (the sync reports it).

Plain data in, an explicit actor, no Flask: the web's login view, the CLI and the tests call the same functions;
the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.directory_ldap import DirectoryError, DirectoryPerson, DirectoryUnavailable, everyone, find, password_ok
from records.directory_settings import DirectorySettings, normal_dn
from records.models import IdentitySource, PersonStatus, User
from records.organisation import add_department, log_change, set_status
from records.people import Person, ensure_people

__all__ = ["ACTOR", "DEFAULT_ROLES", "DirectoryError", "DirectoryPerson", "DirectorySettings", "DirectoryUnavailable",
           "EntryProblem", "EntryRefused", "SyncReport", "authenticate", "sign_in_person", "sync"]

ACTOR = "directory"                 # who changes an account at sign-in (a sync's caller names its own actor)
DEFAULT_ROLES = ("employee",)       # no managed or kept role left: staff, as the import assumes for an empty cell
# An account id as the import accepts it, plus "@" (as records.oidc_people: some directories name people by mail).
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"name": 200, "email": 200, "department": 100, "identifier": 64, "dn": 300}   # User's columns


class EntryRefused(DirectoryError):
    """This entry cannot be (or update) a person here; the message says why and what to do."""


@dataclass(frozen=True)
class EntryProblem:
    entry: str                      # the DN
    reason: str


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)        # account ids
    updated: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[EntryProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in ("created", "updated", "disabled", "unchanged", "errors")}


def authenticate(settings: DirectorySettings, username: str, password: str) -> DirectoryPerson | None:
    """The person whose directory password this is; None for a wrong password, an unknown or ambiguous name.
    :class:`DirectoryUnavailable` when the directory cannot be asked (the caller says so, not "wrong password")."""
    username = username.strip()
    if not username or not password:
        return None                 # refused before any bind: see directory_ldap.password_ok
    person = find(settings, username)
    if person is None or not password_ok(settings, person.dn, password):
        return None
    return person


def sign_in_person(session: Session, settings: DirectorySettings, person: DirectoryPerson, now: dt.datetime) -> User:
    """The account of ``person`` (just authenticated), created or brought up to date from their entry.

    The caller still asks records.people.may_sign_in, as for every sign-in: someone marked left stays left.
    :class:`EntryRefused` when the entry cannot be an account here (e.g. its user name is a local account)."""
    user, _outcome = _write(session, settings, person, _accounts(session, [person.dn]), frozenset(),
                            actor=ACTOR, now=now)
    return user


def sync(session: Session, settings: DirectorySettings, *, actor: str, now: dt.datetime) -> SyncReport:
    """Bring every directory account here in step with the directory (see the module's notes).

    Entries that cannot be written are reported and the others are written all the same: one bad entry must not
    keep a leaver signed in. :class:`DirectoryUnavailable` (nothing written) when the directory cannot be read."""
    people, problems = everyone(settings)
    accounts = _accounts(session)
    if not people and not problems and any(u.status != PersonStatus.LEFT for u in accounts.values()):
        # Most likely a wrong base or filter, or a service account that may not read: not everyone leaving.
        raise DirectoryUnavailable(f"the directory lists nobody under {settings.user_base!r} with "
                                   f"{settings.user_filter!r}; nobody was marked left. Check MIBAO_LDAP_USER_BASE, "
                                   "MIBAO_LDAP_USER_FILTER and what the service account may read")
    report = SyncReport(errors=[EntryProblem(dn, reason) for dn, reason in problems])
    listed = frozenset(normal_dn(dn) for dn in [*(p.dn for p in people), *(dn for dn, _ in problems)])
    for person in people:
        try:
            user, outcome = _write(session, settings, person, accounts, listed, actor=actor, now=now)
        except EntryRefused as exc:
            report.errors.append(EntryProblem(person.dn, str(exc)))
            continue
        if outcome == "left":
            report.errors.append(EntryProblem(person.dn, f"{user.id} has left (status left here) but the directory "
                                              "still lists them: disable their directory account, or set them "
                                              "active here if they are back"))
        else:
            getattr(report, outcome).append(user.id)
    report.disabled = _mark_gone(session, accounts.values(), listed, actor=actor, now=now)
    log_change(session, actor=actor, action="directory_sync", subject=f"{len(people)} people",
               detail={"source": IdentitySource.LDAP.value, **report.counts()}, now=now)
    return report


def _mark_gone(session: Session, accounts: Iterable[User], listed: frozenset[str], *, actor: str,
               now: dt.datetime) -> list[str]:
    """Mark as left the accounts whose entry is no longer listed (after this run's moves); their ids."""
    gone = [u for u in accounts if normal_dn(u.external_id or "") not in listed and u.status != PersonStatus.LEFT]
    for user in gone:
        # As the Organisation page does: it also ends their sign-ins, API tokens and posts.
        set_status(session, actor=actor, user_id=user.id, status=PersonStatus.LEFT, now=now)
    return [u.id for u in gone]


# -- one entry -------------------------------------------------------------------------------------------------

def _accounts(session: Session, dns: Iterable[str] | None = None) -> dict[str, User]:
    """The directory's accounts here (those with ``dns``), by normalised DN: one query, not one per entry."""
    query = select(User).where(User.identity_source == IdentitySource.LDAP)
    if dns is not None:
        query = query.where(User.external_id.in_(list(dns)))
    return {normal_dn(u.external_id or ""): u for u in session.scalars(query)}


def _write(session: Session, settings: DirectorySettings, person: DirectoryPerson, accounts: Mapping[str, User],
           listed: frozenset[str], *, actor: str, now: dt.datetime) -> tuple[User, str]:
    """Create or update ``person``'s account: (the account, "created" / "updated" / "unchanged" / "left")."""
    _check(person)
    user = _match(session, person, accounts, listed)
    if user is None:
        return _create(session, settings, person, actor=actor, now=now), "created"
    if user.status == PersonStatus.LEFT:
        return user, "left"
    return user, "updated" if _update(session, settings, user, person, actor=actor, now=now) else "unchanged"


def _check(person: DirectoryPerson) -> None:
    values = {"name": person.name, "email": person.email, "department": person.department,
              "identifier": person.identifier, "dn": person.dn}
    long = [f"{key} ({limit})" for key, limit in _LIMITS.items() if len(values[key] or "") > limit]
    if long:
        raise EntryRefused(f"too long for an account here: {', '.join(long)} characters at most")
    if person.email and not _EMAIL.match(person.email):
        raise EntryRefused(f"its mail {person.email!r} is not an address")


def _match(session: Session, person: DirectoryPerson, accounts: Mapping[str, User],
           listed: frozenset[str]) -> User | None:
    """The account of ``person``: by DN, or by user name for an entry that moved (its old DN no longer listed)."""
    user = accounts.get(normal_dn(person.dn))
    if user is not None:
        return user
    user = session.get(User, person.username)
    if user is None:
        return None
    if user.identity_source != IdentitySource.LDAP:
        kind = "a local account" if user.identity_source is None else f"an account of {user.identity_source}"
        raise EntryRefused(f"the user name {person.username!r} is {kind} here, which the directory never takes "
                           "over: rename one of them, or make the account a directory one if it is this person")
    if normal_dn(user.external_id or "") in listed:
        raise EntryRefused(f"the user name {person.username!r} is also the entry {user.external_id!r}'s: a user "
                           "name must name one entry")
    return user


def _roles(current: Iterable[str], mapped: Iterable[str], managed: frozenset[str]) -> list[str]:
    """``current`` without the managed roles the groups no longer give, plus those they give; never empty."""
    kept = [r for r in current if r not in managed]
    roles = [*kept, *(r for r in mapped if r not in kept)]
    return roles or list(DEFAULT_ROLES)


def _create(session: Session, settings: DirectorySettings, person: DirectoryPerson, *, actor: str,
            now: dt.datetime) -> User:
    if not _ID.match(person.username):
        raise EntryRefused(f"its user name {person.username!r} cannot name an account here (letters, digits and "
                           "._@- , at most 64)")
    roles = _roles([], person.roles, settings.managed_roles)
    if person.department:
        add_department(session, actor=actor, name=person.department, now=now)
    ensure_people(session, [Person(person.username, person.name, tuple(roles), person.department,
                                   identifier=person.identifier)])
    user = session.get(User, person.username)
    assert user is not None                 # ensure_people has just written it
    user.email, user.created_at = person.email, now
    user.identity_source, user.external_id = IdentitySource.LDAP, person.dn
    session.flush()
    log_change(session, actor=actor, action="person_added", subject=user.id, now=now,
               detail={"source": IdentitySource.LDAP.value, "dn": person.dn, "name": user.name,
                       "department": user.department, "roles": roles})
    return user


def _update(session: Session, settings: DirectorySettings, user: User, person: DirectoryPerson, *, actor: str,
            now: dt.datetime) -> bool:
    """Write what changed in ``person``'s entry to ``user``; whether anything did."""
    wanted: dict[str, Any] = {"name": person.name, "email": person.email, "department": person.department,
                              "identifier": person.identifier, "external_id": person.dn}
    wanted = {k: v for k, v in wanted.items() if v is not None}      # a value the entry lacks is kept here
    changes = {k: [getattr(user, k), v] for k, v in wanted.items() if getattr(user, k) != v}
    roles = _roles(user.roles or [], person.roles, settings.managed_roles)
    if set(roles) != set(user.roles or []):
        changes["roles"] = [list(user.roles or []), roles]
    if not changes:
        return False
    if "department" in changes:
        add_department(session, actor=actor, name=person.department or "", now=now)
    name, department, identifier = (wanted.get(k, getattr(user, k)) for k in ("name", "department", "identifier"))
    # Through the same function as every other account change; level and post are this system's, kept as they are.
    ensure_people(session, [Person(user.id, name, tuple(changes["roles"][1] if "roles" in changes else user.roles),
                                   department, user.personnel_level, identifier, user.post)])
    user.email, user.external_id = wanted.get("email", user.email), person.dn
    session.flush()
    log_change(session, actor=actor, action="person_updated", subject=user.id, now=now,
               detail={"source": IdentitySource.LDAP.value, "dn": person.dn, "changes": changes})
    return True
