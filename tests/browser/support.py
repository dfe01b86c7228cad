"""What the browser tests share: the server handle, one user's browser ("desk"), form filling, signing, screenshots.

Selectors are scoped to ``main`` (the header has the language-switch buttons) and rely on names, actions and
classes, not on the interface language, so they hold whether the pages are in Chinese or English.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

__all__ = ["CHROMIUM", "DESKTOP", "LAUNCH_ARGS", "PHONE", "SHOTS", "Desk", "Server", "requires_chromium"]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
SHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "mibao-demo"
# Rendering a document (LibreOffice; the first one starts it) and signing happen inside the request.
SLOW_MS = 120_000

expect.set_options(timeout=30_000)


def requires_chromium() -> list[pytest.MarkDecorator]:
    """The marks of a browser test module: slow (LibreOffice, a server, a browser), and skipped when Debian's
    Chromium is missing, except under CI (``CI=true``), where the tests must run (and fail)."""
    in_ci = os.environ.get("CI", "").lower() in ("true", "1", "yes")
    return [pytest.mark.slow,
            pytest.mark.skipif(not Path(CHROMIUM).exists() and not in_ci,
                               reason=f"{CHROMIUM} is not installed (apt-get install chromium); "
                                      "under CI=true the browser tests fail instead of skipping")]


@dataclass(frozen=True)
class Server:
    url: str
    instance: Path
    env: dict[str, str]
    log: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``mibao ARGS`` on the server's instance folder (not checked: the caller asserts the exit code)."""
        return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)


class Desk:
    """One person at their browser: a context of its own (cookies), signed in as ``user`` unless None."""

    def __init__(self, browser: Browser, server: Server, user: str | None, viewport: ViewportSize = DESKTOP,
                 *, shot: str | None = None) -> None:
        self.user = user
        self.context: BrowserContext = browser.new_context(
            base_url=server.url, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
            accept_downloads=True)
        self.context.set_default_timeout(30_000)
        self.context.set_default_navigation_timeout(SLOW_MS)
        self.page: Page = self.context.new_page()
        if user is not None:
            self.login(user, shot=shot)

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- navigation ------------------------------------------------------------------------------------------

    def login(self, user: str, *, shot: str | None = None) -> None:
        page = self.page
        page.goto("/login")
        expect(page.locator("main input[name=username]")).to_be_visible()
        if shot:
            self.shot(shot)
        page.locator("main input[name=username]").fill(user)
        page.locator("main input[name=password]").fill(PASSWORD)
        self.submit(page.locator("main form button[type=submit]"), "/inbox")

    def submit(self, button: Locator, expected: str | re.Pattern[str]) -> None:
        """Click ``button`` and wait for the page it leads to; fail with that page's text if it is another one."""
        page = self.page
        with page.expect_navigation(timeout=SLOW_MS):
            button.click()
        landed = page.url.split("?", 1)[0]
        ok = re.search(expected, landed) if isinstance(expected, re.Pattern) else landed.endswith(expected)
        if not ok:
            raise AssertionError(f"{self.user}: expected {expected}, landed on {page.url}:\n"
                                 f"{page.locator('main').inner_text()}")

    def inbox_rows(self, instance_id: int) -> Locator:
        """The inbox's rows of ``instance_id``, once nothing of it is being prepared any more (while an agreement
        is being prepared the inbox says so and reloads itself)."""
        self.page.goto("/inbox")
        preparing = self.page.locator(f"main .flash.preparing[data-instance='{instance_id}']")
        expect(preparing).to_have_count(0, timeout=SLOW_MS)
        return self.page.locator("main table.list tbody tr").filter(has_text=f"#{instance_id}")

    def open_task(self, instance_id: int, title: str) -> None:
        """Open the task called ``title`` of ``instance_id`` from the inbox."""
        link = self.inbox_rows(instance_id).get_by_role("link", name=title, exact=True)
        expect(link).to_have_count(1)
        with self.page.expect_navigation():
            link.click()

    # -- forms -------------------------------------------------------------------------------------------------

    def fill(self, values: dict[str, Any], form: Locator | None = None) -> None:
        """Fill the task form's (or ``form``'s) fields by name (text, textarea, date, number, select, checkbox)."""
        for name, value in values.items():
            field = (form or self.page.locator("main form")).locator(f"[name='{name}']")
            expect(field).to_have_count(1)
            tag, kind = field.evaluate("e => [e.tagName.toLowerCase(), (e.type || '').toLowerCase()]")
            if kind == "checkbox":
                field.set_checked(bool(value))
            elif tag == "select":
                field.select_option(str(value))
            else:
                field.fill("\n".join(value) if isinstance(value, list) else str(value))

    def complete_task(self, instance_id: int, title: str, values: dict[str, Any]) -> None:
        """Open the task from the inbox, fill its form, submit it; back in the inbox with a success message."""
        self.open_task(instance_id, title)
        expect(self.page.locator("main h1")).to_have_text(title)
        self.fill(values)
        self.submit(self.page.locator("main form button[type=submit]"), "/inbox")
        expect(self.page.locator("main .flash.success")).to_contain_text(title)

    # -- signing -----------------------------------------------------------------------------------------------

    def wait_for_pages(self) -> None:
        """The document's first page image is shown (rendered on first request by the server)."""
        first = self.page.locator("main .pages img").first
        expect(first).to_be_visible()
        first.scroll_into_view_if_needed()
        self.page.wait_for_function(
            "() => { const i = document.querySelector('main .pages img');"
            " return i && i.complete && i.naturalWidth > 0; }", timeout=SLOW_MS)

    def sign_open_document(self, expected: str = "/inbox") -> None:
        """On a signing page: tick “I have read and agree” and sign."""
        page = self.page
        form = page.locator("main form[action$='/sign']")
        form.locator("input[name=agree]").check()
        self.submit(form.locator("button[type=submit]"), expected)

    # -- evidence ----------------------------------------------------------------------------------------------

    def shot(self, name: str, *, full_page: bool = False) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def shot_of(self, locator: Locator, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        locator.screenshot(path=str(path))
        return path

    def download(self, link: Locator, target: Path) -> Path:
        """Click a download link (Playwright's download API) and save the file as ``target``."""
        with self.page.expect_download(timeout=SLOW_MS) as info:
            link.click()
        info.value.save_as(target)
        return target
