"""What :func:`signing.verify_pdf` answers: one report per signature and an overall verdict."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["AttachmentReport", "SignatureReport", "Verdict"]


@dataclass(frozen=True)
class SignatureReport:
    """The checks on one signature or document timestamp, in plain terms."""

    field: str
    signer: str | None  # subject CN of the signing certificate
    signing_time: str | None  # ISO 8601; what the signer claims
    timestamp: str | None  # ISO 8601; what the TSA attests, or None
    intact: bool  # the signed bytes hash to the signed digest
    valid: bool  # the cryptographic signature is correct
    trusted: bool  # the certificate chains to a trust root, not revoked at signing time (checked only when valid,
    # whether or not the signed bytes are intact: a one-byte change does not make the certificate untrusted)
    modification_level: str  # NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER or UNKNOWN
    docmdp_ok: bool | None  # later changes are allowed by the certification/lock policy
    coverage: str  # ENTIRE_FILE, ENTIRE_REVISION, CONTIGUOUS_BLOCK_FROM_START, UNCLEAR or UNKNOWN
    kind: str  # "signature" | "document_timestamp"
    problems: list[str] = dataclasses.field(default_factory=list)
    organisation: str | None = None  # subject O of the signing certificate (company seals, our TSA), if any

    @property
    def ok(self) -> bool:
        return not self.problems and self.intact and self.valid and self.trusted and self.docmdp_ok is True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line in plain words, e.g. ``✔ employee: 张伟, signed 2026-11-21T06:02:11+00:00 (timestamped)``."""
        what = "document timestamp" if self.kind == "document_timestamp" else f"{self.field}: {self.signer}"
        when = self.timestamp or self.signing_time or "unknown time"
        state = "intact, valid, trusted" if self.ok else "; ".join(self.problems) or "not valid"
        return f"{'✔' if self.ok else '✘'} {what}, {when} — {state} (changes after it: {self.modification_level})"


@dataclass(frozen=True)
class AttachmentReport:
    """A file embedded in the document as the last signature (or document timestamp) covers it."""

    name: str
    size: int  # bytes, decoded
    sha256: str  # hex, of the decoded file
    relationship: str | None  # PDF/A-3 /AFRelationship: Source, Data, Supplement, … or None
    mime_type: str | None
    description: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    """``ok`` only if every signature is intact, valid and trusted, nothing disallowed changed, and
    the last signature or document timestamp covers the whole file."""

    ok: bool
    signatures: list[SignatureReport]
    problems: list[str]
    # Embedded files in the revision the last signature covers (evidence: source DOCX, fill data, records).
    attachments: list[AttachmentReport] = dataclasses.field(default_factory=list)
    # Why no signature could be checked at all, for callers that explain it in their own words: not_pdf,
    # too_large, encrypted, unreadable, unsigned or error (the checker failed); None when signatures were checked.
    failure: str | None = None

    @classmethod
    def from_json(cls, found: dict[str, Any]) -> Verdict:
        """The inverse of :meth:`to_json` (a verdict sent from a child process)."""
        return cls(ok=bool(found["ok"]), signatures=[SignatureReport(**s) for s in found["signatures"]],
                   problems=list(found["problems"]),
                   attachments=[AttachmentReport(**a) for a in found.get("attachments", ())],
                   failure=found.get("failure"))

    def describe(self) -> str:
        """The verdict in plain words, one line per signature, for the command line."""
        head = ("VALID: every signature is intact, valid and trusted, and nothing disallowed changed"
                if self.ok else "NOT VALID")
        lines = [head, *(f"  {s.describe()}" for s in self.signatures)]
        lines += [f"  attachment: {a.name} ({a.relationship or '—'}, {a.size} bytes, sha256 {a.sha256})"
                  for a in self.attachments]
        lines += [f"  problem: {p}" for p in self.problems]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "signatures": [s.to_json() for s in self.signatures],
            "problems": self.problems,
            "attachments": [a.to_json() for a in self.attachments],
            "failure": self.failure,
        }
