"""Every route that takes an id, called with a real id that belongs to somebody else.

``test_routes.py`` walks the URL map with ids that name nothing; here each id names a real task, agreement,
process, register entry, carrier, hand-over line, destruction record, access request, message or upload of
other people, and a colleague from the same department (and an outsider with an account) asks for it. Nothing
may be shown, nothing may change, and nothing of the record may leak into the error page. A new route with an
id fails this test until its id is added to ``world``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from records import api_tokens, sign_ins
from records.access_grants import request_access, resource_of_item
from records.carriers import register_carrier, run_step
from records.db import transaction
from records.destructions import request_destruction
from records.models import (
    AccessGrant,
    ApiToken,
    Carrier,
    CarrierMovement,
    Destruction,
    Document,
    Notification,
    ProcessInstance,
    SecretItem,
    SecurityKey,
    SignIn,
    Task,
    TokenScope,
    User,
)
from tests.web.flows import to_committee_vote, to_first_signature
from tests.web.support import fast_services  # noqa: F401 - fixture
from web.state import WebState
from web.uploads import store_upload
from workflows.launch import RowIn, accept

Login = Callable[[str], FlaskClient]
SECRET_NAME = "风电主轴轴承套圈热处理工艺参数"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
# Routes whose id is not somebody's record: the language code, static files, process definitions (HR's
# launch pages, refused by role), and the /x/ links, whose forged and foreign tokens test_external covers.
NOT_OWNED = {"auth.language", "static", "hr.start", "hr.start_person", "hr.start_csv", "hr.csv_sample",
             "api.start", "auth.set_password",   # a password link is its own key (test_password_links.py)
             "start.form", "start.start"}        # who starts what: tests/web/test_start.py


def _as(web: WebState, user_id: str, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    def call(session: Any) -> Any:
        user = session.get(User, user_id)
        return step(session, user, *args, now=web.engine.clock.now(), **kwargs)

    return run_step(web.sessions, call)


@pytest.fixture
def world(web: WebState, app: Flask, fast_services: WebState) -> dict[str, Any]:  # noqa: F811
    """Records that belong to eng01, the committee, the secrecy office — never to the intruders."""
    sign_task = to_first_signature(web.engine)
    committee = to_committee_vote(web.engine)
    with transaction(web.sessions) as session:
        item = SecretItem(name=SECRET_NAME, level="core", department="技术研发部", knowers="王志强", approval={})
        session.add(item)
        session.add(ApiToken(user_id="eng02", label="t", token_sha256=hashlib.sha256(b"eng02-token").hexdigest()))
        session.flush()
        item_id = item.id
        vote_task = session.scalars(select(Task.id).where(Task.instance_id == committee, Task.assignee == "gm01")
                                    .limit(1)).one()
        message = session.scalars(select(Notification.id).limit(1)).one()
        eng01 = session.get(User, "eng01")
        assert eng01 is not None
        grant = request_access(session, eng01, resource_of_item(item), "view", "核对热处理参数",
                               now=web.engine.clock.now()).id
        sign_ins.begin(session, eng01, now=web.engine.clock.now(), limits=sign_ins.Limits())
        eng01_sign_in = session.scalars(select(SignIn.id).where(SignIn.user_id == "eng01")).one()
        eng01_token = api_tokens.create(session, user_id="eng01", label="eng01's", scope=TokenScope.READ, days=30,
                                        now=web.engine.clock.now())[0].id
        for credential in ("eng01-key-1", "eng01-key-2"):      # two: removing one of them would be allowed
            session.add(SecurityKey(user_id="eng01", credential_id=credential, public_key=b"-", sign_count=0,
                                    transports=[], label="eng01's key", created_at=web.engine.clock.now()))
        session.flush()
        eng01_key = session.scalars(select(SecurityKey.id).where(SecurityKey.user_id == "eng01")).first()
    carrier = _as(web, "sec01", register_carrier, serial="HX-001", name=SECRET_NAME, level="core", form="paper",
                  department="技术研发部")
    other = _as(web, "sec01", register_carrier, serial="HX-002", name=SECRET_NAME, level="core", form="paper",
                department="技术研发部")
    destruction = _as(web, "liaison01", request_destruction, other.id, "shred", "已过保密期限，申请销毁。")
    with web.sessions() as session:
        movement = session.scalars(select(CarrierMovement.id).where(CarrierMovement.carrier_id == carrier.id)).one()
    batch = accept(web.engine, "annual_pledge", "people.csv", [RowIn(1, "王志强", problems=["year: required"])],
                   actor="hr01")
    with app.test_request_context():
        upload = store_upload(web, FileStorage(io.BytesIO(PNG), "proof.png"), ["image/png"]).split(":", 1)[1]
    return {"task_id": sign_task.id, "vote_task_id": vote_task, "document_id": sign_task.sign_document,
            "number": 1, "instance_id": sign_task.instance_id, "committee_instance_id": committee,
            "user_id": "eng01", "item_id": item_id, "grant_id": grant, "carrier_id": carrier.id,
            "movement_id": movement, "destruction_id": destruction.id, "message_id": message, "name": upload,
            "batch_id": batch, "sign_in_id": eng01_sign_in, "token_id": eng01_token,
            "key_id": eng01_key, "template_id": "nda"}


def _values(endpoint: str, arguments: set[str], world: dict[str, Any]) -> dict[str, Any]:
    values = {arg: world[arg] for arg in arguments}
    if endpoint.startswith("committee."):
        values = {**values, "task_id": world["vote_task_id"], "instance_id": world["committee_instance_id"]}
    return values


def _state(web: WebState) -> list[tuple[Any, ...]]:
    """Everything a refused request must leave as it was."""
    with web.sessions() as session:
        rows: list[tuple[Any, ...]] = []
        for query in (select(Task.id, Task.state, Task.completed_by), select(Document.id, Document.status,
                      Document.path), select(ProcessInstance.id, ProcessInstance.status, ProcessInstance.version),
                      select(AccessGrant.id, AccessGrant.status), select(Carrier.id, Carrier.status, Carrier.holder),
                      select(CarrierMovement.id, CarrierMovement.confirmed_by), select(Destruction.id,
                      Destruction.status, Destruction.approved_by), select(SignIn.id, SignIn.ended_at),
                      select(ApiToken.id, ApiToken.revoked_at), select(SecurityKey.id, SecurityKey.user_id)):
            rows.extend(tuple(r) for r in session.execute(query))
        return rows


@pytest.mark.parametrize("intruder", ["eng02", "cm03"])
def test_another_users_ids_open_nothing_and_change_nothing(app: Flask, web: WebState, login: Login,
                                                          world: dict[str, Any], intruder: str) -> None:
    client = login(intruder)
    before = _state(web)
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint in NOT_OWNED or rule.rule.startswith("/x/"):
            continue
        assert rule.arguments <= set(world), f"{rule.endpoint}: add its id to the world fixture"
        built = rule.build(_values(rule.endpoint, set(rule.arguments), world), append_unknown=False)
        assert built is not None
        path = built[1]
        # The API as eng02 (by token); the outsider has no token, and test_api covers the unauthenticated API.
        headers = {"Authorization": "Bearer eng02-token"} if path.startswith("/api/") else {}
        if path.startswith("/api/") and intruder != "eng02":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, headers=headers, data={} if method == "POST" else None)
            checked.append(rule.endpoint)
            assert response.status_code in (403, 404), (rule.endpoint, method, path, response.status_code)
            assert SECRET_NAME not in response.get_data(as_text=True), (rule.endpoint, method)
    assert _state(web) == before
    assert len(set(checked)) >= (30 if intruder == "eng02" else 26), sorted(set(checked))
