"""The JSON API: bearer tokens, start / list / complete / fetch as the token's user, the OpenAPI document, and
``mibao token create``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from cli import mibao
from records.db import transaction
from records.instance import Instance
from records.models import ApiToken, AuditRecord, ProcessInstance, SecretItem, utcnow
from tests.bpmn.driver import example
from tests.web.flows import to_committee_vote
from web import create_app
from web.state import WebState

REQUEST = {"request_reason": "检测设备售后回访，参观成品检测中心外围区域。", "minimal_necessity": True}
APPROVAL = {"approved": True, "approval_date": "2026-11-21"}


def _token(web: WebState, user_id: str, *, revoked: bool = False) -> dict[str, str]:
    secret = f"test-token-{user_id}-{revoked}"
    with transaction(web.sessions) as session:
        session.add(ApiToken(user_id=user_id, label="test", token_sha256=hashlib.sha256(secret.encode()).hexdigest(),
                             revoked_at=utcnow() if revoked else None))
    return {"Authorization": f"Bearer {secret}"}


def _json(response: Any) -> Any:
    assert response.is_json, response.text
    return response.get_json()


def test_no_token_or_a_bad_one_is_401(client: FlaskClient, web: WebState) -> None:
    revoked = _token(web, "hr01", revoked=True)
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic aHIwMTpw"}, revoked):
        response = client.get("/api/v1/tasks", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert _json(response)["status"] == 401


def test_a_session_cookie_is_not_enough(client: FlaskClient, login: Any) -> None:
    login("hr01")
    assert client.get("/api/v1/tasks").status_code == 401


def test_start_list_complete_fetch(client: FlaskClient, fast_services: WebState) -> None:
    web = fast_services
    hr, host, head, other = (_token(web, u) for u in ("hr01", "eng01", "head01", "eng02"))
    # The host (eng01 in the example) asks for a visitor's NDA; another employee cannot ask in their name.
    assert client.post("/api/v1/processes/external_nda/instances", json=example("external_nda"),
                       headers=other).status_code == 403
    assert client.post("/api/v1/processes/classification/instances", json={"department": "技术研发部"},
                       headers=host).status_code == 403                  # a liaison's to start
    assert client.post("/api/v1/processes/nope/instances", json={}, headers=hr).status_code == 404
    bad = client.post("/api/v1/processes/external_nda/instances", json={"agreement": "x"}, headers=hr)
    assert bad.status_code == 422 and _json(bad)["problems"]
    assert client.post("/api/v1/processes/external_nda/instances", data="[]", headers=hr).status_code == 422
    started = client.post("/api/v1/processes/external_nda/instances", json=example("external_nda"), headers=hr)
    assert started.status_code == 201
    instance_id = _json(started)["id"]

    mine = _json(client.get("/api/v1/tasks", headers=host))["tasks"]
    task = next(t for t in mine if t["instance_id"] == instance_id)
    assert task["name"] == "host_request" and task["created_at"].startswith("2026-11-21T")
    theirs = _json(client.get("/api/v1/tasks", headers=other))["tasks"]
    assert not [t for t in theirs if t["instance_id"] == instance_id]
    assert client.get("/api/v1/tasks?user=eng01", headers=other).status_code == 403
    assert [t["id"] for t in _json(client.get("/api/v1/tasks?user=eng01", headers=hr))["tasks"]] == [task["id"]]

    assert client.post(f"/api/v1/tasks/{task['id']}/complete", json=REQUEST, headers=other).status_code == 404
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json=REQUEST, headers=host)
    assert done.status_code == 200
    again = client.post(f"/api/v1/tasks/{task['id']}/complete", json=REQUEST, headers=host)
    assert again.status_code == 409 and "already" in _json(again)["error"]

    approval = next(t for t in _json(client.get("/api/v1/tasks", headers=head))["tasks"]
                    if t["instance_id"] == instance_id)
    view = _json(client.post(f"/api/v1/tasks/{approval['id']}/complete", json=APPROVAL, headers=head))
    document_id = view["documents"][0]["id"]
    assert "path" not in view["documents"][0]

    assert client.get(f"/api/v1/instances/{instance_id}", headers=host).status_code == 200
    assert client.get(f"/api/v1/instances/{instance_id}", headers=other).status_code == 404
    meta = _json(client.get(f"/api/v1/documents/{document_id}", headers=hr))
    assert meta["status"] == "awaiting_signatures" and [s["party"] for s in meta["signatures"]] == ["company"]
    pdf = client.get(meta["pdf"], headers=hr)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert client.get(f"/api/v1/documents/{document_id}", headers=other).status_code == 404
    assert client.get(f"/api/v1/documents/{document_id}.pdf", headers=other).status_code == 404
    assert client.get("/api/v1/documents/MB-NOPE", headers=hr).status_code == 404


def test_openapi_document(client: FlaskClient, app: Flask) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = _json(response)
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    api_rules = {rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{").replace(">", "}")
                 for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert api_rules == {"/processes/{process_id}/instances", "/instances/{instance_id}", "/tasks",
                         "/tasks/{task_id}/complete", "/documents/{document_id}", "/documents/{document_id}.pdf",
                         "/openapi.json"}
    assert set(spec["paths"]) == api_rules
    from openapi_spec_validator import validate

    validate(spec)


def test_token_create_prints_a_working_token(tmp_path: Path) -> None:
    env = {"MIBAO_INSTANCE": str(tmp_path / "instance")}
    runner = CliRunner()
    assert runner.invoke(mibao, ["user", "demo"], env=env).exit_code == 0
    result = runner.invoke(mibao, ["token", "create", "hr01", "--label", "HR system"], env=env)
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    assert runner.invoke(mibao, ["token", "create", "nobody", "--label", "x"], env=env).exit_code != 0
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path / "instance"), "WARM_CONVERTERS": 0,
                      "TESTING": True, "MIBAO_RATE_LIMITS": False})
    try:
        response = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200
    finally:
        app.extensions["mibao"].close()


def test_the_secrecy_office_cannot_run_a_committee_decision_through_the_api(client: FlaskClient, web: WebState
                                                                             ) -> None:
    """The attack of issue 10: an officer's token starts a level change naming itself the committee and chair, with
    a false current level. Refused, naming each field and where it comes from; the core item stays core."""
    with transaction(web.sessions) as session:
        item = SecretItem(name="风电主轴轴承套圈热处理工艺参数", level="core", department="技术研发部", approval={})
        session.add(item)
        session.flush()
        item_id = item.id
    officer = _token(web, "sec01")
    forged = {**example("level_change", item_id=item_id, new_level="important", new_period="5年"),
              "committee_members": ["sec01"], "committee_chair": "sec01", "current_level": "important"}
    refused = client.post("/api/v1/processes/level_change/instances", json=forged, headers=officer)
    assert refused.status_code == 422
    problems = _json(refused)["problems"]
    assert [p.split(":")[0] for p in problems] == ["committee_chair", "committee_members", "current_level"]
    assert "deciders come from the organisation" in problems[0] and "secret register" in problems[2]
    # Without the forged fields the committee of the organisation votes, and the chair must approve (core).
    started = client.post("/api/v1/processes/level_change/instances",
                          json=example("level_change", item_id=item_id, new_level="important", new_period="5年"),
                          headers=officer)
    assert started.status_code == 201
    with web.sessions() as session:
        assert session.get(SecretItem, item_id).level == "core"
        assert session.scalar(select(ProcessInstance.status).where(ProcessInstance.id == _json(started)["id"])) \
            == "running"


def test_an_instance_about_a_core_item_is_read_whole_only_by_its_deciders(client: FlaskClient, web: WebState
                                                                          ) -> None:
    """Issue 10: HR oversees every instance, but a classification of a core item shows HR its progress without
    its data; the secrecy officers who worked on it and the committee read it whole; each reading is recorded."""
    instance_id = to_committee_vote(web.engine)
    hr = _json(client.get(f"/api/v1/instances/{instance_id}", headers=_token(web, "hr01")))
    assert hr["data"] == {} and hr["withheld"]["level"] == "core"
    assert [t["name"] for t in hr["tasks"] if t["state"] == "ready"] == ["committee_vote"] * 3
    assert "风电主轴" not in json.dumps(hr, ensure_ascii=False)
    for decider in ("sec01", "gm01", "liaison01"):
        whole = _json(client.get(f"/api/v1/instances/{instance_id}", headers=_token(web, decider)))
        assert whole["data"]["item_name"] == "风电主轴轴承套圈热处理工艺参数" and "withheld" not in whole
    assert client.get(f"/api/v1/instances/{instance_id}", headers=_token(web, "eng02")).status_code == 404
    with web.sessions() as session:
        denied = session.scalars(select(AuditRecord).where(AuditRecord.target_id == f"instance-{instance_id}",
                                                           AuditRecord.actor == "hr01")).all()
    assert [(r.action, r.result, r.level) for r in denied] == [("view", "denied", "core")]
