"""The OpenID Connect settings (``MIBAO_OIDC_*``), read once at start-up; none of Flask, so web.config can use it.

A mistake in them stops the start with a message naming the variable, instead of a sign-in that fails later for
everyone (or, worse, one that sends the client secret over plain HTTP or grants a role nobody meant).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from records.oidc_people import GRANTABLE_ROLES

__all__ = ["OidcSettings"]

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    username_claim: str = "preferred_username"
    role_claim: str | None = None                        # the claim that lists the person's groups
    group_roles: tuple[tuple[str, str], ...] = ()        # (group, role), in the configured order
    label: str = "SSO"                                   # the login page's button

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> OidcSettings | None:
        """The settings, or None when ``MIBAO_OIDC_ISSUER`` is not set (no OpenID sign-in); ValueError if wrong."""
        def get(name: str) -> str:
            return environ.get(f"MIBAO_OIDC_{name}", "").strip()

        issuer = get("ISSUER")
        if not issuer:
            return None
        _check_issuer(issuer)
        missing = [f"MIBAO_OIDC_{n}" for n in ("CLIENT_ID", "CLIENT_SECRET") if not get(n)]
        if missing:
            raise ValueError(f"MIBAO_OIDC_ISSUER is set, so {' and '.join(missing)} must be too (from the "
                             "client registered at the provider)")
        scopes = tuple(get("SCOPES").split()) or cls.scopes
        if "openid" not in scopes:
            raise ValueError(f"MIBAO_OIDC_SCOPES must include openid (got {get('SCOPES')!r}): without it the "
                             "provider sends no ID token")
        return cls(issuer=issuer, client_id=get("CLIENT_ID"), client_secret=get("CLIENT_SECRET"), scopes=scopes,
                   username_claim=get("USERNAME_CLAIM") or cls.username_claim, role_claim=get("ROLE_CLAIM") or None,
                   group_roles=_group_roles(get("GROUP_ROLES")), label=get("LABEL") or cls.label)


def _check_issuer(issuer: str) -> None:
    # The client secret goes to the token endpoint: HTTPS, except on this machine (a test or a local provider).
    parts = urlsplit(issuer)
    if not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)) or not parts.netloc:
        raise ValueError(f"MIBAO_OIDC_ISSUER must be an https:// URL (got {issuer!r})")


def _group_roles(text: str) -> tuple[tuple[str, str], ...]:
    """``group=role;group=role``. Split at the last "=": group names may hold one (``CN=hr,OU=staff``), roles not."""
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        group, sep, role = item.rpartition("=")
        group, role = group.strip(), role.strip()
        if not sep or not group or role not in GRANTABLE_ROLES:
            raise ValueError(f"MIBAO_OIDC_GROUP_ROLES: {item!r} is not group=role with a role of "
                             f"{', '.join(sorted(GRANTABLE_ROLES))}")
        pairs.append((group, role))
    return tuple(pairs)
