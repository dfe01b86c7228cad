"""The JSON API for HR systems: start processes, read instances and tasks, complete tasks, fetch documents.

Bearer tokens only (``mibao token create``; stored as SHA-256): the caller acts as the token's user with that
user's roles, under the same rules as the web. No cookies, so no CSRF. Errors are JSON (``web.errors``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, send_file, url_for
from sqlalchemy import or_, select

from records import api_tokens
from records.db import transaction
from records.models import Document, ProcessInstance, Task, TokenScope, User
from web import csrf, limiter
from web.access import instance_content_visible, visible_document, withheld_instance
from web.openapi import openapi_document
from web.state import state
from workflows import FormDataError, InstanceView, UnknownProcess
from workflows.agreements import document_bytes
from workflows.authority import may_start

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

OVERSEE_ROLES = frozenset({"hr", "secrecy_office"})  # who sees every instance and every task
TASK_PAGE = 500


def _token_key() -> str:
    header = request.headers.get("Authorization", "")
    return hashlib.sha256(header.encode()).hexdigest() if header else str(request.remote_addr)


limiter.limit(lambda: str(current_app.config.get("API_RATE_LIMIT", "300 per minute")), key_func=_token_key)(bp)


def _unauthorised(message: str) -> Response:
    response = jsonify({"error": message, "problems": [], "status": 401})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="mibao"'
    return response


@bp.before_request
def authenticate() -> Response | None:
    if request.endpoint == "api.openapi":
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return _unauthorised("send an API token: Authorization: Bearer <token>")
    with transaction(state().sessions) as db:
        found = api_tokens.holder(db, secret, now=state().engine.clock.now())
        if found is not None:
            token, user = found
            scope = TokenScope(token.scope)
            db.expunge(user)
    if found is None:
        return _unauthorised("this API token is not valid (unknown, expired or revoked): ask for a new one")
    if scope is TokenScope.READ and request.method not in ("GET", "HEAD"):
        response = jsonify({"error": "this API token may only read: ask for a token with the scope 'act' to "
                                     "start processes or complete tasks", "problems": [], "status": 403})
        response.status_code = 403
        return response
    g.api_user = user
    return None


def _user() -> User:
    user: User = g.api_user
    return user


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise FormDataError("the request body", ["send a JSON object (Content-Type: application/json)"])
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "path"}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _may_see_instance(user: User, instance_id: int) -> bool:
    if OVERSEE_ROLES & set(user.roles):
        return True
    with state().sessions() as db:
        row = db.get(ProcessInstance, instance_id)
        if row is None:
            return False
        if user.id in (row.started_by, row.subject_user):
            return True
        return db.scalar(select(Task.id).where(Task.instance_id == instance_id, or_(
            Task.assignee == user.id, Task.completed_by == user.id)).limit(1)) is not None


def _instance_json(user: User, view: InstanceView) -> Any:
    """The instance as ``user`` may see it: whole, or without what it holds when that is above their clearance."""
    return _jsonable(view.to_json() if instance_content_visible(user, view) else withheld_instance(view))


def _document(document_id: str, action: str) -> Document:
    _user()
    return visible_document(document_id, action)


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(url_for("api.openapi", _external=True).rsplit("/", 1)[0]))


@bp.route("/processes/<process_id>/instances", methods=["POST"])
def start(process_id: str) -> tuple[Response, int]:
    user, body = _user(), _body()
    try:
        process = state().engine.process(process_id)
    except UnknownProcess:
        abort(404)
    with transaction(state().sessions) as session:     # the register entries it names are decided, and recorded
        refused = may_start(session, user, process, body, now=state().engine.clock.now())
    if refused:
        abort(403, refused)
    view = state().engine.start(process_id, body, actor=user.id)
    return jsonify(_instance_json(user, view)), 201


@bp.route("/instances/<int:instance_id>")
def instance(instance_id: int) -> Response:
    user = _user()
    if not _may_see_instance(user, instance_id):
        abort(404)
    return jsonify(_instance_json(user, state().engine.show(instance_id)))


@bp.route("/tasks")
def tasks() -> Response:
    user, role, who = _user(), request.args.get("role") or None, request.args.get("user") or None
    if OVERSEE_ROLES & set(user.roles):
        found = state().engine.tasks(role=role, user=who, limit=TASK_PAGE)
    elif who not in (None, user.id):
        abort(403)
    else:
        found = state().engine.tasks(role=role, user=user.id, limit=TASK_PAGE)
    return jsonify({"tasks": [_jsonable(t.to_json()) for t in found]})


@bp.route("/tasks/<task_id>/complete", methods=["POST"])
def complete(task_id: str) -> Response:
    user, engine = _user(), state().engine
    if not engine.may_act(user.id, list(user.roles), engine.task(task_id)):
        abort(404)
    return jsonify(_instance_json(user, engine.complete(task_id, actor=user.id, data=_body())))


@bp.route("/documents/<document_id>")
def document(document_id: str) -> Response:
    found = _document(document_id, "view")
    return jsonify({
        "id": found.id, "title": found.title, "template_id": found.template_id, "level": found.level,
        "status": str(found.status), "instance_id": found.instance_id, "subject_user": found.subject_user,
        "parties": found.parties, "signatures": found.signatures, "sha256": found.sha256,
        "created_at": found.created_at.isoformat(), "pdf": url_for("api.document_pdf", document_id=found.id)})


@bp.route("/documents/<document_id>.pdf")
def document_pdf(document_id: str) -> Response:
    found = _document(document_id, "download")
    return send_file(io.BytesIO(document_bytes(state().services, found)), mimetype="application/pdf",
                     as_attachment=True, download_name=f"{found.id}.pdf")

