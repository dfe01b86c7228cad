# mypy: disallow-untyped-calls=False
# (pyHanko ships py.typed but leaves many helpers unannotated; calling them is fine here.)
"""RFC 3161 timestamp tokens over the audit chain's head hash: request one, and check one offline.

The head hash is itself a SHA-256 digest, so it is the token's message imprint as it is (algorithm sha256).
A token is good when its signature is intact and valid, its signer is a time-stamping certificate that chains
to one of the trust roots (as of the token's own time, nothing fetched), and its imprint is the expected hash.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import cms, pem, tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

__all__ = ["TokenCheck", "load_roots", "request_token", "validate_token"]


@dataclass(frozen=True)
class TokenCheck:
    time: dt.datetime | None                      # the TSA's time in the token
    tsa: str | None                               # the TSA certificate's subject
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def request_token(timestamper: Any, head_hash: str) -> bytes:
    """A DER timestamp token (CMS ContentInfo) over ``head_hash`` from a pyHanko ``TimeStamper``."""
    token: cms.ContentInfo = asyncio.run(timestamper.async_timestamp(bytes.fromhex(head_hash), "sha256"))
    return bytes(token.dump())


def load_roots(blobs: Sequence[bytes]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or several) or DER blobs."""
    roots: list[asn1_x509.Certificate] = []
    for blob in blobs:
        ders = [der for _, _, der in pem.unarmor(blob, multiple=True)] if pem.detect(blob) else [blob]
        roots.extend(asn1_x509.Certificate.load(der) for der in ders)
    return roots


def validate_token(token: bytes, head_hash: str, roots: list[asn1_x509.Certificate]) -> TokenCheck:
    """Check ``token`` against ``roots`` and the expected ``head_hash``; never raises."""
    try:
        signed = cms.ContentInfo.load(token)["content"]
        info = signed["encap_content_info"]["content"].parsed
        if not isinstance(info, tsp.TSTInfo):
            return TokenCheck(None, None, ["the token does not hold a TSTInfo"])
        moment = info["gen_time"].native
    except Exception as exc:
        return TokenCheck(None, None, [f"the token cannot be read: {type(exc).__name__}"])
    expected = bytes.fromhex(head_hash) if len(head_hash) == 64 else b""
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail",
                                moment=moment)
    try:
        status = TimestampSignatureStatus(**asyncio.run(validate_tst_signed_data(
            signed, context, lambda algorithm: expected if algorithm == "sha256" else b"")))
    except Exception as exc:
        return TokenCheck(moment, None, [f"the token's signature cannot be checked: {type(exc).__name__}: {exc}"])
    problems = []
    if not status.intact:
        problems.append("the token's message imprint is not the anchored head hash (or its content was altered)")
    if not status.valid:
        problems.append("the token's signature is invalid")
    if not status.trusted:
        problems.append(f"the TSA is not trusted: {status.trust_problem_indic or 'no path to a trust root'}")
    tsa = status.signing_cert.subject.human_friendly if status.signing_cert is not None else None
    return TokenCheck(moment, tsa, problems)
