"""Web settings: defaults, the instance folder's secret key, and overrides (tests pass a dict)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from records import login_throttle, two_factor
from records.directory_settings import DirectorySettings
from records.instance import Instance
from web.oidc_settings import OidcSettings
from workflows.composition import Settings

__all__ = ["LANGUAGES", "make_config"]

LANGUAGES = {"zh": "中文", "en": "English"}


def _secret_key(instance: Instance) -> str:
    """``MIBAO_SECRET_KEY`` (the same on every web node, so a session opened on one is valid on the others), else a
    random key kept in the instance folder (0600), so sessions survive restarts and never ship in code."""
    from_env = os.environ.get("MIBAO_SECRET_KEY")
    if from_env:
        return from_env
    path = instance.root / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _whole(name: str, default: int, unit: str = "minutes") -> int:
    """A whole number of at least 1 from the environment (minutes unless ``unit`` says otherwise)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of {unit} of at least 1, not {value!r}")
    return int(value)


def _roles(name: str, default: frozenset[str]) -> frozenset[str]:
    """A comma-separated list of roles; "none" for none."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() == "none":
        return frozenset()
    return frozenset(r.strip() for r in value.split(",") if r.strip())


def make_config(instance: Instance, override: dict[str, Any] | None = None) -> dict[str, Any]:
    settings = Settings.from_env()     # what the engine's listeners use too (workflows.composition)
    # A sign-in ends after this long without a request, and after this long in any case (records.sign_ins).
    lockout = dt.timedelta(minutes=_whole("MIBAO_LOCKOUT_MINUTES", 15))
    idle, absolute = _whole("MIBAO_SESSION_IDLE_MINUTES", 30), _whole("MIBAO_SESSION_MINUTES", 8 * 60)
    config: dict[str, Any] = {
        "SECRET_KEY": _secret_key(instance),
        "MIBAO_INSTANCE": instance,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Behind HTTPS in production: MIBAO_SECURE_COOKIES=1. The embedded default serves plain HTTP on loopback.
        "SESSION_COOKIE_SECURE": os.environ.get("MIBAO_SECURE_COOKIES") == "1",
        "SESSION_COOKIE_NAME": "mibao_session",
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(minutes=absolute),
        "SESSION_IDLE": dt.timedelta(minutes=idle),
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": absolute * 60,
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("MIBAO_LOGIN_RATE_LIMIT", "10 per minute"),
        # OpenID Connect sign-in (web.oidc): None unless MIBAO_OIDC_ISSUER is set. OIDC_LABEL, the login page's
        # button text, is set when it is installed.
        "OIDC": OidcSettings.from_env(os.environ),
        # The company directory (LDAP / Active Directory) checks its people's passwords: None unless MIBAO_LDAP_URL.
        "DIRECTORY": DirectorySettings.from_env(os.environ),
        "OIDC_LABEL": None,
        # How many wrong passwords (or codes) for one account name within how many minutes lock it for as long.
        "LOGIN_LOCKOUT": login_throttle.Policy(failures=_whole("MIBAO_LOCKOUT_FAILURES", 5, unit="attempts"),
                                               window=lockout, lock=lockout),
        # Whose accounts must sign in with a second step (records.two_factor): by default those that open the most.
        "TWO_FACTOR_ROLES": _roles("MIBAO_2FA_ROLES", two_factor.DEFAULT_ROLES),
        # Security keys (records.security_keys) are bound to this domain: by default PUBLIC_URL's host name; a
        # parent domain (example.com for mibao.example.com) keeps them valid if the site moves within it.
        "WEBAUTHN_RP_ID": os.environ.get("MIBAO_WEBAUTHN_RP_ID", "").strip() or None,
        "EXTERNAL_LINK_DAYS": settings.external_link_days,
        "PUBLIC_URL": settings.public_url,
        "BROKER_URL": settings.broker_url,
        "BACKGROUND_TICK_SECONDS": 60,
    }
    config.update(override or {})
    return config
