"""The carrier register (涉密载体收发台账) and destruction records in the browser.

The list and each carrier's page show what the need-to-know rule lets the user view (``web.access``): withheld
carriers appear redacted, and the people who handle a carrier (the secrecy office, the department's liaison, the
witnesses of its destruction) get its record without its name and purposes. Every form posts one step of
:mod:`records.carriers` or :mod:`records.destructions`, which checks and records it; a refused step shows its
message (``web.errors``), and the refusal stays on record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from records import carriers as service
from records import destructions
from records.access_grants import resource_of_carrier
from records.db import transaction
from records.models import Carrier, Destruction, User
from web.access import access_context, filter_visible
from web.carrier_pages import carrier_page, register_form, register_page
from web.security import current_user, login_required, roles_required
from web.state import state

bp = Blueprint("carriers", __name__, url_prefix="/carriers")

LIST_ROLES = ("secrecy_office", "liaison", "department_head", "committee", "general_manager")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


def _take(step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """One step as the signed-in user, in its own transaction (a refusal is stored, then raised)."""
    user_id, now, context = _user().id, state().engine.clock.now(), access_context()

    def call(session: Any) -> Any:
        return step(session, session.get(User, user_id), *args, now=now, context=context, **kwargs)

    return service.run_step(state().sessions, call)


def _field(name: str) -> str:
    return request.form.get(name, "").strip()


def _back(carrier_id: int, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("carriers.show", carrier_id=carrier_id))


@bp.route("")
@roles_required(*LIST_ROLES)
def index() -> str:
    filters = {k: request.args.get(k, "").strip() for k in ("level", "status", "department")}
    with transaction(state().sessions) as session:
        page = register_page(session, _user(), filters)
    return render_template("carriers/index.html", **page)


@bp.route("/<int:carrier_id>")
@login_required
def show(carrier_id: int) -> str:
    with transaction(state().sessions) as session:
        carrier = session.get(Carrier, carrier_id)
        page = carrier_page(session, _user(), carrier) if carrier is not None else None
    if page is None:
        abort(404)
    return render_template("carriers/show.html", **page)


@bp.route("/new")
@roles_required("secrecy_office", "liaison")
def new() -> str:
    return render_template("carriers/new.html", **register_form(_user()))


@bp.route("/new", methods=["POST"])
@login_required
def register() -> Response:
    item = _field("item_id")
    if item and not item.isdigit():
        raise service.CarrierError(_("The register entry is given by its number (#), e.g. 3."))
    carrier = _take(service.register_carrier, serial=_field("serial"), name=_field("name"), level=_field("level"),
                    form=_field("form"), copies=int(_field("copies")) if _field("copies").isdigit() else 0,
                    item_id=int(item) if item else None, department=_field("department") or None)
    return _back(carrier.id, _("Carrier %(serial)s is registered and in the store.", serial=carrier.serial))


@bp.route("/<int:carrier_id>/issue", methods=["POST"])
@login_required
def issue(carrier_id: int) -> Response:
    _take(service.issue_carrier, carrier_id, _field("to_user"), _field("purpose"))
    return _back(carrier_id, _("The carrier was issued; the receiver confirms the receipt under “My carriers”."))


@bp.route("/<int:carrier_id>/return", methods=["POST"])
@login_required
def take_back(carrier_id: int) -> Response:
    _take(service.return_carrier, carrier_id, note=_field("note"))
    return _back(carrier_id, _("The return to the store was recorded."))


@bp.route("/<int:carrier_id>/destruction", methods=["POST"])
@login_required
def request_destruction(carrier_id: int) -> Response:
    _take(destructions.request_destruction, carrier_id, _field("method"), _field("reason"))
    return _back(carrier_id, _("The destruction was requested; the secrecy office approves it."))


@bp.route("/destructions/<int:destruction_id>/approve", methods=["POST"])
@login_required
def approve_destruction(destruction_id: int) -> Response:
    _take(destructions.approve_destruction, destruction_id)
    return _back(_carrier_of(destruction_id), _("The destruction is approved."))


@bp.route("/destructions/<int:destruction_id>/reject", methods=["POST"])
@login_required
def reject_destruction(destruction_id: int) -> Response:
    _take(destructions.reject_destruction, destruction_id, _field("reason"))
    return _back(_carrier_of(destruction_id), _("The destruction was turned down; the carrier stays in the store."))


@bp.route("/destructions/<int:destruction_id>/witness", methods=["POST"])
@login_required
def witness_destruction(destruction_id: int) -> Response:
    _take(destructions.witness_destruction, destruction_id)
    return _back(_carrier_of(destruction_id), _("Your presence as a witness is recorded."))


@bp.route("/destructions/<int:destruction_id>/perform", methods=["POST"])
@login_required
def perform_destruction(destruction_id: int) -> Response:
    _take(destructions.perform_destruction, destruction_id, notes=_field("notes"))
    return _back(_carrier_of(destruction_id), _("The carrier is destroyed; the destruction record is complete."))


def _carrier_of(destruction_id: int) -> int:
    with state().sessions() as session:
        found = session.get(Destruction, destruction_id)
        assert found is not None   # the step found it
        return found.carrier_id


@bp.route("/mine")
@login_required
def mine() -> str:
    with transaction(state().sessions) as session:
        held = service.holdings(session, _user().id)
        listed = filter_visible(session, [c for c, _line in held], resource_of_carrier, what="my_carriers")
    return render_template("carriers/mine.html", listed=listed, lines={c.id: m for c, m in held if m})


@bp.route("/movements/<int:movement_id>/confirm", methods=["POST"])
@login_required
def confirm(movement_id: int) -> Response:
    _take(service.confirm_receipt, movement_id)
    flash(_("You confirmed the receipt."), "success")
    return redirect(url_for("carriers.mine"))
