"""Sign-in and the headers every response carries: argon2 hashes, login rate limit, cookie flags, CSRF, CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from records.db import database_url, transaction
from records.instance import Instance
from records.models import User
from tests.web.conftest import demo_app
from tests.web.support import sign_in
from web import create_app
from web.demo import DEMO_PASSWORD
from web.passwords import hash_password, verify_password
from web.state import WebState
from workflows.clock import FixedClock


def _strict_app(tmp_path: Path) -> Flask:
    """The app as served: CSRF and rate limits on."""
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path / "strict"), "WARM_CONVERTERS": 0})
    web: WebState = app.extensions["mibao"]
    with transaction(web.sessions) as session:
        session.add(User(id="hr01", name="刘芳", roles=["hr"], password_hash=hash_password(DEMO_PASSWORD)))
    return app


def _csrf(client: FlaskClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found is not None
    return found.group(1)


def test_passwords_are_argon2id() -> None:
    stored = hash_password("s3cret")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "s3cret") and not verify_password(stored, "wrong")
    assert not verify_password(None, "anything")


def test_login_is_rate_limited_per_address(tmp_path: Path) -> None:
    client = _strict_app(tmp_path).test_client()
    token = _csrf(client)
    # A different name each time: one machine trying many names (one name is locked sooner: test_two_factor.py).
    codes = [client.post("/login", data={"username": f"hr{i:02}", "password": "wrong", "csrf_token": token}
                         ).status_code for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_login_refuses_without_csrf_and_sets_hardened_cookie(tmp_path: Path) -> None:
    client = _strict_app(tmp_path).test_client()
    assert client.post("/login", data={"username": "hr01", "password": DEMO_PASSWORD}).status_code == 400
    token = _csrf(client)
    response = client.post("/login?next=https://evil.example/", data={
        "username": "hr01", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"   # no open redirect
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_wrong_password_and_unknown_user_look_the_same(client: FlaskClient) -> None:
    a = client.post("/login", data={"username": "hr01", "password": "nope"})
    b = client.post("/login", data={"username": "nobody", "password": "nope"})
    assert a.status_code == b.status_code == 200
    assert ("用户名或密码错误" in a.text) == ("用户名或密码错误" in b.text)


def test_a_session_opened_on_one_web_node_is_valid_on_another(tmp_path: Path, clock: FixedClock,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind a proxy the next request may go to another node: with the same MIBAO_SECRET_KEY and the same
    database (each its own instance folder) the sign-in one node began is honoured by the other; without the key,
    it is not."""
    monkeypatch.setenv("MIBAO_SECRET_KEY", "the same value on every web node")
    node_a = demo_app(tmp_path / "node-a", clock)
    node_b = demo_app(tmp_path / "node-b", clock,
                      {"DATABASE_URL": database_url(Instance.from_env(tmp_path / "node-a"))})
    app_a, app_b = next(node_a), next(node_b)
    cookie = sign_in(app_a, "eng01").get_cookie("mibao_session")
    assert cookie is not None
    other = app_b.test_client()
    other.set_cookie("mibao_session", cookie.value)
    assert other.get("/inbox").status_code == 200
    monkeypatch.delenv("MIBAO_SECRET_KEY")
    node_c = demo_app(tmp_path / "node-c", clock,                    # the same database, its own key
                      {"DATABASE_URL": database_url(Instance.from_env(tmp_path / "node-a"))})
    stranger = next(node_c).test_client()
    stranger.set_cookie("mibao_session", cookie.value)
    assert stranger.get("/inbox").status_code == 302                 # back to the sign-in page
    for node in (node_a, node_b, node_c):
        node.close()
