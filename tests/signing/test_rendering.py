"""Render a signed page like a viewer would (poppler) and check the marks and stamps are drawn."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader


def _red_pixels(image: Image.Image) -> int:
    data = image.tobytes()
    return sum(1 for i in range(0, len(data), 3) if data[i] > 150 and data[i + 1] < 110 and data[i + 2] < 110)


@pytest.mark.slow
def test_signed_last_page_shows_stamps_and_level(signed_three: list[bytes], tmp_path: Path) -> None:
    pdf = signed_three[-1]
    (tmp_path / "signed.pdf").write_bytes(pdf)
    reader = PdfReader(BytesIO(pdf))
    last = len(reader.pages)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", str(last), "-l", str(last), "signed.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    scale = 60 / 72
    height_pt = float(reader.pages[-1].mediabox.height)
    for annot in reader.pages[-1]["/Annots"]:
        widget = annot.get_object()
        if (
            widget.get("/FT") != "/Sig"
            or "/V" not in widget
            or widget["/V"].get_object().get("/Type") != "/Sig"
        ):
            continue
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        box = (int(x0 * scale), int((height_pt - y1) * scale), int(x1 * scale), int((height_pt - y0) * scale))
        crop = image.crop(box)
        assert _red_pixels(crop) > 100, f"no stamp drawn in {widget['/T']}"
    level_band = image.crop((0, 0, image.width // 3, int(40 * scale)))
    assert _red_pixels(level_band) > 10, "no level mark at the top"
    image.save(Path("/tmp") / "mibao-signed-last-page.png")  # for a human look
