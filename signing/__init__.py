"""Turn documents into signed, verifiable PDFs: convert (LibreOffice), mark, PKI, TSA, sign, verify."""

from signing.convert import Converter, ConvertOptions
from signing.errors import (
    ConversionError,
    FontCoverageError,
    PartyError,
    PdfInputError,
    PkiError,
    SigningError,
)
from signing.evidence import EvidenceMeta, ExpectedSigner, attach_evidence
from signing.mark import SignatureSlot, mark_document
from signing.pki import Identity, Pki
from signing.sign import sign_document
from signing.verdict import AttachmentReport, SignatureReport, Verdict
from signing.verify import signed_file, verify_pdf

__all__ = [
    "AttachmentReport",
    "ConversionError",
    "ConvertOptions",
    "Converter",
    "EvidenceMeta",
    "ExpectedSigner",
    "FontCoverageError",
    "Identity",
    "PartyError",
    "PdfInputError",
    "Pki",
    "PkiError",
    "SignatureReport",
    "SignatureSlot",
    "SigningError",
    "Verdict",
    "attach_evidence",
    "mark_document",
    "sign_document",
    "signed_file",
    "verify_pdf",
]
