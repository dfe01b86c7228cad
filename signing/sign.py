# mypy: disallow-untyped-calls=False
# (pyHanko ships py.typed but leaves many helpers unannotated; calling them is fine here.)
"""Sign one prepared signature field: PAdES B-LT with our TSA, B-LTA when it is the last field.

The first signature certifies the document (DocMDP FILL_FORMS) so later parties may still sign their
fields; every later one is an approval signature. Each signature is one incremental update that also
carries its validation data (certificates + CRLs in the DSS), so each revision is self-contained.
The field's /Lock dictionary, written by :mod:`signing.mark`, makes every signature lock its own
field and every non-signature field (FieldMDP).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_signer import (
    DSSContentSettings,
    SigDSSPlacementPreference,
    TimestampDSSContentSettings,
)
from pyhanko.stamp import StaticStampStyle

from .errors import PartyError, PdfInputError, SigningError
from .pdfio import open_pdf
from .pki import Identity, Pki
from .stamp import StampText, render_stamp, stamp_time

__all__ = ["sign_document"]

# DSS in the signature's own revision (needs VRI off): one revision per signature, and the document
# timestamp of the last signature ends the file, so "the last signature covers the whole file" holds.
_DSS = DSSContentSettings(
    include_vri=False,
    placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE,
    next_ts_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True),
)
# Room for the CMS (hex digits). Ours measure ~6.7 KB (13.4 K hex digits); giving a fixed size skips
# pyHanko's dry-run signature that estimates it, which was ~40 % of the signing time. A container that
# does not fit (a long external TSA chain) is signed again with the estimate.
_CMS_HEX_RESERVED = 20 * 1024
_FULL_BOX = layout.SimpleBoxLayoutRule(
    x_align=layout.AxisAlignment.ALIGN_MID,
    y_align=layout.AxisAlignment.ALIGN_MID,
    margins=layout.Margins.uniform(0),
)




class _OfflineByDesign(logging.Filter):
    """Drop pyHanko's per-signature warning that fetching is off: offline B-LT with our own CRLs is the
    design, so the warning would only bury real ones in the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_OfflineByDesign())


@dataclass(frozen=True)
class _Field:
    name: str
    label: str
    signed: bool


def sign_document(
    pdf: bytes, *, pki: Pki, identity: Identity, field_name: str, when: datetime | None = None
) -> bytes:
    """Sign ``field_name`` of ``pdf`` as ``identity``; returns the whole file with one more revision."""
    reader = open_pdf(pdf)
    existing = _signature_fields(reader)
    target = _pick(existing, field_name)
    image = render_stamp(StampText(label=target.label, signer=identity.name, signed_at=stamp_time(when)))
    others = [f for f in existing if f.name != field_name]
    style = StaticStampStyle(
        background=PdfImage(image), background_opacity=1.0, border_width=0, background_layout=_FULL_BOX
    )
    with pki.exclusive():
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            name=identity.name,
            reason=f"{target.label}签署",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            certify=not any(f.signed for f in existing),
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
            embed_validation_info=True,
            use_pades_lta=all(f.signed for f in others),
            validation_context=pki.validation_context(),
            dss_settings=_DSS,
        )
        pdf_signer = signers.PdfSigner(
            metadata, signer=pki.signer(identity), timestamper=pki.timestamper(), stamp_style=style
        )
        try:
            out = _sign(pdf_signer, pdf, reader)
        except SigningError:
            raise
        except Exception as exc:  # pyHanko raises many types; the caller needs one
            raise SigningError(f"signing field {field_name!r} failed: {exc}") from exc
    return bytes(out.getbuffer())


def _sign(pdf_signer: signers.PdfSigner, pdf: bytes, reader: PdfFileReader) -> BytesIO:
    try:
        result: BytesIO = pdf_signer.sign_pdf(IncrementalPdfFileWriter.from_reader(reader),
                                              bytes_reserved=_CMS_HEX_RESERVED)
        return result
    except PyHankoSigningError as exc:
        if "larger than expected" not in str(exc):
            raise
    # The failed attempt wrote into its writer; start the estimate from a fresh one.
    estimated: BytesIO = pdf_signer.sign_pdf(IncrementalPdfFileWriter.from_reader(open_pdf(pdf)))
    return estimated


def _signature_fields(reader: PdfFileReader) -> list[_Field]:
    found = []
    try:
        for name, value, ref in fields.enumerate_sig_fields(reader):
            label = ref.get_object().get("/TU")
            found.append(_Field(name=name, label=str(label) if label else name, signed=value is not None))
    except Exception as exc:
        raise PdfInputError(f"cannot read the signature fields: {exc}") from exc
    return found


def _pick(existing: list[_Field], field_name: str) -> _Field:
    names = ", ".join(f.name for f in existing) or "none"
    for candidate in existing:
        if candidate.name == field_name:
            if candidate.signed:
                raise PartyError(f"signature field {field_name!r} is already signed (fields: {names})")
            return candidate
    raise PartyError(f"the document has no signature field {field_name!r} (fields: {names})")
