"""Demo data for the embedded default: the demo organisation with passwords, a few processes under way, and a
carrier register with hand-overs and a destruction waiting for its second witness."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from records.carrier_demo import seed_carriers
from records.db import transaction
from records.demo_org import ensure_demo
from records.models import ProcessInstance, User
from records.people import DEMO_PEOPLE, OUTSIDE_PARTY_ROLE
from web.passwords import hash_password
from web.state import WebState
from workflows import BPMN_DIR

__all__ = ["DEMO_PASSWORD", "seed_demo"]

DEMO_PASSWORD = "mibao-demo"
# Who gets the demo password: not the outside parties, who sign through their own link (workflows/links.py).
_STAFF = frozenset(p.id for p in DEMO_PEOPLE if OUTSIDE_PARTY_ROLE not in p.roles)


def seed_demo(web: WebState) -> list[tuple[str, str, str]]:
    """Create the demo accounts (idempotent) and, on an empty database, start a few processes.

    Returns (user id, name, roles) for the login list.
    """
    with transaction(web.sessions) as session:
        ensure_demo(session)
        for user in session.scalars(select(User)):
            if user.password_hash is None and user.id in _STAFF:
                user.password_hash = hash_password(DEMO_PASSWORD)
                user.email = f"{user.id}@demo.mibao.local"
        empty = not session.scalar(select(func.count()).select_from(ProcessInstance))
        seed_carriers(session, web.engine.clock.now())
    if empty:
        # The secrecy office's weekly access-log review opens at once on the last complete week.
        for process_id, actor in (("onboarding", "hr01"), ("classification", "hr01"), ("external_nda", "hr01"),
                                  ("log_review", "sec01")):
            data = json.loads((BPMN_DIR / "examples" / f"{process_id}.json").read_text(encoding="utf-8"))
            web.engine.start(process_id, data, actor=actor)
    return [(p.id, p.name, ", ".join(p.roles)) for p in DEMO_PEOPLE if p.id in _STAFF]
