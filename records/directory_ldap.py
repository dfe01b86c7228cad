"""Reading the company directory over LDAP (OpenLDAP, Active Directory) with ldap3: find one person, check their
password, list everyone. records.directory turns what this reads into people here.

Every search runs as the service account (MIBAO_LDAP_BIND_DN); a person's password is only ever used for one
bind as their own DN, on a connection of its own that does nothing else. ldap3's ``Connection`` repr shows the
password, so no connection object is ever logged or put into a message.
"""

from __future__ import annotations

import ssl
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from records.directory_settings import DirectorySettings, normal_dn

with warnings.catch_warnings():
    # ldap3 2.9.1 (its last release) imports names that pyasn1 0.6 deprecates (tagMap, typeMap) and warns on
    # import; the test suite turns warnings into errors. Import it here first, and only here, so it stays quiet.
    warnings.simplefilter("ignore", DeprecationWarning)
    import ldap3
    from ldap3.core.exceptions import LDAPException, LDAPInvalidFilterError
    from ldap3.utils.conv import escape_filter_chars

__all__ = ["DirectoryError", "DirectoryPerson", "DirectoryUnavailable", "everyone", "find", "password_ok"]

_ENTRY = "searchResEntry"           # AD also answers with references to other servers: skipped
_NO_SUCH_OBJECT = 32
_PAGE = 500                         # AD answers at most 1000 entries per search without paging


class DirectoryError(Exception):
    """Something about the directory; the message says what to check."""


class DirectoryUnavailable(DirectoryError):
    """The directory could not be asked (down, unreachable, the service account refused, a setting wrong).
    Not a wrong password: that is an answer (None / False)."""


@dataclass(frozen=True)
class DirectoryPerson:
    """One person as the directory describes them; ``roles`` are the roles their groups give here."""

    dn: str
    username: str
    name: str
    email: str | None
    department: str | None
    identifier: str | None                  # employee number
    groups: tuple[str, ...]                 # DNs
    roles: tuple[str, ...]


def find(settings: DirectorySettings, username: str) -> DirectoryPerson | None:
    """The one person whose entry matches the user filter for ``username``; None for none or several."""
    # Escaped, so "*" or ")(" in a typed name are literal characters, never filter syntax.
    query = settings.user_filter.replace("{username}", escape_filter_chars(username))
    with _service(settings) as conn:
        entries = _search(conn, settings.user_base, query, _attributes(settings), "MIBAO_LDAP_USER_BASE")
        if len(entries) != 1:
            return None
        groups = _groups_of(conn, settings, entries[0])
    return _person(settings, entries[0], groups)


def password_ok(settings: DirectorySettings, dn: str, password: str) -> bool:
    """Whether the directory accepts ``password`` for ``dn`` (a bind as that person)."""
    if not password:
        # An empty password makes an "unauthenticated bind", which AD (and OpenLDAP configured so) answers with
        # success as an anonymous user: it must never reach the server as a sign-in.
        return False
    with _connection(settings, dn, password) as conn:
        return bool(conn.bind())          # any refusal (wrong, expired, locked, disabled) is a "no"


def everyone(settings: DirectorySettings) -> tuple[list[DirectoryPerson], list[tuple[str, str]]]:
    """Every person under the user base, and the entries that cannot be one (DN, reason), both sorted by DN."""
    query = settings.user_filter.replace("{username}", "*")
    with _service(settings) as conn:
        entries = _search(conn, settings.user_base, query, _attributes(settings), "MIBAO_LDAP_USER_BASE")
        members = _members(conn, settings) if settings.group_base and not settings.member_of_attr else {}
    people, problems = [], []
    for entry in sorted(entries, key=lambda e: str(e["dn"])):
        groups = members.get(normal_dn(entry["dn"]), []) if members else _values(entry, settings.member_of_attr)
        person = _person(settings, entry, tuple(groups))
        if person is None:
            problems.append((str(entry["dn"]), f"it has no {settings.id_attr} (MIBAO_LDAP_ID_ATTR)"))
        else:
            people.append(person)
    return people, problems


# -- the wire --------------------------------------------------------------------------------------------------

@contextmanager
def _connection(settings: DirectorySettings, user: str | None, password: str | None) -> Iterator[ldap3.Connection]:
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.ca_file)
    server = ldap3.Server(settings.url, get_info=ldap3.NONE, tls=tls, connect_timeout=settings.timeout)
    conn = ldap3.Connection(server, user=user, password=password, read_only=True, auto_referrals=False,
                            receive_timeout=settings.timeout, raise_exceptions=False)
    try:
        conn.open()
        if settings.start_tls and not conn.start_tls():
            raise DirectoryUnavailable(f"the directory at {settings.url} refused StartTLS: check that it offers "
                                       "TLS, or use an ldaps:// MIBAO_LDAP_URL")
        yield conn
    except LDAPException as exc:
        # str(exc) names the socket or TLS problem; never the connection (its repr holds the password).
        raise DirectoryUnavailable(f"cannot reach the directory at {settings.url} ({type(exc).__name__}: {exc}): "
                                   "check MIBAO_LDAP_URL, the network, and for ldaps:// or StartTLS the "
                                   "certificate (MIBAO_LDAP_CA_FILE)") from None
    finally:
        with suppress(LDAPException):     # the connection may be gone already; nothing is left to tidy then
            conn.unbind()
        if getattr(conn, "socket", None) is not None:
            conn.socket.close()           # ldap3 leaves the socket open when connecting failed


@contextmanager
def _service(settings: DirectorySettings) -> Iterator[ldap3.Connection]:
    """A connection bound as the service account (or anonymous, without MIBAO_LDAP_BIND_DN)."""
    with _connection(settings, settings.bind_dn, settings.bind_password or None) as conn:
        if settings.bind_dn and not conn.bind():
            raise DirectoryUnavailable(f"the directory refused the service account {settings.bind_dn!r} "
                                       f"({conn.result.get('description')}): check MIBAO_LDAP_BIND_DN and "
                                       "MIBAO_LDAP_BIND_PASSWORD")
        yield conn


def _search(conn: ldap3.Connection, base: str, query: str, attributes: list[str], setting: str) -> list[Any]:
    try:
        found = conn.extend.standard.paged_search(base, query, attributes=attributes, paged_size=_PAGE,
                                                  generator=False)
    except LDAPInvalidFilterError as exc:
        raise DirectoryUnavailable(f"the filter {query!r} is not valid LDAP ({exc}): check "
                                   "MIBAO_LDAP_USER_FILTER") from None
    result = conn.result or {}
    if result.get("result", 0) != 0:
        # A search cut short (size or time limit, a lost connection) must not read as "these people are gone".
        hint = f"check {setting}" if result.get("result") == _NO_SUCH_OBJECT else "check the service account's rights"
        raise DirectoryUnavailable(f"searching {base!r} failed ({result.get('description')}): {hint}")
    return [entry for entry in found if entry.get("type") == _ENTRY]


def _attributes(settings: DirectorySettings) -> list[str]:
    wanted = [settings.id_attr, settings.name_attr, "displayName", settings.mail_attr, settings.department_attr,
              settings.identifier_attr, settings.member_of_attr]
    return list(dict.fromkeys(a for a in wanted if a))


def _groups_of(conn: ldap3.Connection, settings: DirectorySettings, entry: Any) -> tuple[str, ...]:
    if settings.member_of_attr:
        return tuple(_values(entry, settings.member_of_attr))
    if not settings.group_base:
        return ()
    query = f"({settings.group_member_attr}={escape_filter_chars(str(entry['dn']))})"
    return tuple(str(g["dn"]) for g in _search(conn, settings.group_base, query, [], "MIBAO_LDAP_GROUP_BASE"))


def _members(conn: ldap3.Connection, settings: DirectorySettings) -> dict[str, list[str]]:
    """Member DN (normalised) → the DNs of their groups, from one listing of the groups (not one per person)."""
    assert settings.group_base
    members: dict[str, list[str]] = {}
    attr = settings.group_member_attr
    for group in _search(conn, settings.group_base, f"({attr}=*)", [attr], "MIBAO_LDAP_GROUP_BASE"):
        for member in _values(group, attr):
            members.setdefault(normal_dn(member), []).append(str(group["dn"]))
    return members


def _values(entry: Any, attr: str | None) -> list[str]:
    # Without the schema (get_info=NONE) every attribute comes as a list; a value that is not UTF-8 stays bytes.
    if not attr:
        return []
    raw = entry.get("attributes", {}).get(attr) or []
    values = raw if isinstance(raw, list) else [raw]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _first(entry: Any, attr: str) -> str | None:
    values = _values(entry, attr)
    return values[0] if values else None


def _person(settings: DirectorySettings, entry: Any, groups: tuple[str, ...]) -> DirectoryPerson | None:
    username = _first(entry, settings.id_attr)
    if username is None:
        return None
    return DirectoryPerson(dn=str(entry["dn"]), username=username,
                           name=_first(entry, "displayName") or _first(entry, settings.name_attr) or username,
                           email=_first(entry, settings.mail_attr),
                           department=_first(entry, settings.department_attr),
                           identifier=_first(entry, settings.identifier_attr), groups=groups,
                           roles=settings.roles_for(groups))
