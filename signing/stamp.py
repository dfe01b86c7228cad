"""The visible signature stamp: a rounded red frame and three centred lines, drawn as vector graphics.

The text is real text in the CJK face (selectable, sharp at any zoom): the label and the vocabulary of the time
line in a font kept per label, the signer's name in one kept per name (:class:`signing.fonts.TextFonts`), so a
stamp costs the shaping of three lines and the copy of two small fonts. (Drawn as an image by Pillow, the
stamp cost ~5 ms to draw and compress per signature; pyHanko's own text stamp embeds the CJK font anew each
time, ~0.5 s.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils.content import PdfContent, ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.layout import BoxConstraints

from .fonts import TextFonts, check_coverage

__all__ = ["STAMP_SIZE", "StampText", "stamp_content", "stamp_time"]

STAMP_SIZE = (170, 60)  # points; mark.py sizes the signature fields with it
_RED = "0.745 0.078 0.118"
_DARK = "0.235 0.039 0.039"
_BORDER, _RADIUS, _PADDING = 2.0, 5.0, 5.0  # frame width, outer corner radius, room inside the frame
_ASCENT = 1.16  # the face's ascender, in ems: a line's top is this far above its baseline
_TIME_LABEL = "签署时间："
_WORDS = _TIME_LABEL + "0123456789-: "  # everything the time line shows
_FONT = "/MibaoStamp"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class StampText:
    label: str  # the party, e.g. 甲方（用人单位）
    signer: str
    signed_at: str  # already formatted, e.g. 2026-11-21 14:05


def stamp_time(when: datetime | None) -> str:
    """``when`` (or now) in China Standard Time, as shown on stamps."""
    moment = when or datetime.now(SHANGHAI)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def stamp_content(text: StampText) -> PdfContent:
    """The stamp as pyHanko content (e.g. a stamp style's background); raises FontCoverageError before anything
    is drawn with a character the face lacks."""
    check_coverage(text.label + text.signer + text.signed_at)
    return _Stamp(text)


class _Stamp(PdfContent):
    def __init__(self, text: StampText) -> None:
        super().__init__(box=BoxConstraints(width=STAMP_SIZE[0], height=STAMP_SIZE[1]))
        self.text = text
        self.fonts = TextFonts(_FONT, _WORDS + text.label, [text.signer])

    def render(self) -> bytes:
        for name, ref in self.fonts.embed(self._ensure_writer).items():
            self.set_resource(ResourceType.FONT, pdf_name(name), ref)
        width, height = STAMP_SIZE
        return b" ".join([
            f"q 1 g 0 0 {width} {height} re f".encode(),  # opaque, like paper under a seal
            _frame(width, height),
            # top of each line and its largest size, as on the seals the stamp imitates
            self._line(self.text.label, top=5, size=11, color=_RED),
            self._line(self.text.signer, top=19, size=18, color=_DARK),
            self._line(f"{_TIME_LABEL}{self.text.signed_at}", top=43, size=10, color=_RED),
            b"Q",
        ])

    def _line(self, text: str, *, top: float, size: float, color: str) -> bytes:
        # Long names shrink to fit rather than being cut off: a truncated name on a contract is worse.
        room = STAMP_SIZE[0] - 2 * _PADDING
        while self.fonts.width(text, size) > room and size > 4:
            size -= 1
        x = (STAMP_SIZE[0] - self.fonts.width(text, size)) / 2
        return self.fonts.show(text, x, STAMP_SIZE[1] - top - _ASCENT * size, size, f"{color} rg")


def _frame(width: float, height: float) -> bytes:
    """The rounded frame, its stroke inside the box."""
    inset, radius = _BORDER / 2, _RADIUS - _BORDER / 2
    x0, y0, x1, y1 = inset, inset, width - inset, height - inset
    k = radius * 0.5523  # Bézier handle length for a quarter circle
    path = [
        f"{x0 + radius:.2f} {y0:.2f} m {x1 - radius:.2f} {y0:.2f} l",
        f"{x1 - radius + k:.2f} {y0:.2f} {x1:.2f} {y0 + radius - k:.2f} {x1:.2f} {y0 + radius:.2f} c",
        f"{x1:.2f} {y1 - radius:.2f} l",
        f"{x1:.2f} {y1 - radius + k:.2f} {x1 - radius + k:.2f} {y1:.2f} {x1 - radius:.2f} {y1:.2f} c",
        f"{x0 + radius:.2f} {y1:.2f} l",
        f"{x0 + radius - k:.2f} {y1:.2f} {x0:.2f} {y1 - radius + k:.2f} {x0:.2f} {y1 - radius:.2f} c",
        f"{x0:.2f} {y0 + radius:.2f} l",
        f"{x0:.2f} {y0 + radius - k:.2f} {x0 + radius - k:.2f} {y0:.2f} {x0 + radius:.2f} {y0:.2f} c",
    ]
    return f"{_RED} RG {_BORDER:g} w {' '.join(path)} h S".encode()
