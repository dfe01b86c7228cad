"""The audit log from the web: downloads and page images allowed or denied, engine steps, anchors, the CLI."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pypdf import PdfWriter
from sqlalchemy import func, select, text

from records.audit import anchor, verify_chain
from records.db import transaction
from records.evidence_trail import check_trail
from records.models import AccessGrant, ApiToken, AuditAnchor, AuditRecord, Document, Job, JobStatus
from signing.pki import Pki
from tests.web.flows import to_first_signature
from tests.web.support import start_probe
from web.state import WebState

Login = Callable[[str], FlaskClient]
DOC = "MB-20261121-AUD17001"


@pytest.fixture
def document(web: WebState) -> Document:
    """A stored one-page PDF about eng01 (no LibreOffice needed)."""
    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    data = buffer.getvalue()
    web.services.blobs.put(f"{DOC}/0-prepared.pdf", data)
    row = Document(id=DOC, template_id="nda", title="保密协议", level="core", path=f"{DOC}/0-prepared.pdf",
                   sha256=hashlib.sha256(data).hexdigest(), parties=["company", "employee"], subject_user="eng01")
    with transaction(web.sessions) as session:
        session.add(row)
    return row


def _records(web: WebState, **where: str) -> list[AuditRecord]:
    with web.sessions() as session:
        query = select(AuditRecord).order_by(AuditRecord.seq)
        for name, value in where.items():
            query = query.where(getattr(AuditRecord, name) == value)
        return list(session.scalars(query))


def test_a_download_is_logged_allowed_with_the_documents_hash(login: Login, web: WebState,
                                                               document: Document) -> None:
    client = login("eng01")
    assert client.get(f"/documents/{DOC}.pdf").status_code == 200
    assert client.get(f"/documents/{DOC}/pages/1.png").status_code == 200
    (download, page) = _records(web, target_id=DOC)
    assert (download.actor, download.action, download.result) == ("eng01", "download", "allowed")
    assert download.content_sha256 == document.sha256 and download.level == "core"
    assert download.source == "127.0.0.1" and download.session_hash and len(download.session_hash) == 32
    assert (page.action, page.detail["page"], page.session_hash) == ("view", 1, download.session_hash)


def test_a_refused_download_is_logged_denied(login: Login, web: WebState, document: Document) -> None:
    client = login("eng02")
    assert client.get(f"/documents/{DOC}.pdf").status_code == 404
    assert client.get(f"/documents/{DOC}/pages/1.png").status_code == 404
    denied = _records(web, target_id=DOC)
    assert [(r.actor, r.action, r.result) for r in denied] == [("eng02", "download", "denied"),
                                                               ("eng02", "view", "denied")]
    assert denied[0].content_sha256 == document.sha256


def test_the_api_logs_views_downloads_and_refusals(client: FlaskClient, web: WebState, document: Document) -> None:
    with transaction(web.sessions) as session:
        session.add_all([ApiToken(user_id="hr01", label="t", token_sha256=hashlib.sha256(b"hr-token").hexdigest()),
                         ApiToken(user_id="eng02", label="t", token_sha256=hashlib.sha256(b"e2-token").hexdigest())])
    hr = {"Authorization": "Bearer hr-token"}
    # A core agreement: HR needs the general manager's approval, one access per approval.
    assert client.get(f"/api/v1/documents/{DOC}", headers=hr).status_code == 404
    with transaction(web.sessions) as session:
        session.add(AccessGrant(user_id="hr01", target_type="document", target_id=DOC, level="core",
                                operation="view", purpose="劳动仲裁举证", status="approved", approver="gm01"))
    assert client.get(f"/api/v1/documents/{DOC}", headers=hr).status_code == 200
    assert client.get(f"/api/v1/documents/{DOC}", headers=hr).status_code == 404        # used up
    assert client.get(f"/api/v1/documents/{DOC}.pdf", headers={"Authorization": "Bearer e2-token"}).status_code == 404
    assert [(r.actor, r.action, r.result, r.detail["basis"]) for r in _records(web, target_id=DOC)] == [
        ("hr01", "view", "denied", "approval_required"), ("hr01", "view", "allowed", "grant"),
        ("hr01", "view", "denied", "approval_required"), ("eng02", "download", "denied", "approval_required")]


def test_register_views_are_logged(login: Login, web: WebState) -> None:
    from records.models import SecretItem

    with transaction(web.sessions) as session:
        session.add(SecretItem(id=7, name="热处理工艺参数", level="core"))
    client = login("sec01")
    assert client.get("/register").status_code == 200
    assert client.get("/register/items/7").status_code == 404        # core: the keeper too needs the GM
    listing, refused = _records(web, actor="sec01")
    assert (listing.target_type, listing.detail["shown"], listing.detail["withheld"]) == ("register", [], ["7"])
    assert (refused.action, refused.result, refused.detail["basis"]) == ("view", "denied", "approval_required")
    client = login("gm01")
    assert client.get("/register/items/7").status_code == 200
    (item,) = _records(web, actor="gm01", target_type="register_item")
    assert (item.target_type, item.target_id, item.level) == ("register_item", "7", "core")
    assert item.content_sha256 and len(item.content_sha256) == 64


def test_engine_steps_are_chained_and_verify(probe: WebState, shared_pki: object) -> None:
    web = probe
    web.services._pki = shared_pki  # type: ignore[assignment]
    start_probe(web)
    started = _records(web, target_type="instance")
    assert started[0].action == "start" and started[0].actor == "eng01"
    assert started[0].detail["process"] == "external_probe"
    with web.sessions() as session:
        report = verify_chain(session, web.services.pki)
    assert report.ok and report.records >= 1


@pytest.mark.slow   # LibreOffice renders the agreement
def test_a_signature_is_logged_and_a_completed_agreement_anchors_the_chain(login: Login,
                                                                            fast_services: WebState) -> None:
    web = fast_services
    task = to_first_signature(web.engine)
    assert login("eng01").post(f"/tasks/{task.id}/sign", data={"agree": "on"}).status_code == 302
    signs = _records(web, action="sign", target_id=task.sign_document or "")
    with web.sessions() as session:
        document = session.get(Document, task.sign_document)
        assert document is not None
        anchors = list(session.scalars(select(AuditAnchor)))
        report = verify_chain(session, web.services.pki)
        anchoring = session.scalars(select(Job).where(Job.key == f"anchor:{document.id}")).one()
    # Anchored by a job after the completion committed (signing queue), not inside the instance's transaction.
    assert (anchoring.queue, anchoring.status, anchoring.instance_id) == ("signing", JobStatus.APPLIED, None)
    assert [(s.actor, s.role) for s in signs] == [("system", "company"), ("eng01", "employee")]
    assert signs[-1].content_sha256 == document.sha256 and signs[-1].detail["status"] == "completed"
    assert anchors and anchors[-1].seq >= signs[-1].seq
    assert report.ok and [a.ok for a in report.anchors] == [True] * len(anchors)


def test_cli_verify_exit_codes(tmp_path: Path, web: WebState, document: Document, login: Login) -> None:
    client = login("eng01")
    for _ in range(3):
        client.get(f"/documents/{DOC}.pdf")
    env = {**os.environ, "MIBAO_INSTANCE": str(tmp_path)}

    def mibao(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", "import cli; cli.main()", "audit", *args], capture_output=True,
                              text=True, env=env, timeout=120)

    with web.db.connect() as conn:     # the three downloads after the demo organisation's own changes
        records = conn.execute(select(func.count()).select_from(AuditRecord)).scalar_one()
    assert f"anchored record {records}" in mibao("anchor").stdout
    ok = mibao("verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"{records} records checked" in ok.stdout and "1 anchors checked, 1 good" in ok.stdout
    assert mibao("show", "--limit", "2").stdout.count("download") == 2
    with web.db.begin() as conn:
        conn.execute(text("UPDATE audit_records SET actor = 'someone' WHERE seq = 2"))
    broken = mibao("verify")
    assert broken.returncode == 1 and "BROKEN at record 2 (edited)" in broken.stdout
    assert "Traceback" not in broken.stderr


def test_the_background_loop_anchors_hourly(login: Login, web: WebState, document: Document) -> None:
    import datetime as dt

    from web.audit_log import anchor_if_due

    seeded = _last_seq(web)                   # the demo organisation's changes are in the chain already
    client = login("eng01")
    client.get(f"/documents/{DOC}.pdf")
    now = web.engine.clock.now()
    first = anchor_if_due(web, now)
    assert first is not None and first.seq == seeded + 1
    client.get(f"/documents/{DOC}.pdf")
    assert anchor_if_due(web, now + dt.timedelta(minutes=59)) is None       # not due yet
    later = anchor_if_due(web, now + dt.timedelta(minutes=61))
    assert later is not None and later.seq == seeded + 2
    assert anchor_if_due(web, now + dt.timedelta(hours=3)) is None          # nothing new


def test_an_agreements_audit_trail_checks_out_alone_and_shows_a_change(login: Login, web: WebState,
                                                                       document: Document, shared_pki: Pki) -> None:
    web.services._pki = shared_pki
    changed = _last_seq(web) + 2                                        # the refusal below
    client = login("eng01")
    assert client.get(f"/documents/{DOC}.pdf").status_code == 200
    login("eng02").get(f"/documents/{DOC}.pdf")                       # refused, and part of the trail
    with transaction(web.sessions) as session:
        anchor(session, shared_pki, web.engine.clock.now())
    response = login("eng01").get(f"/documents/{DOC}.audit.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    trail = json.loads(response.data)
    roots = [shared_pki.root_certificate_pem()]
    assert [(r["actor"], r["action"], r["result"]) for r in trail["records"]] == [
        ("eng01", "download", "allowed"), ("eng02", "download", "denied")]
    assert [r["detail"].get("file") for r in trail["not_yet_timestamped"]] == ["audit-trail"]   # this export
    assert trail["document"]["sha256"] == document.sha256 and check_trail(trail, roots) == []
    pdf = web.services.blobs.get(document.path)
    shown = _verify_with_trail(client, pdf, response.data)
    assert "Every record matches its hash" in shown and "belongs to this file" in shown and "eng02" in shown
    trail["records"][1]["result"] = "allowed"                            # someone "corrects" the refusal
    assert check_trail(trail, roots) == [f"record {changed} does not match its hash: it was changed"]
    shown = _verify_with_trail(client, pdf, json.dumps(trail).encode())
    assert f"record {changed} does not match its hash" in shown and "Every record matches" not in shown
    assert "not an audit trail" in _verify_with_trail(client, pdf, b"[" * 100_000)
    assert "malformed" in _verify_with_trail(client, pdf, json.dumps({**trail, "records": "x"}).encode())
    assert login("eng02").get(f"/documents/{DOC}.audit.json").status_code == 404


def _last_seq(web: WebState) -> int:
    with web.sessions() as session:
        return int(session.scalar(select(func.coalesce(func.max(AuditRecord.seq), 0))) or 0)


def _verify_with_trail(client: FlaskClient, pdf: bytes, trail: bytes) -> str:
    client.post("/lang/en")
    response = client.post("/verify", data={"pdf": (io.BytesIO(pdf), "a.pdf"),
                                            "trail": (io.BytesIO(trail), "a.audit.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_print_is_its_own_operation(login: Login, web: WebState, document: Document) -> None:
    response = login("eng01").get(f"/documents/{DOC}/print")
    assert response.status_code == 200 and "inline" in response.headers["Content-Disposition"]
    assert login("eng02").get(f"/documents/{DOC}/print").status_code == 404
    assert [(r.actor, r.action, r.result) for r in _records(web, target_id=DOC)] == [
        ("eng01", "print", "allowed"), ("eng02", "print", "denied")]
