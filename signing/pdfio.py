"""Open an untrusted PDF for marking or signing: one place that says what is wrong with it."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader

from .errors import PdfInputError

__all__ = ["open_pdf"]


def open_pdf(pdf: bytes) -> PdfFileReader:
    """A reader over ``pdf``; :class:`PdfInputError` when it is not a PDF, is damaged or is encrypted."""
    if not pdf.lstrip()[:5].startswith(b"%PDF"):
        raise PdfInputError("not a PDF: the data does not start with %PDF")
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
    except Exception as exc:  # pyHanko raises many types on damaged input
        raise PdfInputError(f"cannot read the PDF: {exc}") from exc
    if reader.encrypted:
        raise PdfInputError("the PDF is encrypted; remove the encryption before marking and signing")
    return reader
