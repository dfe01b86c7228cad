"""A visitor pledge end to end: the company seals it, the visitor signs through the link and a code read from the
outbox, the host countersigns; the final PDF verifies with the visitor's own name on their signature."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from records.models import Document, Notification
from signing import verify_pdf
from tests.bpmn.driver import example
from tests.web.support import CODE, CONTACT, LINK, sign_in
from web.state import WebState

REQUEST = {"request_reason": "检测设备售后回访，参观成品检测中心外围区域。", "minimal_necessity": True}
APPROVAL = {"approved": True, "approval_date": "2026-11-21"}


def _ready(web: WebState, instance_id: int, name: str) -> str:
    return next(t.id for t in web.engine.show(instance_id).tasks if t.name == name and t.state == "ready")


def _outbox_code(hr: FlaskClient, web: WebState) -> str:
    with web.sessions() as session:
        note = session.scalars(select(Notification).order_by(Notification.id.desc())).first()
        assert note is not None
    page = hr.get(f"/outbox/{note.id}")
    assert page.status_code == 200
    found = CODE.search(page.text)
    assert found, page.text
    return found.group(1)


def test_visitor_signs_by_link_and_host_countersigns(app: Flask, client: FlaskClient,
                                                     fast_services: WebState) -> None:
    web = fast_services
    view = web.engine.start("external_nda", example("external_nda", external_contact=CONTACT), actor="eng01")
    web.engine.complete(_ready(web, view.id, "host_request"), actor="eng01", data=REQUEST)
    web.engine.complete(_ready(web, view.id, "department_approval"), actor="head01", data=APPROVAL)

    hr = sign_in(app, "hr01")
    token = LINK.search(hr.get("/outbox").text and _mail_with_link(web, view.id)).group(1)  # type: ignore[union-attr]
    page = client.get(f"/x/{token}").text
    assert "Send me a code" in page or "发送验证码" in page
    assert client.post(f"/x/{token}/code").status_code == 302
    assert client.post(f"/x/{token}/code/check", data={"code": _outbox_code(hr, web)}).status_code == 302
    page = client.get(f"/x/{token}")
    assert "I have read and agree" in page.text or "本人已阅读并同意" in page.text
    assert f"/x/{token}/pages/1.png" in page.text
    image = client.get(f"/x/{token}/pages/1.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert client.post(f"/x/{token}/sign", data={"agree": "on"}).status_code == 200
    assert client.post(f"/x/{token}/sign", data={"agree": "on"}).status_code == 409

    done = web.engine.complete(_ready(web, view.id, "sign_host"), actor="eng01", data={"agree": True})
    assert done.status == "completed", done.error
    with web.sessions() as session:
        document = session.scalars(select(Document).where(Document.instance_id == view.id)).one()
    assert [(s["party"], s["signer"]) for s in document.signatures] == [
        ("company", "聊城示例轴承有限公司"), ("visitor", "赵晓东"), ("host", "王志强")]
    pdf = web.services.blobs.get(document.path)
    verdict = verify_pdf(pdf, trust_roots=[web.services.pki.root_certificate_pem()])
    assert verdict.ok, verdict.problems
    assert [r.signer for r in verdict.signatures if r.kind == "signature"] == ["聊城示例轴承有限公司", "赵晓东",
                                                                                "王志强"]
    with web.sessions() as session:   # the signed PDF goes to the visitor too
        sent = session.scalars(select(Notification).where(Notification.document_id == document.id)).all()
    assert CONTACT in {n.to_email for n in sent}


def _mail_with_link(web: WebState, instance_id: int) -> str:
    with web.sessions() as session:
        notes = session.scalars(select(Notification).where(Notification.instance_id == instance_id,
                                                           Notification.to_email == CONTACT)).all()
    return next(n.body or "" for n in notes if LINK.search(n.body or ""))


def test_the_mail_and_the_page_name_the_agreement_the_company_and_who_asks(app: Flask, client: FlaskClient,
                                                                         fast_services: WebState) -> None:
    """Issue 15 item 6: not the workflow step's name ("外部人员通过链接签署"), and the expiry in China time."""
    web = fast_services
    view = web.engine.start("external_nda", example("external_nda", external_contact=CONTACT), actor="eng01")
    web.engine.complete(_ready(web, view.id, "host_request"), actor="eng01", data=REQUEST)
    web.engine.complete(_ready(web, view.id, "department_approval"), actor="head01", data=APPROVAL)
    with web.sessions() as session:
        mail = session.scalars(select(Notification).where(Notification.instance_id == view.id,
                                                          Notification.to_role == "external")).one()
    assert mail.subject == ("请签署《参观保密承诺书》/ Please sign: Visitor Confidentiality Pledge"
                            " — 聊城示例轴承有限公司")
    body = mail.body or ""
    assert "聊城示例轴承有限公司的王志强（技术研发部）请您查看并签署《参观保密承诺书》" in body
    assert "外部人员" not in body and "UTC" not in body and "（北京时间 / China time）" in body
    token = LINK.search(body).group(1)  # type: ignore[union-attr]
    page = client.get(f"/x/{token}").text
    assert "王志强（技术研发部）" in page and "参观保密承诺书" in page and "聊城示例轴承有限公司" in page
