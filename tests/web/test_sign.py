"""Signing in the browser: who sees the document, one signature per click, declining stops the process."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from records.models import Document
from signing import verify_pdf
from tests.web.flows import to_first_signature
from web.state import WebState
from workflows import TaskView

pytestmark = pytest.mark.slow   # LibreOffice renders the agreements

Login = Callable[[str], FlaskClient]


@pytest.fixture
def task(web: WebState) -> TaskView:
    return to_first_signature(web.engine)


def _document(web: WebState, document_id: str) -> Document:
    with web.sessions() as session:
        document = session.get(Document, document_id)
        assert document is not None
        session.expunge(document)
        return document


def test_signer_reads_the_pages_and_downloads_the_pdf(login: Login, task: TaskView) -> None:
    client = login("eng01")
    assert client.get(f"/tasks/{task.id}").headers["Location"].endswith(f"/tasks/{task.id}/sign")
    page = client.get(f"/tasks/{task.id}/sign")
    assert page.status_code == 200
    assert f"/documents/{task.sign_document}/pages/1.png" in page.text and 'name="agree"' in page.text
    image = client.get(f"/documents/{task.sign_document}/pages/1.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/documents/{task.sign_document}/pages/99.png").status_code == 404
    pdf = client.get(f"/documents/{task.sign_document}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("user", ["eng02", "cm02", "head01"])
def test_others_get_404_for_page_images_download_and_sign(login: Login, task: TaskView, user: str) -> None:
    client = login(user)
    assert client.get(f"/tasks/{task.id}/sign").status_code == 404
    assert client.get(f"/documents/{task.sign_document}/pages/1.png").status_code == 404
    assert client.get(f"/documents/{task.sign_document}.pdf").status_code == 404
    assert client.post(f"/tasks/{task.id}/sign", data={"agree": "on"}).status_code == 404
    assert client.post(f"/tasks/{task.id}/decline", data={"reason": "x"}).status_code == 404


@pytest.mark.parametrize("user", ["hr01", "sec01"])
def test_hr_and_secrecy_office_download(login: Login, task: TaskView, user: str) -> None:
    assert login(user).get(f"/documents/{task.sign_document}.pdf").status_code == 200


def test_anonymous_is_sent_to_login(client: FlaskClient, task: TaskView) -> None:
    response = client.get(f"/documents/{task.sign_document}.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_needs_agreement_and_signs_once(login: Login, task: TaskView, web: WebState) -> None:
    client = login("eng01")
    assert client.post(f"/tasks/{task.id}/sign", data={}).status_code == 422
    assert len(_document(web, task.sign_document or "").signatures) == 1            # the company's only
    first = client.post(f"/tasks/{task.id}/sign", data={"agree": "on"})
    assert first.status_code == 302
    second = client.post(f"/tasks/{task.id}/sign", data={"agree": "on"})
    assert second.status_code == 409
    document = _document(web, task.sign_document or "")
    assert [s["party"] for s in document.signatures] == ["company", "employee"]
    verdict = verify_pdf(client.get(f"/documents/{document.id}.pdf").data,
                         trust_roots=[web.services.pki.root_certificate_pem()])
    assert verdict.ok, verdict.problems
    signatures = [s for s in verdict.signatures if s.kind != "document_timestamp"]
    assert [s.field for s in signatures] == ["company", "employee"]
    # The signer still sees the document afterwards (as a signer, no longer through the task).
    assert client.get(f"/documents/{document.id}/pages/1.png").status_code == 200


def test_decline_cancels_the_instance(login: Login, task: TaskView, web: WebState) -> None:
    client = login("eng01")
    assert client.post(f"/tasks/{task.id}/decline", data={"reason": " "}).status_code == 422
    assert client.post(f"/tasks/{task.id}/decline", data={"reason": "条款需再商议"}).status_code == 302
    view = web.engine.show(task.instance_id)
    assert view.status == "cancelled"
    assert [d["status"] for d in view.documents if d["id"] == task.sign_document] == ["declined"]
    assert client.post(f"/tasks/{task.id}/sign", data={"agree": "on"}).status_code == 409
