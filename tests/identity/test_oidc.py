"""OpenID Connect sign-in against a real provider (tests.identity.oidc_provider, served over HTTP in the test):
the whole flow through our app, the account made on first sign-in with roles from the groups and found again
after; a forged state, a replayed code, a bad ID token, a person who left, a local account of the same name and a
provider that is down are each refused with a message on the login page, never a 500.

Token times (iat, exp) are the provider's real time and are checked against real time; the app's clock is fixed
and only dates the sign-in rows and the audit log."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from joserfc.errors import JoseError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from records.db import make_session_factory, transaction
from records.models import IdentitySource, OrgChange, PersonStatus, User
from records.oidc_people import NotLinked, OidcIdentity, UnusableName, link, resolve
from records.organisation import set_status
from tests.db import database
from tests.identity.oidc_provider import CLIENT_ID, CLIENT_SECRET, Account, Provider, foreign_key, running
from tests.web.conftest import START, demo_app
from web.oidc import CALLBACK_PATH, ProviderError, make_client, verify_id_token
from web.oidc_settings import OidcSettings
from web.state import WebState
from workflows import FixedClock

PUBLIC = "https://mibao.test"
GROUP_ROLES = (("mibao-hr", "hr"), ("CN=secrecy,OU=staff", "secrecy_office"))
ZHANG = Account(sub="u-1001", username="zhangsan", name="张三", email="zhangsan@example.com",
                groups=["mibao-hr", "everyone"])


@pytest.fixture
def redirect_uri() -> str:
    return f"{PUBLIC}{CALLBACK_PATH}"


@pytest.fixture
def oidc_provider(redirect_uri: str) -> Iterator[Provider]:
    with running(redirect_uri) as provider:
        yield provider


@pytest.fixture
def oidc_settings(oidc_provider: Provider) -> OidcSettings:
    return OidcSettings(issuer=oidc_provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                        role_claim="groups", group_roles=GROUP_ROLES, label="Company SSO")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock, oidc_settings: OidcSettings) -> Iterator[Flask]:
    yield from demo_app(tmp_path, clock, {"OIDC": oidc_settings, "PUBLIC_URL": PUBLIC})


@pytest.fixture
def web(app: Flask) -> WebState:
    found: WebState = app.extensions["mibao"]
    return found


def browser(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.post("/lang/en")        # the messages below are read in English
    return client


def start(client: FlaskClient, **query: str) -> str:
    """Begin at our app; the provider's authorize URL it sends the browser to."""
    response = client.get("/login/oidc", query_string=query)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def authorize(location: str) -> str:
    """The browser at the provider (signed in there already): the path of our callback it is sent back to."""
    answer = requests.get(location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{PUBLIC}{CALLBACK_PATH}"
    return f"{back.path}?{back.query}"


def with_param(path: str, **changes: str) -> str:
    parts = urlsplit(path)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def refused(client: FlaskClient, response: TestResponse) -> str:
    """The login page's text after a refused sign-in (which must send the browser there, not fail)."""
    assert response.status_code == 302, response.text
    assert urlsplit(response.headers["Location"]).path == "/login"
    page = client.get("/login")
    assert page.status_code == 200 and 'class="flash error"' in page.text
    assert client.get("/inbox").status_code == 302         # not signed in
    return page.text


def user(web: WebState, user_id: str) -> User | None:
    with web.sessions() as db:
        return db.get(User, user_id)


# -- the flow ----------------------------------------------------------------------------------------------------

def test_first_sign_in_makes_the_account_with_roles_from_the_groups(app: Flask, web: WebState,
                                                                     oidc_provider: Provider) -> None:
    oidc_provider.add(ZHANG)
    client = browser(app)
    location = start(client, next="/account")
    sent = oidc_provider.authorize_requests
    callback = authorize(location)
    # What went to the provider: PKCE S256, state, nonce, the scopes and the registered callback.
    assert sent[-1]["code_challenge_method"] == "S256" and len(sent[-1]["code_challenge"]) == 43
    assert sent[-1]["state"] and sent[-1]["nonce"] and sent[-1]["scope"] == "openid profile email"
    assert sent[-1]["redirect_uri"] == f"{PUBLIC}{CALLBACK_PATH}" and sent[-1]["client_id"] == CLIENT_ID

    response = client.get(callback)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert client.get("/inbox").status_code == 200
    made = user(web, "zhangsan")
    assert made is not None
    assert (made.name, made.email, made.roles, made.password_hash) == ("张三", ZHANG.email, ["hr"], None)
    assert made.identity_source == IdentitySource.OIDC
    assert made.external_id == f"{oidc_provider.issuer}|{ZHANG.sub}"
    with web.sessions() as db:
        change = db.scalars(select(OrgChange).where(OrgChange.action == "person_added")).one()
        assert change.subject == "zhangsan" and change.actor == "oidc"
        assert change.detail["subject"] == ZHANG.sub and change.detail["roles"] == ["hr"]


def test_second_sign_in_finds_the_same_person(app: Flask, web: WebState, oidc_provider: Provider) -> None:
    account = oidc_provider.add(Account(sub="u-1002", username="lisi", name="李四", email="lisi@example.com",
                                        groups=["CN=secrecy,OU=staff"]))
    first = browser(app)
    assert first.get(authorize(start(first))).status_code == 302
    account.groups = ["mibao-hr"]                   # groups seed a new account only; the roles are kept here
    account.name = "李四 (renamed)"
    second = browser(app)
    response = second.get(authorize(start(second)))
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    assert second.get("/inbox").status_code == 200
    with web.sessions() as db:
        found = db.scalars(select(User).where(User.identity_source == IdentitySource.OIDC)).all()
        assert [(u.id, u.roles, u.name) for u in found] == [("lisi", ["secrecy_office"], "李四")]
        assert len(db.scalars(select(OrgChange).where(OrgChange.action == "person_added")).all()) == 1


def test_unmapped_groups_make_staff(app: Flask, web: WebState, oidc_provider: Provider) -> None:
    oidc_provider.add(Account(sub="u-1003", username="wangwu", name="王五", email="w@example.com", groups=[]))
    client = browser(app)
    assert client.get(authorize(start(client))).status_code == 302
    made = user(web, "wangwu")
    assert made is not None and made.roles == ["employee"]


def test_a_link_from_elsewhere_is_not_followed_off_site(app: Flask, oidc_provider: Provider) -> None:
    oidc_provider.add(ZHANG)
    client = browser(app)
    response = client.get(authorize(start(client, next="//evil.example/")))
    assert response.headers["Location"] == "/inbox"


# -- refusals ----------------------------------------------------------------------------------------------------

def test_a_forged_state_is_refused(app: Flask, web: WebState, oidc_provider: Provider) -> None:
    oidc_provider.add(ZHANG)
    client = browser(app)
    callback = authorize(start(client))
    text = refused(client, client.get(with_param(callback, state="forged-by-someone")))
    assert "not started in this browser" in text
    assert user(web, "zhangsan") is None


def test_a_callback_in_another_browser_is_refused(app: Flask, web: WebState, oidc_provider: Provider) -> None:
    """Login CSRF: an attacker's own code and state, planted in a victim's browser, sign nobody in."""
    oidc_provider.add(ZHANG)
    attacker = browser(app)
    callback = authorize(start(attacker))
    victim = browser(app)
    assert "not started in this browser" in refused(victim, victim.get(callback))


def test_a_replayed_code_is_refused(app: Flask, oidc_provider: Provider) -> None:
    oidc_provider.add(ZHANG)
    first = browser(app)
    used = authorize(start(first))
    assert first.get(used).status_code == 302 and first.get("/inbox").status_code == 200
    # The same callback again: its state was spent with the first use.
    again = browser(app)
    assert "not started in this browser" in refused(again, again.get(used))
    # The old code under a fresh state of this browser: the provider refuses a code used once.
    fresh = parse_qs(urlsplit(authorize(start(again))).query)["state"][0]
    text = refused(again, again.get(with_param(used, state=fresh)))
    assert "did not confirm your sign-in" in text


def test_a_sign_in_the_provider_denied_is_refused(app: Flask, web: WebState, oidc_provider: Provider) -> None:
    oidc_provider.add(ZHANG)
    client = browser(app)
    state = parse_qs(urlsplit(authorize(start(client))).query)["state"][0]
    denied = f"{CALLBACK_PATH}?{urlencode({'error': 'access_denied', 'state': state})}"
    assert "did not confirm your sign-in" in refused(client, client.get(denied))
    assert user(web, "zhangsan") is None


def test_an_id_token_signed_by_someone_else_is_refused(app: Flask, web: WebState, oidc_provider: Provider) -> None:
    oidc_provider.add(ZHANG)

    def forge(id_token: str) -> str:
        claims = _payload(id_token)
        return oidc_provider.sign(claims, key=foreign_key())

    oidc_provider.forge = forge
    client = browser(app)
    assert "did not confirm your sign-in" in refused(client, client.get(authorize(start(client))))
    assert user(web, "zhangsan") is None


def test_a_person_who_left_is_refused(app: Flask, web: WebState, oidc_provider: Provider, clock: FixedClock) -> None:
    oidc_provider.add(ZHANG)
    client = browser(app)
    assert client.get(authorize(start(client))).status_code == 302
    with transaction(web.sessions) as db:
        set_status(db, actor="hr01", user_id="zhangsan", status=PersonStatus.LEFT, now=clock.now())
    later = browser(app)
    assert "Your account is disabled" in refused(later, later.get(authorize(start(later))))


def test_a_local_account_of_the_same_name_is_not_taken_over(app: Flask, web: WebState,
                                                            oidc_provider: Provider) -> None:
    oidc_provider.add(Account(sub="u-evil", username="eng01", name="Not 王志强", email="x@example.com",
                              groups=["mibao-hr"]))
    client = browser(app)
    text = refused(client, client.get(authorize(start(client))))
    assert "An account named eng01 exists here already" in text
    local = user(web, "eng01")
    assert local is not None and local.identity_source is None and local.external_id is None
    assert local.roles == ["employee"] and local.password_hash


def test_an_administrator_links_the_local_account(app: Flask, web: WebState, oidc_provider: Provider,
                                                  clock: FixedClock) -> None:
    oidc_provider.add(Account(sub="u-1010", username="wzq", name="王志强", email="eng01@example.com"))
    with transaction(web.sessions) as db:
        link(db, user_id="eng01", issuer=oidc_provider.issuer, subject="u-1010", actor="sec01", now=clock.now())
    client = browser(app)
    assert client.get(authorize(start(client))).status_code == 302
    assert "王志强" in client.get("/account").text
    assert user(web, "wzq") is None


def test_a_provider_that_is_down_gives_a_message(app: Flask, oidc_provider: Provider) -> None:
    oidc_provider.add(ZHANG)
    client = browser(app)
    callback = authorize(start(client))
    oidc_provider.stop()
    assert "cannot be reached" in refused(client, client.get(callback))   # at the code exchange


def test_a_provider_that_was_never_up_gives_a_message(tmp_path: Path, clock: FixedClock,
                                                      oidc_provider: Provider, oidc_settings: OidcSettings) -> None:
    oidc_provider.stop()         # discovery has never been read: the first step already fails
    for app in demo_app(tmp_path, clock, {"OIDC": oidc_settings, "PUBLIC_URL": PUBLIC}):
        client = browser(app)
        assert "Company SSO cannot be reached" in refused(client, client.get("/login/oidc"))


def test_discovery_naming_another_issuer_is_refused(tmp_path: Path, clock: FixedClock, oidc_provider: Provider,
                                                    oidc_settings: OidcSettings) -> None:
    port = urlsplit(oidc_provider.issuer).port
    other = OidcSettings(issuer=f"http://localhost:{port}", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    for app in demo_app(tmp_path, clock, {"OIDC": other, "PUBLIC_URL": PUBLIC}):
        client = browser(app)
        assert "cannot be reached" in refused(client, client.get("/login/oidc"))


def test_without_settings_there_is_no_oidc_sign_in(tmp_path: Path, clock: FixedClock) -> None:
    for app in demo_app(tmp_path, clock, {"OIDC": None}):
        assert app.config["OIDC_LABEL"] is None
        assert app.test_client().get("/login/oidc").status_code == 404


def test_the_label_is_in_the_config_for_the_login_page(app: Flask) -> None:
    assert app.config["OIDC_LABEL"] == "Company SSO"


# -- the ID token check, token by token --------------------------------------------------------------------------

def _payload(id_token: str) -> dict[str, Any]:
    part = id_token.split(".")[1]
    found: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return found


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _tampered(provider: Provider, nonce: str) -> str:
    header, _, signature = provider.sign(provider.id_claims(ZHANG, nonce)).split(".")
    return ".".join([header, _b64(provider.id_claims(ZHANG, nonce, preferred_username="eng01")), signature])


def _unsigned(provider: Provider, nonce: str) -> str:
    return f"{_b64({'alg': 'none'})}.{_b64(provider.id_claims(ZHANG, nonce))}."


BAD_TOKENS = {
    "payload changed after signing": _tampered,
    "signed with a foreign key under the provider's key id": lambda p, n: p.sign(p.id_claims(ZHANG, n),
                                                                                   key=foreign_key()),
    "no signature (alg none)": _unsigned,
    "another audience": lambda p, n: p.sign(p.id_claims(ZHANG, n, aud=["another-client"])),
    "another audience naming us as azp": lambda p, n: p.sign(p.id_claims(ZHANG, n, aud=["another-client"],
                                                                         azp=CLIENT_ID)),
    "another nonce": lambda p, n: p.sign(p.id_claims(ZHANG, "a-nonce-from-another-sign-in")),
    "no nonce": lambda p, n: p.sign({k: v for k, v in p.id_claims(ZHANG, n).items() if k != "nonce"}),
    "another issuer": lambda p, n: p.sign(p.id_claims(ZHANG, n, iss="https://evil.example")),
    "expired an hour ago": lambda p, n: p.sign(p.id_claims(ZHANG, n, iat=int(time.time()) - 7200,
                                                           exp=int(time.time()) - 3600)),
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_a_bad_id_token_is_refused(oidc_provider: Provider, oidc_settings: OidcSettings, case: str) -> None:
    client = make_client(oidc_settings)
    nonce = "the-nonce-of-this-sign-in"
    with pytest.raises(JoseError):
        verify_id_token(client, oidc_settings, {"id_token": BAD_TOKENS[case](oidc_provider, nonce)}, nonce)


def test_discovery_cannot_make_unsigned_tokens_acceptable(oidc_provider: Provider, oidc_settings: OidcSettings) -> None:
    oidc_provider.signing_algs = ["none", "HS256", "RS256"]
    with pytest.raises(JoseError):
        verify_id_token(make_client(oidc_settings), oidc_settings, {"id_token": _unsigned(oidc_provider, "n")}, "n")


def test_a_good_id_token_passes(oidc_provider: Provider, oidc_settings: OidcSettings) -> None:
    nonce = "the-nonce-of-this-sign-in"
    claims = verify_id_token(make_client(oidc_settings), oidc_settings,
                             {"id_token": oidc_provider.sign(oidc_provider.id_claims(ZHANG, nonce))}, nonce)
    assert (claims["sub"], claims["preferred_username"], claims["groups"]) == (ZHANG.sub, "zhangsan",
                                                                              ["mibao-hr", "everyone"])


def test_no_id_token_is_refused(oidc_provider: Provider, oidc_settings: OidcSettings) -> None:
    with pytest.raises(ProviderError):
        verify_id_token(make_client(oidc_settings), oidc_settings, {"access_token": "abc"}, "n")


# -- mapping, without HTTP ---------------------------------------------------------------------------------------

def test_claims_become_an_identity() -> None:
    identity = OidcIdentity.from_claims(
        {"sub": "s1", "preferred_username": " zs ", "name": "张三", "email": "z@example.com", "email_verified": False,
         "groups": "mibao-hr"}, issuer="https://id.example", username_claim="preferred_username",
        group_claim="groups")
    assert identity == OidcIdentity("https://id.example", "s1", "zs", "张三", None, ("mibao-hr",))
    assert identity.external_id == "https://id.example|s1"


@pytest.fixture
def db_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database("sqlite", tmp_path) as engine:
        yield make_session_factory(engine)


@pytest.mark.parametrize("name", [None, "has space", "x" * 65, "../hr01"])
def test_a_name_that_cannot_be_an_account_is_refused(db_sessions: sessionmaker[Session], name: str | None) -> None:
    with pytest.raises(UnusableName), transaction(db_sessions) as db:
        resolve(db, OidcIdentity("https://id.example", "s", name), group_roles=GROUP_ROLES, actor="oidc", now=START)


def test_an_account_of_another_source_is_not_taken_over(db_sessions: sessionmaker[Session]) -> None:
    with transaction(db_sessions) as db:
        first = resolve(db, OidcIdentity("https://one.example", "s", "dup", groups=("mibao-hr",)),
                        group_roles=GROUP_ROLES, actor="oidc", now=START)
        assert (first.roles, first.created_at) == (["hr"], START)
    with pytest.raises(NotLinked) as refusal, transaction(db_sessions) as db:
        resolve(db, OidcIdentity("https://two.example", "s", "dup"), group_roles=(), actor="oidc", now=START)
    assert refusal.value.local is False
    with db_sessions() as db:     # the refused sign-in wrote nothing
        assert db.scalars(select(User.id)).all() == ["dup"]


# -- settings ----------------------------------------------------------------------------------------------------

def test_settings_from_the_environment() -> None:
    assert OidcSettings.from_env({}) is None
    found = OidcSettings.from_env({
        "MIBAO_OIDC_ISSUER": "https://id.example/realms/staff", "MIBAO_OIDC_CLIENT_ID": "mibao",
        "MIBAO_OIDC_CLIENT_SECRET": "s", "MIBAO_OIDC_ROLE_CLAIM": "groups", "MIBAO_OIDC_LABEL": "企业微信",
        "MIBAO_OIDC_GROUP_ROLES": "CN=hr,OU=staff=hr; 保密办=secrecy_office;", "MIBAO_OIDC_USERNAME_CLAIM": "userid"})
    assert found is not None
    assert found.group_roles == (("CN=hr,OU=staff", "hr"), ("保密办", "secrecy_office"))
    assert (found.scopes, found.username_claim, found.label) == (("openid", "profile", "email"), "userid", "企业微信")
    assert found.discovery_url == "https://id.example/realms/staff/.well-known/openid-configuration"
    assert "client_secret" not in repr(found)        # the secret stays out of logs


@pytest.mark.parametrize(("changes", "named"), [
    ({"MIBAO_OIDC_CLIENT_SECRET": ""}, "MIBAO_OIDC_CLIENT_SECRET"),
    ({"MIBAO_OIDC_ISSUER": "http://id.example"}, "https://"),
    ({"MIBAO_OIDC_GROUP_ROLES": "admins=external"}, "MIBAO_OIDC_GROUP_ROLES"),
    ({"MIBAO_OIDC_GROUP_ROLES": "admins"}, "MIBAO_OIDC_GROUP_ROLES"),
    ({"MIBAO_OIDC_SCOPES": "profile email"}, "openid"),
])
def test_wrong_settings_stop_the_start(changes: dict[str, str], named: str) -> None:
    environ = {"MIBAO_OIDC_ISSUER": "https://id.example", "MIBAO_OIDC_CLIENT_ID": "mibao",
               "MIBAO_OIDC_CLIENT_SECRET": "s"} | changes
    with pytest.raises(ValueError, match=named):
        OidcSettings.from_env(environ)
