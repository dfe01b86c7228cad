"""The verification report a person files with the evidence: a PDF of what the verify page showed for one file.

The uploaded file is not kept. The result page carries a ticket instead: the verdict, the file's name, SHA-256 and
size and the time of the check, signed with the app's secret key and valid for an hour. Downloading the report
sends the ticket back, and the report is drawn from it in the language of that request. Nothing in it goes beyond
what the public page shows. The report is not signed: it would put the company seal under an uploader's file name
and whatever names an untrusted certificate carries; anyone can check the file again against the SHA-256 it
names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer

from signing import Verdict
from signing.report import ReportLine, text_report
from web.verdict_words import VerdictView, china_time, describe

__all__ = ["Checked", "report_pdf"]

_SALT = "mibao.verify-report"
TICKET_SECONDS = 3600
MAX_NAME = 160


@dataclass(frozen=True)
class Checked:
    """One check of one file: what the report is made from."""

    verdict: Verdict
    name: str
    sha256: str
    size: int
    at: dt.datetime

    def ticket(self) -> str:
        return _serializer().dumps({"verdict": self.verdict.to_json(), "name": self.name[:MAX_NAME],
                                    "sha256": self.sha256, "size": self.size, "at": self.at.isoformat()})

    @classmethod
    def from_ticket(cls, ticket: str) -> Checked | None:
        """The check a ticket of the last hour names; None for a forged, damaged or stale one."""
        try:
            found: dict[str, Any] = _serializer().loads(ticket, max_age=TICKET_SECONDS)
            return cls(verdict=Verdict.from_json(found["verdict"]), name=str(found["name"]),
                       sha256=str(found["sha256"]), size=int(found["size"]), at=dt.datetime.fromisoformat(found["at"]))
        except (BadData, KeyError, TypeError, ValueError):
            return None


def report_pdf(checked: Checked) -> bytes:
    """The report, in the request's language."""
    view = describe(checked.verdict)
    return text_report(_lines(checked, view), title=_("Signature verification report"),
                       footer=lambda page, pages: _("mibao signature verification report · page %(page)s of "
                                                    "%(pages)s", page=page, pages=pages),
                       created=checked.at)


def _lines(checked: Checked, view: VerdictView) -> list[ReportLine]:
    lines = [
        ReportLine("title", _("Signature verification report")),
        ReportLine("verdict", view.headline, tone=view.tone),
        ReportLine("text", view.summary),
    ]
    lines += [ReportLine("text", f"• {reason}", tone="bad" if view.state == "altered" else "warn")
              for reason in view.reasons]
    lines += [
        ReportLine("heading", _("The file checked")),
        ReportLine("row", checked.name or "—", _("File name")),
        ReportLine("row", checked.sha256, "SHA-256"),
        ReportLine("row", _("%(count)s bytes", count=checked.size), _("Size")),
        ReportLine("row", china_time(checked.at) or "—", _("Checked at")),
    ]
    for signature in view.signatures:
        lines.append(ReportLine("heading", f"{signature.number}. {signature.title}"))
        lines += [ReportLine("row", fact.value, fact.label, tone=fact.tone) for fact in signature.facts]
    if checked.verdict.attachments:
        lines.append(ReportLine("heading", _("Embedded files")))
        for item in checked.verdict.attachments:
            lines.append(ReportLine("row", _("%(count)s bytes", count=item.size), item.name))
            lines.append(ReportLine("row", item.sha256, "SHA-256"))
    if view.details:
        lines.append(ReportLine("heading", _("The checker’s own words (technical)")))
        lines += [ReportLine("note", detail) for detail in view.details]
    lines.append(ReportLine("note", _("Checked by the public verify page of mibao against its root certificate. "
                                      "This report is not signed: to confirm it, check the file again on that page; "
                                      "its SHA-256 must be the one above.")))
    return lines


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_SALT)
