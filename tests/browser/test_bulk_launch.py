"""A bulk launch in a real browser against the real server (``mibao serve``: jobs on its worker threads): HR hands in
a CSV of annual pledges; the request returns at once to the batch's page, which follows the rows live (its
script polls) until every row is started or refused — the refused one with its reason."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.support import SLOW_MS, Desk, Server, requires_chromium
from workflows import BPMN_DIR

pytestmark = requires_chromium()

EXAMPLE = json.loads((BPMN_DIR / "examples" / "annual_pledge.json").read_text(encoding="utf-8"))


def _csv(rows: list[dict[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_a_csv_is_accepted_at_once_and_its_page_follows_the_rows(browser: Browser, server: Server,
                                                               tmp_path: Path) -> None:
    people = tmp_path / "年度承诺.csv"
    people.write_bytes(_csv([{**EXAMPLE, "year": 2031}, {**EXAMPLE, "year": 2032},
                             {**EXAMPLE, "employee_user": "ghost", "employee_name": "无此人", "year": 2031}]))
    with Desk(browser, server, "hr01") as hr:
        page = hr.page
        page.goto("/hr/start/annual_pledge")
        page.locator("main input[type=file][name=people]").set_input_files(str(people))
        hr.submit(page.locator("main form[action$='/csv'] button[type=submit]"), re.compile(r"/hr/launches/\d+$"))
        expect(page.locator("main .meta").first).to_contain_text("年度承诺.csv")
        # Without reloading the page, the counts reach the end and the refused row appears with its reason.
        done = page.locator("#launch-progress [data-count=done]")
        expect(done).to_have_text("3", timeout=SLOW_MS)
        expect(page.locator("#launch-progress [data-count=started]")).to_have_text("2")
        expect(page.locator("#launch-progress [data-count=failed]")).to_have_text("1")
        failures = page.locator("#launch-failures")
        expect(failures).to_be_visible()
        expect(failures.locator("tbody tr")).to_have_count(1)
        expect(failures).to_contain_text("无此人")
        expect(failures).to_contain_text("ghost")
        expect(page.locator("#launch-progress [data-when=finished]")).to_be_visible()
        hr.shot("bulk-launch-finished", full_page=True)
