"""Turn documents into signed, verifiable PDFs: convert (LibreOffice), mark, PKI, TSA, sign, verify."""

from signing.convert import ConvertOptions, Converter
from signing.errors import (
    ConversionError,
    FontCoverageError,
    PartyError,
    PdfInputError,
    PkiError,
    SigningError,
)

__all__ = [
    "ConversionError",
    "ConvertOptions",
    "Converter",
    "FontCoverageError",
    "PartyError",
    "PdfInputError",
    "PkiError",
    "SigningError",
]
