"""Scenario 1 in a real browser: HR starts the onboarding of the core engineer eng01 from its launch page, HR does
the background check, the engineer signs each agreement from the inbox, the secrecy office records the training;
HR sees the instance completed with its diagram, downloads the signed PDFs, and they verify (CLI and web page)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.support import PHONE, Desk, Server, requires_chromium
from workflows import BPMN_DIR

pytestmark = requires_chromium()

EXAMPLE = json.loads((BPMN_DIR / "examples" / "onboarding.json").read_text(encoding="utf-8"))
# Named by the documents signed, not by the workflow's steps (issue 15, item 4).
AGREEMENTS = {"签署《不侵犯原单位商业秘密承诺书》", "签署《保密告知确认书》", "签署《员工保密协议》",
              "签署《竞业限制协议》"}
BACKGROUND = "知识产权背景调查"
TRAINING = "入职保密培训及考核"


def test_onboarding_in_the_browser(browser: Browser, server: Server, tmp_path: Path) -> None:
    # HR starts the onboarding from the launch page: an empty form (HR is the one notified), filled in by hand.
    with Desk(browser, server, "hr01", shot="01-login") as hr:
        page = hr.page
        page.goto("/hr")
        with page.expect_navigation():
            page.locator("main a.button[href$='/hr/start/onboarding']").click()
        form = page.locator("main form[action='/hr/start/onboarding']")
        expect(form.locator("[name='employee_user']")).to_have_value("")
        expect(form.locator("[name='hr_user']")).to_have_value("hr01")
        # The employee is picked by name: the list offers 王志强 for eng01.
        expect(page.locator("datalist#people-list option[value='eng01']")).to_have_text(re.compile("王志强"))
        hr.fill(EXAMPLE, form)
        hr.shot("02-hr-start-onboarding", full_page=True)
        hr.submit(form.locator("button[type=submit]"), re.compile(r"/hr/instances/\d+$"))
        instance_id = int(page.url.rsplit("/", 1)[1])

        # HR's own task: the background check (its completion renders and seals the first agreement).
        hr.complete_task(instance_id, BACKGROUND, {
            "check_date": "2026-11-21", "background_passed": True,
            "check_summary": "已向原单位核实：无竞业限制约定，无泄密记录。"})

    # The engineer signs every agreement, one after the other, from the inbox.
    with Desk(browser, server, "eng01") as eng, Desk(browser, server, "eng01", PHONE) as phone:
        signed: list[str] = []
        while True:
            rows = eng.inbox_rows(instance_id)
            if rows.count() == 0:
                break
            expect(rows).to_have_count(1)                 # one agreement at a time
            expect(rows.locator(".badge")).to_have_count(1)
            if not signed:
                eng.shot("03-inbox-engineer")
                phone.page.goto("/inbox")
                phone_rows = phone.page.locator("main table.list tbody tr").filter(has_text=f"#{instance_id}")
                expect(phone_rows).to_have_count(1)
                phone.shot("03-inbox-engineer-phone", full_page=True)
            title = rows.locator("a").first.inner_text().strip()
            with eng.page.expect_navigation():
                rows.locator("a").first.click()
            assert re.search(r"/tasks/[^/]+/sign$", eng.page.url), eng.page.url
            expect(eng.page.locator("main h1")).to_have_text(title)
            eng.wait_for_pages()
            if not signed:
                eng.page.evaluate("window.scrollTo(0, 0)")
                eng.shot("04-sign-page")
                phone.page.goto(eng.page.url)
                phone.wait_for_pages()
                phone.page.evaluate("window.scrollTo(0, 0)")
                phone.shot("04-sign-page-phone")
                phone.page.locator("main form[action$='/sign']").scroll_into_view_if_needed()
                phone.shot("04-sign-page-phone-actions")
            eng.sign_open_document()
            expect(eng.page.locator("main .flash.success")).to_contain_text(title[3:-1])   # 已签署：<document>
            signed.append(title)
        assert set(signed) == AGREEMENTS and len(signed) == len(AGREEMENTS), signed

    # The secrecy office records the induction training (a pass).
    with Desk(browser, server, "sec01") as sec:
        sec.complete_task(instance_id, TRAINING, {"training_date": "2026-11-24", "trainer_name": "周明",
                                                  "training_score": 91})

    # HR: the instance is completed, the diagram drawn; every agreement downloads and verifies.
    with Desk(browser, server, "hr01") as hr:
        page = hr.page
        page.goto(f"/hr/instances/{instance_id}")
        expect(page.locator("main p.meta .status-completed")).to_have_count(1)
        expect(page.locator("#diagram svg .djs-element").first).to_be_attached()
        expect(page.locator("#diagram .mb-done").first).to_be_attached()
        hr.shot("05-hr-progress", full_page=True)
        hr.shot_of(page.locator("main section.card").first, "05-hr-progress-diagram")
        links = page.locator("main a[href^='/documents/'][href$='.pdf']")
        expect(links).to_have_count(4)
        pdfs = [hr.download(links.nth(i), tmp_path / f"agreement-{i}.pdf") for i in range(links.count())]
        for pdf in pdfs:
            assert pdf.read_bytes().startswith(b"%PDF-")
            result = server.cli("verify", str(pdf))
            assert result.returncode == 0, f"{pdf.name}: {result.stdout}{result.stderr}"
            assert "王志强" in result.stdout

        # The public verification page says the same.
        page.goto("/verify")
        page.locator("main input[type=file][name=pdf]").set_input_files(str(pdfs[0]))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        hr.shot("06-verify-result", full_page=True)
        expect(page.locator("main .verdict.good")).to_have_count(1)
        signatures = page.locator("main section.signature h2")   # the company seal, the engineer (and timestamps)
        expect(signatures.filter(has_text="聊城示例轴承有限公司")).to_have_count(1)
        expect(signatures.filter(has_text="王志强")).to_have_count(1)
