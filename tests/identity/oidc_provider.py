"""A real OpenID provider for the tests: Authlib's authorization server (authorization code grant with OpenID
Connect and PKCE), an RS256 key from joserfc, served over HTTP by werkzeug on a free loopback port in a thread.

It has discovery, JWKS, authorize, token and userinfo endpoints. ``/authorize`` approves at once whoever the test
says is signed in at the provider (``Provider.signed_in``), so no browser is needed: the test follows its redirect
with ``requests``. It insists on PKCE with S256 itself, since Authlib's ``CodeChallenge(required=True)`` only
insists for public clients and ours is confidential.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, Response, jsonify, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "Account", "Provider", "foreign_key", "provider_key", "running"]

CLIENT_ID = "mibao-test"
CLIENT_SECRET = "not-a-real-secret-only-for-tests"


@functools.cache
def provider_key() -> RSAKey:
    """The provider's signing key (one per test process: RSA generation is the slow part)."""
    return RSAKey.generate_key(2048, parameters={"kid": "provider-1", "use": "sig", "alg": "RS256"})


@functools.cache
def foreign_key() -> RSAKey:
    """Someone else's key, with the provider's key id: a forger's best try."""
    return RSAKey.generate_key(2048, parameters={"kid": "provider-1", "use": "sig", "alg": "RS256"})


@dataclass
class Account:
    sub: str
    username: str
    name: str
    email: str
    groups: list[str] = field(default_factory=list)


@dataclass
class _Client(ClientMixin):  # type: ignore[misc]
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    client_metadata: dict[str, Any] = field(default_factory=dict)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code(AuthorizationCodeMixin):  # type: ignore[misc]
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    sub: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class _Token(TokenMixin):  # type: ignore[misc]
    access_token: str
    client: _Client
    scope: str
    account: Account
    expires_at: float

    def check_client(self, client: _Client) -> bool:
        return client.client_id == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.expires_at - time.time())

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> Account:
        return self.account

    def get_client(self) -> _Client:
        return self.client


def _claims(account: Account) -> dict[str, Any]:
    return {"sub": account.sub, "preferred_username": account.username, "name": account.name,
            "email": account.email, "email_verified": True, "groups": list(account.groups)}


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic",)

    @property
    def provider(self) -> Provider:
        found: Provider = self.server.provider
        return found

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        self.provider.codes[code] = _Code(
            code=code, client_id=request.client.client_id, redirect_uri=request.payload.redirect_uri,
            scope=request.scope, sub=request.user.sub, nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"), code_challenge_method=data.get("code_challenge_method"))

    def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
        found = self.provider.codes.get(code)
        return found if found is not None and found.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        # One use only (RFC 6749 §4.1.2): the code is gone once exchanged, so a replay is "invalid_grant".
        self.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: _Code) -> Account | None:
        return self.provider.accounts.get(authorization_code.sub)


class _OpenIDCode(OpenIDCode):  # type: ignore[misc]
    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return any(c.nonce == nonce for c in self.provider.codes.values())

    def resolve_client_private_key(self, client: _Client) -> RSAKey:
        return self.provider.key

    def get_client_claims(self, client: _Client) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.client_id]}

    def get_encode_header(self, client: _Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": str(self.provider.key.kid)}

    def generate_user_info(self, user: Account, scope: str) -> UserInfo:
        return UserInfo(_claims(user))

    def process_token(self, grant: Any, response: Any) -> dict[str, Any]:
        token: dict[str, Any] = super().process_token(grant, response)
        if self.provider.forge is not None and "id_token" in token:
            token["id_token"] = self.provider.forge(token["id_token"])
        return token


class _Bearer(BearerTokenValidator):  # type: ignore[misc]
    def __init__(self, provider: Provider) -> None:
        super().__init__()
        self.provider = provider

    def authenticate_token(self, token_string: str) -> _Token | None:
        return self.provider.tokens.get(token_string)


class _UserInfo(UserInfoEndpoint):  # type: ignore[misc]
    def generate_user_info(self, user: Account, scope: str) -> UserInfo:
        return UserInfo(_claims(user))


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass                     # one line per request on stderr is noise in a test run


class Provider:
    """The provider, listening on ``issuer`` until :meth:`stop`; ``accounts`` by subject."""

    def __init__(self, redirect_uri: str) -> None:
        self.key = provider_key()
        self.accounts: dict[str, Account] = {}
        self.signed_in: str | None = None         # the subject /authorize approves without asking
        self.codes: dict[str, _Code] = {}
        self.tokens: dict[str, _Token] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.forge: Callable[[str], str] | None = None   # rewrites each ID token the token endpoint sends
        self.signing_algs = ["RS256"]                       # what discovery says ID tokens are signed with
        self.client = _Client(CLIENT_ID, CLIENT_SECRET, [redirect_uri])
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True, request_handler=_Quiet)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)
        self._thread.start()

    def add(self, account: Account, *, sign_in: bool = True) -> Account:
        self.accounts[account.sub] = account
        if sign_in:
            self.signed_in = account.sub
        return account

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
            self._server.server_close()

    def sign(self, claims: dict[str, Any], *, key: RSAKey | None = None) -> str:
        """An ID token with ``claims``, signed with the provider's key (or ``key``), for checks of the validation."""
        signer = key or self.key
        return jwt.encode({"alg": "RS256", "kid": str(signer.kid)}, claims, signer)

    def id_claims(self, account: Account, nonce: str, **changes: Any) -> dict[str, Any]:
        """What the provider would put in an ID token for ``account``, with ``changes``."""
        now = int(time.time())
        return {"iss": self.issuer, "aud": [CLIENT_ID], "iat": now, "exp": now + 600, "auth_time": now,
                "nonce": nonce, **_claims(account), **changes}

    # -- the HTTP side -------------------------------------------------------------------------------------------

    def _app(self) -> Flask:
        app = Flask("oidc_provider")
        server = AuthorizationServer(app, query_client=self._query_client, save_token=self._save_token)
        server.provider = self
        server.register_grant(_CodeGrant, [CodeChallenge(required=True), _OpenIDCode(self)])
        protector = ResourceProtector()
        protector.register_token_validator(_Bearer(self))
        server.register_endpoint(_UserInfo(resource_protector=protector))

        app.add_url_rule("/.well-known/openid-configuration", "discovery", self._discovery)
        app.add_url_rule("/jwks", "jwks", lambda: jsonify({"keys": [self.key.as_dict(private=False)]}))
        app.add_url_rule("/authorize", "authorize", lambda: self._authorize(server))
        app.add_url_rule("/token", "token", server.create_token_response, methods=["POST"])
        app.add_url_rule("/userinfo", "userinfo", lambda: server.create_endpoint_response("userinfo"))
        return app

    def _discovery(self) -> Response:
        return jsonify({
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": self.signing_algs,
            "scopes_supported": ["openid", "profile", "email"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"]})

    def _authorize(self, server: AuthorizationServer) -> Any:
        self.authorize_requests.append(request.args.to_dict())
        if request.args.get("code_challenge_method") != "S256" or not request.args.get("code_challenge"):
            return "PKCE with S256 is required", 400
        user = self.accounts.get(self.signed_in or "")
        if user is None:
            return "nobody is signed in at the provider", 401
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return jsonify(dict(error.get_body())), error.status_code
        return server.create_authorization_response(grant_user=user, grant=grant)

    def _query_client(self, client_id: str) -> _Client | None:
        return self.client if client_id == self.client.client_id else None

    def _save_token(self, token: dict[str, Any], request: Any) -> None:
        self.tokens[token["access_token"]] = _Token(
            access_token=token["access_token"], client=request.client, scope=token.get("scope", ""),
            account=request.user, expires_at=time.time() + int(token.get("expires_in", 3600)))


@contextmanager
def running(redirect_uri: str) -> Iterator[Provider]:
    """A provider for ``redirect_uri`` (our app's callback), stopped afterwards (a test's fixture)."""
    provider = Provider(redirect_uri)
    try:
        yield provider
    finally:
        provider.stop()
