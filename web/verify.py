"""Anyone can check a signed PDF: upload it, read the verdict in plain words. No account needed."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _

from records.evidence_trail import check_trail
from web import limiter
from web.state import state
from web.verdict_words import china_time, describe
from web.verification import Busy, verify_isolated
from web.verify_report import Checked, report_pdf

bp = Blueprint("verify", __name__)
bp.add_app_template_global(china_time)

MAX_UPLOAD = 20 * 1024 * 1024
MAX_TRAIL = 5 * 1024 * 1024


@bp.route("/verify")
def index() -> str:
    return render_template("verify/index.html")


@bp.route("/verify", methods=["POST"])
@limiter.limit(lambda: str(current_app.config.get("VERIFY_RATE_LIMIT", "10 per minute;100 per day")))
def check() -> str | tuple[str, int]:
    upload = request.files.get("pdf")
    data = upload.read(MAX_UPLOAD + 1) if upload else b""
    problem = (_("Choose a PDF file to check.") if not data else
               _("The file is too large. Upload a file of at most 20 MB.") if len(data) > MAX_UPLOAD else
               _("This file is not a PDF. Upload the signed agreement as a PDF file.") if b"%PDF-" not in data[:1024]
               else None)
    if problem:
        return render_template("verify/index.html", problem=problem), 413 if len(data) > MAX_UPLOAD else 422
    try:
        verdict = verify_isolated(data, trust_roots=[state().services.pki.root_certificate_pem()],
                                  timeout=float(current_app.config.get("VERIFY_TIMEOUT_SECONDS", 20)))
    except Busy:
        return render_template("verify/index.html", problem=_("Too many checks are running. Try again shortly.")), 503
    checked = Checked(verdict=verdict, name=(upload.filename or "") if upload else "",
                      sha256=hashlib.sha256(data).hexdigest(), size=len(data), at=state().engine.clock.now())
    return render_template("verify/result.html", verdict=verdict, view=describe(verdict), checked=checked,
                           trail=_trail(data))


@bp.route("/verify/report", methods=["POST"])
@limiter.limit(lambda: str(current_app.config.get("VERIFY_RATE_LIMIT", "10 per minute;100 per day")))
def report() -> Response | tuple[str, int]:
    """The verification report (PDF) of a check made in the last hour, from the ticket its result page carries."""
    checked = Checked.from_ticket(request.form.get("ticket", ""))
    if checked is None:
        return render_template("verify/index.html", problem=_("That result is more than an hour old or damaged: "
                                                              "check the file again.")), 400
    name = f"verification-report-{checked.sha256[:12]}.pdf"
    return Response(report_pdf(checked), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _trail(pdf: bytes) -> dict[str, object] | None:
    """The audit trail uploaded beside the PDF, checked on its own and against the PDF; None when none came."""
    upload = request.files.get("trail")
    raw = upload.read(MAX_TRAIL + 1) if upload else b""
    if not raw:
        return None
    if len(raw) > MAX_TRAIL:
        return {"problems": [_("The audit trail is larger than 5 MB; it is not one mibao exported.")]}
    try:
        trail = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {"problems": [_("This file is not an audit trail (JSON exported beside the agreement).")]}
    if not isinstance(trail, dict):
        return {"problems": [_("This file is not an audit trail (JSON exported beside the agreement).")]}
    problems = check_trail(trail, [state().services.pki.root_certificate_pem()])
    document = trail.get("document") if isinstance(trail.get("document"), dict) else {}
    matches = isinstance(document, dict) and document.get("sha256") == hashlib.sha256(pdf).hexdigest()
    records = trail.get("records") if isinstance(trail.get("records"), list) else []
    return {"problems": problems, "matches": matches, "document": document, "records": records,
            "anchor": trail.get("anchor") if not problems else None,
            "pending": len(trail.get("not_yet_timestamped") or [])}
