"""What the carrier pages show: one carrier's record for the signed-in user, and the registration form's choices.

A carrier's page is the full record when the need-to-know rule lets the user view it; the people who handle the
carrier (``records.destructions.takes_part``) get it without its name, purposes and reasons; anyone else gets
nothing (the view answers 404). The decision is recorded, with which of the three it led to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from records import carriers as service
from records import destructions
from records.access_grants import resource_of_carrier
from records.levels import SecretLevel
from records.models import Carrier, User
from web.access import check, filter_visible
from web.overview import user_names

__all__ = ["carrier_page", "register_form", "register_page"]


def register_page(session: Session, user: User, filters: dict[str, str]) -> dict[str, Any]:
    """The register list: each row decided for ``user`` (withheld rows redacted), with its destruction status,
    and whether ``user`` handles it (then a withheld row still links to its redacted record)."""
    rows = session.scalars(service.register_query(filters["level"], filters["status"], filters["department"])).all()
    listed = filter_visible(session, rows, resource_of_carrier, what="carriers")
    pending = destructions.destructions_of(session, [c.id for c in rows])
    return {"listed": listed, "filters": filters, "levels": service.LEVELS, "statuses": service.STATUSES,
            "departments": service.departments(session), "pending": pending,
            "handled": {c.id for c in rows if destructions.takes_part(user, c, pending.get(c.id))},
            "names": user_names(session, [c.holder for c in rows])}


def carrier_page(session: Session, user: User, carrier: Carrier) -> dict[str, Any] | None:
    """The template values of ``carrier``'s page for ``user``, or None when they may not see it."""
    destruction = destructions.destruction_of(session, carrier.id)
    handles = destructions.takes_part(user, carrier, destruction)
    decision = check(session, resource_of_carrier(carrier), "view",
                     detail={"if_withheld": "redacted" if handles else "not_found"})
    if not decision.allowed and not handles:
        return None
    lines = service.ledger(session, carrier.id)
    witnesses = destructions.witness_records(session, destruction.id) if destruction else []
    steps = destructions.available_steps(user, carrier, destruction, [w.witness for w in witnesses])
    people = [carrier.holder, carrier.created_by, *(w.witness for w in witnesses)]
    people += [p for m in lines for p in (m.from_user, m.to_user, m.recorded_by, m.confirmed_by)]
    if destruction is not None:
        people += [destruction.requested_by, destruction.approved_by, destruction.performed_by]
    return {"carrier": carrier, "full": decision.allowed, "approval_needed": decision.needs, "lines": lines,
            "destruction": destruction, "witnesses": witnesses, "steps": steps,
            "names": user_names(session, people),
            "receivers": service.receivers(session) if "issue" in steps else [],
            "methods": destructions.methods_for(carrier.form, carrier.level),
            "required_witnesses": destructions.CORE_DESTRUCTION_WITNESSES if carrier.level == SecretLevel.CORE else 0}


def register_form(user: User) -> dict[str, Any]:
    """The registration form's choices: a liaison registers for their own department only."""
    return {"levels": service.LEVELS, "forms": service.FORMS, "keeper": "secrecy_office" in (user.roles or ()),
            "department": user.department}
