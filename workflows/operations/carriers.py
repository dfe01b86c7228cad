"""Carriers in processes: a leaver's hand-over is checked against the carrier register (seed 003 §5.1.3, §5.2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from records.carriers import CarrierError, holdings, return_carrier
from records.levels import LEVEL_NAMES, SecretLevel
from records.models import Carrier, CarrierStatus, User
from workflows.errors import OperationFailed
from workflows.registry import OPERATIONS, OperationContext

_WHERE = {True: "在库 / in the store", False: "由他人保管 / held by someone else"}


def _label(carrier: Carrier) -> str:
    # A core carrier's name is core content: the message names it by its serial and level only.
    level = LEVEL_NAMES.get(carrier.level, carrier.level)
    return (f"{carrier.serial}（{level}）" if carrier.level == SecretLevel.CORE
            else f"{carrier.serial}《{carrier.name}》（{level}）")


@OPERATIONS.operation("take_back_carriers")
def take_back_carriers(ctx: OperationContext) -> dict[str, Any]:
    """Check the hand-over list (``items``) against the carrier register and take the listed carriers back.

    Every carrier the register has with the leaver must be on the list, and every listed serial the register
    knows must be theirs; otherwise the step is refused naming the carriers, and nothing changes. The listed
    ones go back to the store, each a line of the carrier ledger recorded by the officer taking them."""
    person = ctx.instance.subject_user or str(ctx.data.get("employee_user") or "")
    user = ctx.session.get(User, person) if person else None
    who = f"{user.name}（{person}）" if user is not None else person
    listed = {str(item.get("serial_number") or "").strip() for item in ctx.data.get("items") or []
              if isinstance(item, dict)} - {""}
    held = [carrier for carrier, _ in holdings(ctx.session, person)
            if carrier.holder == person and carrier.status == CarrierStatus.ISSUED] if person else []
    missing = [c for c in held if c.serial not in listed]
    if missing:
        raise OperationFailed(
            f"{who} still holds {len(missing)} carrier(s) that are not on the hand-over list: "
            + "、".join(_label(c) for c in missing)
            + ". Add them to the list, or record their return or loss in the carrier register first; "
              "nothing was saved")
    held_serials = {c.serial for c in held}
    others = ctx.session.scalars(select(Carrier).where(Carrier.serial.in_(sorted(listed - held_serials)))).all()
    if others:
        raise OperationFailed(
            "the hand-over list names carriers the register does not have with " + who + ": "
            + "、".join(f"{_label(c)} — {_WHERE[c.holder is None]}" for c in others)
            + ". Check the serial numbers; nothing was saved")
    officer = ctx.session.get(User, ctx.actor)
    if held and officer is None:
        raise OperationFailed(f"{ctx.actor} has no account to take the carriers back with; nothing was saved")
    returned = []
    for carrier in held:
        assert officer is not None
        try:
            return_carrier(ctx.session, officer, carrier.id, now=ctx.now,
                           note=f"离职交接 / offboarding, process {ctx.instance.id}")
        except (CarrierError, PermissionError) as exc:
            raise OperationFailed(f"carrier {carrier.serial}: {exc}; nothing was saved") from None
        returned.append(carrier.serial)
    return {"returned": returned, "checked": len(listed)}
