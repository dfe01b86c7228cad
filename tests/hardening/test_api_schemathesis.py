"""Property-based tests of ``/api/v1`` from its own OpenAPI document (schemathesis, through the WSGI app).

Every operation gets a bounded number of generated requests with a valid bearer token (an hr user, who may
start processes and sees every instance and task): no 5xx, and every response conforms to the document
(status code declared, content type, body schema).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402 - only with schemathesis (which brings hypothesis)
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from records.db import transaction  # noqa: E402
from records.instance import Instance  # noqa: E402
from records.models import ApiToken  # noqa: E402
from records.people import DEMO_PEOPLE, ensure_people  # noqa: E402
from tests.bpmn.driver import START  # noqa: E402
from tests.hardening.conftest import record  # noqa: E402
from web import create_app  # noqa: E402
from web.openapi import openapi_document  # noqa: E402
from web.state import WebState  # noqa: E402
from workflows import FixedClock  # noqa: E402

EXAMPLES = 30
TOKEN = "hardening-schemathesis-token"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path), "WARM_CONVERTERS": 0,
                      "WTF_CSRF_ENABLED": False, "TESTING": True, "MIBAO_RATE_LIMITS": False},
                     clock=FixedClock(START))
    web: WebState = app.extensions["mibao"]
    with transaction(web.sessions) as session:
        ensure_people(session, DEMO_PEOPLE)
        session.add(ApiToken(user_id="hr01", label="schemathesis",
                             token_sha256=hashlib.sha256(TOKEN.encode()).hexdigest()))
    yield app
    web.close()


# schemathesis' own pytest integration (``from_fixture``) fails on pytest 9 (``Function._nodeid``), so each
# operation is a parametrised test that runs hypothesis over the operation's strategy itself. Loaded from the
# app, schemathesis leaves out the document's own operation (GET /openapi.json); tests/web/test_api.py
# validates that document with openapi-spec-validator.
OPERATIONS = [label for op in schemathesis.openapi.from_dict(openapi_document("http://localhost/api/v1"))
              .get_all_operations() if (label := op.ok().label) != "GET /openapi.json"]


@pytest.mark.parametrize("label", OPERATIONS)
def test_api_conforms(api_app: Flask, label: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    [operation] = [op.ok() for op in schema.get_all_operations() if op.ok().label == label]
    calls: list[int] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def run(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
        calls.append(response.status_code)

    run()
    record(f"schemathesis [{label}]: {len(calls)} requests, statuses {dict(sorted(Counter(calls).items()))}")
    assert calls and all(code < 500 for code in calls)
