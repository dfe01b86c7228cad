"""Find where anchor texts (e.g. "甲方（盖章）：") are printed, using poppler's ``pdftotext -bbox``.

poppler gives word boxes in the exact positions LibreOffice laid out, including Noto CJK text; a
CJK run without spaces is one "word", so an anchor may start or end inside a word — there we
interpolate by character count, which is exact for the full-width characters anchors consist of.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import PdfInputError

__all__ = ["TextBox", "find_last"]

_TIMEOUT_S = 15
# poppler inflates every stream it reads: on a deflate bomb it would take gigabytes. Capping its
# address space makes it fail in seconds instead (util-linux prlimit; skipped where missing).
_LIMITS = ["prlimit", "--as=805306368", "--cpu=10"] if shutil.which("prlimit") else []
_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class TextBox:
    """Where a text was found: page index and a box in PDF user space (origin bottom-left)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class _Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


def find_last(pdf: bytes, anchors: Iterable[str]) -> dict[str, TextBox]:
    """The last occurrence of each anchor in reading order; anchors not printed are absent."""
    wanted = {a: "".join(a.split()) for a in anchors if a and a.strip()}
    if not wanted:
        return {}
    found: dict[str, TextBox] = {}
    for page_index, height, words in _pages(pdf):
        joined = "".join(w.text for w in words)
        owners = [i for i, w in enumerate(words) for _ in w.text]
        offsets = [k for w in words for k in range(len(w.text))]
        for anchor, needle in wanted.items():
            at = joined.rfind(needle)
            if at >= 0:
                first, last = at, at + len(needle) - 1
                found[anchor] = _box(page_index, height, words, owners, offsets, first, last)
    return found


def _box(
    page: int, height: float, words: list[_Word], owners: list[int], offsets: list[int], first: int, last: int
) -> TextBox:
    start, end = words[owners[first]], words[owners[last]]
    x0 = start.x0 + (start.x1 - start.x0) * offsets[first] / len(start.text)
    x1 = end.x0 + (end.x1 - end.x0) * (offsets[last] + 1) / len(end.text)
    top = min(start.top, end.top)
    bottom = max(start.bottom, end.bottom)
    return TextBox(page=page, x0=x0, y0=height - bottom, x1=x1, y1=height - top)


def _pages(pdf: bytes) -> list[tuple[int, float, list[_Word]]]:
    with tempfile.TemporaryDirectory(prefix="mibao-anchors-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        try:
            result = subprocess.run(
                [*_LIMITS, "pdftotext", "-bbox", "-enc", "UTF-8", str(source), "-"],
                capture_output=True,
                timeout=_TIMEOUT_S,
                check=True,
            )
        except FileNotFoundError as exc:
            raise PdfInputError("pdftotext (poppler-utils) is needed to place signature fields") from exc
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as exc:
            detail = (
                "timed out"
                if isinstance(exc, subprocess.TimeoutExpired)
                else "failed (damaged or hostile PDF?)"
            )
            raise PdfInputError(f"cannot read the text positions of the PDF: pdftotext {detail}") from exc
    root = ET.fromstring(result.stdout)
    pages = []
    for index, page in enumerate(root.iter(f"{_XHTML}page")):
        words = [
            _Word(
                w.text or "",
                float(w.get("xMin", 0)),
                float(w.get("yMin", 0)),
                float(w.get("xMax", 0)),
                float(w.get("yMax", 0)),
            )
            for w in page.iter(f"{_XHTML}word")
            if w.text
        ]
        pages.append((index, float(page.get("height", 0)), words))
    return pages
