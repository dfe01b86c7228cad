# mypy: disallow-untyped-calls=False
# (pyHanko ships py.typed but leaves many helpers unannotated; calling them is fine here.)
"""Fonts for page marks, the evidence page and signature stamps, prepared once per process.

The system Noto CJK font is a 16 MB ``.ttc`` collection, which pyHanko cannot open, and pyHanko's own
subsetting (fontTools) costs ~0.4 ms per CJK glyph every time a font is embedded — ~80 ms for an evidence
page. So:

* HarfBuzz's subsetter cuts the few glyphs a text needs straight from the collection face (~1 ms, no files);
* an :class:`EmbeddedFont` turns such a subset into PDF font objects once, and :meth:`EmbeddedFont.embed`
  copies those objects into each document. :func:`embedded_font` keeps them for text that repeats between
  documents (the marking vocabulary, the evidence page's labels and headings, ASCII) and :func:`name_font`
  for names, so a document pays only the copy and the shaping, and a name seen for the first time the
  making of a font with its few glyphs; :class:`TextFonts` sets text in such fonts (the evidence page, the
  signature stamps).

Before any of this, the face's cmap (loaded once) is checked so that a missing character is reported by name
instead of being drawn as a blank box.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import uharfbuzz as hb  # type: ignore[import-untyped]
from fontTools.ttLib import TTCollection, TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import ShapeResult
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter, PdfFileWriter

from .errors import FontCoverageError

__all__ = [
    "ASCII",
    "MARK_VOCABULARY",
    "EmbeddedFont",
    "TextFonts",
    "check_coverage",
    "embedded_font",
    "font_collection",
    "name_font",
]

_DEFAULT_COLLECTION = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# The face we want inside the collection; its index differs between Noto releases, so we look it up.
_FACE_PS_NAME = "NotoSansCJKsc-Regular"

ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
# Everything the page marks print besides the document id: level texts, the footer words and page numbers,
# and what our document ids are made of (``MB-20261121-9F3A61C2``), so that one font serves every document;
# an id with other characters gets a font of its own. (Only the glyphs a document can show go in: the
# verifier reads each glyph's width as often as pages name the font.)
MARK_VOCABULARY = "密级：核心重要一般秘文档编号第页共/ 0123456789ABCDEFMB-"

# No OpenType layout: our text is plain horizontal CJK and ASCII, which needs no substitutions or positioning
# (one glyph per character also lets any text over a font's characters use it). Vertical metrics only matter
# for vertical writing, which we never use.
_DEFAULT_WIDTH = 1000  # /DW: full width, in 1/1000 em (Noto CJK has 1000 units per em)
_DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx")


def font_collection() -> Path:
    """The CJK collection to use (``MIBAO_CJK_FONT`` overrides the Debian default)."""
    return Path(os.environ.get("MIBAO_CJK_FONT", _DEFAULT_COLLECTION))


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


@lru_cache(maxsize=4)
def _hb_face(collection: Path, size: int, mtime_ns: int) -> hb.Face:
    # The blob maps the file; size and mtime in the key make a replaced font file a new face.
    return hb.Face(hb.Blob.from_file_path(str(collection)), _face_index(collection))


def _subset_program(chars: str) -> bytes:
    """An OpenType (CID-keyed CFF) font with the glyphs of ``chars``, cut from the CJK face by HarfBuzz."""
    collection = font_collection()
    stat = collection.stat()
    request = hb.SubsetInput()
    request.unicode_set.update(ord(char) for char in chars)
    request.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).clear()
    request.sets(hb.SubsetInputSets.DROP_TABLE_TAG).update(
        int.from_bytes(tag.encode("ascii"), "big") for tag in _DROPPED_TABLES
    )
    request.flags = hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING
    result = hb.subset(_hb_face(collection, stat.st_size, stat.st_mtime_ns), request)
    if result is None:
        raise FontCoverageError(f"the CJK font could not be subset for {chars!r}")
    data: bytes = result.blob.data
    return data


class EmbeddedFont:
    """The glyphs of some characters as PDF font objects (Type 0, CID-keyed CFF, /W and /ToUnicode), made once.

    :meth:`shape` gives the text operators for any text over :attr:`chars`; :meth:`embed` copies the objects
    into a document. Thread-safe.
    """

    def __init__(self, chars: str) -> None:
        check_coverage(chars)
        self.chars = frozenset(chars)
        every = "".join(sorted(self.chars))
        program = _subset_program(every)
        self._font = _font_objects(program, every)
        # pyHanko subsets destructively when it writes a font, so shaping goes through a second, never-written
        # engine over the same program: same glyphs, same CIDs, same widths.
        self._shaper = GlyphAccumulator(writer=PdfFileWriter(), font_handle=BytesIO(program), font_size=1)
        self._advances: dict[str, float] = {}
        self._lock = threading.Lock()

    def shape(self, text: str) -> ShapeResult:
        """Operators that show ``text`` (all of it in :attr:`chars`); ``x_advance`` is in ems."""
        missing = set(text) - self.chars
        if missing:
            raise ValueError(f"characters not in this font: {''.join(sorted(missing))!r}")
        with self._lock:
            return self._shaper.shape(text)

    def advance(self, char: str) -> float:
        """The width of ``char`` in ems."""
        width = self._advances.get(char)
        if width is None:
            width = self._advances[char] = self.shape(char).x_advance
        return width

    def embed(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        """A copy of the font objects in ``writer``; the reference goes into a page's /Font resources."""
        copied = writer.add_object(writer.import_object(self._font))
        return copied


def _font_objects(program: bytes, chars: str) -> generic.DictionaryObject:
    """The Type 0 font for ``program`` with all of ``chars``, in a writer of its own; it names its writer as its
    container, which is what :meth:`~pyhanko.pdf_utils.writer.BasePdfFileWriter.import_object` copies from."""
    scratch = PdfFileWriter()
    builder = GlyphAccumulator(writer=scratch, font_handle=BytesIO(program), font_size=1)
    builder.shape(chars)  # every glyph goes in (and into /ToUnicode), whatever a document shows later
    builder.prepare_write()
    _drop_default_widths(builder.cidfont_obj)
    ref = builder.as_resource()
    font: generic.DictionaryObject = ref.get_object()
    font.container_ref = ref.reference
    return font


def _drop_default_widths(cidfont: generic.DictionaryObject) -> None:
    """Leave out of /W the glyphs as wide as /DW says (1000/1000 em, every CJK glyph): a shorter /W reads and
    verifies faster, and says the same (ISO 32000-1, 9.7.4.3)."""
    entries = list(cidfont["/W"])
    widths: list[tuple[int, generic.NumberObject]] = []
    while entries:  # pyHanko writes "first [w w …]" groups
        first, group = int(entries.pop(0)), entries.pop(0)
        widths += [(first + offset, width) for offset, width in enumerate(group)]
    compact = generic.ArrayObject()
    for cid, width in widths:
        if int(width) == _DEFAULT_WIDTH:
            continue
        if compact and int(compact[-2]) + len(compact[-1]) == cid:
            compact[-1].append(width)
        else:
            compact += [generic.NumberObject(cid), generic.ArrayObject([width])]
    cidfont[pdf_name("/DW")] = generic.NumberObject(_DEFAULT_WIDTH)
    cidfont[pdf_name("/W")] = compact


@lru_cache(maxsize=16)
def _repeated_font(collection: Path, chars: frozenset[str]) -> EmbeddedFont:
    return EmbeddedFont("".join(sorted(chars)))


@lru_cache(maxsize=64)
def _name_font(collection: Path, chars: frozenset[str]) -> EmbeddedFont:
    return EmbeddedFont("".join(sorted(chars)))


def embedded_font(chars: str) -> EmbeddedFont:
    """The :class:`EmbeddedFont` for text that repeats between documents (the marking vocabulary, a template's
    labels and headings), built on first use and kept."""
    return _repeated_font(font_collection(), frozenset(chars))


def name_font(name: str) -> EmbeddedFont:
    """The :class:`EmbeddedFont` for a name (a person or a company), kept apart from :func:`embedded_font`'s:
    there are many names (a company's is on all its agreements, a person's on a few), and each costs a few
    milliseconds to make the first time."""
    return _name_font(font_collection(), frozenset(name))


class TextFonts:
    """Text set in a font for what repeats between documents (``common``: labels, headings, vocabulary) and one
    per name with characters that font lacks (:func:`name_font`); their resource names are ``prefix`` and
    ``prefix`` + ``Name1``, ``Name2``…"""

    def __init__(self, prefix: str, common: str, names: Sequence[str] = ()) -> None:
        base = embedded_font(common)
        self.fonts = [(prefix, base)]
        covered = set(base.chars)
        for name in names:
            if not set(name) <= covered:
                # A name's font holds the whole name, whatever the other fonts have: the same font then serves
                # the name on the evidence page and in the signer's stamp.
                self.fonts.append((f"{prefix}Name{len(self.fonts)}", name_font(name)))
                covered |= set(name)

    def font(self, char: str) -> tuple[str, EmbeddedFont]:
        return next((entry for entry in self.fonts if char in entry[1].chars), self.fonts[0])

    def runs(self, text: str) -> list[tuple[str, EmbeddedFont, str]]:
        """``text`` cut where the font changes: (resource name, font, part)."""
        found: list[tuple[str, EmbeddedFont, str]] = []
        for char in text:
            resource, font = self.font(char)
            if found and found[-1][0] == resource:
                found[-1] = (resource, font, found[-1][2] + char)
            else:
                found.append((resource, font, char))
        return found

    def advance(self, char: str) -> float:
        """The width of ``char`` in ems."""
        return self.font(char)[1].advance(char)

    def width(self, text: str, size: float) -> float:
        return sum(self.advance(char) for char in text) * size

    def show(self, text: str, x: float, y: float, size: float, state: str = "") -> bytes:
        """Operators that show ``text`` with its left end of the baseline at (``x``, ``y``); ``state`` (e.g. a
        colour) applies to each text object."""
        shown = []
        for resource, font, part in self.runs(text):
            shaped = font.shape(part)
            shown.append(f"BT {resource} {size:g} Tf {state} {x:.2f} {y:.2f} Td ".encode() + shaped.graphics_ops
                         + b" ET")
            x += shaped.x_advance * size
        return b" ".join(shown)

    def embed(self, writer: BasePdfFileWriter) -> dict[str, generic.IndirectObject]:
        """The fonts copied into ``writer``, by resource name."""
        return {name: font.embed(writer) for name, font in self.fonts}
