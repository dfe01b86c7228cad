"""Operations of the secret register (seed 003 §4): committee votes, entries, level changes, declassification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from records.levels import LEVELS
from records.models import SecretItem
from workflows.clock import SHANGHAI
from workflows.registry import OPERATIONS, OperationContext


@OPERATIONS.operation("tally_votes")
def tally_votes(ctx: OperationContext) -> dict[str, Any]:
    """Count ``votes`` of ``committee_members``: quorum (share of members voting) and majority of votes cast."""
    members = list(ctx.data.get("committee_members") or [])
    votes = [v for v in (ctx.data.get("votes") or []) if isinstance(v, dict)]
    quorum = float(ctx.data.get("quorum", 2 / 3))
    majority = float(ctx.data.get("majority", 0.5))
    counted = {k: sum(1 for v in votes if v.get("vote") == k) for k in ("approve", "reject", "abstain")}
    cast = counted["approve"] + counted["reject"]
    present = cast + counted["abstain"]
    quorum_met = bool(members) and present / len(members) >= quorum
    approved = quorum_met and cast > 0 and counted["approve"] / cast > majority
    return {"approved": approved, "yes": counted["approve"], "no": counted["reject"],
            "abstain": counted["abstain"], "quorum_met": quorum_met, "members": len(members)}


@OPERATIONS.operation("register_secret_item")
def register_secret_item(ctx: OperationContext) -> int:
    """Enter the approved item into the register, with its approval record."""
    d = ctx.data
    # The committee's decision fixes the level; the liaison's proposal is only a proposal.
    level = str(d.get("decision") or d.get("proposed_level"))
    if level not in LEVELS:
        raise ValueError(f"cannot register an item with level {level!r}")
    item = SecretItem(
        name=str(d["item_name"]), level=level, department=d.get("department"), carrier=d.get("carrier_form"),
        knowers=d.get("knowers"), period=d.get("secrecy_period"),
        declassification_condition=d.get("declassification_condition"),
        classified_on=ctx.now.astimezone(SHANGHAI).date(), approver=d.get("committee_chair"),
        notes=d.get("notes"), instance_id=ctx.instance.id,
        approval={"tally": d.get("tally"), "votes": d.get("votes"), "chair_approved": d.get("chair_approved"),
                  "at": ctx.now.isoformat()},
    )
    ctx.session.add(item)
    ctx.session.flush()
    return item.id


def _item(ctx: OperationContext) -> SecretItem:
    item = ctx.session.get(SecretItem, int(ctx.data["item_id"]), with_for_update=True)
    if item is None:
        raise ValueError(f"there is no register item {ctx.data['item_id']!r}")
    return item


@OPERATIONS.operation("change_level")
def change_level(ctx: OperationContext) -> str:
    """Apply ``new_level`` to register item ``item_id`` (seed 003 §4.3.1), keeping the approval record."""
    item, new = _item(ctx), str(ctx.data["new_level"])
    if new not in LEVELS:
        raise ValueError(f"unknown level {new!r}")
    item.approval = {**item.approval, "changes": [*item.approval.get("changes", []),
                                                   {"from": item.level, "to": new, "at": ctx.now.isoformat()}]}
    item.level = new
    ctx.session.flush()
    return new


@OPERATIONS.operation("declassify_item")
def declassify_item(ctx: OperationContext) -> str:
    """Declassify register item ``item_id`` for ``declassify_reason`` (seed 003 §4.3.2)."""
    item = _item(ctx)
    item.status = "declassified"
    item.approval = {**item.approval, "declassified": {"reason": ctx.data.get("declassify_reason"),
                                                       "at": ctx.now.isoformat()}}
    ctx.session.flush()
    return dt.datetime.isoformat(ctx.now)
