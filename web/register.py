"""The secret register (商业秘密清单): entries filtered by level, period and department, each with its approval
record. Which entries a user sees is decided in ``web.access.register_items``."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from records.models import SecretItem
from web.access import REGISTER_ROLES, register_items
from web.audit_log import log_access, register_item_sha256
from web.overview import user_names
from web.security import current_user, roles_required
from web.state import state

bp = Blueprint("register", __name__, url_prefix="/register")

LEVELS = ("core", "important", "general")


@bp.route("")
@roles_required(*REGISTER_ROLES)
def index() -> str:
    user = current_user()
    assert user is not None
    level, period, department = (request.args.get(k, "").strip() for k in ("level", "period", "department"))
    query = register_items(user)
    if level:
        query = query.where(SecretItem.level == level)
    if period:
        query = query.where(SecretItem.period.contains(period, autoescape=True))
    if department:
        query = query.where(SecretItem.department == department)
    with state().sessions() as session:
        items = session.scalars(query.order_by(SecretItem.id)).all()
        departments = session.scalars(register_items(user).with_only_columns(SecretItem.department)
                                      .distinct().order_by(SecretItem.department)).all()
        log_access("view", "register", "list", None, None, True,
                   detail={"filters": {"level": level, "period": period, "department": department},
                           "items": [i.id for i in items]})
        return render_template("register/index.html", items=items, levels=LEVELS, departments=departments,
                               filters={"level": level, "period": period, "department": department})


@bp.route("/items/<int:item_id>")
@roles_required(*REGISTER_ROLES)
def item(item_id: int) -> str:
    user = current_user()
    assert user is not None
    with state().sessions() as session:
        found = session.scalars(register_items(user).where(SecretItem.id == item_id)).first()
        if found is None:
            abort(404)
        names = user_names(session, [found.approver])
        log_access("view", "register_item", found.id, found.level, register_item_sha256(found), True)
        return render_template("register/item.html", item=found, approval=found.approval, names=names)

