"""A verification verdict in the reader's words, for the public verify page and its downloadable report.

One overall verdict (valid, altered after signing, or cannot be verified) and, per signature, who signed (the
certificate's name and organisation, the party's role in words), when (China time) and each check. Everything is
read from the verdict's structured fields and put through gettext; the checker's own English problem lines are
shown only as technical details, and only when no structured field explains the outcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from signing import SignatureReport, Verdict
from workflows.clock import SHANGHAI

__all__ = ["Fact", "SignatureView", "VerdictView", "china_time", "describe"]

State = Literal["valid", "altered", "unverifiable"]
Tone = Literal["plain", "good", "bad", "warn"]
_PERMITTED = {"NONE", "LTA_UPDATES", "FORM_FILLING"}  # signing/verify.py: what may follow a signature

# The signature fields are named after the party's role in the contract templates' manifests.
ROLES = {
    "company": _l("Company seal"),
    "employee": _l("Employee"),
    "secrecy_office": _l("Secrecy office"),
    "host": _l("Escorting employee"),
    "visitor": _l("Visitor"),
    "partner": _l("Partner organisation"),
    "maintainer": _l("Maintenance contractor"),
    "liaison": _l("Secrecy liaison"),
    "committee_chair": _l("Chair of the secrecy committee"),
    "auditor": _l("Auditor"),
}
LEVELS = {
    "LTA_UPDATES": _l("Only validation data and timestamps were added"),
    "FORM_FILLING": _l("Only later signatures and form fields were added"),
    "ANNOTATIONS": _l("Comments or annotations were added"),
    "OTHER": _l("The content was changed"),
}
COVERAGE = {
    "ENTIRE_FILE": _l("the whole file"),
    "ENTIRE_REVISION": _l("the file as it was then (later signatures follow)"),
    "CONTIGUOUS_BLOCK_FROM_START": _l("only the beginning of the file"),
}
FAILURES = {
    "not_pdf": _l("The file is not a PDF."),
    "too_large": _l("The file is too large to be checked."),
    "encrypted": _l("The PDF is encrypted; agreements signed with mibao never are."),
    "unreadable": _l("The PDF is damaged and cannot be read."),
    "unsigned": _l("The PDF has no signatures."),
    "timeout": _l("The file could not be checked in time; it is treated as not valid."),
    "error": _l("The checker could not read the file's signatures."),
}
HEADLINES = {"valid": _l("Valid"), "altered": _l("Altered after signing"), "unverifiable": _l("Cannot be verified")}
SUMMARIES = {
    "valid": _l("Every signature is intact, its certificate chains to the mibao root certificate, and nothing was "
                "changed afterwards that the signers did not permit."),
    "altered": _l("The file was changed after it was signed. Do not rely on it; ask the sender for the original."),
    "unverifiable": _l("The signatures could not be confirmed. Do not rely on this file until they are."),
}


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    tone: Tone = "plain"


@dataclass(frozen=True)
class SignatureView:
    number: int
    title: str  # the role in words, or "Document timestamp"
    signer: str
    ok: bool
    facts: list[Fact]


@dataclass(frozen=True)
class VerdictView:
    state: State
    headline: str
    summary: str
    reasons: list[str]
    signatures: list[SignatureView]
    details: list[str] = field(default_factory=list)  # the checker's own lines, when the reasons fall short

    @property
    def tone(self) -> Tone:
        return {"valid": "good", "altered": "bad", "unverifiable": "warn"}[self.state]  # type: ignore[return-value]


def describe(verdict: Verdict) -> VerdictView:
    """The verdict for people, in the request's language."""
    state = _state(verdict)
    reasons = [str(FAILURES.get(verdict.failure or "", ""))] if verdict.failure else []
    last = verdict.signatures[-1] if verdict.signatures else None
    if last is not None and _checked(last) and last.coverage != "ENTIRE_FILE":
        reasons.append(_("The file was changed after the last signature: that signature does not cover the whole "
                         "file."))
    unexplained = False
    for number, report in enumerate(verdict.signatures, start=1):
        own = _reasons(report)
        if not own and not report.ok:
            own, unexplained = [_("Another check failed (for example the signature's timestamp).")], True
        reasons += [_("Signature %(number)s (%(who)s): %(reason)s", number=number, who=_title(report), reason=r)
                    for r in own]
    if state != "valid" and not reasons:
        reasons, unexplained = [_("The check failed for a reason this page cannot name.")], True
    details = list(verdict.problems) if unexplained else []
    summary = _("This file could not be checked as a signed PDF.") if verdict.failure else str(SUMMARIES[state])
    return VerdictView(state=state, headline=str(HEADLINES[state]), summary=summary,
                       reasons=reasons, details=details,
                       signatures=[_signature(n, r) for n, r in enumerate(verdict.signatures, start=1)])


def china_time(value: str | dt.datetime | None) -> str | None:
    """``2026-11-21 17:01:12 (Beijing time, UTC+08:00)``; None for no time."""
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return str(_("%(time)s (Beijing time, UTC+08:00)", time=moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")))


def _state(verdict: Verdict) -> State:
    if verdict.ok:
        return "valid"
    last = verdict.signatures[-1] if verdict.signatures else None
    cut_short = last is not None and _checked(last) and last.coverage != "ENTIRE_FILE"
    return "altered" if cut_short or any(_altered(r) for r in verdict.signatures) else "unverifiable"


def _checked(report: SignatureReport) -> bool:
    """False for a signature the checker could not read at all (signing/verify.py reports nothing known)."""
    return not (report.coverage == "UNKNOWN" and report.modification_level == "UNKNOWN")


def _altered(report: SignatureReport) -> bool:
    return _checked(report) and (not report.intact or not _permitted(report))


def _permitted(report: SignatureReport) -> bool:
    return report.modification_level in _PERMITTED and report.docmdp_ok is not False


def _reasons(report: SignatureReport) -> list[str]:
    if not _checked(report):
        return [_("it could not be checked: its data is damaged or not in a form mibao uses.")]
    found = []
    if not report.intact:
        found.append(_("the signed content was changed after signing."))
    elif not report.valid:
        found.append(_("the signature value does not match: the signature is damaged or forged."))
    if report.valid and not report.trusted:
        found.append(_("the certificate does not chain to the mibao root certificate, or it was revoked or had "
                       "expired when it was used."))
    if not _permitted(report):
        found.append(_("the document was changed afterwards in a way the signers did not permit."))
    elif report.docmdp_ok is None:
        found.append(_("whether later changes were permitted could not be determined."))
    if report.kind == "signature" and report.timestamp is None:
        found.append(_("it has no timestamp from a time-stamping authority."))
    return found


def _title(report: SignatureReport) -> str:
    if report.kind == "document_timestamp":
        return str(_("Document timestamp"))
    return str(ROLES.get(report.field, _("Signature")))


def _signature(number: int, report: SignatureReport) -> SignatureView:
    who = report.signer or _("unknown")
    if report.organisation and report.organisation != report.signer:
        who = _("%(name)s, %(organisation)s", name=who, organisation=report.organisation)
    timestamp = report.kind == "document_timestamp"
    facts = [Fact(_("Issued by") if timestamp else _("Signed by"), who)]
    if not timestamp:
        facts.append(Fact(_("Signs as"), _title(report)))
    facts += [_when(report), _content(report), _certificate(report), _later(report)]
    if report.coverage in COVERAGE:
        facts.append(Fact(_("Covers"), str(COVERAGE[report.coverage])))
    return SignatureView(number=number, title=_title(report), signer=who, ok=report.ok, facts=facts)


def _when(report: SignatureReport) -> Fact:
    label = _("Timestamped at") if report.kind == "document_timestamp" else _("Signed at")
    if report.timestamp:
        return Fact(label, _("%(time)s, attested by the time-stamping authority",
                             time=china_time(report.timestamp)))
    if report.signing_time:
        return Fact(label, _("%(time)s, as the signer's computer claims (no timestamp)",
                             time=china_time(report.signing_time)), "warn")
    return Fact(label, _("unknown"), "warn")


def _content(report: SignatureReport) -> Fact:
    label = _("Signed content")
    if not _checked(report):
        return Fact(label, _("could not be checked"), "warn")
    if not report.intact:
        return Fact(label, _("changed after signing"), "bad")
    if not report.valid:
        return Fact(label, _("unchanged, but the signature value does not match"), "bad")
    return Fact(label, _("unchanged since signing"), "good")


def _certificate(report: SignatureReport) -> Fact:
    label = _("Certificate")
    if not _checked(report) or not report.valid:
        return Fact(label, _("not checked"), "warn")
    if not report.trusted:
        return Fact(label, _("does not chain to the mibao root certificate"), "bad")
    return Fact(label, _("chains to the mibao root certificate"), "good")


def _later(report: SignatureReport) -> Fact:
    label = _("Later changes")
    if _checked(report) and report.modification_level == "NONE" and report.docmdp_ok is not False:
        return Fact(label, _("none"), "good")
    what = LEVELS.get(report.modification_level)
    if not _checked(report) or what is None:
        return Fact(label, _("could not be determined"), "warn")
    if not _permitted(report):
        return Fact(label, _("%(what)s: not permitted", what=what), "bad")
    if report.docmdp_ok is None:
        return Fact(label, _("%(what)s: whether permitted is unknown", what=what), "warn")
    return Fact(label, _("%(what)s: permitted", what=what), "good")
