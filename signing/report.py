# mypy: disallow-untyped-calls=False
# (pyHanko ships py.typed but leaves many helpers unannotated; calling them is fine here.)
"""A4 reports of labelled lines in the CJK face: the verification report of the public verify page.

The caller brings the words, already in the reader's language; this module only sets them: a title, headings,
label–value rows and paragraphs, broken by characters (Chinese breaks anywhere), continued on further pages, each
with a footer. The text is drawn the way :mod:`signing.evidence` draws its page (a HarfBuzz subset of the Noto CJK
face through :class:`signing.fonts.EmbeddedFont`), but in one font made for this report alone: its texts include
an uploader's file name and the names in a certificate, which must not crowd out the fonts the signing path keeps
per process. A character the face cannot draw is shown as ``?`` rather than failing the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Literal

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.writer import PdfFileWriter

from . import fonts
from .errors import FontCoverageError

__all__ = ["ReportLine", "text_report"]

_A4 = (595.28, 841.89)
_LEFT = _RIGHT = 56.0
_LABEL_WIDTH = 124.0
_TOP, _BOTTOM = _A4[1] - 64.0, 72.0
_FONT = "/MibaoReport"
# size, space before, drawn bold
_KINDS: dict[str, tuple[float, float, bool]] = {
    "title": (18.0, 0.0, True), "verdict": (15.0, 10.0, True), "heading": (11.5, 16.0, True),
    "row": (9.5, 4.0, False), "text": (9.5, 6.0, False), "note": (8.0, 10.0, False),
}
_TONES = {"plain": "0.10 0.10 0.10", "good": "0.05 0.45 0.20", "bad": "0.72 0.10 0.10", "warn": "0.62 0.38 0.00"}


@dataclass(frozen=True)
class ReportLine:
    """One line of a report: ``kind`` says how it is set; ``label`` is for rows; ``tone`` colours the value."""

    kind: Literal["title", "verdict", "heading", "row", "text", "note"]
    value: str
    label: str = ""
    tone: Literal["plain", "good", "bad", "warn"] = "plain"


def text_report(lines: Sequence[ReportLine], *, title: str, footer: Callable[[int, int], str],
                created: dt.datetime | None = None) -> bytes:
    """A PDF of ``lines``; ``footer(page, pages)`` is printed at the foot of each page; ``title`` goes into the
    document information, ``created`` (aware) into its creation date."""
    clean = [ReportLine(line.kind, _drawable(line.value), _drawable(line.label), line.tone) for line in lines]
    chars = "".join(line.label + line.value for line in clean) + _drawable(footer(1, 1)) + "0123456789?"
    font = fonts.EmbeddedFont("".join(sorted(set(chars) | {" "})))
    pages = _pages(clean, font)
    info = generic.DictionaryObject({pdf_name("/Title"): pdf_string(_drawable(title)),
                                     pdf_name("/Producer"): pdf_string("mibao")})
    if created is not None:
        info[pdf_name("/CreationDate")] = generic.pdf_date(created)
    writer = PdfFileWriter(info=info)
    font_ref = font.embed(writer)
    for number, ops in enumerate(pages, start=1):
        foot = _show(font, _drawable(footer(number, len(pages))), _LEFT, 40.0, 8.0, "0.45 0.45 0.45")
        _add_page(writer, [*ops, foot], font_ref)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _drawable(text: str) -> str:
    """``text`` with white space as plain spaces and each character the face lacks as ``?``."""
    shown = []
    for char in text:
        if char.isspace():
            shown.append(" ")
            continue
        try:
            fonts.check_coverage(char)
            shown.append(char)
        except FontCoverageError:
            shown.append("?")
    return "".join(shown)


def _pages(lines: Sequence[ReportLine], font: fonts.EmbeddedFont) -> list[list[bytes]]:
    pages: list[list[bytes]] = [[]]
    y = _TOP
    for line in lines:
        size, gap, bold = _KINDS[line.kind]
        step = size * 1.45
        if line.kind == "row":
            labels = _wrap(line.label, _LABEL_WIDTH - 8, size, font)
            values = _wrap(line.value, _A4[0] - _RIGHT - _LEFT - _LABEL_WIDTH, size, font)
        else:
            labels, values = [], _wrap(line.value, _A4[0] - _RIGHT - _LEFT, size, font)
        height = gap + step * max(len(labels), len(values)) + (6.0 if line.kind == "heading" else 0.0)
        if y - height < _BOTTOM and pages[-1]:
            pages.append([])
            y = _TOP
            gap = 0.0
        y -= gap
        x = _LEFT + _LABEL_WIDTH if line.kind == "row" else _LEFT
        for index, part in enumerate(labels):
            pages[-1].append(_show(font, part, _LEFT, y - step * (index + 1), size, "0.40 0.40 0.40"))
        for index, part in enumerate(values):
            pages[-1].append(_show(font, part, x, y - step * (index + 1), size, _TONES[line.tone], bold=bold))
        y -= step * max(len(labels), len(values))
        if line.kind == "heading":
            y -= 4.0
            pages[-1].append(f"q 0.6 G 0.5 w {_LEFT:.2f} {y:.2f} m {_A4[0] - _RIGHT:.2f} {y:.2f} l S Q".encode())
            y -= 2.0
    return pages


def _show(font: fonts.EmbeddedFont, text: str, x: float, y: float, size: float, colour: str, *,
          bold: bool = False) -> bytes:
    """Text with the left end of its baseline at (``x``, ``y``); bold is a thin stroke of the same colour."""
    mode = f"0.3 w {colour} RG 2 Tr" if bold else "0 Tr"
    return (f"BT {_FONT} {size:g} Tf {colour} rg {mode} {x:.2f} {y:.2f} Td ".encode()
            + font.shape(text).graphics_ops + b" ET")


def _wrap(text: str, limit: float, size: float, font: fonts.EmbeddedFont) -> list[str]:
    """Greedy line breaking: at the last space when the line has one (English), else anywhere (Chinese,
    hashes)."""
    parts: list[str] = []
    current = ""
    for char in text:
        if current and _width(current + char, size, font) > limit:
            cut = current.rfind(" ") if char != " " else len(current)
            head, tail = (current[:cut], current[cut + 1:]) if cut > 0 else (current, "")
            parts.append(head.rstrip())
            current = (tail + char).lstrip()
        else:
            current += char
    return [*parts, current] if current else parts


def _width(text: str, size: float, font: fonts.EmbeddedFont) -> float:
    return sum(font.advance(char) for char in text) * size


def _add_page(writer: PdfFileWriter, ops: list[bytes], font_ref: generic.IndirectObject) -> None:
    stream = generic.StreamObject(stream_data=b"\n".join(ops))
    stream.compress()
    resources = generic.DictionaryObject({pdf_name("/Font"): generic.DictionaryObject({pdf_name(_FONT): font_ref})})
    box = generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, *_A4))
    writer.insert_page(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Page"),
        pdf_name("/MediaBox"): box,
        pdf_name("/Resources"): resources,
        pdf_name("/Contents"): writer.add_object(stream),
    }))
