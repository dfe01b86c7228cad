"""Verify every signature in a PDF. Fails closed: anything unexpected is a problem, never an exception.

Trust is checked as of each token's own TSA time, using the CRLs and certificates embedded in the
DSS at signing time (offline PAdES B-LT): a certificate revoked or expired *after* signing does not
invalidate an earlier signature, and nothing is fetched from the network.

Bounded cost on hostile files: pyHanko 0.38 reads with decode limits for untrusted input (deflate
bombs stop at the limit with an error) and resolves references lazily (reference loops raise
instead of recursing forever); on top we cap the input size. The DoS corpus in
``attack-corpus/dos`` ends in milliseconds in-process, so no child process is needed on the fast path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from io import BytesIO
from typing import Any

from asn1crypto import cms, pem, tsp
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.status import DocumentTimestampStatus, PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec, bootstrap_validation_data_handlers
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from .collector import collector_paused
from .errors import PdfInputError
from .pdfio import open_pdf
from .verdict import AttachmentReport, SignatureReport, Verdict

__all__ = ["MAX_PDF_BYTES", "AttachmentReport", "SignatureReport", "Verdict", "signed_file", "verify_pdf"]

MAX_PDF_BYTES = 100 * 1024 * 1024
_MAX_ATTACHMENTS = 64  # listed; a name tree with more entries (or deeper than _MAX_TREE_DEPTH) is a problem
_MAX_TREE_DEPTH = 8
_ALLOWED_LEVELS = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}


def verify_pdf(data: bytes, *, trust_roots: Sequence[bytes]) -> Verdict:
    """Check ``data`` against ``trust_roots`` (PEM or DER certificates)."""
    with collector_paused():  # its objects die young: see signing/collector.py
        try:
            return _verify(data, trust_roots)
        except Exception as exc:  # last line of defence: a verifier that raises is a verifier that says yes
            return _fail(f"the document could not be checked: {_why(exc)}", "error")


def _verify(data: bytes, trust_roots: Sequence[bytes]) -> Verdict:
    problems: list[str] = []
    if not isinstance(data, bytes | bytearray) or b"%PDF-" not in bytes(data[:1024]):
        return _fail("not a PDF", "not_pdf")
    if len(data) > MAX_PDF_BYTES:
        return _fail(f"the file is larger than {MAX_PDF_BYTES // 2**20} MB", "too_large")
    roots = _load_roots(trust_roots, problems)
    try:
        reader = PdfFileReader(BytesIO(bytes(data)), strict=False)
        if reader.encrypted:
            return _fail("encrypted PDF: signed agreements are never encrypted", "encrypted")
        signatures = list(reader.embedded_signatures)
    except Exception as exc:
        return _fail(f"damaged or unreadable PDF: {_why(exc)}", "unreadable")
    if not signatures:
        return _fail("the document has no signatures", "unsigned")
    contexts = _Contexts(roots, _dss(reader))
    reports = [_check(number, sig, contexts) for number, sig in enumerate(signatures, start=1)]
    last = reports[-1]
    if last.coverage != SignatureCoverageLevel.ENTIRE_FILE.name:
        problems.append(
            f"the file was changed after the last signature {len(reports)} ({last.field}): "
            "it does not cover the whole file"
        )
    for report in reports:
        problems.extend(report.problems)
    attachments = _attachments(reader, signatures[-1], problems)
    ok = not problems and all(r.ok for r in reports)
    return Verdict(ok=ok, signatures=reports, problems=problems, attachments=attachments)


def _attachments(reader: PdfFileReader, last: EmbeddedPdfSignature, problems: list[str]) -> list[AttachmentReport]:
    """The embedded files as the last signature signed them (a later change is already a problem; listing the
    signed files, not the changed ones, shows what the signatures vouch for)."""
    try:
        root = reader.get_historical_root(last.signed_revision)
        names = _get(root, "/Names")
        tree = _get(names, "/EmbeddedFiles") if isinstance(names, generic.DictionaryObject) else None
        if not isinstance(tree, generic.DictionaryObject):
            return []
        found: list[AttachmentReport] = []
        for key, spec in _name_tree(tree, 0):
            if len(found) == _MAX_ATTACHMENTS:
                raise ValueError(f"more than {_MAX_ATTACHMENTS} embedded files")
            found.append(_attachment(key, spec))
        return found
    except Exception as exc:  # a signed file whose attachments cannot be read is not one to rely on
        problems.append(f"the embedded files could not be read: {_why(exc)}")
        return []


def signed_file(data: bytes, name: str) -> bytes:
    """The embedded file ``name`` (``fill-data.json``…) as the document's last signature signed it: what the
    parties put their names to, not what a later unsigned update may have put in its place. Call it on a file
    whose hash the database vouches for; :class:`PdfInputError` when it is unsigned or has no such file."""
    reader = open_pdf(data)
    signatures = list(reader.embedded_signatures)
    if not signatures:
        raise PdfInputError(f"the PDF has no signature, so no signed {name}")
    names = _get(reader.get_historical_root(signatures[-1].signed_revision), "/Names")
    tree = _get(names, "/EmbeddedFiles") if isinstance(names, generic.DictionaryObject) else None
    for key, spec in _name_tree(tree, 0) if isinstance(tree, generic.DictionaryObject) else ():
        if str(_get(spec, "/UF") or _get(spec, "/F") or key) == name:
            streams = spec["/EF"]
            return bytes((_get(streams, "/UF") or streams["/F"]).data)
    raise PdfInputError(f"the signed PDF embeds no {name}")


def _name_tree(node: generic.DictionaryObject, depth: int) -> Iterator[tuple[str, generic.DictionaryObject]]:
    if depth > _MAX_TREE_DEPTH:
        raise ValueError("the embedded-file name tree is too deep")
    pairs = _get(node, "/Names") or generic.ArrayObject()
    for index in range(0, len(pairs) - 1, 2):
        yield str(pairs[index]), pairs[index + 1]  # an array's items are dereferenced on access
    for kid in _get(node, "/Kids") or generic.ArrayObject():
        yield from _name_tree(kid, depth + 1)


def _get(node: generic.DictionaryObject, key: str) -> Any:
    """``node[key]`` dereferenced, or None (pyHanko's ``get`` returns indirect references as they are)."""
    try:
        return node[key]
    except KeyError:
        return None


def _attachment(key: str, spec: generic.DictionaryObject) -> AttachmentReport:
    streams = spec["/EF"]
    stream = _get(streams, "/UF") or streams["/F"]
    data = stream.data
    subtype = _get(stream, "/Subtype")
    relationship = _get(spec, "/AFRelationship")
    description = _get(spec, "/Desc")
    return AttachmentReport(
        name=str(_get(spec, "/UF") or _get(spec, "/F") or key),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        relationship=str(relationship)[1:] if relationship is not None else None,
        mime_type=str(subtype)[1:] if subtype is not None else None,
        description=str(description) if description is not None else None,
    )


def _check(number: int, sig: EmbeddedPdfSignature, contexts: _Contexts) -> SignatureReport:
    name = _field_name(sig)
    try:
        if sig.sig_object_type == "/DocTimeStamp":
            moment = _tst_time(sig.signed_data)
            ts_status = validate_pdf_timestamp(sig, validation_context=contexts.at(moment))
            return _timestamp_report(number, name, ts_status)
        moment = _signature_tst_time(sig)
        context = contexts.at(moment)
        status = validate_pdf_signature(sig, signer_validation_context=context, ts_validation_context=context)
        return _signature_report(number, name, status)
    except Exception as exc:
        return SignatureReport(
            field=name,
            signer=None,
            signing_time=None,
            timestamp=None,
            intact=False,
            valid=False,
            trusted=False,
            modification_level="UNKNOWN",
            docmdp_ok=None,
            coverage="UNKNOWN",
            kind="document_timestamp" if _is_timestamp(sig) else "signature",
            problems=[f"signature {number} ({name}) could not be checked: {_why(exc)}"],
        )


def _signature_report(number: int, name: str, status: PdfSignatureStatus) -> SignatureReport:
    label = f"signature {number} ({name})"
    problems = _common_problems(label, status)
    ts = status.timestamp_validity
    if ts is None:
        problems.append(f"{label} has no timestamp from a time-stamping authority")
    elif not (ts.intact and ts.valid and ts.trusted):
        problems.append(f"the timestamp on {label} is not valid or not trusted")
    return SignatureReport(
        field=name,
        signer=_cn(status.signing_cert),
        organisation=_organisation(status.signing_cert),
        signing_time=_iso(status.signer_reported_dt),
        timestamp=_iso(ts.timestamp) if ts is not None else None,
        intact=status.intact,
        valid=status.valid,
        trusted=_chains(status),
        modification_level=_level(status.modification_level),
        docmdp_ok=status.docmdp_ok,
        coverage=_coverage(status.coverage),
        kind="signature",
        problems=problems,
    )


def _timestamp_report(number: int, name: str, status: DocumentTimestampStatus) -> SignatureReport:
    label = f"document timestamp {number} ({name})"
    # A document timestamp carries no DocMDP policy of its own; only its diff result matters.
    docmdp_ok = status.modification_level in _ALLOWED_LEVELS
    problems = _common_problems(label, status, docmdp_ok=docmdp_ok)
    return SignatureReport(
        field=name,
        signer=_cn(status.signing_cert),
        organisation=_organisation(status.signing_cert),
        signing_time=_iso(status.timestamp),
        timestamp=_iso(status.timestamp),
        intact=status.intact,
        valid=status.valid,
        trusted=_chains(status),
        modification_level=_level(status.modification_level),
        docmdp_ok=docmdp_ok,
        coverage=_coverage(status.coverage),
        kind="document_timestamp",
        problems=problems,
    )


def _common_problems(
    label: str, status: PdfSignatureStatus | DocumentTimestampStatus, docmdp_ok: bool | None = None
) -> list[str]:
    problems = []
    if not status.intact:
        problems.append(f"the signed content of {label} was altered (digest mismatch)")
    if not status.valid:
        problems.append(f"the cryptographic signature of {label} is invalid")
    if status.valid and not _chains(status):  # an incorrect signature's certificate is never checked
        indic = status.trust_problem_indic
        reason = getattr(indic, "name", str(indic)) if indic else "no path to a trust root"
        problems.append(f"signer not trusted for {label}: {_cn(status.signing_cert)} ({reason})")
    level = status.modification_level
    allowed = docmdp_ok if docmdp_ok is not None else status.docmdp_ok
    if level not in _ALLOWED_LEVELS or allowed is not True:
        diff = status.diff_result
        why = f": {diff}" if isinstance(diff, SuspiciousModification) and str(diff) else ""
        problems.append(
            f"the document was changed after {label} in a way that is not allowed ({_level(level)}{why})"
        )
    return problems


class _Contexts:
    """Validation contexts for one document: our trust roots, the certificates and CRLs of its DSS, no
    fetching, revocation checks required ("hard-fail"); one context per moment, all sharing the parsed
    certificates and CRLs (pyHanko's :class:`ValidationDataHandlers`)."""

    def __init__(
        self,
        roots: list[asn1_x509.Certificate],
        store: tuple[list[asn1_x509.Certificate], list[asn1_crl.CertificateList]],
    ) -> None:
        certs, crls = store
        self._policy = CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=roots),
            revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy.from_legacy("hard-fail")),
        )
        self._handlers = bootstrap_validation_data_handlers(
            fetchers=None, crls=[CRLContainer(crl) for crl in crls], certs=certs
        )

    def at(self, moment: datetime | None) -> ValidationContext:
        """Trust as of ``moment`` (a token's TSA time), or as of now when there is none."""
        timing = (ValidationTimingInfo.now() if moment is None
                  else ValidationTimingInfo(validation_time=moment, best_signature_time=moment,
                                            point_in_time_validation=True))
        return self._policy.build_validation_context(timing, self._handlers)


def _dss(reader: PdfFileReader) -> tuple[list[asn1_x509.Certificate], list[asn1_crl.CertificateList]]:
    try:
        store = DocumentSecurityStore.read_dss(reader)
        certs = list(store.load_certs())
        crls = [asn1_crl.CertificateList.load(ref.get_object().data) for ref in store.crls]
    except Exception:
        return [], []  # no DSS: the revocation check will then fail and say so
    return certs, crls


def _signature_tst_time(sig: EmbeddedPdfSignature) -> datetime | None:
    attributes = sig.signer_info["unsigned_attrs"]
    if not attributes:
        return None
    for attribute in attributes:
        if attribute["type"].native == "signature_time_stamp_token":
            return _tst_time(attribute["values"][0]["content"])
    return None


def _tst_time(signed_data: cms.SignedData) -> datetime | None:
    content = signed_data["encap_content_info"]["content"]
    info = content.parsed if content is not None else None
    return info["gen_time"].native if isinstance(info, tsp.TSTInfo) else None


def _load_roots(trust_roots: Iterable[bytes], problems: list[str]) -> list[asn1_x509.Certificate]:
    roots = []
    for blob in trust_roots:
        try:
            ders = [der for _, _, der in pem.unarmor(blob, multiple=True)] if pem.detect(blob) else [blob]
            loaded = [asn1_x509.Certificate.load(der) for der in ders]
            for root in loaded:
                _ = root.subject.native  # parse now: a bad root is reported here, not deep in validation
            roots.extend(loaded)
        except Exception as exc:
            problems.append(f"a trust root could not be read: {_why(exc)}")
    if not roots:
        problems.append("no trust roots were given: no signer can be trusted")
    return roots


def _field_name(sig: EmbeddedPdfSignature) -> str:
    try:
        return str(sig.field_name)
    except Exception:
        return "?"


def _is_timestamp(sig: EmbeddedPdfSignature) -> bool:
    try:
        return bool(sig.sig_object_type == "/DocTimeStamp")
    except Exception:
        return False


def _cn(cert: asn1_x509.Certificate | None) -> str | None:
    if cert is None:
        return None
    name = cert.subject.native
    return str(name.get("common_name") or cert.subject.human_friendly)


def _organisation(cert: asn1_x509.Certificate | None) -> str | None:
    """The subject's organisation (O): our company seals and our CA and TSA certificates carry one."""
    found = cert.subject.native.get("organization_name") if cert is not None else None
    return str(found) if found else None


def _chains(status: PdfSignatureStatus | DocumentTimestampStatus) -> bool:
    """The signing certificate chains to a trust root and was not revoked at the time. pyHanko's ``trusted``
    is also false whenever the signed bytes changed, which would call a genuine certificate untrusted; the
    chain is checked whenever the signature value is correct, so read the result of that check itself."""
    return bool(status.valid and status.trust_problem_indic is None and status.validation_path is not None)


def _level(level: ModificationLevel | None) -> str:
    return level.name if level is not None else "UNKNOWN"


def _coverage(coverage: SignatureCoverageLevel | None) -> str:
    return coverage.name if coverage is not None else "UNKNOWN"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _fail(problem: str, failure: str) -> Verdict:
    return Verdict(ok=False, signatures=[], problems=[problem], failure=failure)
