"""Signing in the browser: read the document page by page, agree and sign, or decline with a reason.

Also the PDF download and the page images, for whoever may see the document (``web.access``).
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from records.access_grants import resource_of_document
from records.evidence_trail import agreement_trail
from records.models import Document
from signing import Verdict, verify_pdf
from web.access import filter_visible, visible_document
from web.content_i18n import tr
from web.inbox import visible_task
from web.overview import my_agreements
from web.pages import page_images
from web.security import current_user, login_required
from web.state import state
from workflows import FormDataError, TaskView
from workflows.agreements import document_bytes

bp = Blueprint("sign", __name__)


def _sign_task(task_id: str) -> TaskView:
    task = visible_task(task_id)
    if not task.sign_document:
        abort(404)
    return task


def _pages(document: Document) -> list[str]:
    images = page_images(document_bytes(state().services, document), document.sha256,
                         state().instance.root / "cache" / "pages")
    return [str(p) for p in images]


@bp.route("/tasks/<task_id>/sign")
@login_required
def page(task_id: str) -> str:
    task = _sign_task(task_id)
    document = visible_document(task.sign_document or "")
    return render_template("sign/page.html", task=task, document=document, pages=len(_pages(document)))


@bp.route("/tasks/<task_id>/sign", methods=["POST"])
@login_required
def sign(task_id: str) -> Response:
    task, user = _sign_task(task_id), current_user()
    assert user is not None
    if request.form.get("agree") not in ("on", "true", "1"):
        raise FormDataError(_("signing"), [_("Tick “I have read and agree” to sign.")])
    data: dict[str, object] = {"agree": True}
    if request.form.get("comment", "").strip():
        data["comment"] = request.form["comment"].strip()
    state().engine.complete(task_id, actor=user.id, data=data)
    with state().sessions() as session:
        document = session.get(Document, task.sign_document) if task.sign_document else None
        title = document.title if document is not None else task.title
    flash(_("Signed: %(title)s", title=tr(title)), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/tasks/<task_id>/decline", methods=["POST"])
@login_required
def decline(task_id: str) -> Response:
    task, user = _sign_task(task_id), current_user()
    assert user is not None
    state().engine.decline(task_id, actor=user.id, reason=request.form.get("reason", ""))
    flash(_("Declined: %(title)s. The process was stopped.", title=task.title), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/my/agreements")
@login_required
def mine() -> str:
    """The person's own agreements: each with its level, whose signatures it has, whether it verifies, and the
    signing task that waits for them (issue 15: the employee's menu led nowhere near them)."""
    user = current_user()
    assert user is not None
    roots = [state().services.pki.root_certificate_pem()]
    with state().sessions() as session:
        rows = my_agreements(session, user.id)
        documents = {d.id: d for d in session.scalars(select(Document).where(
            Document.id.in_([a.id for a, _ in rows])))}
        listed = filter_visible(session, [documents[a.id] for a, _ in rows], lambda d: resource_of_document(session, d),
                                what="my agreements")
        session.expunge_all()
    decisions = {x.row.id: x for x in listed}
    checks = {a.id: _verified(documents[a.id], roots) for a, _ in rows
              if decisions[a.id].decision.allowed and a.status == "completed"}
    return render_template("sign/mine.html", rows=rows, decisions=decisions, checks=checks)


def _verified(document: Document, roots: list[bytes]) -> Verdict:
    """The stored PDF checked like any other (signing.verify_pdf), once per content: a signed PDF never changes."""
    return _verify_cached(document.sha256, document.path, tuple(roots))


@lru_cache(maxsize=512)
def _verify_cached(sha256: str, path: str, roots: tuple[bytes, ...]) -> Verdict:
    return verify_pdf(state().services.blobs.get(path), trust_roots=list(roots))


@bp.route("/documents/<document_id>.pdf")
@login_required
def download(document_id: str) -> Response:
    document = visible_document(document_id, "download")
    return send_file(io.BytesIO(document_bytes(state().services, document)), mimetype="application/pdf",
                     as_attachment=True, download_name=f"{document.id}.pdf")


@bp.route("/documents/<document_id>/print")
@login_required
def print_copy(document_id: str) -> Response:
    """The PDF shown inline for the browser to print: a print is its own operation in the rule and the log."""
    document = visible_document(document_id, "print")
    return send_file(io.BytesIO(document_bytes(state().services, document)), mimetype="application/pdf",
                     as_attachment=False, download_name=f"{document.id}.pdf")


@bp.route("/documents/<document_id>.audit.json")
@login_required
def audit_trail(document_id: str) -> Response:
    """The agreement's audit trail, to hand over beside the PDF (``records.evidence_trail``)."""
    document = visible_document(document_id, "download", detail={"file": "audit-trail"})
    with state().sessions() as session:
        trail = agreement_trail(session, document, state().engine.clock.now())
    data = json.dumps(trail, ensure_ascii=False, indent=1).encode("utf-8")
    return send_file(io.BytesIO(data), mimetype="application/json", as_attachment=True,
                     download_name=f"{document.id}.audit.json")


@bp.route("/documents/<document_id>/pages/<int:number>.png")
@login_required
def page_image(document_id: str, number: int) -> Response:
    document = visible_document(document_id, "view", detail={"page": number})
    pages = _pages(document)
    if not 1 <= number <= len(pages):
        abort(404)
    return send_file(io.BytesIO(Path(pages[number - 1]).read_bytes()), mimetype="image/png")
