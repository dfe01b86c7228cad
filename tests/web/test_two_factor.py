"""Two-step sign-in and the per-account lockout (issue 14, item 3 and the lockout): a code from an authenticator
app (real RFC 6238 codes, made with pyotp at the injected clock) or a one-time recovery code after the password;
required for HR, the secrecy office and the committee by default, set up at the first sign-in that needs it; a code
is accepted once; wrong passwords and wrong codes lock the account name for a while, whether or not it exists."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from cli import mibao
from records import two_factor
from records.db import transaction
from records.models import TwoFactor
from tests.web.conftest import demo_app
from web.config import make_config
from web.demo import DEMO_PASSWORD
from web.state import WebState
from workflows import FixedClock

REQUIRED = frozenset({"hr", "secrecy_office", "committee"})


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock) -> Iterator[Flask]:
    yield from demo_app(tmp_path, clock, {"TWO_FACTOR_ROLES": REQUIRED})


def _password(client: FlaskClient, user: str, password: str = DEMO_PASSWORD) -> str:
    response = client.post("/login", data={"username": user, "password": password})
    return response.headers.get("Location", "") if response.status_code == 302 else response.text


def _secret(web: WebState, user: str) -> str:
    with web.sessions() as session:
        row = session.get(TwoFactor, user)
        assert row is not None
        return row.secret


def _code(secret: str, clock: FixedClock) -> str:
    return pyotp.TOTP(secret).at(clock.now())


def _enrol(app: Flask, web: WebState, clock: FixedClock, user: str) -> tuple[FlaskClient, list[str]]:
    client = app.test_client()
    assert _password(client, user) == "/login/enrol"
    page = client.get("/login/enrol").text
    secret = _secret(web, user)
    assert "data:image/svg+xml" in page                                   # the QR code to scan
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page   # and the key to type instead
    done = client.post("/login/enrol", data={"code": _code(secret, clock)})
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.text)
    return client, codes


def test_required_roles_set_it_up_at_their_first_sign_in(app: Flask, web: WebState, clock: FixedClock) -> None:
    client = app.test_client()
    assert _password(client, "hr01") == "/login/enrol"
    assert client.get("/account").status_code == 302                      # not signed in before the second step
    client.get("/login/enrol")
    wrong = client.post("/login/enrol", data={"code": "000000"})
    assert wrong.status_code == 200 and client.get("/account").status_code == 302
    client, codes = _enrol(app, web, clock, "hr01")
    assert len(codes) == two_factor.RECOVERY_CODES == len(set(codes))
    assert client.get("/account").status_code == 200                      # signed in now
    with web.sessions() as session:
        assert two_factor.active(session, "hr01")


def test_staff_whose_roles_do_not_require_it_sign_in_with_the_password(app: Flask) -> None:
    client = app.test_client()
    assert _password(client, "eng01") == "/inbox"
    assert client.get("/account").status_code == 200


def test_a_code_signs_in_once_and_never_again(app: Flask, web: WebState, clock: FixedClock) -> None:
    client, _ = _enrol(app, web, clock, "sec01")
    client.post("/logout")
    secret = _secret(web, "sec01")
    clock.set(clock.now() + dt.timedelta(minutes=1))
    assert _password(client, "sec01") == "/login/code"
    code = _code(secret, clock)
    assert client.post("/login/code", data={"code": code}).headers["Location"] == "/inbox"
    client.post("/logout")
    # The same code again, within its 30 seconds (seen over a shoulder): refused.
    assert _password(client, "sec01") == "/login/code"
    replay = client.post("/login/code", data={"code": code})
    assert replay.status_code == 200 and client.get("/account").status_code == 302
    clock.set(clock.now() + dt.timedelta(seconds=30))
    assert client.post("/login/code", data={"code": _code(secret, clock)}).status_code == 302
    assert client.get("/account").status_code == 200


def test_a_recovery_code_works_once(app: Flask, web: WebState, clock: FixedClock) -> None:
    client, codes = _enrol(app, web, clock, "cm02")
    client.post("/logout")
    assert _password(client, "cm02") == "/login/code"
    assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == 302   # as typed from paper
    with web.sessions() as session:
        assert two_factor.recovery_codes_left(session, "cm02") == two_factor.RECOVERY_CODES - 1
    client.post("/logout")
    assert _password(client, "cm02") == "/login/code"
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 200
    assert client.get("/account").status_code == 302


def test_the_second_step_must_follow_the_password_soon(app: Flask, web: WebState, clock: FixedClock) -> None:
    client, _ = _enrol(app, web, clock, "sec02")
    client.post("/logout")
    assert _password(client, "sec02") == "/login/code"
    clock.set(clock.now() + dt.timedelta(minutes=6))
    late = client.post("/login/code", data={"code": _code(_secret(web, "sec02"), clock)})
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302
    # Without a password first there is no second step at all.
    assert app.test_client().get("/login/code").headers["Location"] == "/login"


def test_wrong_passwords_lock_the_name_for_a_while(app: Flask, clock: FixedClock) -> None:
    client = app.test_client()
    for _ in range(5):
        _password(client, "eng01", "wrong")
    locked = client.post("/login", data={"username": "eng01", "password": DEMO_PASSWORD})
    assert locked.status_code == 429                       # even the right password, from any address
    assert app.test_client().post("/login", data={"username": "eng01", "password": DEMO_PASSWORD}
                                  ).status_code == 429
    # A name nobody has is locked the same way, with the same words: the lock tells no names apart.
    for _ in range(5):
        _password(client, "nobody-here", "wrong")
    unknown = client.post("/login", data={"username": "nobody-here", "password": "x"})
    assert unknown.status_code == 429
    assert _message(unknown.text) == _message(locked.text)
    clock.set(clock.now() + dt.timedelta(minutes=16))
    assert _password(client, "eng01") == "/inbox"


def _message(page: str) -> str:
    found = re.search(r'class="flash[^"]*"[^>]*>([^<]+)<', page)
    assert found is not None, page
    return found.group(1)


def test_wrong_codes_count_towards_the_lock(app: Flask, web: WebState, clock: FixedClock) -> None:
    client, _ = _enrol(app, web, clock, "cm03")
    client.post("/logout")
    assert _password(client, "cm03") == "/login/code"
    for attempt in range(5):
        response = client.post("/login/code", data={"code": "123456" if attempt % 2 else "999999"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.post("/login", data={"username": "cm03", "password": DEMO_PASSWORD}).status_code == 429


def test_the_account_page_sets_it_up_and_turns_it_off(app: Flask, web: WebState, clock: FixedClock) -> None:
    client = app.test_client()
    _password(client, "eng02")
    assert "Set up two-step sign-in" in client.get("/account").text or "设置两步登录" in client.get("/account").text
    client.get("/account/two-factor")
    secret = _secret(web, "eng02")
    done = client.post("/account/two-factor", data={"code": _code(secret, clock)})
    assert len(re.findall(r"<code>[0-9a-f]{5}-[0-9a-f]{5}</code>", done.text)) == 10
    # New recovery codes and turning it off both need a current code, not just the open browser.
    assert client.post("/account/two-factor/off", data={"code": ""}).status_code == 302
    with web.sessions() as session:
        assert two_factor.active(session, "eng02")
    clock.set(clock.now() + dt.timedelta(seconds=30))
    client.post("/account/two-factor/off", data={"code": _code(secret, clock)})
    with web.sessions() as session:
        assert not two_factor.active(session, "eng02")


def test_required_roles_cannot_turn_it_off(app: Flask, web: WebState, clock: FixedClock) -> None:
    client, _ = _enrol(app, web, clock, "hr01")
    clock.set(clock.now() + dt.timedelta(seconds=30))
    client.post("/account/two-factor/off", data={"code": _code(_secret(web, "hr01"), clock)})
    with web.sessions() as session:
        assert two_factor.active(session, "hr01")


def test_hr_resets_a_lost_phone(app: Flask, web: WebState, clock: FixedClock) -> None:
    _enrol(app, web, clock, "sec01")
    hr, _ = _enrol(app, web, clock, "hr01")
    assert hr.post("/organisation/two-factor/reset", data={"user_id": "sec01"}).status_code == 302
    with web.sessions() as session:
        assert not two_factor.active(session, "sec01")
    assert _password(app.test_client(), "sec01") == "/login/enrol"      # sets it up again
    assert hr.post("/organisation/two-factor/reset", data={"user_id": "nobody"}).status_code == 404
    assert _password(app.test_client(), "eng01") == "/inbox"
    eng = app.test_client()
    _password(eng, "eng01")
    assert eng.post("/organisation/two-factor/reset", data={"user_id": "hr01"}).status_code == 403


def test_the_cli_resets_it(app: Flask, web: WebState, clock: FixedClock, tmp_path: Path) -> None:
    _enrol(app, web, clock, "cm02")
    env = {"MIBAO_INSTANCE": str(tmp_path)}
    result = CliRunner().invoke(mibao, ["user", "reset-2fa", "cm02"], env=env)
    assert result.exit_code == 0, result.output
    with web.sessions() as session:
        assert not two_factor.active(session, "cm02")
    again = CliRunner().invoke(mibao, ["user", "reset-2fa", "cm02"], env=env)
    assert "nothing was changed" in again.output


def test_who_must_use_it_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from records.instance import Instance
    instance = Instance.from_env(tmp_path)
    monkeypatch.delenv("MIBAO_2FA_ROLES", raising=False)
    assert make_config(instance)["TWO_FACTOR_ROLES"] == two_factor.DEFAULT_ROLES == REQUIRED
    monkeypatch.setenv("MIBAO_2FA_ROLES", "hr, committee")
    assert make_config(instance)["TWO_FACTOR_ROLES"] == {"hr", "committee"}
    monkeypatch.setenv("MIBAO_2FA_ROLES", "none")
    assert make_config(instance)["TWO_FACTOR_ROLES"] == frozenset()


def test_the_secret_is_replaced_until_confirmed(app: Flask, web: WebState, clock: FixedClock) -> None:
    with transaction(web.sessions) as session:
        first = two_factor.begin(session, "eng01", now=clock.now())
        second = two_factor.begin(session, "eng01", now=clock.now())
        assert first != second and two_factor.pending_secret(session, "eng01") == second
        assert two_factor.confirm(session, "eng01", pyotp.TOTP(first).at(clock.now()), now=clock.now()) is None
        assert two_factor.confirm(session, "eng01", pyotp.TOTP(second).at(clock.now()), now=clock.now())
        with pytest.raises(ValueError, match="already on"):
            two_factor.begin(session, "eng01", now=clock.now())
