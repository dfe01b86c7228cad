"""The outbox: every message the system sent or will send, for HR and the secrecy office.

Without SMTP (the embedded default) this page is where messages are read, one-time codes included. A message
about a secret above the reader's clearance (``Notification.level``) shows only that it exists and its level.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, send_file
from sqlalchemy import select
from werkzeug.wrappers import Response

from records.access_grants import subject_of
from records.levels import SecretLevel
from records.models import Notification, User
from records.need_to_know import Resource, decide
from web.access import visible_document
from web.audit_log import log_access
from web.security import current_user, roles_required
from web.state import state
from workflows.agreements import document_bytes

bp = Blueprint("outbox", __name__)

OUTBOX_ROLES = ("hr", "secrecy_office")
OUTBOX_PAGE = 200


def withheld(user: User, note: Notification) -> bool:
    """Whether ``user`` may not read ``note``: it is about a secret (important or core) they are not cleared for
    under the need-to-know rule — read as a register entry of that level (core: the general manager only)."""
    if not note.level or note.level == SecretLevel.GENERAL:
        return False
    resource = Resource("register_item", f"message-{note.id}", note.level)
    return not decide(subject_of(user), resource, "view").allowed


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
    user = current_user()
    assert user is not None
    return render_template("outbox/index.html", notes=notes, withheld={n.id for n in notes if withheld(user, n)})


@bp.route("/outbox/<int:message_id>")
@roles_required(*OUTBOX_ROLES)
def show(message_id: int) -> str:
    note, user = _message(message_id), current_user()
    assert user is not None
    hidden = withheld(user, note)
    if hidden:
        log_access("view", "message", note.id, note.level, None, False, detail={"withheld": True})
    return render_template("outbox/show.html", note=note, withheld=hidden)


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
