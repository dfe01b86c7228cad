"""Find where anchor texts (e.g. "甲方（盖章）：") are printed, from the PDF's own text operators.

pypdf's text visitor reports each shown string with its text matrix, which is enough here: anchors are
short labels in one line. Pages are read from the last one backwards (signature blocks close a document),
and reading stops once every anchor is found, so a long agreement costs about one page (~8 ms) — a
poppler subprocess cost ~40 ms per page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO

from pypdf import PdfReader

from .errors import PdfInputError

__all__ = ["TextBox", "find_last"]

# Signature blocks close a document; an anchor 50 pages from the end is not one.
_MAX_PAGES_SCANNED = 50


@dataclass(frozen=True)
class TextBox:
    """Where a text was found: page index and a box in PDF user space (origin bottom-left)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class _Run:
    text: str
    x: float          # start of the baseline, user space
    y: float
    size: float       # effective font size in user space


def _advance(char: str, size: float) -> float:
    # Full-width (CJK, full-width punctuation) glyphs advance one em; others about half of one.
    return size if unicodedata.east_asian_width(char) in "WF" else 0.55 * size


def find_last(pdf: bytes, anchors: Iterable[str], last_page: int = -1) -> dict[str, TextBox]:
    """The last occurrence of each anchor up to page ``last_page`` (negative: from the end; pages after it, such
    as an appended evidence page, are not read); anchors not printed are absent."""
    wanted = {a: "".join(a.split()) for a in anchors if a and a.strip()}
    if not wanted:
        return {}
    try:
        reader = PdfReader(BytesIO(pdf), strict=False)
        pages = list(reader.pages)
    except Exception as exc:  # pypdf raises many types on damaged input
        raise PdfInputError(f"cannot read the text of the PDF to place signature fields: {exc}") from exc
    found: dict[str, TextBox] = {}
    first = last_page % len(pages) if pages else -1
    for index in range(first, max(first - _MAX_PAGES_SCANNED, -1), -1):
        runs = _runs(pages[index])
        chars = [(c, run) for run in runs for c in run.text if not c.isspace()]
        joined = "".join(c for c, _ in chars)
        for anchor, needle in wanted.items():
            if anchor in found:
                continue
            at = joined.rfind(needle)
            if at >= 0:
                found[anchor] = _box(index, runs, chars, at, at + len(needle) - 1)
        if len(found) == len(wanted):
            break
    return found


def _runs(page) -> list[_Run]:  # type: ignore[no-untyped-def]
    runs: list[_Run] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if not text or text.isspace():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        runs.append(_Run(text, x, y, abs(size * tm[0] * (cm[0] or 1.0)) or size))

    try:
        page.extract_text(visitor_text=visit)
    except Exception as exc:
        raise PdfInputError(f"cannot read the text of the PDF to place signature fields: {exc}") from exc
    return runs


def _box(page: int, runs: list[_Run], chars: list[tuple[str, _Run]], first: int, last: int) -> TextBox:
    start_run, end_run = chars[first][1], chars[last][1]

    def x_of(position: int, run: _Run, include: bool) -> float:
        # Sum the advances of the run's characters before (or up to and including) this one.
        offset = 0.0
        seen = 0
        run_start = next(i for i, (_, r) in enumerate(chars) if r is run)
        for char in run.text:
            if char.isspace():
                offset += 0.3 * run.size
                continue
            if run_start + seen == position:
                return run.x + offset + (_advance(char, run.size) if include else 0.0)
            offset += _advance(char, run.size)
            seen += 1
        return run.x + offset

    size = max(start_run.size, end_run.size)
    return TextBox(page=page, x0=x_of(first, start_run, False), y0=min(start_run.y, end_run.y) - 0.3 * size,
                   x1=x_of(last, end_run, True), y1=max(start_run.y, end_run.y) + 0.95 * size)
