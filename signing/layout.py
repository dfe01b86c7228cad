"""Where signature boxes go: after their anchor text, else in a row near the bottom of a page.

Boxes never overlap each other or the footer band drawn by :mod:`signing.mark`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .anchors import TextBox
from .stamp import STAMP_SIZE

if TYPE_CHECKING:
    from .mark import SignatureSlot

__all__ = ["Rect", "place_fields"]

Rect = tuple[int, int, int, int]
PageBox = tuple[float, float, float, float]

_W, _H = STAMP_SIZE
_GAP = 8
_MARGIN = 30
_FOOTER_TOP = 36  # the footer text sits at 18 pt; keep boxes above it


def place_fields(
    slots: Sequence[SignatureSlot], found: Mapping[str, TextBox], pages: Sequence[PageBox]
) -> list[tuple[int, Rect]]:
    """One (page index, box) per slot, in slot order."""
    placed: list[tuple[int, Rect]] = []
    for slot in slots:
        hit = found.get(slot.anchor) if slot.anchor else None
        if hit is not None:
            placed.append((hit.page, _after_anchor(hit, pages[hit.page], placed)))
        else:
            page = slot.page % len(pages)
            placed.append((page, _in_bottom_rows(pages[page], [r for p, r in placed if p == page])))
    return placed


def _after_anchor(hit: TextBox, page: PageBox, placed: list[tuple[int, Rect]]) -> Rect:
    taken = [r for p, r in placed if p == hit.page]
    # Right of the anchor, top edge level with the text top, growing into the space below the line
    # (templates leave blank lines after "甲方（盖章）：").
    top = min(hit.y1 + 6, page[3] - _MARGIN)
    candidates = [(hit.x1 + 6, top - _H), (hit.x0, hit.y0 - 4 - _H)]
    for x, y in candidates:
        x = min(x, page[2] - _MARGIN - _W)
        y = max(y, page[1] + _FOOTER_TOP)
        rect = _shift_clear((round(x), round(y), round(x) + _W, round(y) + _H), taken, page)
        if rect is not None:
            return rect
    return _in_bottom_rows(page, taken)


def _shift_clear(rect: Rect, taken: list[Rect], page: PageBox) -> Rect | None:
    """Move ``rect`` right (then down) until it overlaps nothing; None when it leaves the page."""
    x0, y0, _, _ = rect
    while True:
        blocker = next((t for t in taken if _overlaps((x0, y0, x0 + _W, y0 + _H), t)), None)
        if blocker is None:
            return (x0, y0, x0 + _W, y0 + _H)
        x0 = blocker[2] + _GAP
        if x0 + _W > page[2] - _MARGIN / 2:
            return None


def _in_bottom_rows(page: PageBox, taken: list[Rect]) -> Rect:
    columns = max(1, int((page[2] - page[0] - 2 * _MARGIN + _GAP) // (_W + _GAP)))
    row = 0
    while True:
        y = round(page[1] + _FOOTER_TOP + 6 + row * (_H + _GAP))
        for column in range(columns):
            x = round(page[0] + _MARGIN + column * (_W + _GAP))
            rect = (x, y, x + _W, y + _H)
            if not any(_overlaps(rect, t) for t in taken):
                return rect
        row += 1


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
