"""Changes after signing are reported, in plain words, and make the verdict fail."""

from __future__ import annotations

import time
import zlib
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from signing import Pki, mark_document, verify_pdf
from tests.signing.helpers import sign_in_order, slots


def _incremental(pdf: bytes, change: object) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    change(writer)  # type: ignore[operator]
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _overlay_text(writer: IncrementalPdfFileWriter) -> None:
    stream = generic.StreamObject(stream_data=b"BT /Fx 36 Tf 100 400 Td (PAID IN FULL) Tj ET")
    font = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/Fx"): font})}
    )
    writer.add_stream_to_page(0, writer.add_object(stream), resources=resources)


def _add_annotation(writer: IncrementalPdfFileWriter) -> None:
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    annotation = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/FreeText"),
                pdf_name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (100, 500, 300, 540)]
                ),
                pdf_name("/Contents"): generic.TextStringObject("本协议作废"),
                pdf_name("/DA"): generic.TextStringObject("/Helv 12 Tf 0 g"),
            }
        )
    )
    existing = list(page.get("/Annots", generic.ArrayObject()))
    page[pdf_name("/Annots")] = generic.ArrayObject([*existing, annotation])
    writer.update_container(page)


def _problems(pdf: bytes, root_pem: bytes) -> list[str]:
    verdict = verify_pdf(pdf, trust_roots=[root_pem])
    assert not verdict.ok
    return verdict.problems


def test_flipped_byte_in_signed_range(signed_blank: list[bytes], root_pem: bytes) -> None:
    data = bytearray(signed_blank[-1])
    at = data.index(b"/MediaBox")  # inside the first revision, covered by every signature
    data[at + 1] ^= 0x20  # /MediaBox -> /mediaBox: still parses, different bytes
    verdict = verify_pdf(bytes(data), trust_roots=[root_pem])
    assert not verdict.ok
    assert all(not s.intact for s in verdict.signatures)
    assert any("altered (digest mismatch)" in p for p in verdict.problems)


def test_bytes_after_eof(signed_blank: list[bytes], root_pem: bytes) -> None:
    problems = _problems(signed_blank[-1] + b"\n% appended after signing\n", root_pem)
    assert any("does not cover the whole file" in p for p in problems)


@pytest.mark.parametrize("change", [_overlay_text, _add_annotation], ids=["overlay-text", "annotation"])
def test_update_after_last_signature(signed_blank: list[bytes], root_pem: bytes, change: object) -> None:
    problems = _problems(_incremental(signed_blank[-1], change), root_pem)
    assert any("does not cover the whole file" in p for p in problems)


@pytest.mark.parametrize("change", [_overlay_text, _add_annotation], ids=["overlay-text", "annotation"])
def test_update_between_signatures(
    signed_blank: list[bytes], pki: Pki, root_pem: bytes, change: object
) -> None:
    """The harder case: someone changes the page, then the next party signs over it unknowingly."""
    tampered = _incremental(signed_blank[0], change)
    resigned = sign_in_order(tampered, pki, ["employee"])[-1]
    problems = _problems(resigned, root_pem)
    assert any(p.startswith("the document was changed after signature 1 (company)") for p in problems), (
        problems
    )


@pytest.fixture(scope="module")
def with_text_field(blank_pdf: bytes) -> bytes:
    """A document with an ordinary text field (amount), marked with two signature slots."""
    writer = PdfWriter(clone_from=BytesIO(blank_pdf))
    page = writer.pages[0]
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("amount"),
            NameObject("/V"): TextStringObject("100000"),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([NumberObject(v) for v in (100, 700, 300, 720)]),
        }
    )
    ref = writer._add_object(field)
    page[NameObject("/Annots")] = ArrayObject([ref])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([ref])}
    )
    out = BytesIO()
    writer.write(out)
    return mark_document(
        out.getvalue(), document_id="T-1", level="core", slots=slots("company", "employee", anchored=False)
    )


def _change_amount(writer: IncrementalPdfFileWriter) -> None:
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == "amount":
            field[pdf_name("/V")] = generic.TextStringObject("999999")
            writer.update_container(field)


def test_form_field_locked_by_signature(with_text_field: bytes, pki: Pki, root_pem: bytes) -> None:
    honest = sign_in_order(with_text_field, pki, ["company", "employee"])[-1]
    assert verify_pdf(honest, trust_roots=[root_pem]).ok
    after_company = sign_in_order(with_text_field, pki, ["company"])[-1]
    tampered = sign_in_order(_incremental(after_company, _change_amount), pki, ["employee"])[-1]
    problems = _problems(tampered, root_pem)
    assert any(p.startswith("the document was changed after signature 1 (company)") for p in problems), (
        problems
    )
    last = _incremental(honest, _change_amount)
    assert any("does not cover the whole file" in p for p in _problems(last, root_pem))


def test_bomb_and_page_loop_appended_to_signed_file(signed_blank: list[bytes], root_pem: bytes) -> None:
    bomb = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)

    def attack(writer: IncrementalPdfFileWriter) -> None:
        stream = generic.StreamObject({pdf_name("/Filter"): pdf_name("/FlateDecode")}, encoded_data=bomb)
        writer.add_stream_to_page(0, writer.add_object(stream))
        pages = writer.root["/Pages"]
        pages[pdf_name("/Kids")] = generic.ArrayObject([*pages["/Kids"], writer.root.raw_get("/Pages")])
        writer.update_container(pages)

    started = time.perf_counter()
    verdict = verify_pdf(_incremental(signed_blank[-1], attack), trust_roots=[root_pem])
    assert time.perf_counter() - started < 2
    assert not verdict.ok and verdict.problems
