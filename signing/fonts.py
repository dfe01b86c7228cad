"""Fonts for page marks and signature stamps, prepared once per process.

The system Noto CJK font is a 16 MB ``.ttc`` collection. pyHanko cannot open collections and embedding
(subsetting) the full face costs ~0.5 s per document, so:

* page marks use a tiny OTF subset (the fixed marking vocabulary plus ASCII) cut once with fontTools
  and cached on disk — a few KB, which pyHanko embeds in milliseconds;
* stamps are drawn by Pillow, whose FreeType reads the collection face directly; before drawing we
  check the face's cmap (loaded once) so a missing character is reported by name instead of being
  drawn as a blank box.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont
from PIL import ImageFont

from .errors import FontCoverageError

__all__ = [
    "MARK_VOCABULARY",
    "check_coverage",
    "font_collection",
    "mark_font_path",
    "stamp_font",
    "text_font_path",
]

_DEFAULT_COLLECTION = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# The face we want inside the collection; its index differs between Noto releases, so we look it up.
_FACE_PS_NAME = "NotoSansCJKsc-Regular"

# Everything the page marks print besides the document id: level texts and the footer words.
MARK_VOCABULARY = "密级：核心重要一般秘文档编号第页共/ " + "".join(chr(c) for c in range(0x20, 0x7F))

_build_lock = threading.Lock()


def font_collection() -> Path:
    """The CJK collection to use (``MIBAO_CJK_FONT`` overrides the Debian default)."""
    return Path(os.environ.get("MIBAO_CJK_FONT", _DEFAULT_COLLECTION))


def _cache_dir() -> Path:
    configured = os.environ.get("MIBAO_FONT_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mibao" / "fonts"


@lru_cache(maxsize=4)
def _face_index(collection: Path) -> int:
    if collection.suffix.lower() not in (".ttc", ".otc"):
        return 0
    ttc = TTCollection(str(collection), lazy=True)
    try:
        for index, face in enumerate(ttc.fonts):
            if face["name"].getDebugName(6) == _FACE_PS_NAME:
                return index
        return 0
    finally:
        ttc.close()


@lru_cache(maxsize=4)
def _codepoints(collection: Path) -> frozenset[int]:
    index = _face_index(collection)
    face = TTFont(str(collection), fontNumber=index, lazy=True)
    try:
        return frozenset(face.getBestCmap())
    finally:
        face.close()


def check_coverage(text: str) -> None:
    """Raise :class:`FontCoverageError` naming the first character of ``text`` the CJK face cannot draw."""
    known = _codepoints(font_collection())
    for char in text:
        if ord(char) not in known and not char.isspace():
            raise FontCoverageError(
                f"the stamp font has no glyph for {char!r} (U+{ord(char):04X}) in {text!r}; "
                "use a common variant of the character or ask an administrator to install a font that has it"
            )


@lru_cache(maxsize=16)
def stamp_font(size: int) -> ImageFont.FreeTypeFont:
    """The CJK face at ``size`` pixels, for Pillow (cached: FreeType opens the collection once per size)."""
    collection = font_collection()
    return ImageFont.truetype(str(collection), size=size, index=_face_index(collection))


def mark_font_path(extra_text: str = "") -> Path:
    """A subset OTF that can draw the marking vocabulary plus ``extra_text``; built once, then reused."""
    check_coverage(extra_text)
    chars = "".join(sorted(set(MARK_VOCABULARY + extra_text)))
    collection = font_collection()
    stat = collection.stat()
    key = hashlib.sha256(f"v2|{collection}|{stat.st_size}|{stat.st_mtime_ns}|{chars}".encode()).hexdigest()[:20]
    target = _cache_dir() / f"mark-{key}.otf"
    if target.exists():
        return target
    with _build_lock:
        if not target.exists():
            _write_subset(collection, chars, target)
    return target


def text_font_path(text: str) -> Path:
    """A subset OTF that can draw ``text`` (free text such as titles and names, e.g. on the evidence page).

    Usually one cached font with the GB 2312 repertoire (~1.8 MB, built once in a few seconds; pyHanko
    embeds only the glyphs a document uses, ~25 ms). Text with a character outside GB 2312 (a rare name
    character) gets its own small subset, like :func:`mark_font_path`, cached by its character set.
    """
    check_coverage(text)
    base = _text_repertoire()
    if all(char in base or char.isspace() for char in text):
        return mark_font_path(base)
    return mark_font_path(text)


@lru_cache(maxsize=1)
def _text_repertoire() -> str:
    """GB 2312 (rows 1–9 symbols and both levels of hanzi) and the marking vocabulary (ASCII included) that the
    face can draw, in code point order."""
    chars = set(MARK_VOCABULARY)
    for high in [*range(0xA1, 0xAA), *range(0xB0, 0xF8)]:
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    known = _codepoints(font_collection())
    return "".join(sorted(c for c in chars if ord(c) in known))


def _write_subset(collection: Path, chars: str, target: Path) -> None:
    with TTFont(str(collection), fontNumber=_face_index(collection)) as face:
        _subset_into(face, chars, target)


def _subset_into(face: TTFont, chars: str, target: Path) -> None:
    options = subset.Options()
    # No OpenType layout: the marks are plain horizontal CJK and ASCII, which need no substitutions, and
    # without GSUB/GPOS pyHanko's per-document re-subsetting costs ~2 ms instead of ~40 ms.
    options.layout_features = []
    options.name_IDs = ["*"]
    # Vertical metrics only matter for vertical writing, which the marks never use.
    options.drop_tables += ["VORG", "vhea", "vmtx", "GSUB", "GPOS", "GDEF", "BASE", "JSTF"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(face)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write under a temporary name and rename, so a concurrent reader never sees half a font.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            face.save(handle)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
