"""The outbox: every message the system sent or will send, for HR and the secrecy office.

Without SMTP (the embedded default) this page is where messages are read, one-time codes included.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, send_file
from sqlalchemy import select
from werkzeug.wrappers import Response

from records.models import Notification
from web.access import visible_document
from web.security import roles_required
from web.state import state
from workflows.agreements import document_bytes

bp = Blueprint("outbox", __name__)

OUTBOX_ROLES = ("hr", "secrecy_office")
OUTBOX_PAGE = 200


def _message(message_id: int) -> Notification:
    with state().sessions() as db:
        note = db.get(Notification, message_id)
        if note is None:
            abort(404)
        db.expunge(note)
    return note


@bp.route("/outbox")
@roles_required(*OUTBOX_ROLES)
def index() -> str:
    with state().sessions() as db:
        notes = list(db.scalars(select(Notification).order_by(Notification.id.desc()).limit(OUTBOX_PAGE)))
    return render_template("outbox/index.html", notes=notes)


@bp.route("/outbox/<int:message_id>")
@roles_required(*OUTBOX_ROLES)
def show(message_id: int) -> str:
    return render_template("outbox/show.html", note=_message(message_id))


@bp.route("/outbox/<int:message_id>/attachment.pdf")
@roles_required(*OUTBOX_ROLES)
def attachment(message_id: int) -> Response:
    note = _message(message_id)
    if not note.document_id:
        abort(404)
    document = visible_document(note.document_id, "download", detail={"message": message_id})
    data = document_bytes(state().services, document)
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{document.id}.pdf")
