"""The secret register (商业秘密清单): entries filtered by level, period, department and name, each with its
approval record. What each user sees of it is decided in ``web.access`` (need-to-know by level)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from records.access_grants import resource_of_item
from records.db import transaction
from records.levels import LEVELS
from records.models import SecretItem
from web.access import REGISTER_ROLES, filter_visible, register_items, visible_item
from web.overview import user_names
from web.security import roles_required
from web.state import state

bp = Blueprint("register", __name__, url_prefix="/register")



@bp.route("")
@roles_required(*REGISTER_ROLES)
def index() -> str:
    level, period, department, text = (request.args.get(k, "").strip()
                                       for k in ("level", "period", "department", "q"))
    # Level and department are shown on every row, withheld or not; the other filters look into an entry's
    # content, so they only ever match entries the user may see (a search must not confirm a hidden name).
    query = select(SecretItem)
    if level:
        query = query.where(SecretItem.level == level)
    if department:
        query = query.where(SecretItem.department == department)
    with transaction(state().sessions) as session:
        listed = filter_visible(session, register_items(session, query), resource_of_item, what="register")
        if period or text:
            listed = [x for x in listed if x.decision.allowed
                      and period in (x.row.period or "") and text.casefold() in x.row.name.casefold()]
        departments = session.scalars(select(SecretItem.department).distinct()
                                      .order_by(SecretItem.department)).all()
        return render_template("register/index.html", listed=listed, levels=LEVELS, departments=departments,
                               filters={"level": level, "period": period, "department": department, "q": text})


@bp.route("/items/<int:item_id>")
@roles_required(*REGISTER_ROLES)
def item(item_id: int) -> str:
    found = visible_item(item_id)
    with state().sessions() as session:
        names = user_names(session, [found.approver])
    return render_template("register/item.html", item=found, approval=found.approval, names=names)
