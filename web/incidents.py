"""The leak-incident ledger (风险台账, seed 003 §8.1.3, §8.2) for the secrecy office, the committee and the general
manager: every incident, its grade and where it stands. What each row shows follows need-to-know by the level of
the items it touches — an incident about a core item is read only by the general manager and the people who had a
step in it — as for the process's own pages (``web.access``)."""

from __future__ import annotations

from flask import Blueprint, render_template

from records.db import transaction
from records.levels import SecretLevel
from records.need_to_know import Resource
from web.access import filter_visible
from web.security import roles_required
from web.state import state
from workflows.incident_ledger import IncidentRow, incident_ledger

__all__ = ["bp"]

bp = Blueprint("incidents", __name__, url_prefix="/incidents")

LEDGER_ROLES = ("secrecy_office", "committee", "general_manager")


def _resource(row: IncidentRow) -> Resource:
    """An incident is read like a document of its items' level whose parties had a step in it (or reported it)."""
    return Resource("document", f"instance-{row.instance_id}", row.level or SecretLevel.GENERAL,
                    parties=row.parties)


@bp.route("")
@roles_required(*LEDGER_ROLES)
def index() -> str:
    rows = incident_ledger(state().engine)
    with transaction(state().sessions) as session:
        listed = filter_visible(session, rows, _resource, what="leak_incidents")
    return render_template("incidents/index.html", listed=listed)
