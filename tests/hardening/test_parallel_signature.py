"""Ten submissions of one signature at once (same sign task, same user): one signature in the PDF, nine conflicts.

Through the engine on SQLite and PostgreSQL, and through the web sign route (Flask test clients in threads).
The PDF is read with pypdf, independently of our verifier: every /Sig field that carries a value is counted.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from records.db import transaction
from records.instance import Instance
from records.models import Document, User
from records.people import DEMO_PEOPLE, ensure_people
from signing import Converter, Pki, verify_pdf
from tests.bpmn.driver import AGREE, START, example
from tests.hardening.conftest import record
from tests.race import all_at_once
from web import create_app
from web.demo import DEMO_PASSWORD
from web.passwords import hash_password
from web.state import WebState
from workflows import Engine, FixedClock
from workflows.agreements import document_bytes

SUBMISSIONS = 10
TASK = "sign_annual_pledge_employee"


def filled_signature_fields(pdf: bytes) -> Counter[str]:
    """Signature fields whose value is a signature (not the document timestamp), by name, as pypdf reads them."""
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    found: Counter[str] = Counter()
    for name, field in fields.items():
        value = field.get("/V")
        if field.get("/FT") == "/Sig" and value is not None and value.get_object().get("/Type") == "/Sig":
            found[name] += 1
    return found


def _check_document(engine: Engine, instance_id: int, root_pem: bytes) -> None:
    view = engine.show(instance_id)
    assert [h["action"] for h in view.history].count("completed") == 1, view.history
    with engine.sessions() as session:
        document = session.scalars(select(Document).where(Document.instance_id == instance_id)).one()
        pdf = document_bytes(engine.services, document)
        assert [(s["party"], s["user"]) for s in document.signatures] == [("company", "system"),
                                                                            ("employee", "eng01")]
    assert filled_signature_fields(pdf) == Counter({"company": 1, "employee": 1})
    verdict = verify_pdf(pdf, trust_roots=[root_pem])
    assert verdict.ok, verdict.problems
    assert [s.field for s in verdict.signatures if s.kind == "signature"] == ["company", "employee"]


def test_engine_signs_once(real_engine: Engine) -> None:
    engine = real_engine
    view = engine.start("annual_pledge", example("annual_pledge"), actor="hr01")
    task = next(t for t in view.tasks if t.name == TASK)
    outcomes = all_at_once(SUBMISSIONS, lambda _: engine.complete(task.id, actor="eng01", data=AGREE) and "won")
    backend = engine.sessions.kw["bind"].dialect.name
    record(f"parallel signature [engine, {backend}]: {SUBMISSIONS} submissions -> {dict(Counter(outcomes))}")
    assert sorted(outcomes) == ["conflict"] * (SUBMISSIONS - 1) + ["won"], outcomes
    _check_document(engine, view.id, engine.services.pki.root_certificate_pem())


def test_web_route_signs_once(tmp_path: Path, converter: Converter, hardening_pki: Pki) -> None:
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path), "WARM_CONVERTERS": 0,
                      "WTF_CSRF_ENABLED": False, "TESTING": True, "MIBAO_RATE_LIMITS": False},
                     clock=FixedClock(START))
    web: WebState = app.extensions["mibao"]
    web.services._converter, web.services._pki = converter, hardening_pki
    try:
        with transaction(web.sessions) as session:
            ensure_people(session, DEMO_PEOPLE)
            user = session.get(User, "eng01")
            assert user is not None
            user.password_hash = hash_password(DEMO_PASSWORD)
        view = web.engine.start("annual_pledge", example("annual_pledge"), actor="hr01")
        task = next(t for t in view.tasks if t.name == TASK)
        clients = []
        for _ in range(SUBMISSIONS):
            client = app.test_client()
            assert client.post("/login", data={"username": "eng01", "password": DEMO_PASSWORD}).status_code == 302
            clients.append(client)

        def submit(i: int) -> str:
            return str(clients[i].post(f"/tasks/{task.id}/sign", data={"agree": "on"}).status_code)

        outcomes = all_at_once(SUBMISSIONS, submit)
        record(f"parallel signature [web route, sqlite]: {SUBMISSIONS} submissions -> HTTP {dict(Counter(outcomes))}")
        assert sorted(outcomes) == ["302"] + ["409"] * (SUBMISSIONS - 1), outcomes
        _check_document(web.engine, view.id, hardening_pki.root_certificate_pem())
    finally:
        web.services._converter = None
        web.close()
