"""The weekly access-log review for the secrecy office (seed 003 §7.2.2): a week's records per secret level,
the denials and anomalies, and the report as PDF — the one signed in the ``log_review`` process, else a draft.

Only the secrecy office sees it; anyone else is refused (403) and the refusal is logged like every access.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from flask import Blueprint, abort, render_template, request, send_file
from werkzeug.wrappers import Response

from records.access_report import REPEATED_DENIALS, current_week, parse_week, week_label, weekly_access_report
from records.levels import SecretLevel
from records.models import User
from web.audit_log import log_access
from web.overview import user_names
from web.security import current_user, login_required
from web.state import state
from workflows.log_review import signed_report, week_report_pdf

bp = Blueprint("log_review", __name__, url_prefix="/audit")

REVIEW_ROLE = "secrecy_office"
REPORT_LEVEL = SecretLevel.IMPORTANT      # the report names who accessed what


def _reviewer(action: str) -> User:
    """The signed-in secrecy officer; anyone else gets 403, logged as a denied ``action`` on the report."""
    user = current_user()
    assert user is not None
    if REVIEW_ROLE not in user.roles:
        log_access(action, "access_report", request.args.get("week", "")[:64] or "current", REPORT_LEVEL, None, False)
        abort(403)
    return user


def _week() -> tuple[str, dt.datetime, dt.datetime]:
    """The week asked for (``?week=2026-W47``) or the current one, Shanghai time; 404 for anything else."""
    asked = request.args.get("week", "").strip()
    try:
        start, end = parse_week(asked) if asked else current_week(state().engine.clock.now())
    except ValueError:
        abort(404)
    return week_label(start), start, end


@bp.route("/review")
@login_required
def index() -> str:
    _reviewer("view")
    week, start, end = _week()
    with state().sessions() as session:
        report = weekly_access_report(session, start, end, trust=state().services.pki)
        signed = signed_report(session, week)
        names = user_names(session, [d.actor for d in report.denials] + [a.actor for a in report.anomalies])
    log_access("view", "access_report", week, REPORT_LEVEL, None, True)
    weeks = {"previous": week_label(start - dt.timedelta(days=7)), "next": week_label(end)}
    return render_template("audit/review.html", report=report, signed=signed, names=names, weeks=weeks,
                           threshold=REPEATED_DENIALS)


@bp.route("/review/report.pdf")
@login_required
def export() -> Response:
    user = _reviewer("export")
    week, start, end = _week()
    with state().sessions() as session:
        pdf, signed = week_report_pdf(session, state().services, start, end, reviewer=user.name,
                                      now=state().engine.clock.now())
    if signed is not None:
        log_access("download", "document", signed.id, signed.level, signed.sha256, True, detail={"week": week})
    else:
        log_access("export", "access_report", week, REPORT_LEVEL, hashlib.sha256(pdf).hexdigest(), True,
                   detail={"draft": True})
    name = signed.id if signed is not None else f"access-log-review-{week}-draft"
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=f"{name}.pdf")
