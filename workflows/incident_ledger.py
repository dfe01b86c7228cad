"""The risk ledger of leak incidents (seed 003 §8.1.3 风险台账, §8.2): every incident with its grade and where it
stands, read from the processes themselves. Who may see which row is the web's (need-to-know by level)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from records.models import InstanceStatus, ProcessInstance, User
from workflows.runtime import Engine

__all__ = ["PROCESS", "IncidentRow", "incident_ledger"]

PROCESS = "leak_incident"


@dataclass(frozen=True)
class IncidentRow:
    instance_id: int
    reported_at: dt.datetime
    reporter: str
    reporter_name: str
    summary: str
    items: list[str]
    level: str | None               # the highest level of the items involved; None when none was named
    grade: str | None               # general / major / serious, once graded
    grade_name: str | None
    stage: str                      # open / dismissed / closed / failed
    waiting_for: list[str]          # the titles of its open steps
    report_id: str | None
    parties: frozenset[str]         # who reported it and who had a step in it


def incident_ledger(engine: Engine) -> list[IncidentRow]:
    """All incidents, newest first."""
    with engine.sessions() as session:
        ids = session.scalars(select(ProcessInstance.id).where(ProcessInstance.process_id == PROCESS)
                              .order_by(ProcessInstance.id.desc())).all()
        names = {user_id: name for user_id, name in session.execute(select(User.id, User.name))}
    return [_row(engine, instance_id, names) for instance_id in ids]


def _row(engine: Engine, instance_id: int, names: dict[str, str]) -> IncidentRow:
    view = engine.show(instance_id)
    data, grading = view.data, view.data.get("grading") or {}
    reporter = str(data.get("reporter_user") or view.started_by)
    if view.status == InstanceStatus.COMPLETED:
        stage = "closed" if grading else "dismissed"
    else:
        stage = "failed" if view.error else "open"
    parties = {reporter} | {t.assignee for t in view.tasks if t.assignee} | \
        {t.completed_by for t in view.tasks if t.completed_by}
    report = next((d["id"] for d in view.documents if d["template_id"] == "leak_incident_report"), None)
    return IncidentRow(
        instance_id=view.id, reported_at=view.started_at, reporter=reporter,
        reporter_name=names.get(reporter, reporter), summary=str(data.get("incident_summary") or ""),
        items=[str(i["name"]) for i in data.get("items") or []], level=data.get("incident_level"),
        grade=grading.get("grade"), grade_name=grading.get("grade_name"), stage=stage,
        waiting_for=sorted({t.title for t in view.tasks if t.state == "ready"}), report_id=report,
        parties=frozenset(parties))
