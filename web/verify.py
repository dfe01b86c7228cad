"""Anyone can check a signed PDF: upload it, read the verdict in plain words. No account needed."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from web import limiter
from web.state import state
from web.verification import Busy, verify_isolated

bp = Blueprint("verify", __name__)

MAX_UPLOAD = 20 * 1024 * 1024


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
    return render_template("verify/result.html", verdict=verdict, filename=upload.filename if upload else "")
