"""Sign-ins held on the server and API tokens with scopes and expiry (issue 14, items 2, 5 and 7): signing out
ends the sign-in for every copy of the cookie; idleness and the absolute limit end it; disabling an account ends
all its sign-ins and tokens at once; a person sees and ends their own sign-ins and makes, uses and revokes their own
tokens; the language chosen stays with the person."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cli import mibao
from records.instance import Instance
from records.models import ApiToken, SignIn, TokenScope, User
from tests.web.conftest import demo_app
from tests.web.support import sign_in
from web import create_app
from web.demo import DEMO_PASSWORD
from web.state import WebState
from workflows import FixedClock


def _live(web: WebState, user_id: str) -> list[SignIn]:
    with web.sessions() as session:
        return list(session.scalars(select(SignIn).where(SignIn.user_id == user_id, SignIn.ended_at.is_(None))))


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s cookie (as an attacker who took it would)."""
    cookie = client.get_cookie("mibao_session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("mibao_session", cookie.value)
    return thief


def test_signing_out_ends_the_sign_in_for_every_copy_of_the_cookie(app: Flask, web: WebState) -> None:
    browser = sign_in(app, "eng01")
    thief = _copy(app, browser)
    cookie = browser.get_cookie("mibao_session")
    assert cookie is not None
    assert thief.get("/inbox").status_code == 200
    assert browser.post("/logout").status_code == 302
    assert "/login" in thief.get("/inbox").headers["Location"]
    with web.sessions() as session:
        row = session.scalars(select(SignIn).where(SignIn.user_id == "eng01")).one()
        assert row.ended_reason == "signed_out" and row.ended_at is not None
    # The cookie holds a random token; the server keeps only its SHA-256.
    assert row.token_sha256 and row.token_sha256 not in cookie.value


def test_idle_and_absolute_limits(app: Flask, web: WebState, clock: FixedClock) -> None:
    start = clock.now()
    browser = sign_in(app, "eng01")
    # Active every 25 minutes: alive past the idle limit of 30 minutes…
    for step in range(1, 19):
        clock.set(start + dt.timedelta(minutes=25 * step))
        assert browser.get("/inbox").status_code == 200, step
    # …but not past the absolute limit of 8 hours, however active.
    clock.set(start + dt.timedelta(hours=8))
    assert "/login" in browser.get("/inbox").headers["Location"]
    browser = sign_in(app, "eng01")
    clock.set(clock.now() + dt.timedelta(minutes=31))
    assert "/login" in browser.get("/inbox").headers["Location"]
    with web.sessions() as session:
        reasons = session.scalars(select(SignIn.ended_reason).where(SignIn.user_id == "eng01").order_by(SignIn.id))
        assert list(reasons) == ["expired", "idle"]


def test_the_limits_come_from_the_environment(tmp_path: Path, clock: FixedClock,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIBAO_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("MIBAO_SESSION_MINUTES", "90")
    for app in demo_app(tmp_path, clock):
        browser = sign_in(app, "eng01")
        clock.set(clock.now() + dt.timedelta(minutes=6))
        assert "/login" in browser.get("/inbox").headers["Location"]
        browser = sign_in(app, "eng01")
        browser.post("/lang/en")
        assert "after 5 minutes without activity and after 1.5 hours" in browser.get("/account").text
    monkeypatch.setenv("MIBAO_SESSION_IDLE_MINUTES", "half an hour")
    try:
        next(demo_app(tmp_path / "bad", clock))
    except ValueError as error:
        assert "MIBAO_SESSION_IDLE_MINUTES" in str(error) and "half an hour" in str(error)
    else:
        raise AssertionError("a bad idle limit must be refused at start")


def test_disabling_an_account_ends_its_sign_ins_and_tokens_at_once(app: Flask, web: WebState) -> None:
    laptop, phone = sign_in(app, "eng02"), sign_in(app, "eng02")
    token = _make_token(laptop, "HR 系统", "read")
    assert laptop.get("/api/v1/tasks", headers=token).status_code == 200
    assert len(_live(web, "eng02")) == 2
    hr = sign_in(app, "hr01")
    assert hr.post("/organisation/status", data={"user_id": "eng02", "status": "left"}).status_code == 302
    assert _live(web, "eng02") == []
    for browser in (laptop, phone):
        assert "/login" in browser.get("/inbox").headers["Location"]
    assert app.test_client().get("/api/v1/tasks", headers=token).status_code == 401
    with web.sessions() as session:
        assert session.scalars(select(ApiToken.revoked_at).where(ApiToken.user_id == "eng02")).one() is not None


def test_a_person_sees_and_ends_their_own_sign_ins(app: Flask, web: WebState) -> None:
    laptop = sign_in(app, "eng01")
    phone = app.test_client()
    assert phone.post("/login", data={"username": "eng01", "password": DEMO_PASSWORD},
                      headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile Safari"}).status_code == 302
    tablet = sign_in(app, "eng01")
    page = laptop.get("/account")
    assert page.status_code == 200
    assert page.text.count('/end"') == 3 and "本浏览器" in page.text       # three live sign-ins, this one marked
    assert "iPhone" in page.text                                          # which browser holds each
    phone_id = sorted(s.id for s in _live(web, "eng01"))[1]
    assert laptop.post(f"/account/sign-ins/{phone_id}/end").status_code == 302
    assert "/login" in phone.get("/inbox").headers["Location"]
    assert tablet.get("/inbox").status_code == 200
    assert laptop.post("/account/sign-ins/end-others").status_code == 302
    assert "/login" in tablet.get("/inbox").headers["Location"]
    assert laptop.get("/inbox").status_code == 200
    # Someone else's sign-in looks like none at all.
    other = sign_in(app, "eng02")
    theirs = _live(web, "eng02")[0].id
    assert laptop.post(f"/account/sign-ins/{theirs}/end").status_code == 404
    assert other.get("/inbox").status_code == 200
    # Ending this browser's own sign-in is signing out.
    mine = _live(web, "eng01")[0].id
    assert "/login" in laptop.post(f"/account/sign-ins/{mine}/end").headers["Location"]
    assert "/login" in laptop.get("/inbox").headers["Location"]


def _make_token(client: FlaskClient, label: str, scope: str, days: str = "30") -> dict[str, str]:
    page = client.post("/account/tokens", data={"label": label, "scope": scope, "days": days})
    assert page.status_code == 200, page.text
    secret = re.search(r'<code class="secret">([^<]+)</code>', page.text)
    assert secret is not None
    return {"Authorization": f"Bearer {secret.group(1)}"}


def test_api_tokens_have_a_scope_an_expiry_and_a_last_use(app: Flask, web: WebState, clock: FixedClock) -> None:
    hr = sign_in(app, "hr01")
    hr.post("/lang/en")
    reader = _make_token(hr, "Payroll (read)", "read", "7")
    actor = _make_token(hr, "HR system", "act", "365")
    api = app.test_client()
    assert api.get("/api/v1/tasks", headers=reader).status_code == 200
    refused = api.post("/api/v1/processes/external_nda/instances", headers=reader, json={})
    assert refused.status_code == 403 and "act" in refused.get_json()["error"]
    assert api.post("/api/v1/processes/external_nda/instances", headers=actor, json={}).status_code == 422
    page = hr.get("/account")
    assert "Payroll (read)" in page.text and "HR system" in page.text and "never" not in page.text
    assert page.text.count("Revoke") == 2
    # Shown once: the page never shows a secret again.
    assert 'class="secret"' not in page.text
    # A week on, the read token has expired and says so; the other still works.
    clock.set(clock.now() + dt.timedelta(days=7))
    hr = sign_in(app, "hr01")
    assert api.get("/api/v1/tasks", headers=reader).status_code == 401
    assert "expired" in api.get("/api/v1/tasks", headers=reader).get_json()["error"]
    assert api.get("/api/v1/tasks", headers=actor).status_code == 200
    assert "Expired" in hr.get("/account").text
    # Revoked: refused at once.
    with web.sessions() as session:
        actor_id = session.scalars(select(ApiToken.id).where(ApiToken.label == "HR system")).one()
    assert hr.post(f"/account/tokens/{actor_id}/revoke").status_code == 302
    assert api.get("/api/v1/tasks", headers=actor).status_code == 401
    assert hr.post(f"/account/tokens/{actor_id}/revoke").status_code == 404      # a second click: nothing to do
    # Bad input is named, and nothing is made.
    for form, problem in (({"label": "", "scope": "read", "days": "30"}, "1 to 100 characters"),
                          ({"label": "x", "scope": "read", "days": "0"}, "1 to 365 days"),
                          ({"label": "x", "scope": "read", "days": "400"}, "1 to 365 days"),
                          ({"label": "x", "scope": "admin", "days": "30"}, "read, or read and act"),
                          ({"label": "x", "scope": "read", "days": "soon"}, "a whole number")):
        response = hr.post("/account/tokens", data=form)
        assert response.status_code == 400 and problem in response.text, form
    with web.sessions() as session:
        assert session.scalar(select(ApiToken.id).where(ApiToken.label == "x")) is None


def test_another_persons_token_cannot_be_revoked(app: Flask, web: WebState) -> None:
    hr = sign_in(app, "hr01")
    token = _make_token(hr, "HR system", "act")
    with web.sessions() as session:
        token_id = session.scalars(select(ApiToken.id)).one()
    assert sign_in(app, "eng01").post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert app.test_client().get("/api/v1/tasks", headers=token).status_code == 200


def test_the_cli_makes_tokens_with_a_scope_and_an_expiry(tmp_path: Path) -> None:
    env = {"MIBAO_INSTANCE": str(tmp_path / "instance")}
    runner = CliRunner()
    assert runner.invoke(mibao, ["user", "demo"], env=env).exit_code == 0
    result = runner.invoke(mibao, ["token", "create", "hr01", "--label", "Payroll", "--scope", "read",
                                   "--days", "10"], env=env)
    assert result.exit_code == 0, result.output
    assert "read" in result.stderr and "until" in result.stderr
    refused = runner.invoke(mibao, ["token", "create", "hr01", "--label", "x", "--days", "1000"], env=env)
    assert refused.exit_code != 0 and "1 to 365 days" in refused.output
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path / "instance"), "WARM_CONVERTERS": 0,
                      "TESTING": True, "MIBAO_RATE_LIMITS": False})
    try:
        web: WebState = app.extensions["mibao"]
        with web.sessions() as session:
            row = session.scalars(select(ApiToken)).one()
            assert row.scope == TokenScope.READ and row.expires_at is not None
            assert dt.timedelta(days=9) < row.expires_at - row.created_at <= dt.timedelta(days=10)
    finally:
        app.extensions["mibao"].close()
    listed = runner.invoke(mibao, ["token", "list"], env=env)
    assert "Payroll" in listed.output and "read" in listed.output and "never used" in listed.output


def test_the_language_chosen_stays_with_the_person(app: Flask, web: WebState) -> None:
    # English chosen on the sign-in page, before signing in…
    browser = app.test_client()
    browser.post("/lang/en", data={"next": "/login"})
    assert browser.post("/login", data={"username": "eng01", "password": DEMO_PASSWORD}).status_code == 302
    assert "Inbox" in browser.get("/inbox").text
    with web.sessions() as session:
        user = session.get(User, "eng01")
        assert user is not None and user.language == "en"
    # …stays on another browser, where nothing was chosen.
    elsewhere = sign_in(app, "eng01")
    assert "Inbox" in elsewhere.get("/inbox").text and "收件箱" not in elsewhere.get("/inbox").text
    # Switching while signed in is kept too.
    elsewhere.post("/lang/zh")
    assert "收件箱" in sign_in(app, "eng01").get("/inbox").text
