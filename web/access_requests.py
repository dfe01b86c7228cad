"""Access approvals: ask for access to what need-to-know withholds, with the purpose; the approver the level
asks for (core: the general manager, per access; important: the department head) decides. The rule and the
records are ``records.access_grants``; this module is the pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from records.access_grants import (
    NotTheApprover,
    decide_request,
    load_resource,
    pending_for,
    request_access,
    requests_of,
    subject_of,
)
from records.db import transaction
from records.models import User
from records.need_to_know import KINDS, READ_OPERATIONS, Resource
from web.access import REGISTER_ROLES, access_context
from web.audit_log import log_access
from web.carriers import LIST_ROLES as CARRIER_LIST_ROLES
from web.overview import user_names
from web.security import current_user, login_required
from web.state import state

bp = Blueprint("access", __name__, url_prefix="/access")


@bp.app_template_global()
def approver_label(needs: str | None) -> str:
    labels = {"general_manager": _("general manager (per access)"),
              "department_head": _("head of the owning department")}
    return str(labels.get(needs or "", _("secrecy office")))


@bp.route("")
@login_required
def index() -> str:
    user = current_user()
    assert user is not None
    with state().sessions() as session:
        mine = requests_of(session, user.id)
        pending = pending_for(session, user)
        names = user_names(session, [g.user_id for g, _ in pending])
        return render_template("access/index.html", mine=mine, pending=pending, names=names)


def _requestable(session: Session, user: User, kind: str, target: str) -> Resource:
    """The resource ``user`` may ask for: one some page lists to them (a withheld row, their own carrier or
    agreement). Anything else answers exactly like an id that does not exist, so probing ids tells nothing."""
    resource = load_resource(session, kind, target, subject_of(user)) if kind in KINDS else None
    if resource is None or not _listed_to(user, resource):
        abort(404)
    return resource


def _listed_to(user: User, resource: Resource) -> bool:
    roles = set(user.roles)
    if user.id in resource.parties:
        return True
    if resource.kind == "register_item":
        return bool(roles & set(REGISTER_ROLES))
    if resource.kind == "carrier":
        return bool(roles & set(CARRIER_LIST_ROLES))
    return resource.kind == "document" and "hr" in roles      # HR's per-person list of agreements


@bp.route("/new")
@login_required
def new() -> str:
    user = current_user()
    assert user is not None
    with state().sessions() as session:
        resource = _requestable(session, user, request.args.get("kind", ""), request.args.get("target", ""))
    return render_template("access/new.html", resource=resource, operations=READ_OPERATIONS,
                           operation=request.args.get("operation", "view"))


@bp.route("/requests", methods=["POST"])
@login_required
def create() -> Response:
    user = current_user()
    assert user is not None
    with transaction(state().sessions) as session:
        resource = _requestable(session, user, request.form.get("kind", ""), request.form.get("target", ""))
        grant = request_access(session, user, resource, request.form.get("operation", "view"),
                               request.form.get("purpose", ""), now=state().engine.clock.now(),
                               context=access_context())
        number = grant.id
    flash(_("Request %(number)s sent for approval.", number=number), "success")
    return redirect(url_for("access.index"))


@bp.route("/requests/<int:grant_id>/decision", methods=["POST"])
@login_required
def decide(grant_id: int) -> Response:
    user = current_user()
    assert user is not None
    approve = request.form.get("decision") == "approve"
    try:
        with transaction(state().sessions) as session:
            decide_request(session, user, grant_id, approve, request.form.get("note", ""),
                           now=state().engine.clock.now(), context=access_context())
    except NotTheApprover as exc:
        log_access("approve", exc.resource.kind, exc.resource.id, exc.resource.level, None, False,
                   detail={"grant": grant_id})
        raise
    flash(_("Request %(number)s approved.", number=grant_id) if approve
          else _("Request %(number)s rejected.", number=grant_id), "success")
    return redirect(url_for("access.index"))
