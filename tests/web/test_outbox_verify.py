"""The outbox (hr and secrecy office only) and the public verification page."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from records.db import transaction
from records.models import Notification
from tests.web.support import CODE, sign_in, start_probe
from web.state import WebState
from workflows.mail import mail_text


def test_outbox_by_role(app: Flask, client: FlaskClient, probe: WebState) -> None:
    token = start_probe(probe)
    client.post(f"/x/{token}/code")
    assert client.get("/outbox").status_code == 302            # not signed in: to the login page
    for user in ("hr01", "sec01"):
        listing = sign_in(app, user).get("/outbox")
        assert listing.status_code == 200 and "visitor@example.com" in listing.text
    for user in ("eng01", "head01"):
        assert sign_in(app, user).get("/outbox").status_code == 403
        assert sign_in(app, user).get("/outbox/1").status_code == 403


def test_outbox_message_shows_the_code(app: Flask, client: FlaskClient, probe: WebState) -> None:
    token = start_probe(probe)
    client.post(f"/x/{token}/code")
    hr = sign_in(app, "hr01")
    listing = hr.get("/outbox").text
    assert "one-time code" in listing
    page = hr.get("/outbox/2")
    assert page.status_code == 200 and CODE.search(page.text)
    assert hr.get("/outbox/999").status_code == 404


def test_verify_page_is_public(client: FlaskClient) -> None:
    page = client.get("/verify")
    assert page.status_code == 200 and 'type="file"' in page.text


def _upload(client: FlaskClient, data: bytes, name: str = "agreement.pdf") -> tuple[int, str]:
    import io

    response = client.post("/verify", data={"pdf": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    return response.status_code, response.text


def test_verify_a_good_pdf(client: FlaskClient, fast_services: WebState, sealed_pdf: bytes) -> None:
    status, text = _upload(client, sealed_pdf)
    assert status == 200
    assert ("✔ Valid" in text or "✔ 有效" in text) and "聊城示例轴承有限公司" in text
    assert "NOT valid" not in text and "✘ 无效" not in text


def test_verify_a_tampered_pdf(client: FlaskClient, fast_services: WebState, sealed_pdf: bytes) -> None:
    at = sealed_pdf.index(b"/Contents", len(sealed_pdf) // 4)   # change one byte inside the signed range
    tampered = sealed_pdf[:at] + b"/Contentz" + sealed_pdf[at + 9:]
    status, text = _upload(client, tampered)
    assert status == 200 and 'class="card verdict broken" data-verdict="altered"' in text  # see test_verify_page


def test_verify_refuses_a_non_pdf(client: FlaskClient) -> None:
    status, text = _upload(client, b"PK\x03\x04 this is a zip", "agreement.docx")
    assert status == 422 and ("not a PDF" in text or "不是 PDF" in text)
    status, text = _upload(client, b"")
    assert status == 422


def test_verify_is_rate_limited(tmp_path: object, clock: object) -> None:
    from pathlib import Path

    from records.instance import Instance
    from web import create_app, limiter

    app = create_app({"MIBAO_INSTANCE": Instance.from_env(Path(str(tmp_path)) / "v"), "WARM_CONVERTERS": 0,
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "MIBAO_RATE_LIMITS": True,
                      "VERIFY_RATE_LIMIT": "2 per minute"})
    try:
        limiter.reset()
        client = app.test_client()
        assert [_upload(client, b"not a pdf")[0] for _ in range(3)] == [422, 422, 429]
    finally:
        app.extensions["mibao"].close()




def test_a_message_about_a_secret_is_withheld_from_the_uncleared(app: Flask, web: WebState) -> None:
    """Issue 10: the outbox says "a message about a core item" to HR and the secrecy office (nobody below the
    general manager is cleared for core); an important one is read by the secrecy office, not by HR; neither
    travels by mail in clear."""
    with transaction(web.sessions) as session:
        core = Notification(to_role="liaison", to_user="liaison01", subject="风电主轴轴承套圈热处理工艺参数：已定密",
                            body="核心秘密登记完成。", level="core")
        important = Notification(to_role="liaison", subject="6310 型参数表：密级已变更", level="important")
        session.add_all([core, important])
        session.flush()
        ids = core.id, important.id
    hr, officer = sign_in(app, "hr01"), sign_in(app, "sec01")
    for reader in (hr, officer):
        listing = reader.get("/outbox").text
        assert "风电主轴" not in listing and ("withheld" in listing or "无权查看" in listing)
        page = reader.get(f"/outbox/{ids[0]}")
        assert page.status_code == 200 and "风电主轴" not in page.text and "核心秘密登记完成" not in page.text
    assert "6310" in officer.get("/outbox").text and "6310" not in hr.get("/outbox").text
    with web.sessions() as session:
        note = session.get(Notification, ids[0])
        assert note is not None
        subject, body = mail_text(note, "https://mibao.example")
    assert "风电主轴" not in subject + body and "https://mibao.example/inbox" in body
