"""Scenario 2 in a real browser: a partner signs a cooperation NDA through its link.

HR starts ``external_nda`` (agreement ``cooperation_nda``) through the JSON API; the host files the request and the
department head approves it in the browser; HR reads the link in the outbox; the partner opens it in a fresh
browser without an account, asks for a one-time code, HR reads the code in the outbox, the partner enters it,
agrees and signs. No host countersignature for this agreement: the signed PDF goes out and verifies."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, expect

from tests.browser.support import PHONE, Desk, Server, requires_chromium
from workflows import BPMN_DIR

pytestmark = requires_chromium()

CONTACT = "chen.lixin@ruifeng-wind.example.cn"
PARTNER = "陈立新"
REQUEST = "填写外部人员保密申请"
APPROVAL = "部门负责人审批"


def start_data() -> dict[str, Any]:
    """bpmn/examples/external_nda.json, turned from a visitor pledge into a cooperation NDA with a partner."""
    example = json.loads((BPMN_DIR / "examples" / "external_nda.json").read_text(encoding="utf-8"))
    data = {k: example[k] for k in ("host_user", "core_disclosure")}
    data.update({
        "agreement": "cooperation_nda", "external_role": "partner", "needs_host_signature": False,
        "external_contact": CONTACT,
        "partner_name": "山东瑞丰风电装备有限公司", "partner_credit_code": "91370100MA94D3RW6L",
        "partner_address": "山东省济南市历城区经十东路9999号", "partner_representative": PARTNER,
        "cooperation_project": "3.0MW风电主轴轴承定制开发及批量供货",
        "confidential_scope": "甲方为本项目提供的定制轴承设计图纸、公差配合参数、供货价格及交付计划。",
        "penalty_amount": "500000", "post_term_years": 3})
    return data


def api_start(server: Server, process_id: str, data: dict[str, Any], user: str) -> int:
    created = server.cli("token", "create", user, "--label", "browser test")
    assert created.returncode == 0, created.stderr
    token = created.stdout.split()[0]
    request = urllib.request.Request(
        f"{server.url}/api/v1/processes/{process_id}/instances", method="POST",
        data=json.dumps(data, ensure_ascii=False).encode("utf-8"),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201
        return int(json.load(response)["id"])


def outbox_message(desk: Desk, *texts: str) -> Locator:
    """Open the newest outbox message whose row shows every one of ``texts``; the message body."""
    page = desk.page
    page.goto("/outbox")
    rows = page.locator("main table.list tbody tr")
    for text in texts:
        rows = rows.filter(has_text=text)
    expect(rows.first).to_be_visible()
    with page.expect_navigation():
        rows.first.locator("a").first.click()
    return page.locator("main pre.message")


def test_partner_signs_by_link_and_code(browser: Browser, server: Server, tmp_path: Path) -> None:
    instance_id = api_start(server, "external_nda", start_data(), "hr01")

    with Desk(browser, server, "eng01") as host:
        host.complete_task(instance_id, REQUEST, {"request_reason": "定制开发项目技术交流，需向合作方提供图纸。",
                                                  "minimal_necessity": True})
    with Desk(browser, server, "head01") as head:
        head.complete_task(instance_id, APPROVAL, {"approved": True, "approval_date": "2026-11-21"})

    with Desk(browser, server, "hr01") as hr, Desk(browser, server, None) as partner, \
            Desk(browser, server, None, PHONE) as partner_phone:
        hr.inbox_rows(instance_id)        # the inbox says the agreement is being prepared until it is ready
        hr.page.goto("/outbox")
        hr.shot("07-outbox")
        body = outbox_message(hr, CONTACT, "请签署")
        found = re.search(r"(https?://\S+/x/[A-Za-z0-9_-]{40,})", body.inner_text())
        assert found, body.inner_text()
        link = found.group(1)
        assert link.startswith(server.url)

        # A fresh browser, no account: the link asks for a one-time code.
        page = partner.page
        page.goto(link)
        expect(page.locator("main input[name=code]")).to_have_count(0)
        expect(page.locator("main h1")).to_contain_text(PARTNER)
        partner_phone.page.goto(link)
        partner_phone.shot("08-external-code-phone")
        partner.submit(page.locator("main form[action$='/code'] button[type=submit]"), link)
        expect(page.locator("main input[name=code]")).to_be_visible()
        partner.shot("08-external-code")

        code = re.search(r"code: (\d{6})", outbox_message(hr, CONTACT, "验证码").inner_text())
        assert code, "no one-time code in the outbox"
        page.locator("main input[name=code]").fill(code.group(1))
        partner.submit(page.locator("main form[action$='/code/check'] button[type=submit]"), link)

        # Signed in to this one link: the document pages, agree, sign.
        expect(page.locator("main form[action$='/sign']")).to_be_visible()
        partner.wait_for_pages()
        page.evaluate("window.scrollTo(0, 0)")
        partner.shot("09-external-sign")
        partner.sign_open_document(expected=f"{link}/sign")
        expect(page.locator("main h1.ok")).to_be_visible()
        partner.shot("10-external-done")
        page.goto(link)                                     # the link is spent
        expect(page.locator("main section.error")).to_be_visible()

        # The signed PDF goes to the partner (in the outbox, as an attachment); it verifies.
        outbox_message(hr, CONTACT, "已签署完成")
        attachment = hr.page.locator("main a[href$='/attachment.pdf']")
        pdf = hr.download(attachment, tmp_path / "cooperation-nda.pdf")
    result = server.cli("verify", str(pdf))
    assert result.returncode == 0, result.stdout + result.stderr
    assert PARTNER in result.stdout and "聊城示例轴承有限公司" in result.stdout
