"""The outside parties' pledges from the web Start menu (issue 13, item 5): each started by the people who need it —
a host for a visit or a meeting, the department head or the secrecy office for entry to a secret area (with a named
escort; the area's department head approves, from the organisation), purchasing for a bid evaluation, the secrecy
office for an administrative inspection — and refused to others; the outside party signs through the link, whose
mail names the agreement, the company and who asks; the signed PDF verifies."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from records.db import transaction
from records.models import Document, Notification, ProcessInstance, User
from signing import verify_pdf
from tests.bpmn.driver import START
from tests.bpmn.pledges import APPROVAL, AREA_ENTRY, BID_EVALUATION, INSPECTION, MEETING, REQUEST, add_purchasing
from tests.web.support import CODE, LINK, sign_in
from web.demo import DEMO_PASSWORD
from web.passwords import hash_password
from web.state import WebState

Login = Callable[[str], FlaskClient]
OFFERED = re.compile(r'href="/start/external_nda\?agreement=([a-z_]+)"')
EVERYONE = {"visitor_pledge", "meeting_pledge", "audit_nda", "maintenance_nda", "cooperation_nda"}


@pytest.fixture
def purchasing(web: WebState) -> WebState:
    add_purchasing(web.sessions, START)
    with transaction(web.sessions) as session:
        for user_id in ("buyer01", "head02"):
            user = session.get(User, user_id)
            assert user is not None
            user.password_hash = hash_password(DEMO_PASSWORD)
    return web


def _posted(data: dict[str, Any]) -> dict[str, str]:
    """Start data as a browser posts it: ticked boxes are "on", unticked ones absent."""
    return {k: ("on" if v is True else str(v)) for k, v in data.items() if v is not False}


def _instance(web: WebState) -> ProcessInstance:
    with web.sessions() as session:
        row = session.scalars(select(ProcessInstance).where(ProcessInstance.process_id == "external_nda")
                              .order_by(ProcessInstance.id.desc())).first()
        assert row is not None
        return row


def _ready(web: WebState, instance_id: int, name: str) -> Any:
    return next(t for t in web.engine.show(instance_id).tasks if t.name == name and t.state == "ready")


def test_each_pledge_is_offered_to_those_who_need_it(login: Login, purchasing: WebState) -> None:
    def offered(user_id: str) -> set[str]:
        return set(OFFERED.findall(login(user_id).get("/start").text))

    assert offered("eng01") == EVERYONE
    assert offered("head01") == EVERYONE | {"area_entry_pledge"}
    assert offered("sec01") == EVERYONE | {"area_entry_pledge", "inspection_nda"}
    assert offered("buyer01") == EVERYONE | {"bid_evaluation_pledge"}
    menu = login("eng01").get("/start").text          # 会议保密承诺书 once the catalogue has it
    assert "外部人员保密协议: 会议保密承诺书" in menu or "外部人员保密协议: meeting pledge" in menu


def test_a_pledge_not_yours_is_not_found_and_refused(login: Login, purchasing: WebState) -> None:
    eng = login("eng01")
    for agreement in ("inspection_nda", "bid_evaluation_pledge", "area_entry_pledge"):
        assert eng.get(f"/start/external_nda?agreement={agreement}").status_code == 404
    for data, by in ((INSPECTION, "secrecy_office"), (BID_EVALUATION, "purchasing"),
                     (AREA_ENTRY, "department_head, secrecy_office")):
        refused = eng.post("/start/external_nda", data=_posted({**data, "host_user": "eng01"}))
        assert refused.status_code == 422 and f"is started by {by}" in refused.text
    head = login("head01")
    assert head.post("/start/external_nda", data=_posted(INSPECTION)).status_code == 422
    assert head.post("/start/external_nda", data=_posted(BID_EVALUATION)).status_code == 422
    with purchasing.sessions() as session:
        assert session.scalars(select(ProcessInstance)).first() is None


def test_the_form_of_one_pledge_asks_for_its_own_fields(login: Login) -> None:
    page = login("eng01").get("/start/external_nda?agreement=meeting_pledge").text
    assert '<option value="meeting_pledge" selected>' in page and '<option value="attendee" selected>' in page
    assert 'name="attendee_name"' in page and 'name="meeting_venue"' in page
    assert 'name="visitor_name"' not in page and 'name="inspector_name"' not in page
    area = login("head01").get("/start/external_nda?agreement=area_entry_pledge").text
    assert 'name="area_department" value="技术研发部"' in area           # the head's own department


@pytest.mark.parametrize(("starter", "data"), [("eng01", MEETING), ("buyer01", BID_EVALUATION),
                                               ("sec01", INSPECTION), ("head01", AREA_ENTRY),
                                               ("sec01", AREA_ENTRY)])
def test_each_pledge_is_started_by_its_role(login: Login, purchasing: WebState, starter: str,
                                            data: dict[str, Any]) -> None:
    started = login(starter).post("/start/external_nda", data=_posted(data))
    assert started.status_code == 302 and started.headers["Location"] == "/inbox", started.text
    row = _instance(purchasing)
    assert row.started_by == starter
    request = _ready(purchasing, row.id, "host_request")
    assert request.assignee == data["host_user"]                       # the host or the named escort
    purchasing.engine.complete(request.id, actor=str(data["host_user"]), data=REQUEST)
    approval = _ready(purchasing, row.id, "department_approval")
    assert approval.assignee == {"buyer01": "head02"}.get(str(data["host_user"]), "head01")   # from the organisation


def test_area_entry_escort_from_the_staff_only(login: Login) -> None:
    head = login("head01")
    outsider = head.post("/start/external_nda", data=_posted({**AREA_ENTRY, "host_user": "visitor01"}))
    assert outsider.status_code == 422 and "not on the staff" in outsider.text


def _outbox_code(app: Flask, web: WebState) -> str:
    with web.sessions() as session:
        note = session.scalars(select(Notification).order_by(Notification.id.desc())).first()
        assert note is not None
    found = CODE.search(sign_in(app, "hr01").get(f"/outbox/{note.id}").text)
    assert found
    return found.group(1)


def test_area_entry_signed_through_the_link_and_verified(app: Flask, client: FlaskClient,
                                                         fast_services: WebState) -> None:
    web = fast_services
    sec = sign_in(app, "sec01")
    assert sec.post("/start/external_nda", data=_posted(AREA_ENTRY)).status_code == 302
    row = _instance(web)
    web.engine.complete(_ready(web, row.id, "host_request").id, actor="eng02", data=REQUEST)
    web.engine.complete(_ready(web, row.id, "department_approval").id, actor="head01", data=APPROVAL)

    with web.sessions() as session:
        mail = session.scalars(select(Notification).where(Notification.instance_id == row.id,
                                                          Notification.to_role == "external")).one()
    assert mail.subject == ("请签署《临时保密承诺书（进入涉密区域）》/ Please sign: Temporary Confidentiality Pledge "
                            "for Entering a Secret Area — 聊城示例轴承有限公司")
    body = mail.body or ""
    assert "孙海涛，您好" in body and "聊城示例轴承有限公司的李娜（技术研发部）请您查看并签署《临时保密承诺书" in body
    token = LINK.search(body).group(1)  # type: ignore[union-attr]
    page = client.get(f"/x/{token}").text
    assert "李娜（技术研发部）" in page and "临时保密承诺书" in page and "聊城示例轴承有限公司" in page
    assert client.post(f"/x/{token}/code").status_code == 302
    assert client.post(f"/x/{token}/code/check", data={"code": _outbox_code(app, web)}).status_code == 302
    assert client.post(f"/x/{token}/sign", data={"agree": "on"}).status_code == 200

    done = web.engine.complete(_ready(web, row.id, "sign_host").id, actor="eng02", data={"agree": True})
    assert done.status == "completed", done.error
    with web.sessions() as session:
        document = session.scalars(select(Document).where(Document.instance_id == row.id)).one()
    assert document.template_id == "area_entry_pledge"
    verdict = verify_pdf(web.services.blobs.get(document.path), trust_roots=[web.services.pki.root_certificate_pem()])
    assert verdict.ok, verdict.problems
    assert [r.signer for r in verdict.signatures if r.kind == "signature"] == ["聊城示例轴承有限公司", "孙海涛", "李娜"]


def test_inspection_mail_names_the_agreement_and_who_asks(app: Flask, fast_services: WebState) -> None:
    web = fast_services
    assert sign_in(app, "sec01").post("/start/external_nda", data=_posted(INSPECTION)).status_code == 302
    row = _instance(web)
    web.engine.complete(_ready(web, row.id, "host_request").id, actor="eng01", data=REQUEST)
    web.engine.complete(_ready(web, row.id, "department_approval").id, actor="head01", data=APPROVAL)
    with web.sessions() as session:
        mail = session.scalars(select(Notification).where(Notification.instance_id == row.id,
                                                          Notification.to_role == "external")).one()
    assert mail.subject == ("请签署《行政检查保密协议》/ Please sign: Administrative Inspection Confidentiality "
                            "Agreement — 聊城示例轴承有限公司")
    body = mail.body or ""
    assert "高建国，您好" in body and "王志强（技术研发部）请您查看并签署《行政检查保密协议》" in body
