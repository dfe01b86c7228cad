"""Operations of the leak-incident process (seed 003 §8.2, §7.3.2, §8.1.2): the incident's facts from the register,
its grade, containment actions with owners and deadlines, evidence into the audit chain, and the signed report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from records.audit import record
from records.levels import highest
from records.models import PersonStatus, User
from workflows.agreements import agreement_job, render_agreement
from workflows.clock import SHANGHAI
from workflows.errors import OperationFailed
from workflows.incidents import TEMPLATE, due_at, grade, report_data, report_title
from workflows.operations.agreements import record_prepared
from workflows.operations.register import named_items
from workflows.registry import OPERATIONS, OperationContext
from workflows.uploads import stored_upload


def _name(ctx: OperationContext, user_id: str | None) -> str:
    user = ctx.session.get(User, user_id) if user_id else None
    return user.name if user else str(user_id)


@OPERATIONS.operation("leak_incident_facts")
def leak_incident_facts(ctx: OperationContext) -> dict[str, Any]:
    """The reporter (who started it) and the items named, read from the register; ``incident_level`` is the
    highest level among them (what the incident's need-to-know follows)."""
    items = named_items(ctx)
    ctx.data["items"] = [{"id": i.id, "name": i.name, "level": i.level, "department": i.department} for i in items]
    level = highest(i.level for i in items)
    ctx.data["incident_level"] = str(level) if level else None
    ctx.data["reporter_user"] = ctx.instance.started_by
    return {"number": ctx.instance.id, "reported_on": ctx.now.astimezone(SHANGHAI).date().isoformat()}


@OPERATIONS.operation("grade_leak_incident")
def grade_leak_incident(ctx: OperationContext) -> dict[str, Any]:
    """The grade (§8.2.1) from the estimated loss, the items' levels and the harm to competitiveness; a new
    assessment (the committee sent it back) starts a new round of containment, keeping the earlier one."""
    data = ctx.data
    if data.get("containment_actions"):
        data["earlier_containment"] = [*(data.get("earlier_containment") or []),
                                       {"actions": data["containment_actions"],
                                        "results": data.get("containment_results") or []}]
    data["containment_actions"], data["containment_results"] = [], []
    try:
        result = grade(data["estimated_loss"], [i["level"] for i in data.get("items", [])],
                       bool(data.get("competitiveness_harmed")))
    except ValueError as exc:
        raise OperationFailed(str(exc)) from None
    return result.to_data()


@OPERATIONS.operation("record_containment_action")
def record_containment_action(ctx: OperationContext) -> bool:
    """One containment action: what, its owner — someone the organisation knows who has not left — and its
    deadline (not in the past)."""
    data = ctx.data
    owner = ctx.session.get(User, str(data["owner_user"]))
    if owner is None or owner.status == PersonStatus.LEFT:
        raise OperationFailed(f"owner_user: {data['owner_user']!r} is nobody on the staff; pick a person by name")
    due = dt.date.fromisoformat(str(data["due_date"]))
    if due < ctx.now.astimezone(SHANGHAI).date():
        raise OperationFailed(f"due_date: {due} has passed; give a deadline from today on")
    data["containment_actions"] = [*(data.get("containment_actions") or []), {
        "action": str(data["action"]), "owner_user": owner.id, "owner_name": owner.name, "due": due.isoformat(),
        "due_at": due_at(due)}]
    return True


@OPERATIONS.operation("record_leak_evidence")
def record_leak_evidence(ctx: OperationContext) -> dict[str, Any]:
    """The uploaded evidence file, hashed again (SHA-256) and recorded in the audit chain with its custody: who
    handed it over, who received it (the officer who uploaded it), when (§8.1.2 证据固定)."""
    data = ctx.data
    name, digest = stored_upload(ctx.services.instance.root, data, "evidence_file", "the evidence")
    at = ctx.now.astimezone(SHANGHAI)
    source = str(data.get("received_from") or "")
    custody = (f"{at:%Y-%m-%d %H:%M} 由 {_name(ctx, ctx.actor)}（{ctx.actor}）接收"
               + (f"，移交人 {_name(ctx, source)}（{source}）" if source else ""))
    entry = {"file": name, "sha256": digest, "description": str(data["evidence_description"]),
             "received_by": ctx.actor, "received_from": source or None, "at": at.isoformat(), "custody": custody}
    record(ctx.session, actor=ctx.actor, action="preserve_evidence", target_type="leak_incident",
           target_id=ctx.instance.id, role="secrecy_office", level=data.get("incident_level"),
           content_sha256=digest, at=ctx.now,
           detail={"file": name, "description": entry["description"], "received_from": entry["received_from"],
                   "received_by": ctx.actor, "evidence": len(data.get("evidence") or []) + 1})
    data["evidence"] = [*(data.get("evidence") or []), entry]
    return entry


@OPERATIONS.job("prepare_leak_report", queue="documents",
                title="正在生成泄密事件调查报告 / preparing the incident report", work=render_agreement,
                apply=record_prepared)
def prepare_leak_report(ctx: OperationContext) -> dict[str, Any]:
    """《泄密事件调查报告》 from the whole incident, rendered on a worker; the result is the document id."""
    people = {str(ctx.data.get("reporter_user"))}
    names = {p: _name(ctx, p) for p in people}
    data = report_data(ctx.data, names=names, today=ctx.now.astimezone(SHANGHAI).date())
    job = agreement_job(ctx.services, template_id=TEMPLATE, data=data, instance_id=ctx.instance.id,
                        subject_user=None, now=ctx.now)
    return {**job, "title": report_title(int(ctx.data["incident"]["number"]))}
