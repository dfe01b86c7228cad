"""A leak incident in a real browser: eng01 reports it from "Start"; the secrecy office triages and investigates it
(the system grades it), plans a containment action for the department head, who reports it done; the office uploads
the evidence (its SHA-256 goes into the audit chain), decides the measures and signs the report the company sealed;
the ledger shows the incident closed with its grade and report."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.support import SLOW_MS, Desk, Server, requires_chromium

pytestmark = requires_chromium()

SUMMARY = "浏览器测试：旧版保持架设计图经个人邮箱外发。"
EVIDENCE = b"%PDF-1.4\n% browser test: mail gateway log\n%%EOF\n"


def test_report_handle_and_close_a_leak_incident(browser: Browser, server: Server, tmp_path: Path) -> None:
    with Desk(browser, server, "eng01") as reporter:
        page = reporter.page
        page.goto("/start/leak_incident")
        reporter.fill({"incident_summary": SUMMARY, "occurred_on": "2026-11-19", "location": "外部邮箱"})
        reporter.submit(page.locator("main form button[type=submit]"), "/inbox")
        found = re.search(r"#(\d+)", page.locator("main .flash.success").inner_text())
        assert found, page.locator("main").inner_text()
        instance_id = int(found.group(1))

    with Desk(browser, server, "sec01") as office:
        office.complete_task(instance_id, "初步核查：是否确属泄密",
                             {"real_leak": True, "triage_note": "网关日志有外发记录。"})
        office.complete_task(instance_id, "调查评估：范围与估计损失", {
            "leak_scope": "旧版设计图一份。", "leak_cause": "外发未审批。", "estimated_loss": "0",
            "competitiveness_harmed": False})
        office.complete_task(instance_id, "止损措施：措施、责任人、期限", {
            "action": "冻结涉事邮箱，备份网关日志", "owner_user": "head01", "due_date": "2099-12-31",
            "more_actions": False})
    with Desk(browser, server, "head01") as owner:
        owner.complete_task(instance_id, "执行止损措施", {"containment_result": "已冻结并备份。"})

    evidence = tmp_path / "gateway-log.pdf"
    evidence.write_bytes(EVIDENCE)
    with Desk(browser, server, "sec01") as office:
        page = office.page
        office.open_task(instance_id, "证据固定：上传证据")
        page.locator("main input[type=file][name=evidence_file]").set_input_files(str(evidence))
        office.fill({"evidence_description": "邮件网关日志", "more_evidence": False})
        office.submit(page.locator("main form button[type=submit]"), "/inbox")
        office.complete_task(instance_id, "处理措施：纪律处分、法律维权、通知合作方", {
            "discipline": "书面警告。", "legal_action": False, "notify_partners": False,
            "remediation": "外发邮件须经审批。"})
        # The report is rendered on a worker (the first conversion starts LibreOffice); its signature then waits
        # in the office's inbox.
        sign = f"签署《泄密事件调查报告（事件 #{instance_id}）》"
        deadline = time.monotonic() + SLOW_MS / 1000
        while office.inbox_rows(instance_id).get_by_role("link", name=sign, exact=True).count() == 0:
            assert time.monotonic() < deadline, page.locator("main").inner_text()
            page.wait_for_timeout(1000)
        office.open_task(instance_id, sign)
        office.wait_for_pages()
        office.sign_open_document()

        page.goto("/incidents")
        row = page.locator("main table.list tbody tr").filter(has_text=SUMMARY)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("一般泄密")
        expect(row.locator("a[href$='.pdf']")).to_have_count(1)
        office.shot("leak-incident-ledger")
    digest = hashlib.sha256(EVIDENCE).hexdigest()
    audit = server.cli("audit", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    db = sqlite3.connect(server.instance / "mibao.db")
    try:
        held = db.execute("SELECT actor, target_id FROM audit_records WHERE action = 'preserve_evidence' "
                          "AND content_sha256 = ?", (digest,)).fetchall()
    finally:
        db.close()
    assert held == [("sec01", str(instance_id))]
