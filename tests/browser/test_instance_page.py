"""The instance page's diagram in a real browser (issue 15, item 3): drawn at a readable scale (labels of 12 px or
more on screen), opened on the current step, moved by dragging and by its buttons, marked, and never wider than
a phone's screen; screenshots in Chinese and English at desktop and phone width."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import serve
from tests.browser.support import DESKTOP, PHONE, Desk, Server, requires_chromium
from workflows import BPMN_DIR

pytestmark = requires_chromium()

# The diagram's zoom (its viewport's scale) and the smallest label on screen among the texts inside the box: font
# size × the text's scale on screen (the zoom, turned for lane names).
ZOOM = "() => document.querySelector('#diagram .viewport').transform.baseVal.consolidate().matrix.a"
SMALLEST_LABEL = """() => {
  const frame = document.getElementById('diagram').getBoundingClientRect();
  let smallest = null;
  document.querySelectorAll('#diagram svg text').forEach((t) => {
    const box = t.getBoundingClientRect();
    if (!t.textContent.trim() || box.width === 0 || box.right < frame.left || box.left > frame.right
        || box.bottom < frame.top || box.top > frame.bottom) return;
    const m = t.getScreenCTM();
    const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    if (smallest === null || size < smallest) smallest = size;
  });
  return smallest;
}"""
# The label of element ``id`` on screen: its font size there, and whether it lies inside the diagram's box.
LABEL_OF = """(id) => {
  const t = document.querySelector(`#diagram [data-element-id="${id}"] text`);
  const frame = document.getElementById('diagram').getBoundingClientRect(), box = t.getBoundingClientRect();
  const size = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
  return {size, inside: box.left >= frame.left && box.right <= frame.right && box.top >= frame.top
                        && box.bottom <= frame.bottom};
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
CURRENT = "background_check"


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own: its onboarding for eng01 must not stand in the way of the other tests' onboarding."""
    yield from serve(tmp_path_factory.mktemp("instance-page"), "127.0.0.1")


def _start(server: Server) -> int:
    started = server.cli("process", "start", "onboarding", "--data", str(BPMN_DIR / "examples" / "onboarding.json"),
                         "--as", "hr01")
    assert started.returncode == 0, started.stderr
    found = re.search(r"instance (\d+) of onboarding", started.stdout)
    assert found, started.stdout
    return int(found.group(1))


def _open(page: Page, instance_id: int) -> None:
    page.goto(f"/hr/instances/{instance_id}")
    expect(page.locator("#diagram[data-ready=true]")).to_be_attached()


def _check_readable(page: Page) -> None:
    assert page.evaluate(ZOOM) >= 1
    assert page.evaluate(SMALLEST_LABEL) >= 12
    current = page.evaluate(LABEL_OF, CURRENT)
    assert current["size"] >= 12 and current["inside"], current          # opened on the current step
    expect(page.locator(f"#diagram .djs-element.mb-active[data-element-id={CURRENT}]")).to_have_count(1)
    assert page.evaluate(OVERFLOW) <= 1


def test_the_diagram_is_readable_moves_and_fits_the_page(browser: Browser, own_server: Server) -> None:
    server = own_server
    instance_id = _start(server)
    with Desk(browser, server, "hr01") as hr:
        page = hr.page
        for lang in ("zh", "en"):
            switch = page.locator(f"header button.lang[lang={lang}]")     # none for the language shown
            if switch.count():
                with page.expect_navigation():
                    switch.click()
            for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(viewport)
                _open(page, instance_id)
                _check_readable(page)
                hr.shot(f"instance-{lang}-{width}")
                hr.shot_of(page.locator("main section.card").filter(has=page.locator("#diagram")),
                           f"instance-diagram-{lang}-{width}")
            lanes = page.locator("#diagram .djs-element[data-element-id^=Lane_] text")
            expected = ["人力资源部", "员工", "保密管理部"] if lang == "zh" else ["HR", "Employee", "Secrecy office"]
            assert sorted(lanes.evaluate_all("els => els.map((e) => e.textContent)")) == sorted(expected)

        # The buttons: larger, the whole process (small), back to the current step at the readable scale.
        page.set_viewport_size(DESKTOP)
        _open(page, instance_id)
        tools = page.locator("main .diagram-tools")
        expect(tools).to_be_visible()
        tools.locator("button[data-zoom=in]").click()
        assert page.evaluate(ZOOM) > 1.2
        tools.locator("button[data-zoom=out]").click()
        tools.locator("button[data-zoom=out]").click()
        assert page.evaluate(ZOOM) < 1
        tools.locator("button[data-zoom=fit]").click()
        assert page.evaluate(ZOOM) < 0.5                                  # 3440 px of process in the box
        tools.locator("button[data-zoom=focus]").click()
        _check_readable(page)

        # A drag moves the diagram.
        before = page.evaluate("() => document.querySelector('#diagram .viewport').transform.baseVal"
                               ".consolidate().matrix.e")
        box = page.locator("#diagram").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 - 200, box["y"] + 40, steps=8)
        page.mouse.up()
        after = page.evaluate("() => document.querySelector('#diagram .viewport').transform.baseVal"
                              ".consolidate().matrix.e")
        assert after < before - 100
