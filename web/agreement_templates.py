"""The company's own versions of agreement templates, for the secrecy office: list, upload (checked), download.

Every view, upload (accepted or refused) and download is in the audit log; anyone else is refused (403) and
the refusal is logged too. The checks and the storing are ``workflows.template_versions``'.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from documents import TemplateNotFound
from documents.docx_guard import MAX_DOCX_BYTES
from documents.template_check import TemplateRejected
from records.db import transaction
from records.models import User
from web.audit_log import log_access
from web.security import current_user, login_required
from web.state import state
from workflows.errors import NotFound
from workflows.template_versions import accept_version, find_version, source_bytes, versions

bp = Blueprint("agreement_templates", __name__, url_prefix="/templates")

OFFICE_ROLE = "secrecy_office"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _officer(action: str, target: str) -> User:
    """The signed-in secrecy officer; anyone else gets 403, logged as a denied ``action`` on ``target``."""
    user = current_user()
    assert user is not None
    if OFFICE_ROLE not in user.roles:
        log_access(action, "template", target[:64], None, None, False)
        abort(403)
    return user


def _page(result: dict[str, object] | None = None, status: int = 200) -> tuple[str, int]:
    catalog = state().services.catalog
    with state().sessions() as session:
        listing = [(m, versions(session, catalog, m.id)) for m in catalog.all()]
    return render_template("templates/index.html", listing=listing, result=result), status


@bp.route("/")
@login_required
def index() -> tuple[str, int]:
    _officer("view", "all")
    log_access("view", "template", "all", None, None, True)
    return _page()


@bp.route("/<template_id>/versions", methods=["POST"])
@login_required
def upload(template_id: str) -> tuple[str, int]:
    user = _officer("upload", template_id)
    try:
        state().services.catalog.get(template_id)
    except TemplateNotFound:
        abort(404)
    posted = request.files.get("docx")
    data = posted.stream.read(MAX_DOCX_BYTES + 1) if posted else b""
    filename = (posted.filename if posted else None) or "template.docx"
    try:
        if not data:
            raise TemplateRejected(template_id, [_("No file was chosen; choose the edited DOCX and upload again.")])
        with transaction(state().sessions) as session:
            source, _checked = accept_version(session, state().services, template_id=template_id, data=data,
                                              filename=filename, actor=user.id, now=state().engine.clock.now())
    except TemplateRejected as exc:
        log_access("upload", "template", template_id, None, None, False, detail={"problems": exc.problems[:20]})
        return _page({"template_id": template_id, "problems": exc.problems}, 400)
    log_access("upload", "template", template_id, None, source.sha256, True, detail={"version": source.number})
    return _page({"template_id": template_id, "accepted": source.number})


@bp.route("/<template_id>/versions/<int:number>")
@login_required
def download(template_id: str, number: int) -> Response:
    _officer("download", template_id)
    try:
        with state().sessions() as session:
            source = find_version(session, state().services.catalog, template_id, number)
    except (NotFound, TemplateNotFound):
        abort(404)
    data = source_bytes(state().services, source)
    log_access("download", "template", template_id, None, source.sha256, True, detail={"version": number})
    return send_file(io.BytesIO(data), mimetype=_DOCX, as_attachment=True,
                     download_name=f"{template_id}-v{number}.docx")
