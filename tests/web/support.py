"""Helpers for the outside-party, outbox, verify and API tests: links, codes, the shared PKI and converter."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from records.db import transaction
from records.models import ExternalLink, Notification, SecretItem
from signing import Converter, Pki
from web.state import WebState
from workflows import BPMN_DIR
from workflows.forms import FormCatalog

DATA = Path(__file__).parent / "data"
CONTACT = "visitor@example.com"
LINK = re.compile(r"/x/([A-Za-z0-9_-]{40,})")
CODE = re.compile(r"code: (\d{6})")


@pytest.fixture(scope="session")
def shared_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.open(tmp_path_factory.mktemp("web-pki"))


@pytest.fixture
def fast_services(web: WebState, converter: Converter, shared_pki: Pki) -> Iterator[WebState]:
    """The app's services on the session's warm LibreOffice and PKI (not closed with the app)."""
    web.services._converter, web.services._pki = converter, shared_pki
    yield web
    web.services._converter = None


@pytest.fixture
def probe(web: WebState, tmp_path: Path) -> WebState:
    """The engine also knows ``external_probe``: one task in lane external, no document (links without LibreOffice)."""
    folder = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, folder)
    shutil.copy(DATA / "external_probe.bpmn", folder)
    shutil.copy(DATA / "external_probe_start.json", folder / "forms")
    web.engine.bpmn_dir, web.engine.forms = folder, FormCatalog(folder / "forms")
    return web


def start_probe(web: WebState, contact: str = CONTACT, name: str = "赵晓东") -> str:
    """Start the probe; the raw link token from the mail in the outbox."""
    view = web.engine.start("external_probe", {"external_contact": contact, "visitor_name": name}, actor="eng01")
    return last_match(web, LINK, view.id)


def last_match(web: WebState, pattern: re.Pattern[str], instance_id: int | None = None) -> str:
    with web.sessions() as session:
        query = select(Notification).order_by(Notification.id.desc())
        if instance_id is not None:
            query = query.where(Notification.instance_id == instance_id)
        for note in session.scalars(query):
            found = pattern.search(note.body or "")
            if found:
                return found.group(1)
    raise AssertionError(f"no message matches {pattern.pattern}")


def link_row(web: WebState, link_id: int | None = None) -> ExternalLink:
    with web.sessions() as session:
        query = select(ExternalLink).order_by(ExternalLink.id.desc())
        row = session.get(ExternalLink, link_id) if link_id else session.scalars(query).first()
        assert row is not None
        session.expunge(row)
        return row


@pytest.fixture(scope="session")
def sealed_pdf(converter: Converter, shared_pki: Pki) -> bytes:
    """A visitor pledge from its sample data, sealed by the company with the shared PKI."""
    import json

    from documents import TemplateCatalog, prepare_agreement
    from signing import sign_document
    from workflows.services import COMPANY_DEFAULTS

    manifest = TemplateCatalog().get("visitor_pledge")
    data = json.loads((manifest.docx_path.parent / "sample.json").read_text(encoding="utf-8"))
    prepared = prepare_agreement(manifest, data, converter=converter)
    return sign_document(prepared.pdf, pki=shared_pki, identity=shared_pki.company(COMPANY_DEFAULTS["company_name"]),
                         field_name="company")


def sign_in(app: Flask, user_id: str) -> FlaskClient:
    """A fresh client signed in as ``user_id`` (the demo password)."""
    from web.demo import DEMO_PASSWORD

    client = app.test_client()
    response = client.post("/login", data={"username": user_id, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.text
    return client


# Two register entries of 技术研发部 an engineer may and may not see: what the leak and publication forms pick from.
GENERAL_ITEM, CORE_ITEM = "轴承保持架设计图（旧版）", "风电主轴轴承热处理工艺参数"


def add_register_items(web: WebState) -> dict[str, int]:
    """GENERAL_ITEM (general) and CORE_ITEM (core) in the register; their ids by name."""
    with transaction(web.sessions) as session:
        items = [SecretItem(name=GENERAL_ITEM, level="general", department="技术研发部"),
                 SecretItem(name=CORE_ITEM, level="core", department="技术研发部")]
        session.add_all(items)
        session.flush()
        return {i.name: i.id for i in items}
