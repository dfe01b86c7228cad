"""Leaving means leaving (issue 10, item 6): at offboarding's account step the leaver's sessions and API tokens end
at once; what they still owe — the hand-over signature, the monthly non-compete proof — reaches them by a personal
link with a one-time code, and is done as their own account (their name on the signature)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from records.db import transaction
from records.models import ApiToken, Document, ExternalLink, Notification, Task
from signing import verify_pdf
from tests.bpmn.driver import CST, example, signed_non_compete
from tests.web.support import CODE, LINK, last_match, sign_in
from web.demo import DEMO_PASSWORD
from web.state import WebState
from workflows import FixedClock

INTERVIEW = {"interview_date": "2026-11-23", "interviewer_name": "周明", "prohibited_acts_notified": True}
CARRIERS = {"handover_date": "2026-11-30", "receiver_name": "周明", "device_cleaned": True, "access_revoked": True,
            "items": [{"seq": 1, "name": "加密 U 盘（工艺试验数据）", "form": "电子", "level": "important",
                       "quantity": 1, "serial_number": "MB-USB-0087"}]}


def _ready(web: WebState, instance_id: int, name: str) -> Task:
    with web.sessions() as session:
        task = session.scalars(select(Task).where(Task.instance_id == instance_id, Task.spec_name == name,
                                                  Task.state == "ready")).one()
        session.expunge(task)
    return task


def _token(web: WebState, user_id: str) -> dict[str, str]:
    secret = f"token-of-{user_id}"
    with transaction(web.sessions) as session:
        session.add(ApiToken(user_id=user_id, label="HR system",
                             token_sha256=hashlib.sha256(secret.encode()).hexdigest()))
    return {"Authorization": f"Bearer {secret}"}


def _through_link(app: Flask, web: WebState, instance_id: int) -> tuple[FlaskClient, str]:
    token = last_match(web, LINK, instance_id)
    browser = app.test_client()
    assert browser.post(f"/x/{token}/code").status_code == 302
    code = last_match(web, CODE)
    assert browser.post(f"/x/{token}/code/check", data={"code": code}).status_code == 302
    return browser, token


def test_a_leaver_is_signed_out_at_once_and_finishes_by_personal_link(app: Flask, clock: FixedClock,
                                                                      fast_services: WebState) -> None:
    web, engine = fast_services, fast_services.engine
    signed_non_compete(engine, clock)
    view = engine.start("offboarding", example("offboarding", cooldown_applies=False), actor="hr01")
    employee = sign_in(app, "eng01")
    headers = _token(web, "eng01")
    api = app.test_client()
    assert employee.get("/inbox").status_code == 200
    assert api.get("/api/v1/tasks", headers=headers).status_code == 200

    engine.complete(_ready(web, view.id, "exit_interview").id, actor="sec01", data=INTERVIEW)
    engine.complete(_ready(web, view.id, "sign_exit_reminder_employee").id, actor="eng01", data={"agree": True})
    engine.complete(_ready(web, view.id, "sign_exit_reminder_secrecy_office").id, actor="sec01",
                    data={"agree": True})
    # The revocation ran: the session held in the browser and the API token stop working at once.
    assert employee.get("/inbox").status_code == 302
    assert api.get("/api/v1/tasks", headers=headers).status_code == 401
    again = app.test_client().post("/login", data={"username": "eng01", "password": DEMO_PASSWORD})
    assert again.status_code == 200 and ("Wrong user name or password" in again.text or "用户名或密码" in again.text)

    with web.sessions() as session:
        before = session.scalars(select(Notification.id).order_by(Notification.id.desc())).first() or 0
    engine.complete(_ready(web, view.id, "carrier_return").id, actor="sec01", data=CARRIERS)
    handover = _ready(web, view.id, "sign_carrier_handover_employee")
    assert handover.assignee == "eng01"
    with web.sessions() as session:
        mails = session.scalars(select(Notification).where(Notification.instance_id == view.id,
                                                           Notification.to_user == "eng01")).all()
        link = session.scalars(select(ExternalLink).where(ExternalLink.task_id == handover.id)).one()
    assert link.user_id == "eng01" and link.name == "王志强"
    # No "new task" mail pointing at a page they cannot open; the link goes via the secrecy office (no e-mail).
    assert [m.subject for m in mails if m.id > before] == [
        "请办理 / Please complete: 离职人员签署：载体交接清单"]
    assert mails[-1].to_role == "secrecy_office" and "/x/" in (mails[-1].body or "")

    browser, token = _through_link(app, web, view.id)
    page = browser.get(f"/x/{token}")
    assert page.status_code == 200 and f"/x/{token}/pages/1.png" in page.text
    assert browser.post(f"/x/{token}/sign", data={"agree": "on"}).status_code == 200
    assert browser.post(f"/x/{token}/sign", data={"agree": "on"}).status_code == 409
    engine.complete(_ready(web, view.id, "sign_carrier_handover_secrecy_office").id, actor="sec01",
                    data={"agree": True})
    with web.sessions() as session:
        document = session.scalars(select(Document).where(Document.instance_id == view.id,
                                                          Document.template_id == "carrier_handover")).one()
    assert [(s["party"], s["user"], s["signer"]) for s in document.signatures] == [
        ("company", "system", "聊城示例轴承有限公司"), ("employee", "eng01", "王志强"),
        ("secrecy_office", "sec01", "周明")]
    verdict = verify_pdf(web.services.blobs.get(document.path),
                         trust_roots=[web.services.pki.root_certificate_pem()])
    assert verdict.ok, verdict.problems

    # The first month of non-compete monitoring: the proof task opens on the 1st and reaches them by link.
    opens = dt.datetime(2026, 12, 1, 0, 5, tzinfo=CST)
    engine.tick(opens)
    clock.set(opens + dt.timedelta(days=2))
    proof = _ready(web, view.id, "submit_proof")
    assert proof.assignee == "eng01"
    browser, token = _through_link(app, web, view.id)
    form = browser.get(f"/x/{token}")
    assert form.status_code == 200 and 'name="proof_reference"' in form.text and 'type="file"' in form.text
    fields = {"employment_status": "employed", "new_employer": "聊城市某机械配件经销部",
              "proof_type": "social_insurance", "truthful": "on"}
    wrong = browser.post(f"/x/{token}/submit", data={**fields, "proof_reference": (io.BytesIO(b"not a PDF"),
                                                                                    "proof.pdf")},
                         content_type="multipart/form-data")
    assert wrong.status_code == 422 and _ready(web, view.id, "submit_proof").id == proof.id
    pdf = web.services.blobs.get(document.path)
    sent = browser.post(f"/x/{token}/submit", data={**fields, "proof_reference": (io.BytesIO(pdf), "社保缴纳证明.pdf")},
                        content_type="multipart/form-data")
    assert sent.status_code == 200 and ("Submitted" in sent.text or "已提交" in sent.text)
    with web.sessions() as session:
        done = session.get(Task, proof.id)
        assert done is not None and done.completed_by == "eng01"
    assert str(engine.task_data(_ready(web, view.id, "record_payment").id)["proof_reference"]).startswith("upload:")
    assert browser.post(f"/x/{token}/submit", data=fields).status_code == 409

