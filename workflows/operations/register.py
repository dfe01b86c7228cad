"""Operations of the secret register (seed 003 §4): the committee, its votes, entries, level changes,
declassification.

What these record is evidence, so each value comes from what the system knows: the committee and its rules
from the organisation when it is convened, each vote from the member's own task, the level from the vote, an
item's current level from the register. None of it can be typed into a form (the forms do not have the
fields, and start data naming them is refused by ``workflows.authority``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select

from records.levels import LEVEL_NAMES, LEVELS, SecretLevel, period_problem
from records.models import AccessGrant, Carrier, GrantStatus, ItemStatus, Notification, PersonStatus, SecretItem, User
from records.need_to_know import knower_tokens
from records.organisation import committee, department_head, liaisons
from workflows.clock import SHANGHAI
from workflows.errors import OperationFailed
from workflows.registry import OPERATIONS, OperationContext

_VOTE_NAMES = {"approve": "赞成", "reject": "反对", "abstain": "弃权"}


@OPERATIONS.operation("convene_committee")
def convene_committee(ctx: OperationContext) -> dict[str, Any]:
    """Read the committee from the organisation: one vote task per member, its quorum and majority."""
    current = committee(ctx.session)
    if current.chair is None or not current.members:
        raise ValueError("the secrecy committee has no chair or no members: appoint them "
                         "(`mibao org appoint committee_chair USER`, `… committee_member USER`), then retry")
    ctx.data.update(committee_members=[u.id for u in current.members], committee_chair=current.chair.id,
                    committee_chair_name=current.chair.name, quorum=current.quorum, majority=current.majority,
                    # Emptied for each round: SpiffWorkflow refuses a multi-instance whose output already holds items.
                    votes=[])
    return {"members": [u.id for u in current.members], "chair": current.chair.id, "quorum": current.quorum,
            "majority": current.majority, "at": ctx.now.isoformat()}


@OPERATIONS.operation("tally_votes")
def tally_votes(ctx: OperationContext, level: str | None = None) -> dict[str, Any]:
    """Count the members' ballots: quorum (share of members voting) and majority of votes cast.

    ``votes[i]`` is the ballot of ``committee_members[i]`` (the multi-instance keeps input order), so each
    vote is attributed to the member whose own task cast it. LEVEL is the level voted on, if any."""
    members = list(ctx.data.get("committee_members") or [])
    ballots = list(ctx.data.get("votes") or [])
    quorum = float(ctx.data["quorum"])
    majority = float(ctx.data["majority"])
    voters = []
    for member, ballot in zip(members, ballots, strict=False):
        vote = ballot.get("vote") if isinstance(ballot, dict) else None
        if vote not in _VOTE_NAMES:
            continue
        user = ctx.session.get(User, member)
        voters.append({"user": member, "name": user.name if user else member, "vote": vote,
                       **({"comment": str(ballot["comment"])} if ballot.get("comment") else {})})
    counted = {k: sum(1 for v in voters if v["vote"] == k) for k in _VOTE_NAMES}
    cast = counted["approve"] + counted["reject"]
    present = cast + counted["abstain"]
    quorum_met = bool(members) and present / len(members) >= quorum
    approved = quorum_met and cast > 0 and counted["approve"] / cast > majority
    if level is not None and level not in LEVELS:
        raise ValueError(f"the committee cannot vote on level {level!r}")
    # What the approval form prints: the counts and each voter by name, as tallied here.
    ctx.data.update(votes_for=counted["approve"], votes_against=counted["reject"], votes_abstain=counted["abstain"],
                    voter_names="、".join(f"{v['name']}（{_VOTE_NAMES[v['vote']]}）" for v in voters) or "无")
    if approved and level is not None:
        ctx.data["decision"] = level
    return {"approved": approved, "yes": counted["approve"], "no": counted["reject"], "abstain": counted["abstain"],
            "quorum_met": quorum_met, "members": len(members), "quorum": quorum, "majority": majority,
            "voters": voters, "level": level if approved else None}


def _voted_level(ctx: OperationContext) -> str:
    """The level the committee approved; core also needs the chair's own approval (seed 003 §4.2.1)."""
    tally = ctx.data.get("tally") or {}
    level = tally.get("level")
    if not tally.get("approved") or level not in LEVELS:
        raise ValueError("the committee has not approved a level; nothing is registered without its vote")
    if level == SecretLevel.CORE and ctx.data.get("chair_approved") is not True:
        raise ValueError("a core level needs the committee chair's approval")
    return str(level)


@OPERATIONS.operation("register_secret_item")
def register_secret_item(ctx: OperationContext) -> int:
    """Enter the approved item into the register at the level the committee voted, with its approval record."""
    d = ctx.data
    level = _voted_level(ctx)
    # The proposal form checked the period against the proposed level; the register checks it against the level
    # the committee actually voted (seed 003 §4.1.2).
    problem = period_problem(level, str(d.get("secrecy_period") or ""))
    if problem:
        raise ValueError(f"the item cannot be registered at the level voted: {problem}; the secrecy office must "
                         "propose a period that fits")
    chair = committee(ctx.session).chair
    item = SecretItem(
        name=str(d["item_name"]), level=level, department=d.get("department"), carrier=d.get("carrier_form"),
        knowers=d.get("knowers"), period=d.get("secrecy_period"),
        declassification_condition=d.get("declassification_condition"),
        classified_on=ctx.now.astimezone(SHANGHAI).date(), approver=chair.name if chair else None,
        notes=d.get("notes"), instance_id=ctx.instance.id,
        approval={"tally": d.get("tally"), "committee": d.get("committee"), "chair_approved": d.get("chair_approved"),
                  "chair": chair.id if chair else None, "at": ctx.now.isoformat()},
    )
    ctx.session.add(item)
    ctx.session.flush()
    return item.id


def named_items(ctx: OperationContext) -> list[SecretItem]:
    """The register entries a start names (``item_ids``, picked by name), in its order; one the register does not
    have is refused."""
    ids = [int(i) for i in ctx.data.get("item_ids") or []]
    items = {i.id: i for i in ctx.session.scalars(select(SecretItem).where(SecretItem.id.in_(ids)))} if ids else {}
    unknown = [i for i in ids if i not in items]
    if unknown:
        raise OperationFailed(f"item_ids: the register has no entry {unknown}; pick items from the register")
    return [items[i] for i in ids]


def _item(ctx: OperationContext, *, lock: bool = True) -> SecretItem:
    try:
        item_id = int(ctx.data["item_id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("the process names no register item (item_id)") from None
    item = ctx.session.get(SecretItem, item_id, with_for_update=lock)
    if item is None:
        raise ValueError(f"there is no register item {item_id}")
    return item


@OPERATIONS.operation("read_register_item")
def read_register_item(ctx: OperationContext) -> dict[str, Any]:
    """Read the item's name, current level and department from the register (not from the start data)."""
    item = _item(ctx, lock=False)
    if item.status != ItemStatus.ACTIVE:
        raise ValueError(f"register item {item.id} is {item.status}: nothing to change or review")
    ctx.data.update(item_name=item.name, current_level=item.level, department=item.department)
    return {"id": item.id, "name": item.name, "level": item.level, "department": item.department}


@OPERATIONS.operation("change_level")
def change_level(ctx: OperationContext) -> str:
    """Apply the level the committee voted to register item ``item_id`` (seed 003 §4.3.1), keeping the record."""
    item, new = _item(ctx), _voted_level(ctx)
    if item.level != ctx.data.get("current_level"):
        raise ValueError(f"{item.name} is {LEVEL_NAMES.get(item.level, item.level)} now, not "
                         f"{LEVEL_NAMES.get(str(ctx.data.get('current_level')), ctx.data.get('current_level'))} as "
                         "when this change was requested; start a new request")
    if item.level == SecretLevel.CORE and ctx.data.get("chair_approved") is not True:
        raise ValueError("changing the level of a core item needs the committee chair's approval")
    item.approval = {**item.approval, "changes": [*item.approval.get("changes", []),
                                                   {"from": item.level, "to": new, "at": ctx.now.isoformat(),
                                                    "tally": ctx.data.get("tally"),
                                                    "chair_approved": ctx.data.get("chair_approved")}]}
    period = str(ctx.data.get("new_period") or item.period or "")
    problem = period_problem(new, period)
    if problem:
        raise ValueError(f"{item.name} cannot become {LEVEL_NAMES[new]} with its secrecy period: {problem}")
    before, item.level, item.period = item.level, new, period
    ctx.session.flush()
    _notify_knowers(ctx, item, before, new)
    return new


def _notify_knowers(ctx: OperationContext, item: SecretItem, before: str, after: str) -> None:
    """Seed 003 §4.3.1: after a level change the register is updated "并通知相关人员". Those who may know the item
    are told: the people and posts its 知悉范围 names, its department's head and liaisons, whoever holds an approval
    for it or one of its carriers. The message names the entry by number only (its name may be above the
    reader's clearance now); the entry itself is behind the signed-in register page."""
    tokens = knower_tokens(item.knowers)
    ids = set(ctx.session.scalars(select(User.id).where(
        or_(User.id.in_(tokens), User.name.in_(tokens), User.post.in_(tokens))))) if tokens else set()
    if item.department:
        head = department_head(ctx.session, item.department)
        ids |= {u.id for u in [head, *liaisons(ctx.session, item.department)] if u is not None}
    ids |= set(ctx.session.scalars(select(AccessGrant.user_id).where(
        AccessGrant.target_type == "register_item", AccessGrant.target_id == str(item.id),
        AccessGrant.status == GrantStatus.APPROVED)))
    ids |= {h for h in ctx.session.scalars(select(Carrier.holder).where(Carrier.item_id == item.id)) if h}
    people = ctx.session.scalars(select(User).where(User.id.in_(sorted(ids)), User.status != PersonStatus.LEFT)
                                 .order_by(User.id)).all()
    names = LEVEL_NAMES.get(before, before), LEVEL_NAMES.get(after, after)
    for person in people:
        ctx.session.add(Notification(
            instance_id=ctx.instance.id, to_user=person.id, to_email=person.email, created_at=ctx.now,
            subject=f"密级变更通知 / Level changed: 商业秘密清单第 {item.id} 项",
            body=(f"{person.name}，您好：\n经保密委员会审批，商业秘密清单第 {item.id} 项的密级已由{names[0]}调整为"
                  f"{names[1]}，自即日起按新密级管理（知悉范围、载体、传递方式）。请登录系统查看。\n"
                  f"Register entry {item.id} is now {after} (was {before}), by the secrecy committee's decision; "
                  "handle it by its new level from now on. Sign in to read it.\n")))
    ctx.session.flush()


@OPERATIONS.operation("declassify_item")
def declassify_item(ctx: OperationContext) -> str:
    """Declassify register item ``item_id`` for ``declassify_reason`` after the committee's vote (§4.3.2)."""
    item = _item(ctx)
    tally = ctx.data.get("tally") or {}
    if not tally.get("approved"):
        raise ValueError("the committee has not approved the declassification")
    if item.level == SecretLevel.CORE and ctx.data.get("chair_approved") is not True:
        raise ValueError("declassifying a core item needs the committee chair's approval")
    item.status = ItemStatus.DECLASSIFIED
    item.approval = {**item.approval, "declassified": {"reason": ctx.data.get("declassify_reason"),
                                                       "tally": tally, "at": ctx.now.isoformat()}}
    ctx.session.flush()
    return dt.datetime.isoformat(ctx.now)
