"""The directory settings (``MIBAO_LDAP_*``), read once at start-up: where the company's LDAP / Active Directory
is, how to find a person in it and which of its groups give which role here. docs/identity.md lists them.

A mistake stops the start with a message naming the variable, instead of a sign-in that fails later for everyone
(or one that sends every employee's password over the network in clear, or grants a role nobody meant).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from records.org_import import ROW_ROLES
from records.organisation import POST_ROLES

__all__ = ["GRANTABLE_ROLES", "DirectorySettings", "normal_dn", "rdn_value"]

# What a group may give: the roles an import row may give. Post roles (head, liaison, committee) follow
# appointments (records.organisation), which keep their history; a group cannot stand in for that.
GRANTABLE_ROLES = ROW_ROLES
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_ATTRIBUTE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,63}$")
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def normal_dn(dn: str) -> str:
    """``dn`` as compared here: lower case, no spaces around "," and "=" (the directory ignores both for the
    attributes DNs are made of: cn, ou, dc, uid)."""
    rdns = _UNESCAPED_COMMA.split(dn.strip().lower())
    return ",".join("=".join(part.strip() for part in rdn.split("=", 1)) for rdn in rdns)


def rdn_value(dn: str) -> str:
    """The value of the first part of ``dn``: ``hr`` for ``cn=hr,ou=groups,…`` (a group's common name), lower case."""
    return normal_dn(dn).split(",", 1)[0].partition("=")[2]


@dataclass(frozen=True)
class DirectorySettings:
    url: str
    user_base: str
    bind_dn: str | None = None                      # None: search anonymously (few directories allow it)
    bind_password: str = field(default="", repr=False)
    user_filter: str = "(uid={username})"          # {username} is replaced by the escaped name typed at sign-in
    id_attr: str = "uid"                            # the account's id here (AD: sAMAccountName)
    name_attr: str = "cn"                           # displayName wins when the entry has one
    mail_attr: str = "mail"
    department_attr: str = "ou"                     # or departmentNumber; AD: department
    identifier_attr: str = "employeeNumber"         # AD: employeeID
    group_base: str | None = None                   # groups whose member_attr lists the person's DN
    group_member_attr: str = "member"               # groupOfNames, and AD groups; uniqueMember for groupOfUniqueNames
    member_of_attr: str | None = None               # or read the groups from the person's entry (AD: memberOf)
    group_roles: tuple[tuple[str, str], ...] = ()   # (group DN or cn, role), in the configured order
    start_tls: bool = False
    ca_file: str | None = None                      # the CA that signed the directory's certificate
    timeout: int = 5                                # seconds, to connect and for each answer (whole: ldap3 packs it)

    @property
    def managed_roles(self) -> frozenset[str]:
        """The roles the directory decides: only these are added or removed by a sync or a sign-in. Every other
        role on an account (a post, or one HR gave here) is kept."""
        return frozenset(role for _group, role in self.group_roles)

    def roles_for(self, groups: Iterable[str]) -> tuple[str, ...]:
        """The roles a member of ``groups`` (DNs) has, in the configured order. A key with "=" is a DN and must
        match one group's DN; a key without is a common name and matches a group whose first part is ``cn=key``."""
        held = [normal_dn(g) for g in groups]
        names = {rdn_value(g) for g in held if g.startswith("cn=")}
        return tuple(dict.fromkeys(role for key, role in self.group_roles
                                   if (normal_dn(key) in held if "=" in key else key.strip().lower() in names)))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> DirectorySettings | None:
        """The settings, or None when ``MIBAO_LDAP_URL`` is not set (no directory); ValueError if wrong."""
        def get(name: str) -> str:
            return environ.get(f"MIBAO_LDAP_{name}", "").strip()

        url = get("URL")
        if not url:
            return None
        if not get("USER_BASE"):
            raise ValueError("MIBAO_LDAP_URL is set, so MIBAO_LDAP_USER_BASE must be too (where the people are, "
                             "e.g. ou=people,dc=example,dc=com)")
        start_tls = _flag(get("START_TLS"), "MIBAO_LDAP_START_TLS")
        _check_url(url, start_tls=start_tls, plaintext=_flag(get("ALLOW_PLAINTEXT"), "MIBAO_LDAP_ALLOW_PLAINTEXT"))
        def attribute(name: str) -> str | None:
            value = get(name)
            if value and not _ATTRIBUTE.match(value):
                raise ValueError(f"MIBAO_LDAP_{name} is {value!r}: an attribute name (letters, digits and '-')")
            return value or None

        if get("BIND_DN") and not environ.get("MIBAO_LDAP_BIND_PASSWORD"):
            raise ValueError("MIBAO_LDAP_BIND_DN is set, so MIBAO_LDAP_BIND_PASSWORD must be too (the service "
                             "account's password; leave both empty to search anonymously)")
        if get("GROUP_ROLES") and not (get("GROUP_BASE") or get("MEMBER_OF_ATTR")):
            raise ValueError("MIBAO_LDAP_GROUP_ROLES needs to know where the groups are: set MIBAO_LDAP_GROUP_BASE "
                             "(groups listing their members) or MIBAO_LDAP_MEMBER_OF_ATTR (AD: memberOf)")
        return cls(url=url, user_base=get("USER_BASE"), bind_dn=get("BIND_DN") or None,
                   bind_password=environ.get("MIBAO_LDAP_BIND_PASSWORD", ""),   # not stripped: it is a secret
                   user_filter=_user_filter(get("USER_FILTER") or cls.user_filter),
                   id_attr=attribute("ID_ATTR") or cls.id_attr, name_attr=attribute("NAME_ATTR") or cls.name_attr,
                   mail_attr=attribute("MAIL_ATTR") or cls.mail_attr,
                   department_attr=attribute("DEPARTMENT_ATTR") or cls.department_attr,
                   identifier_attr=attribute("IDENTIFIER_ATTR") or cls.identifier_attr,
                   group_base=get("GROUP_BASE") or None,
                   group_member_attr=attribute("GROUP_MEMBER_ATTR") or cls.group_member_attr,
                   member_of_attr=attribute("MEMBER_OF_ATTR"), group_roles=_group_roles(get("GROUP_ROLES")),
                   start_tls=start_tls, ca_file=get("CA_FILE") or None, timeout=_seconds(get("TIMEOUT"), cls.timeout))


def _flag(value: str, name: str) -> bool:
    if value.lower() not in {"", "0", "1", "true", "false", "yes", "no"}:
        raise ValueError(f"{name} is {value!r}: write 1 or 0")
    return value.lower() in {"1", "true", "yes"}


def _check_url(url: str, *, start_tls: bool, plaintext: bool) -> None:
    # Every sign-in sends the person's password to the directory: only encrypted, except on this machine.
    parts = urlsplit(url)
    if parts.scheme not in {"ldap", "ldaps"} or not parts.hostname:
        raise ValueError(f"MIBAO_LDAP_URL must be ldap://host[:port] or ldaps://host[:port] (got {url!r})")
    if parts.scheme == "ldap" and not start_tls and not plaintext and parts.hostname not in _LOOPBACK:
        raise ValueError(f"MIBAO_LDAP_URL {url!r} would send passwords in clear: use ldaps://, or set "
                         "MIBAO_LDAP_START_TLS=1 (or MIBAO_LDAP_ALLOW_PLAINTEXT=1 on a network you trust)")


def _user_filter(text: str) -> str:
    if "{username}" not in text or not (text.startswith("(") and text.endswith(")")):
        raise ValueError(f"MIBAO_LDAP_USER_FILTER is {text!r}: an LDAP filter in parentheses with {{username}} "
                         "where the name goes, e.g. (uid={username}) or (sAMAccountName={username})")
    return text


def _seconds(value: str, default: int) -> int:
    seconds = int(value) if value.isdigit() else default if not value else 0
    if not 0 < seconds <= 300:
        raise ValueError(f"MIBAO_LDAP_TIMEOUT is {value!r}: whole seconds, at least 1 and at most 300")
    return seconds


def _group_roles(text: str) -> tuple[tuple[str, str], ...]:
    """``group=role;group=role``, as MIBAO_OIDC_GROUP_ROLES. Split at the last "=": a group DN holds several
    (``cn=hr,ou=groups,dc=example,dc=com=hr``), a role none."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        group, sep, role = item.rpartition("=")
        group, role = group.strip(), role.strip()
        if role in POST_ROLES.values():
            raise ValueError(f"MIBAO_LDAP_GROUP_ROLES: {item!r}: {role} follows the posts a person holds; appoint "
                             f"them instead (`mibao org appoint`, or the Organisation page)")
        if not sep or not group or role not in GRANTABLE_ROLES:
            raise ValueError(f"MIBAO_LDAP_GROUP_ROLES: {item!r} is not group=role with a role of "
                             f"{', '.join(sorted(GRANTABLE_ROLES))}")
        pairs.append((group, role))
    return tuple(pairs)
