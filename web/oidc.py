"""Sign-in through the company's OpenID provider (OpenID Connect: authorization code with PKCE S256).

Authlib's Flask client does the protocol: the state, nonce and PKCE verifier kept in the session between the two
requests, the state checked on return, the code exchanged with the verifier, and the ID token checked against the
provider's JWKS (signature, iss, aud, exp, nonce). What is ours: the discovery document must name the configured
issuer, only asymmetric signatures count, the claims become a person (records.oidc_people), and every failure is a
message on the login page, never a 500. Registered only when configured (``MIBAO_OIDC_ISSUER``, web.oidc_settings).

The provider is trusted for the whole sign-in, its second factor included: the two-factor step of the password
sign-in (web.auth) does not follow it.
"""

from __future__ import annotations

import logging
from typing import Any

from authlib.common.errors import AuthlibBaseError  # type: ignore[import-untyped]
from authlib.integrations.base_client import MismatchingStateError  # type: ignore[import-untyped]
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App  # type: ignore[import-untyped]
from flask import Blueprint, Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError
from requests import RequestException
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from records import oidc_people
from records.db import transaction
from web import limiter
from web.auth import safe_next
from web.oidc_settings import OidcSettings
from web.security import sign_in
from web.state import state

__all__ = ["ACTOR", "CALLBACK_PATH", "ProviderError", "bp", "claims_options", "install", "make_client",
           "verify_id_token"]

log = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__)

CALLBACK_PATH = "/login/oidc/callback"
ACTOR = "oidc"          # who the audit log names for an account made on the provider's word
TIMEOUT = 10            # seconds per call to the provider: a hung provider must not hold a web worker
# Signatures made with the provider's private key. Never "none", nor HS* (keyed with the client secret, which
# this side holds too): a discovery document listing them must not make such tokens acceptable.
SIGNING_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_EXTENSION = "mibao_oidc"
# What a sign-in can fail with, short of a bug: refusals, the provider's errors and bad answers (Authlib, joserfc,
# requests; ValueError for a body that is not JSON, RuntimeError for discovery without a jwks_uri), and two first
# sign-ins of one person at once (IntegrityError).
_FAILURES = (oidc_people.SignInRefused, AuthlibBaseError, JoseError, RequestException, ValueError, RuntimeError,
             IntegrityError)


class ProviderError(ValueError):
    """The provider's answer is unusable (wrong issuer, no ID token, userinfo of another subject)."""


def install(app: Flask, settings: OidcSettings) -> None:
    app.extensions[_EXTENSION] = (settings, make_client(settings))
    app.config["OIDC_LABEL"] = settings.label       # the login page shows the button when this is set
    app.register_blueprint(bp)


def make_client(settings: OidcSettings) -> Any:
    """Authlib's client for the provider; it reads the endpoints from discovery on first use and keeps them."""
    return FlaskOAuth2App(FlaskIntegration("oidc"), name="oidc", client_id=settings.client_id,
                          client_secret=settings.client_secret, server_metadata_url=settings.discovery_url,
                          client_kwargs={"scope": " ".join(settings.scopes), "code_challenge_method": "S256",
                                         "token_endpoint_auth_method": "client_secret_basic",
                                         "default_timeout": TIMEOUT})


def _configured() -> tuple[OidcSettings, Any]:
    found: tuple[OidcSettings, Any] = current_app.extensions[_EXTENSION]
    return found


def _issuer(client: Any, settings: OidcSettings) -> str:
    """The provider's issuer from discovery, which must be the configured one (OpenID Discovery §4.3: else any
    server answering at that address could speak for another issuer)."""
    metadata = client.load_server_metadata()
    issuer = str(metadata.get("issuer", ""))
    if issuer.rstrip("/") != settings.issuer.rstrip("/"):
        raise ProviderError(f"discovery names issuer {issuer!r}, not the configured {settings.issuer!r}")
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    metadata["id_token_signing_alg_values_supported"] = [a for a in offered if a in SIGNING_ALGS]
    return issuer


def claims_options(issuer: str, client_id: str) -> dict[str, Any]:
    # aud must name us: Authlib checks azp, but without this an ID token for another client that names us as its
    # azp would pass (OpenID Connect Core §3.1.3.7, step 3).
    return {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id},
            "sub": {"essential": True}}


def verify_id_token(client: Any, settings: OidcSettings, token: dict[str, Any], nonce: str) -> dict[str, Any]:
    """The claims of ``token["id_token"]`` once signature, iss, aud, exp and nonce are checked (the same check the
    callback makes through Authlib); JoseError or ProviderError otherwise."""
    claims = client.parse_id_token(token, nonce=nonce,
                                   claims_options=claims_options(_issuer(client, settings), settings.client_id))
    if not claims:
        raise ProviderError("the token response holds no ID token")
    return dict(claims)


@bp.get("/login/oidc")
def login() -> Response:
    settings, client = _configured()
    try:
        _issuer(client, settings)
        redirect_to: Response = client.authorize_redirect(_callback_url())
    except (AuthlibBaseError, RequestException, ValueError, RuntimeError) as exc:
        return _refused(exc, _unreachable(settings.label))
    session["oidc_next"] = safe_next(request.args.get("next"))
    return redirect_to


@bp.get(CALLBACK_PATH)
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]))
def callback() -> Response:
    settings, client = _configured()
    try:
        identity = _identity(client, settings)
        with transaction(state().sessions) as db:
            user = oidc_people.resolve(db, identity, group_roles=settings.group_roles, actor=ACTOR,
                                       now=state().engine.clock.now())
    except _FAILURES as exc:
        return _refused(exc, _message(exc, settings.label))
    target = session.get("oidc_next")
    sign_in(user)
    return redirect(safe_next(str(target) if target else None))


def _callback_url() -> str:
    # From PUBLIC_URL, as mailed links are: the provider accepts only the registered address, and the Host header
    # behind a proxy is not it.
    return f"{str(current_app.config['PUBLIC_URL']).rstrip('/')}{CALLBACK_PATH}"


def _identity(client: Any, settings: OidcSettings) -> oidc_people.OidcIdentity:
    """Who the provider vouches for in this callback: state, code exchange, ID token, then userinfo's claims."""
    issuer = _issuer(client, settings)
    token = client.authorize_access_token(claims_options=claims_options(issuer, settings.client_id))
    claims = token.get("userinfo")      # Authlib's name for the verified ID token's claims
    if not claims:
        raise ProviderError("the token response holds no ID token")
    if client.load_server_metadata().get("userinfo_endpoint"):
        # Some providers put groups or the mail address only here; the ID token's own claims win.
        extra = dict(client.userinfo(token=token))
        if extra.get("sub") != claims["sub"]:
            raise ProviderError("userinfo describes another subject than the ID token")   # Core §5.3.2
        claims = {**extra, **claims}
    return oidc_people.OidcIdentity.from_claims(claims, issuer=issuer, username_claim=settings.username_claim,
                                                group_claim=settings.role_claim)


def _message(exc: Exception, label: str) -> str:
    """What the person reads for ``exc``; the log keeps the technical reason."""
    if isinstance(exc, oidc_people.NotLinked):
        return str(_("An account named %(name)s exists here already and is not linked to %(label)s. It is not "
                     "taken over automatically: ask HR or the secrecy office to link it, or sign in with your "
                     "password.", name=exc.user_id, label=label))
    if isinstance(exc, oidc_people.Disabled):
        return str(_("Your account is disabled. Ask HR or the secrecy office if this is wrong."))
    if isinstance(exc, oidc_people.UnusableName):
        return str(_("%(label)s sent no user name this system can use. Ask HR or the secrecy office to create "
                     "your account.", label=label))
    if isinstance(exc, MismatchingStateError):
        return str(_("This sign-in was not started in this browser, or it was already used. Start again."))
    if isinstance(exc, RequestException):
        return _unreachable(label)
    if isinstance(exc, IntegrityError):
        return str(_("Your account was being created at the same moment elsewhere. Try again."))
    # The provider refused the code (used, expired, not ours) or its ID token failed a check (JoseError).
    return str(_("%(label)s did not confirm your sign-in, so you are not signed in. Start again.", label=label))


def _unreachable(label: str) -> str:
    return str(_("%(label)s cannot be reached just now. Try again later, or sign in with your password.",
                 label=label))


def _refused(exc: Exception, message: str) -> Response:
    # The subject and reason are for whoever links accounts or mends the configuration.
    log.warning("OpenID sign-in refused: %s: %s", type(exc).__name__, exc)
    flash(message, "error")
    return redirect(url_for("auth.login"))

