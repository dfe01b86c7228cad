"""A walk through every page each role reaches from its menu (issue 15, item 7): at desktop and phone width, in
Chinese and in English, each page is screenshot (test-artifacts/screenshots/walk/) and checked for what a person
would trip over:

* text in the other language: CJK characters on an English page, a run of English words on a Chinese one — in
  the interface's own words (the page minus what is marked as data: ``translate="no"`` or a ``lang`` attribute of
  its own, form values, code);
* horizontal overflow of the page (a table or a diagram may scroll inside its own box, the page may not);
* diagram text smaller than 12 px on screen (font size × the diagram's zoom);
* a console error or an uncaught script error.

The pages are found, not listed: from /inbox, every same-origin link in the menu and in the page, one page per
route (``/hr/instances/7`` and ``/hr/instances/9`` are the same page), over a server started as the README's main
job starts it (``mibao serve --demo``), so the lists and the process pages have something in them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import serve
from tests.browser.support import DESKTOP, PHONE, SHOTS, Desk, Server, requires_chromium

pytestmark = requires_chromium()

ROLES = ("hr01", "sec01", "liaison01", "gm01", "eng01")
PUBLIC = ("/login", "/login/forgot", "/verify")
# Links that change something, leave the app or are files rather than pages.
SKIP = re.compile(r"^/(logout|lang/|static/|api/)|/(download|export|files?|pages?)/|\.(pdf|png|csv|json|zip)$"
                  r"|/template\.csv|/diagram\.json|/audit\.json")
MAX_PAGES = 40

# What the interface says, as the script sees it: text nodes outside data — table cells and definition values
# (the records: names, departments, purposes), what is marked translate="no" or as in another language, form
# values, code — and the placeholders.
INTERFACE_TEXT = """() => {
  const page = document.documentElement.lang || "";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const skipped = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      if (["SCRIPT", "STYLE", "CODE", "KBD", "PRE", "TEXTAREA", "OPTION", "DATALIST", "TD", "DD"]
          .includes(e.tagName)) return true;
      if (e.getAttribute("translate") === "no") return true;
      if (e.hasAttribute("lang") && e.getAttribute("lang") !== page) return true;
      if (e.hidden || getComputedStyle(e).display === "none") return true;
    }
    return false;
  };
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    if (text && !skipped(n.parentElement)) out.push(text);
  }
  document.querySelectorAll("input[placeholder], textarea[placeholder]").forEach((e) => {
    if (!skipped(e)) out.push(e.getAttribute("placeholder"));
  });
  return out;
}"""

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# The smallest diagram text on screen, in px: each SVG text's font size times its scale on screen.
DIAGRAM_TEXT = """() => {
  let smallest = null;
  document.querySelectorAll(".djs-container svg text").forEach((t) => {
    const box = t.getBoundingClientRect();
    if (!t.textContent.trim() || box.width === 0) return;
    const m = t.getScreenCTM();
    const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);   // lane names are turned
    if (smallest === null || size < smallest) smallest = size;
  });
  return smallest;
}"""

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Three English words in a row (not an id, a file name, an abbreviation like PDF or SHA-256).
ENGLISH_WORDS = re.compile(r"\b[A-Za-z]{3,}\s+[a-z]{2,}\s+[a-z]{2,}\b")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The main job as the README runs it: ``mibao serve --demo`` (demo people, a few processes under way)."""
    yield from serve(tmp_path_factory.mktemp("walk-instance"), "127.0.0.1", "--demo")


def _route(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def _links(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("header a[href], main a[href]", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.query or SKIP.search(parts.path):
            continue
        out.append(parts.path)
    return out


def _pages_of(desk: Desk, origin: str) -> list[str]:
    """Every page reachable from /inbox in two clicks, one per route."""
    seen: dict[str, str] = {}
    frontier = ["/inbox"]
    for _depth in range(3):
        following = []
        for path in frontier:
            if _route(path) in seen or len(seen) >= MAX_PAGES:
                continue
            try:
                response = desk.page.goto(path)
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue        # a file behind a link without a file name (a template version)
                raise
            if response is None or response.status != 200 or urlsplit(desk.page.url).path != path:
                continue            # a redirect (to sign-in, to the inbox) is not a page of its own
            seen[_route(path)] = path
            following += _links(desk.page, origin)
        frontier = following
    return sorted(seen.values())


class Findings:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.shots = 0

    def check(self, page: Page, where: str, lang: str, console: list[str]) -> None:
        texts = page.evaluate(INTERFACE_TEXT)
        other_language = CJK if lang == "en" else ENGLISH_WORDS
        foreign = [t for t in texts if other_language.search(t)]
        if foreign:
            self.problems.append(f"{where}: text in the other language: {foreign[:5]}")
        overflow = page.evaluate(OVERFLOW)
        if overflow > 1:
            self.problems.append(f"{where}: the page is {overflow} px wider than the window")
        smallest = page.evaluate(DIAGRAM_TEXT)
        if smallest is not None and smallest < 12:
            self.problems.append(f"{where}: diagram text of {smallest:.1f} px")
        if console:
            self.problems.append(f"{where}: console: {console[:3]}")
        console.clear()


def _walk(desk: Desk, name: str, paths: list[str], findings: Findings) -> None:
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console.append(message.text)

    desk.page.on("console", on_console)
    desk.page.on("pageerror", lambda error: console.append(str(error)))
    folder = SHOTS / "walk" / name
    folder.mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en"):
        desk.page.goto(paths[0])
        switch = desk.page.locator(f"header button.lang[lang={lang}]")
        if switch.count():
            with desk.page.expect_navigation():
                switch.click()
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            desk.page.set_viewport_size(viewport)
            for path in paths:
                desk.page.goto(path)
                if desk.page.locator("#diagram").count():      # drawn after the page loads
                    desk.page.wait_for_selector("#diagram .djs-container svg text", timeout=30_000)
                where = f"{name} {lang} {width} {path}"
                findings.check(desk.page, where, lang, console)
                slug = _route(path).strip("/").replace("/", "-") or "home"
                desk.page.screenshot(path=str(folder / f"{slug}-{lang}-{width}.png"))
                findings.shots += 1


def test_every_page_reads_in_its_language_fits_and_has_no_errors(browser: Browser, demo_server: Server) -> None:
    findings = Findings()
    walked: dict[str, list[str]] = {}
    for user in ROLES:
        with Desk(browser, demo_server, user) as desk:
            walked[user] = _pages_of(desk, demo_server.url)
            _walk(desk, user, walked[user], findings)
    with Desk(browser, demo_server, None) as desk:
        _walk(desk, "anonymous", list(PUBLIC), findings)
    assert not findings.problems, "\n".join(findings.problems)
    # The walk reached the pages that matter to each role (a broken menu would make it pass by seeing nothing).
    assert {"/inbox", "/my/agreements", "/verify"} <= set(walked["eng01"]), walked["eng01"]
    assert any(p.startswith("/hr/instances/") for p in walked["hr01"]), walked["hr01"]
    assert findings.shots >= 4 * sum(map(len, walked.values()))


def test_the_walk_sees_what_it_looks_for(browser: Browser, demo_server: Server, tmp_path: Path) -> None:
    """The checks themselves: a page made to fail each one fails it."""
    with Desk(browser, demo_server, None, PHONE) as desk:
        desk.page.goto("/login")
        desk.page.evaluate("""() => {
          const p = document.createElement('p'); p.textContent = 'please sign this form'; document.body.append(p);
          const wide = document.createElement('div'); wide.style.width = '2000px'; wide.textContent = 'x';
          document.body.append(wide);
        }""")
        findings = Findings()
        findings.check(desk.page, "probe", "zh", ["boom"])
        text = "\n".join(findings.problems)
        assert "other language" in text and "wider than the window" in text and "console" in text
