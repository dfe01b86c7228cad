"""The visible signature stamp, drawn as an image.

Drawing the text with Pillow (FreeType reads the CJK collection directly) and embedding the image
costs a few milliseconds; embedding the CJK font through pyHanko's text stamp costs ~0.5 s. The
price: the stamp text is not selectable. The signer's name is also in the certificate and the
signature dictionary (/Name), so nothing is lost for verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from .fonts import check_coverage, stamp_font

__all__ = ["STAMP_SIZE", "StampText", "render_stamp", "stamp_time"]

STAMP_SIZE = (170, 60)  # points; mark.py sizes the signature fields with it
_SCALE = 3  # pixels per point: sharp at 200 % zoom and still cheap to compress
_RED = (190, 20, 30)
_DARK = (60, 10, 10)
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


def render_stamp(text: StampText) -> Image.Image:
    """An opaque RGB image of the stamp; raises FontCoverageError before drawing anything unknown."""
    check_coverage(text.label + text.signer + text.signed_at)
    width, height = STAMP_SIZE[0] * _SCALE, STAMP_SIZE[1] * _SCALE
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    border = 2 * _SCALE
    draw.rounded_rectangle(
        (border // 2, border // 2, width - border // 2 - 1, height - border // 2 - 1),
        radius=5 * _SCALE,
        outline=_RED,
        width=border,
    )
    inner = width - 10 * _SCALE
    _line(draw, text.label, top=5 * _SCALE, size=11 * _SCALE, max_width=inner, fill=_RED)
    _line(draw, text.signer, top=19 * _SCALE, size=18 * _SCALE, max_width=inner, fill=_DARK)
    _line(draw, f"签署时间：{text.signed_at}", top=43 * _SCALE, size=10 * _SCALE, max_width=inner, fill=_RED)
    return image


def _line(
    draw: ImageDraw.ImageDraw, text: str, *, top: int, size: int, max_width: int, fill: tuple[int, ...]
) -> None:
    # Long names shrink to fit rather than being cut off: a truncated name on a contract is worse.
    font = stamp_font(size)
    while draw.textlength(text, font=font) > max_width and size > 4 * _SCALE:
        size -= _SCALE
        font = stamp_font(size)
    left = (draw.im.size[0] - draw.textlength(text, font=font)) / 2
    draw.text((left, top), text, font=font, fill=fill)
