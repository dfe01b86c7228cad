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
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
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
    engine = _mark_engine(writer, document_id)
    for index, box in enumerate(page_boxes):
        _draw_marks(
            writer, engine, index, box, _page_texts(LEVELS[level], document_id, index, len(page_boxes))
        )
    engine.prepare_write()
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


def _mark_engine(writer: BasePdfFileWriter, document_id: str) -> GlyphAccumulator:
    path = fonts.mark_font_path(document_id)
    handle = BytesIO(path.read_bytes())
    return GlyphAccumulator(writer=writer, font_handle=handle, font_size=_LEVEL_SIZE)


def _page_texts(level_text: str, document_id: str, index: int, total: int) -> tuple[str, str]:
    return f"密级：{level_text}", f"文档编号：{document_id}  第 {index + 1} 页 / 共 {total} 页"


def _draw_marks(
    writer: BasePdfFileWriter,
    engine: GlyphAccumulator,
    index: int,
    box: tuple[float, float, float, float],
    texts: tuple[str, str],
) -> None:
    x0, y0, x1, y1 = box
    level, footer = engine.shape(texts[0]), engine.shape(texts[1])
    footer_width = footer.x_advance * _FOOTER_SIZE
    # One resource name per page: LibreOffice shares a resource dictionary between pages, and
    # pyHanko refuses to merge a name that is already there.
    font = f"{_FONT}{index}"
    footer_x = (x0 + x1 - footer_width) / 2
    ops = (
        # Our marks must not inherit whatever graphics state the page content leaves behind.
        f"Q q BT {font} {_LEVEL_SIZE} Tf 0.75 0.05 0.1 rg {x0 + 42:.2f} {y1 - 30:.2f} Td ".encode()
        + level.graphics_ops
        + f" ET BT {font} {_FOOTER_SIZE} Tf 0.25 g {footer_x:.2f} {y0 + 18:.2f} Td ".encode()
        + footer.graphics_ops
        + b" ET Q\n"
    )
    resources = generic.DictionaryObject(
        {pdf_name("/Font"): generic.DictionaryObject({pdf_name(font): engine.as_resource()})}
    )
    page_ref, _ = writer.find_page_for_modification(index)
    page = page_ref.get_object()
    if "/Contents" not in page:  # a blank page; pyHanko can only extend existing content
        page[pdf_name("/Contents")] = writer.add_object(generic.ArrayObject())
        writer.update_container(page)
    opening = writer.add_object(generic.StreamObject(stream_data=b"q\n"))
    writer.add_stream_to_page(index, opening, prepend=True)
    stream = generic.StreamObject(stream_data=ops)
    stream.compress()
    writer.add_stream_to_page(index, writer.add_object(stream), resources=resources)
