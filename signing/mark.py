# mypy: disallow-untyped-calls=False
# (pyHanko ships py.typed but leaves many helpers unannotated; calling them is fine here.)
"""Prepare a PDF for signing: secrecy level on every page, a numbered footer, and the empty fields.

The marks and fields are one incremental update on top of the converter's PDF, like every signature
after them. (A full rewrite would leave no unmarked revision in the file, but re-serialising every object
of a LibreOffice PDF cost ~15 ms more per document; the unmarked revision is covered by the first signature
like everything else, so it changes nothing a verifier judges.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields

from records.levels import LEVEL_NAMES as LEVELS

from . import anchors, fonts, layout
from .errors import PdfInputError, SigningError
from .pdfio import open_pdf

__all__ = ["LEVELS", "SignatureSlot", "mark_document"]

_FONT = "/MibaoMark"
_LEVEL_SIZE = 11
_FOOTER_SIZE = 8


@dataclass(frozen=True)
class SignatureSlot:
    """One signature field to create. ``label`` (the party, e.g. 甲方（用人单位）) is kept in /TU."""

    field_name: str
    label: str
    anchor: str | None = None
    page: int = -1


def mark_document(pdf: bytes, *, document_id: str, level: str, slots: Sequence[SignatureSlot]) -> bytes:
    """Return a copy of ``pdf`` with page marks and one empty signature field per slot."""
    if level not in LEVELS:
        raise SigningError(f"unknown secrecy level {level!r}; use one of {', '.join(LEVELS)}")
    _check_slots(slots)
    reader = _read(pdf)
    try:
        return _mark(pdf, reader, document_id, level, slots)
    except SigningError:
        raise
    except Exception as exc:  # pyHanko/fontTools raise many types on damaged input; callers need one
        raise PdfInputError(f"cannot mark the PDF: {type(exc).__name__}: {exc}") from exc


def _mark(
    pdf: bytes, reader: PdfFileReader, document_id: str, level: str, slots: Sequence[SignatureSlot]
) -> bytes:
    writer = IncrementalPdfFileWriter.from_reader(reader)
    page_boxes = [_page_box(writer, i) for i in range(_page_count(writer))]
    fonts.check_coverage(document_id)
    marks = _PageMarks(writer, fonts.embedded_font(fonts.MARK_VOCABULARY + document_id))
    for index, box in enumerate(page_boxes):
        marks.draw(index, box, _page_texts(LEVELS[level], document_id, index, len(page_boxes)))
    # Fields never go after the latest page a slot allows (-2 when an evidence page closes the document).
    found = anchors.find_last(pdf, [s.anchor for s in slots if s.anchor], last_page=max(s.page for s in slots))
    placed = layout.place_fields(slots, found, page_boxes)
    for slot, (page, rect) in zip(slots, placed, strict=True):
        others = [s.field_name for s in slots if s.field_name != slot.field_name]
        lock = (
            fields.FieldMDPSpec(fields.FieldMDPAction.EXCLUDE, fields=others)
            if others
            else fields.FieldMDPSpec(fields.FieldMDPAction.ALL)
        )
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=slot.field_name,
                on_page=page,
                box=rect,
                readable_field_name=slot.label,
                field_mdp_spec=lock,
            ),
        )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _check_slots(slots: Sequence[SignatureSlot]) -> None:
    names = [s.field_name for s in slots]
    if not slots:
        raise SigningError("at least one signature slot is needed")
    if len(set(names)) != len(names):
        raise SigningError(f"signature field names must be unique: {names}")
    for slot in slots:
        if not slot.field_name or "." in slot.field_name or not slot.field_name.isprintable():
            raise SigningError(f"invalid signature field name {slot.field_name!r}")
        fonts.check_coverage(slot.label)


def _read(pdf: bytes) -> PdfFileReader:
    reader = open_pdf(pdf)
    if any(True for _ in fields.enumerate_sig_fields(reader, filled_status=True)):
        raise PdfInputError("the PDF is already signed; marking it would break the signatures")
    return reader


def _page_count(writer: BasePdfFileWriter) -> int:
    return int(writer.root["/Pages"]["/Count"])


def _page_box(writer: BasePdfFileWriter, index: int) -> tuple[float, float, float, float]:
    page, _ = writer.find_page_for_modification(index)
    page = page.get_object()
    raw = page.get("/CropBox") or _inherited(page, "/MediaBox")
    x0, y0, x1, y1 = (float(v) for v in raw)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inherited(page: generic.DictionaryObject, key: str) -> generic.ArrayObject:
    node: generic.DictionaryObject = page
    for _ in range(64):  # a page tree deeper than this is a reference loop, not a document
        if key in node:
            value: generic.ArrayObject = node[key]
            return value
        if "/Parent" not in node:
            break
        node = node["/Parent"]
    return generic.ArrayObject([0, 0, 595.28, 841.89])  # A4, the only size our templates use


def _page_texts(level_text: str, document_id: str, index: int, total: int) -> tuple[str, str]:
    return f"密级：{level_text}", f"文档编号：{document_id}  第 {index + 1} 页 / 共 {total} 页"


class _PageMarks:
    """Draws the marks page by page, with one copy of the font and one opening stream for all pages."""

    def __init__(self, writer: BasePdfFileWriter, font: fonts.EmbeddedFont) -> None:
        self.writer = writer
        self.font = font
        self.font_ref = font.embed(writer)
        # Our marks must not inherit whatever graphics state the page content leaves behind: the page's
        # content is wrapped in q … Q (this stream before it, the marks after it).
        self.opening = writer.add_object(generic.StreamObject(stream_data=b"q\n"))

    def draw(self, index: int, box: tuple[float, float, float, float], texts: tuple[str, str]) -> None:
        x0, y0, x1, y1 = box
        level, footer = self.font.shape(texts[0]), self.font.shape(texts[1])
        footer_x = (x0 + x1 - footer.x_advance * _FOOTER_SIZE) / 2
        writer = self.writer
        page_ref, res_ref = writer.find_page_for_modification(index)
        name, resources = self._resources(index, res_ref)
        ops = (
            f"Q q BT {name} {_LEVEL_SIZE} Tf 0.75 0.05 0.1 rg {x0 + 42:.2f} {y1 - 30:.2f} Td ".encode()
            + level.graphics_ops
            + f" ET BT {name} {_FOOTER_SIZE} Tf 0.25 g {footer_x:.2f} {y0 + 18:.2f} Td ".encode()
            + footer.graphics_ops
            + b" ET Q\n"
        )
        page = page_ref.get_object()
        if "/Contents" not in page:  # a blank page; pyHanko can only extend existing content
            page[pdf_name("/Contents")] = writer.add_object(generic.ArrayObject())
            writer.update_container(page)
        writer.add_stream_to_page(index, self.opening, prepend=True)
        stream = generic.StreamObject(stream_data=ops)
        stream.compress()
        writer.add_stream_to_page(index, writer.add_object(stream), resources=resources)

    def _resources(self, index: int, res_ref: generic.PdfObject) -> tuple[str, generic.DictionaryObject | None]:
        """The font's name on this page, and the resources to merge (None: the page has them already).

        LibreOffice gives all pages one shared resource dictionary: the font is named in it once (one name
        per page would give every page every name, and the verifier one more path to the font for each).
        pyHanko copies an inherited direct dictionary into each page, so such a page gets a name of its own
        (merging one name twice into the dictionary both copies share is refused).
        """
        if not isinstance(res_ref, generic.IndirectObject):
            name = f"{_FONT}{index}"
        else:
            name = _FONT
            named = res_ref.get_object().get("/Font")
            named = named.get_object() if named is not None else None
            if isinstance(named, generic.DictionaryObject) and name in named and named.raw_get(name) == self.font_ref:
                return name, None
        return name, generic.DictionaryObject(
            {pdf_name("/Font"): generic.DictionaryObject({pdf_name(name): self.font_ref})}
        )
