"""Outside parties: the link (forged 404, expired 410, used 410, second click 409), the one-time code (attempts,
expiry, single use, limits), the session bound to one link, and CSRF on the code form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask.testing import FlaskClient

from records.instance import Instance
from records.models import User
from tests.web.support import CODE, CONTACT, last_match, link_row, start_probe
from web import create_app, limiter
from web.state import WebState
from workflows import FixedClock


def _open(client: FlaskClient, web: WebState, token: str) -> None:
    """Request a code and enter it: the client may now sign through ``token``."""
    assert client.post(f"/x/{token}/code").status_code == 302
    code = last_match(web, CODE)
    assert client.post(f"/x/{token}/code/check", data={"code": code}).status_code == 302


def test_forged_link_is_404(client: FlaskClient, probe: WebState) -> None:
    start_probe(probe)
    response = client.get("/x/" + "A" * 43)
    assert response.status_code == 404
    assert "not valid" in response.text or "链接无效" in response.text


def test_the_mail_has_the_link_and_the_party_an_account(client: FlaskClient, probe: WebState) -> None:
    token = start_probe(probe)
    link = link_row(probe)
    assert link.token_sha256 != token and len(link.token_sha256) == 64 and link.email == CONTACT
    with probe.sessions() as session:
        user = session.get(User, f"ext-{link.id}")
        assert user is not None
        assert (user.name, user.roles, user.password_hash) == ("赵晓东", ["external"], None)
    page = client.get(f"/x/{token}")
    assert page.status_code == 200 and "赵晓东" in page.text


def test_expired_link_is_410(client: FlaskClient, probe: WebState, clock: FixedClock) -> None:
    token = start_probe(probe)
    clock.set(clock.now() + dt.timedelta(days=7, minutes=1))
    response = client.get(f"/x/{token}")
    assert response.status_code == 410
    assert "expired" in response.text or "已过期" in response.text


def test_signing_spends_the_link_and_a_second_click_is_409(client: FlaskClient, probe: WebState) -> None:
    token = start_probe(probe)
    _open(client, probe, token)
    assert client.post(f"/x/{token}/sign", data={"agree": "on"}).status_code == 200
    link = link_row(probe)
    assert link.used_at is not None
    task = probe.engine.task(link.task_id)
    assert (task.state, task.completed_by) == ("completed", f"ext-{link.id}")
    assert client.post(f"/x/{token}/sign", data={"agree": "on"}).status_code == 409
    response = client.get(f"/x/{token}")
    assert response.status_code == 410 and ("already been used" in response.text or "已使用过" in response.text)


def test_signing_needs_the_agreement_box(client: FlaskClient, probe: WebState) -> None:
    token = start_probe(probe)
    _open(client, probe, token)
    assert client.post(f"/x/{token}/sign", data={}).status_code == 422
    assert probe.engine.task(link_row(probe).task_id).state == "ready"


def test_decline_with_a_reason(client: FlaskClient, probe: WebState) -> None:
    token = start_probe(probe)
    _open(client, probe, token)
    assert client.post(f"/x/{token}/decline", data={"reason": "不同意第三条"}).status_code == 200
    assert probe.engine.task(link_row(probe).task_id).state == "cancelled"
    assert client.get(f"/x/{token}").status_code == 410


def test_no_signing_without_the_code(client: FlaskClient, probe: WebState) -> None:
    token = start_probe(probe)
    assert client.post(f"/x/{token}/sign", data={"agree": "on"}).status_code == 403
    assert probe.engine.task(link_row(probe).task_id).state == "ready"


def test_the_session_is_bound_to_one_link(client: FlaskClient, probe: WebState) -> None:
    first, second = start_probe(probe), start_probe(probe, "other@example.com", "钱多多")
    _open(client, probe, first)
    assert client.post(f"/x/{second}/sign", data={"agree": "on"}).status_code == 403
    assert "I have read and agree" not in client.get(f"/x/{second}").text


def test_wrong_codes_count_and_lock_after_five(client: FlaskClient, probe: WebState) -> None:
    token = start_probe(probe)
    client.post(f"/x/{token}/code")
    code = last_match(probe, CODE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for attempt in range(1, 6):
        client.post(f"/x/{token}/code/check", data={"code": wrong})
        assert link_row(probe).code_attempts == attempt
    client.post(f"/x/{token}/code/check", data={"code": code})
    assert link_row(probe).verified_at is None
    page = client.get(f"/x/{token}")
    assert "I have read and agree" not in page.text
    _open(client, probe, token)  # a new code works
    assert link_row(probe).verified_at is not None


def test_an_expired_code_is_refused(client: FlaskClient, probe: WebState, clock: FixedClock) -> None:
    token = start_probe(probe)
    client.post(f"/x/{token}/code")
    code = last_match(probe, CODE)
    clock.set(clock.now() + dt.timedelta(minutes=10, seconds=1))
    client.post(f"/x/{token}/code/check", data={"code": code})
    assert link_row(probe).verified_at is None


def test_a_code_is_used_once(client: FlaskClient, probe: WebState, app: object) -> None:
    token = start_probe(probe)
    _open(client, probe, token)
    code = last_match(probe, CODE)
    assert link_row(probe).code_sha256 is None and code not in (link_row(probe).code_sha256 or "")
    other = probe_client(app)
    other.post(f"/x/{token}/code/check", data={"code": code})
    assert "I have read and agree" not in other.get(f"/x/{token}").text


def probe_client(app: object) -> FlaskClient:
    client: FlaskClient = app.test_client()  # type: ignore[attr-defined]
    return client


def test_codes_stored_hashed_and_limited_per_link(client: FlaskClient, probe: WebState) -> None:
    token = start_probe(probe)
    for _ in range(5):
        assert client.post(f"/x/{token}/code").status_code == 302
        code = last_match(probe, CODE)
        assert code not in (link_row(probe).code_sha256 or "")
    assert client.post(f"/x/{token}/code").status_code == 429


def test_code_requests_rate_limited_per_ip(tmp_path: Path, clock: FixedClock) -> None:
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path / "limited"), "WARM_CONVERTERS": 0,
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "MIBAO_RATE_LIMITS": True,
                      "EXTERNAL_CODE_RATE_LIMIT": "2 per minute"}, clock=clock)
    try:
        limiter.reset()
        client = app.test_client()
        statuses = [client.post("/x/" + "B" * 43 + "/code").status_code for _ in range(3)]
        assert statuses == [404, 404, 429]
    finally:
        app.extensions["mibao"].close()


def test_csrf_is_enforced_on_the_code_form(tmp_path: Path, clock: FixedClock) -> None:
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path / "csrf"), "WARM_CONVERTERS": 0,
                      "TESTING": True, "WTF_CSRF_ENABLED": True, "MIBAO_RATE_LIMITS": False}, clock=clock)
    try:
        response = app.test_client().post("/x/" + "C" * 43 + "/code")
        assert response.status_code == 400
        assert "form expired" in response.text or "表单已过期" in response.text
    finally:
        app.extensions["mibao"].close()
