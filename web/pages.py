"""A document's pages as PNG images (poppler's ``pdftoppm``), cached by the PDF's SHA-256.

A signed document is a new file with a new hash, so a cache entry never goes stale; it is written to a
temporary folder and renamed into place, so two requests at once never see half a set of pages.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["RESOLUTION", "page_images"]

# dpi: an A4 page is about 1650 px wide, twice the 820 px column it is shown in, so it stays sharp on the
# high-density screens of phones and laptops (110 dpi looked soft there); text pages compress well as PNG.
RESOLUTION = 200


def page_images(pdf: bytes, sha256: str, cache_dir: Path) -> list[Path]:
    """The page images of ``pdf`` (whose hash is ``sha256``), rendering them on first use."""
    target = cache_dir / f"{sha256}-{RESOLUTION}"       # a new resolution never serves the old images
    if not target.is_dir():
        cache_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{sha256[:12]}-", dir=cache_dir))
        try:
            (work / "document.pdf").write_bytes(pdf)
            subprocess.run(["pdftoppm", "-r", str(RESOLUTION), "-png", str(work / "document.pdf"),
                            str(work / "page")], check=True, capture_output=True, timeout=120)
            (work / "document.pdf").unlink()
            try:
                work.rename(target)
            except OSError:
                if not target.is_dir():   # not a lost race: a real failure
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    # pdftoppm pads the page number to the width of the page count (page-1.png or page-01.png …).
    return sorted(target.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
