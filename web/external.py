"""Outside parties sign without an account: a link by mail, a one-time code by mail, then the staff signing page.
People who have left use the same door for what they still owe (a hand-over signature, the monthly proof).

``/x/<token>``: a forged link answers 404, an expired or spent one 410. The code (``workflows.links``) opens a
short session bound to that one link; signing or declining then acts as the party's own system account
(``ext-<link id>``), so the certificate carries their name. A second click answers 409 and signs nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from records.db import transaction
from records.models import Document, ExternalLink, Task
from web import limiter
from web.audit_log import log_access
from web.forms import fields_of
from web.pages import page_images
from web.state import state
from web.uploads import posted_task_data
from workflows import ConflictError, FormDataError
from workflows.agreements import document_bytes
from workflows.links import (
    CODE_ATTEMPTS,
    CodeCheck,
    LinkState,
    check_code,
    describe,
    issue_code,
    link_state,
    party_user_id,
)

bp = Blueprint("external", __name__, url_prefix="/x")

_MARKER = "external_link"
_GONE = {
    LinkState.UNKNOWN: (404, _l("This link is not valid. Check that you opened the whole link from the message.")),
    LinkState.EXPIRED: (410, _l("This link has expired. Ask your contact for a new one.")),
    LinkState.USED: (410, _l("This link has already been used: the document was signed or declined.")),
    LinkState.WITHDRAWN: (410, _l("This request was withdrawn; nothing needs to be signed any more.")),
}


def _now() -> dt.datetime:
    return state().engine.clock.now()


def _gone(status: int, message: object) -> tuple[str, int]:
    return render_template("external/gone.html", status=status, message=str(message)), status


def _open_link(token: str, *, acting: bool = False) -> ExternalLink | tuple[str, int]:
    """The open link for ``token``, or the page that says why not (409 when acting on a spent link)."""
    with state().sessions() as db:
        found, link = link_state(db, token, _now())
        if link is not None:
            db.expunge(link)
    if found == LinkState.OPEN and link is not None:
        return link
    if acting and found == LinkState.USED:
        raise ConflictError(_("This document was already signed or declined through this link; nothing was changed."))
    return _gone(*_GONE[found])


def _verified(link: ExternalLink) -> bool:
    marker = session.get(_MARKER) or {}
    until = marker.get("until")
    return (marker.get("link") == link.id and link.verified_at is not None and isinstance(until, str)
            and _now() < dt.datetime.fromisoformat(until))


def _document(link: ExternalLink) -> Document | None:
    task = state().engine.task(link.task_id)
    with state().sessions() as db:
        document = db.get(Document, task.sign_document) if task.sign_document else None
        if document is not None:
            db.expunge(document)
    return document


def _pages(document: Document) -> list[str]:
    images = page_images(document_bytes(state().services, document), document.sha256,
                         state().instance.root / "cache" / "pages")
    return [str(p) for p in images]


def _asked(link: ExternalLink) -> dict[str, str | None]:
    """What the person is asked to sign and by whom, in the page's language (workflows.links.describe)."""
    data = state().engine.task_data(link.task_id)      # the start data the task carries
    with state().sessions() as db:
        row = db.get(Task, link.task_id)
        assert row is not None
        asked = describe(db, row, data, catalog=state().services.catalog,
                         company=state().services.company.get("company_name"))
    locale = get_locale()
    english = locale is not None and locale.language == "en"
    return {"agreement": asked.agreement_en if english else asked.agreement_zh, "company": asked.company,
            "by": asked.asked_by}


@bp.route("/<token>")
def link(token: str) -> str | Response | tuple[str, int]:
    found = _open_link(token)
    if not isinstance(found, ExternalLink):
        return found
    if not _verified(found):
        return render_template("external/code.html", token=token, link=found, task=state().engine.task(found.task_id),
                               code_sent=found.code_expires_at is not None, asked=_asked(found))
    task, document = state().engine.task(found.task_id), _document(found)
    if document is None and task.form:
        schema = state().engine.forms.schema(task.form)
        return render_template("external/form.html", token=token, link=found, task=task, schema=schema,
                               fields=fields_of(schema), asked=_asked(found))
    return render_template("external/sign.html", token=token, link=found, task=task, document=document,
                           pages=len(_pages(document)) if document else 0, asked=_asked(found))


@bp.route("/<token>/code", methods=["POST"])
@limiter.limit(lambda: str(current_app.config.get("EXTERNAL_CODE_RATE_LIMIT", "5 per minute;20 per hour")))
def send_code(token: str) -> Response | tuple[str, int]:
    found = _open_link(token)
    if not isinstance(found, ExternalLink):
        return found
    with transaction(state().sessions) as db:
        link = db.get(ExternalLink, found.id)
        assert link is not None
        issued = issue_code(db, link, secret_key=str(current_app.config["SECRET_KEY"]), now=_now())
    if issued.code is None:
        return _gone(429, _("Too many codes were requested for this link. Wait an hour and try again."))
    flash(_("A one-time code was sent to you. It is valid for 10 minutes."), "success")
    return redirect(url_for("external.link", token=token))


@bp.route("/<token>/code/check", methods=["POST"])
@limiter.limit(lambda: str(current_app.config.get("EXTERNAL_CHECK_RATE_LIMIT", "10 per minute")))
def verify_code(token: str) -> Response | tuple[str, int]:
    found = _open_link(token)
    if not isinstance(found, ExternalLink):
        return found
    now = _now()
    with transaction(state().sessions) as db:
        link = db.get(ExternalLink, found.id, with_for_update=True)
        assert link is not None
        result = check_code(link, request.form.get("code", ""), secret_key=str(current_app.config["SECRET_KEY"]),
                            now=now)
        attempts_left = CODE_ATTEMPTS - link.code_attempts
    if result == CodeCheck.OK:
        session[_MARKER] = {"link": found.id, "until": (now + dt.timedelta(
            minutes=int(current_app.config.get("EXTERNAL_SESSION_MINUTES", 30)))).isoformat()}
        return redirect(url_for("external.link", token=token))
    flash({CodeCheck.WRONG: _("Wrong code. %(n)s attempts left.", n=attempts_left),
           CodeCheck.LOCKED: _("Too many wrong attempts. Request a new code."),
           CodeCheck.EXPIRED: _("This code has expired or was already used. Request a new code.")}[result], "error")
    return redirect(url_for("external.link", token=token))


@bp.route("/<token>/pages/<int:number>.png")
def page_image(token: str, number: int) -> Response | tuple[str, int]:
    found = _open_link(token)
    if not isinstance(found, ExternalLink):
        return found
    document = _document(found) if _verified(found) else None
    pages = _pages(document) if document else []
    if document is None or not 1 <= number <= len(pages):
        return _gone(404, _("This page does not exist."))
    log_access("page_image", "document", document.id, document.level, document.sha256, True,
               actor=party_user_id(found), detail={"page": number, "link": found.id})
    return send_file(io.BytesIO(Path(pages[number - 1]).read_bytes()), mimetype="image/png")


def _acting_link(token: str) -> ExternalLink | tuple[str, int]:
    found = _open_link(token, acting=True)
    if isinstance(found, ExternalLink) and not _verified(found):
        return _gone(403, _("Your session has ended. Open the link again and enter a new code."))
    return found


def _spend(link_id: int) -> None:
    with transaction(state().sessions) as db:
        link = db.get(ExternalLink, link_id)
        if link is not None and link.used_at is None:
            link.used_at = _now()
    session.pop(_MARKER, None)


@bp.route("/<token>/sign", methods=["POST"])
def sign(token: str) -> str | tuple[str, int]:
    found = _acting_link(token)
    if not isinstance(found, ExternalLink):
        return found
    if request.form.get("agree") not in ("on", "true", "1"):
        raise FormDataError(_("signing"), [_("Tick “I have read and agree” to sign.")])
    view = state().engine.complete(found.task_id, actor=party_user_id(found), data={"agree": True})
    _spend(found.id)
    return render_template("external/done.html", signed=True, documents=view.documents)


@bp.route("/<token>/submit", methods=["POST"])
def submit(token: str) -> str | tuple[str, int]:
    """A form task through the link (a former employee's monthly proof of employment, with its file)."""
    found = _acting_link(token)
    if not isinstance(found, ExternalLink):
        return found
    task = state().engine.task(found.task_id)
    if task.sign_document or not task.form:
        return _gone(404, _("This page does not exist."))
    data = posted_task_data(state(), state().engine.forms.schema(task.form), request.form, request.files, task.title)
    state().engine.complete(found.task_id, actor=party_user_id(found), data=data)
    _spend(found.id)
    return render_template("external/done.html", submitted=True, documents=[])


@bp.route("/<token>/decline", methods=["POST"])
def decline(token: str) -> str | tuple[str, int]:
    found = _acting_link(token)
    if not isinstance(found, ExternalLink):
        return found
    state().engine.decline(found.task_id, actor=party_user_id(found), reason=request.form.get("reason", ""))
    _spend(found.id)
    return render_template("external/done.html", signed=False, documents=[])
