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

import copy
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from io import BytesIO

from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.attributes import CMSAttributeProvider, SignedAttributeProviderSpec
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers.pdf_signer import (
    DSSContentSettings,
    SigDSSPlacementPreference,
    TimestampDSSContentSettings,
)
from pyhanko.stamp import StaticStampStyle

from .errors import PartyError, PdfInputError, SigningError
from .pdfio import open_pdf
from .pki import Identity, Pki
from .stamp import StampText, stamp_content, stamp_time
from .tsa import InternalTimeStamper

__all__ = ["sign_document"]

# DSS in the signature's own revision (needs VRI off): one revision per signature, and the document
# timestamp of the last signature ends the file, so "the last signature covers the whole file" holds.
_DSS = DSSContentSettings(
    include_vri=False,
    placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE,
    next_ts_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True),
)
# Room for the CMS (hex digits). Giving a fixed size skips pyHanko's dry-run signature that estimates it,
# which was ~40 % of the signing time. With the internal TSA ours measure 4.5–4.6 KB (EC signer, three
# certificates, a timestamp token with three more; names and serial numbers are at most 64 bytes each); an
# external TSA's token and chain are larger and unknown. Every verifier and every later signer parses the
# reserved room character by character, so it is kept tight; a container that does not fit is signed again
# with pyHanko's estimate.
_CMS_HEX_RESERVED = 10 * 1024
_CMS_HEX_RESERVED_EXTERNAL_TSA = 20 * 1024
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


class _SigningCertificateV2(CMSAttributeProvider):
    attribute_type = "signing_certificate_v2"

    def __init__(self, encoded: bytes) -> None:
        self.encoded = encoded

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        return tsp.SigningCertificateV2.load(self.encoded)  # a fresh object: nothing shared is ever changed


class _PadesAttributes(SignedAttributeProviderSpec):
    """The signed attributes pyHanko gives a PAdES signature (with no CAdES extras, which we never ask for):
    signing-certificate-v2 (RFC 5035) — with its value read back from its encoding.

    asn1crypto encodes a value built in memory anew each time anything containing it is encoded, twice per
    level, and pyHanko encodes the signed attributes several times per signature: this value, nested six deep,
    took ~10 ms of a ~30 ms signature. Read back from its encoding (made once per certificate), it encodes at
    once, to the same bytes.
    """

    def __init__(self, signing_cert: asn1_x509.Certificate) -> None:
        self.signing_cert = signing_cert

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str) -> Iterator[CMSAttributeProvider]:
        yield _SigningCertificateV2(_signing_certificate_v2(self.signing_cert.dump()))


@lru_cache(maxsize=256)
def _signing_certificate_v2(certificate: bytes) -> bytes:
    encoded: bytes = as_signing_certificate_v2(asn1_x509.Certificate.load(certificate)).dump()
    return encoded


def _signer(pki: Pki, identity: Identity) -> signers.Signer:
    """The PKI's signer for ``identity`` (shared, so copied) with :class:`_PadesAttributes`."""
    signer = copy.copy(pki.signer(identity))
    if signer.signing_cert is None:
        raise SigningError(f"the PKI has no certificate for {identity.name}")
    signer.signed_attr_prov_spec = _PadesAttributes(signer.signing_cert)
    return signer


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
    stamp = stamp_content(StampText(label=target.label, signer=identity.name, signed_at=stamp_time(when)))
    others = [f for f in existing if f.name != field_name]
    style = StaticStampStyle(background=stamp, background_opacity=1.0, border_width=0, background_layout=_FULL_BOX)
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
        timestamper = pki.timestamper()
        pdf_signer = signers.PdfSigner(
            metadata, signer=_signer(pki, identity), timestamper=timestamper, stamp_style=style
        )
        reserved = (
            _CMS_HEX_RESERVED if isinstance(timestamper, InternalTimeStamper) else _CMS_HEX_RESERVED_EXTERNAL_TSA
        )
        try:
            out = _sign(pdf_signer, pdf, reader, reserved)
        except SigningError:
            raise
        except Exception as exc:  # pyHanko raises many types; the caller needs one
            raise SigningError(f"signing field {field_name!r} failed: {exc}") from exc
    return bytes(out.getbuffer())


def _sign(pdf_signer: signers.PdfSigner, pdf: bytes, reader: PdfFileReader, reserved: int) -> BytesIO:
    try:
        result: BytesIO = pdf_signer.sign_pdf(IncrementalPdfFileWriter.from_reader(reader),
                                              bytes_reserved=reserved)
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
