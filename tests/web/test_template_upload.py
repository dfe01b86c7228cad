"""The secrecy office uploads the company's own version of a template; checked, kept, used for new documents."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from records.db import transaction
from records.models import AuditRecord, Document, TemplateVersion
from tests.conftest import pdf_text, squeeze
from tests.documents.template_edits import NDA, NEW_SENTENCE, edited, with_macro
from tests.web.support import fast_services  # noqa: F401 - fixture
from web.state import WebState
from workflows.agreements import create_agreement, document_bytes

Login = Callable[[str], FlaskClient]


def _upload(client: FlaskClient, data: bytes, template_id: str = "nda") -> TestResponse:
    return client.post(f"/templates/{template_id}/versions", data={"docx": (io.BytesIO(data), "nda-company.docx")},
                       content_type="multipart/form-data")


def _prepare(web: WebState) -> str:
    sample = json.loads(NDA.sample_path.read_text(encoding="utf-8"))
    with transaction(web.sessions) as session:
        return create_agreement(session, web.services, template_id="nda", data=sample, instance_id=None,
                                subject_user="eng01", now=web.engine.clock.now())


def _document(web: WebState, document_id: str) -> tuple[Document, bytes]:
    with web.sessions() as session:
        document = session.get(Document, document_id)
        assert document is not None
        session.expunge(document)
    return document, document_bytes(web.services, document)


def _stored(web: WebState) -> list[TemplateVersion]:
    with web.sessions() as session:
        return list(session.scalars(select(TemplateVersion)))


def test_an_accepted_version_is_used_by_the_next_document_only(fast_services: WebState, login: Login,  # noqa: F811
                                                                tmp_path: Path) -> None:
    web = fast_services
    earlier_id = _prepare(web)
    earlier, earlier_pdf = _document(web, earlier_id)
    assert earlier.template_sha256 == hashlib.sha256(NDA.docx_path.read_bytes()).hexdigest()

    client = login("sec01")
    new = edited()
    response = _upload(client, new)
    assert response.status_code == 200, response.text
    assert 'id="check-result"' in response.text and "未保存任何内容" not in response.text
    [version] = _stored(web)
    assert (version.number, version.sha256, version.uploaded_by) == (2, hashlib.sha256(new).hexdigest(), "sec01")

    later, later_pdf = _document(web, _prepare(web))
    assert later.template_sha256 == version.sha256
    later_text = squeeze(pdf_text(later_pdf, tmp_path))
    assert NEW_SENTENCE in later_text and "第2版" in later_text
    assert NEW_SENTENCE not in squeeze(pdf_text(earlier_pdf, tmp_path))
    again, again_pdf = _document(web, earlier_id)       # the earlier agreement is untouched
    assert (again.sha256, again.template_sha256, again_pdf) == (earlier.sha256, earlier.template_sha256, earlier_pdf)

    listing = client.get("/templates/")
    assert listing.status_code == 200 and version.sha256[:16] in listing.text
    assert client.get("/templates/nda/versions/2").data == new
    assert client.get("/templates/nda/versions/1").data == NDA.docx_path.read_bytes()
    assert client.get("/templates/nda/versions/3").status_code == 404
    assert client.get("/templates/nope/versions/1").status_code == 404
    with web.sessions() as session:
        actions = {(r.action, r.result) for r in session.scalars(select(AuditRecord).where(
            AuditRecord.target_type == "template", AuditRecord.actor == "sec01"))}
    assert {("upload", "allowed"), ("view", "allowed"), ("download", "allowed")} <= actions


@pytest.mark.parametrize(("upload", "named"), [
    (lambda: edited(extra="配偶：{{ spouse_name }}"), "“spouse_name” is not one of this template"),
    (lambda: edited(drop="employee_phone"), "required field “employee_phone”"),
    (lambda: edited(extra="{{ ''.__class__ }}"), "“__class__”, which is how attacks on the server begin"),
    (lambda: b"%PDF-1.7 not a word file", "is not a DOCX file"),
    (lambda: with_macro(edited()), "contains macros"),
    (lambda: b"", "未选择文件"),
], ids=["unknown-variable", "missing-variable", "dunder", "not-docx", "macro", "empty"])
def test_a_refused_version_is_named_and_nothing_is_stored(fast_services: WebState, login: Login,  # noqa: F811
                                                          upload: Callable[[], bytes], named: str) -> None:
    web = fast_services
    response = _upload(login("sec01"), upload())
    assert response.status_code == 400
    assert named in response.text.replace("&#34;", '"').replace("&#39;", "'")
    assert "未保存任何内容" in response.text            # the page is Chinese by default
    assert _stored(web) == []
    assert not (web.services.documents_dir / "templates").exists()
    with web.sessions() as session:
        refused = session.scalars(select(AuditRecord).where(AuditRecord.action == "upload")).one()
    assert (refused.result, refused.actor, refused.target_id) == ("denied", "sec01", "nda")


@pytest.mark.parametrize("user", ["eng02", "hr01", "gm01", "liaison01"])
def test_only_the_secrecy_office_may_see_or_upload(fast_services: WebState, login: Login, user: str) -> None:  # noqa: F811
    client = login(user)
    assert client.get("/templates/").status_code == 403
    assert _upload(client, edited()).status_code == 403
    assert client.get("/templates/nda/versions/1").status_code == 403
    assert _stored(fast_services) == []
    with fast_services.sessions() as session:
        denied = session.scalars(select(AuditRecord).where(AuditRecord.target_type == "template")).all()
    assert len(denied) == 3 and {r.result for r in denied} == {"denied"}
