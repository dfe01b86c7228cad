"""Destroying a carrier (seed 003 §4.2, §5.2.4): request → approval → witnesses → destruction, on record.

* **request** — a department secrecy liaison (for their department's carriers) or the secrecy office; the
  carrier is back in the store, and the method fits its form and level (:func:`methods_for`);
* **approval** — the secrecy office, not the person who asked (由部门保密员提交申请，保密管理部审批);
* **witnesses** — each confirms from their own account (a secrecy officer or liaison, ``WITNESS_ROLES``). A core
  carrier needs ``CORE_DESTRUCTION_WITNESSES`` distinct witnesses besides the person who destroys it
  (由保密管理部牵头，2 名以上保密员现场监督): nobody can be both, and one person confirming twice counts once;
* **destruction** — the secrecy office (the need-to-know rule's ``destroy``); the carrier becomes "destroyed"
  and the register gets its "destroy" line. The destruction and carrier rows are locked first, so concurrent
  attempts give one destruction and conflicts for the rest.

The steps follow :mod:`records.carriers`: plain values and ``now``, one audit record each, denied ones included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records.access_grants import AccessContext, authorize, resource_of_carrier
from records.carriers import (
    KEEPER,
    NO_CONTEXT,
    CarrierConflict,
    CarrierError,
    CarrierRefused,
    Step,
    load_carrier,
    load_line,
)
from records.levels import SecretLevel
from records.models import (
    Carrier,
    CarrierMovement,
    CarrierStatus,
    Destruction,
    DestructionStatus,
    DestructionWitness,
    MovementKind,
    User,
)
from records.need_to_know import CORE_DESTRUCTION_WITNESSES, WITNESS_ROLES

__all__ = ["CORE_DESTRUCTION_WITNESSES", "METHODS", "approve_destruction", "available_steps", "destruction_of",
           "destructions_of", "methods_for", "perform_destruction", "reject_destruction", "request_destruction",
           "takes_part", "witness_destruction", "witness_records", "witnesses_of"]

# §5.2.4: paper is shredded or burnt by a designated firm, electronic media wiped or physically destroyed,
# samples and moulds dismantled and destroyed. §4.2.1 narrows core carriers: shredded to ≤ 2 mm, media
# physically destroyed (硬盘粉碎), samples dismantled.
METHODS = ("shred", "incinerate", "wipe", "physical")
_BY_FORM = {"paper": ("shred", "incinerate"), "electronic": ("wipe", "physical"), "physical": ("physical",)}
_CORE = {"paper": ("shred",), "electronic": ("physical",), "physical": ("physical",)}
# A witness confirms being on site (现场监督): a confirmation counts for the destruction done within this time.
WITNESS_WINDOW_HOURS = 12
WITNESS_WINDOW = dt.timedelta(hours=WITNESS_WINDOW_HOURS)


def methods_for(form: str, level: str) -> tuple[str, ...]:
    """The destruction methods allowed for a carrier of this form and level."""
    return (_CORE if level == SecretLevel.CORE else _BY_FORM).get(form, ())


def request_destruction(session: Session, user: User, carrier_id: int, method: str, reason: str, *,
                        now: dt.datetime, context: AccessContext = NO_CONTEXT) -> Destruction:
    """Ask for a carrier in the store to be destroyed, by ``method``, for ``reason``."""
    step = Step(session, user, "request_destruction", now, context)
    carrier = load_carrier(step, carrier_id)
    if not (step.has_role(KEEPER) or _liaison_of(user, carrier)):
        raise step.refuse(CarrierRefused("the secrecy office, or the liaison of the carrier's department, asks "
                                         "for a destruction"))
    problem = _request_problem(session, carrier, method, reason)
    if problem is not None:
        raise step.refuse(problem, method=method)
    earlier = destruction_of(session, carrier.id)
    if earlier is not None:   # turned down before: the one record per carrier starts again (the chain keeps all)
        earlier.level, earlier.method, earlier.reason, earlier.status = carrier.level, method, reason.strip(), \
            DestructionStatus.REQUESTED
        earlier.requested_by, earlier.requested_at, earlier.approved_by, earlier.approved_at = user.id, now, None, None
        session.flush()
        step.done(destruction=earlier.id, method=method, reason=earlier.reason, again=True)
        return earlier
    destruction = Destruction(carrier_id=carrier.id, level=carrier.level, method=method, reason=reason.strip(),
                              status=DestructionStatus.REQUESTED, requested_by=user.id, requested_at=now)
    try:
        with session.begin_nested():
            session.add(destruction)
            session.flush()
    except IntegrityError:   # asked for concurrently
        raise step.refuse(CarrierConflict(f"the destruction of carrier {carrier.serial} was requested a moment "
                                          "ago; reload the page")) from None
    step.done(destruction=destruction.id, method=method, reason=destruction.reason)
    return destruction


def _liaison_of(user: User, carrier: Carrier) -> bool:
    return "liaison" in (user.roles or ()) and carrier.department in (None, user.department)


def _request_problem(session: Session, carrier: Carrier, method: str, reason: str) -> CarrierError | None:
    earlier = destruction_of(session, carrier.id)
    if earlier is not None and earlier.status != DestructionStatus.REJECTED:
        return CarrierConflict(f"the destruction of carrier {carrier.serial} was already requested by "
                               f"{earlier.requested_by} ({earlier.status}); follow that record")
    if carrier.status != CarrierStatus.IN_STORE:
        return CarrierError(f"carrier {carrier.serial} is held by {carrier.holder}; record its return to the "
                            "store first")
    allowed = methods_for(carrier.form, carrier.level)
    if method not in allowed:
        return CarrierError(f"a {carrier.level} {carrier.form} carrier is destroyed by {' or '.join(allowed)}, "
                            f"not {method!r} (seed 003 §4.2.1, §5.2.4); choose one of those")
    if len(reason.strip()) < 2 or len(reason) > 2000:
        return CarrierError("say why the carrier is to be destroyed (2 to 2000 characters): the approver "
                            "decides on it and the record keeps it")
    return None


def approve_destruction(session: Session, user: User, destruction_id: int, *, now: dt.datetime,
                        context: AccessContext = NO_CONTEXT) -> Destruction:
    """The secrecy office approves a requested destruction; not the person who asked for it."""
    step = Step(session, user, "approve_destruction", now, context)
    destruction = _load(step, destruction_id)
    if not step.has_role(KEEPER):
        raise step.refuse(CarrierRefused("only the secrecy office approves destructions"), destruction=destruction.id)
    if destruction.requested_by == user.id:
        raise step.refuse(CarrierRefused("you asked for this destruction; another secrecy officer approves it"),
                          destruction=destruction.id)
    if destruction.status != DestructionStatus.REQUESTED:
        raise step.refuse(CarrierConflict(f"this destruction was already approved by {destruction.approved_by} "
                                          f"({destruction.status})"), destruction=destruction.id)
    destruction.status, destruction.approved_by, destruction.approved_at = DestructionStatus.APPROVED, user.id, now
    session.flush()
    step.done(destruction=destruction.id, requested_by=destruction.requested_by)
    return destruction


def reject_destruction(session: Session, user: User, destruction_id: int, reason: str, *, now: dt.datetime,
                       context: AccessContext = NO_CONTEXT) -> Destruction:
    """The secrecy office turns down a destruction not yet done (a mistaken or premature request), with its
    reason; the carrier stays in the store and a new request may be made. Confirmations so far lapse."""
    step = Step(session, user, "reject_destruction", now, context)
    destruction = _load(step, destruction_id)
    if not step.has_role(KEEPER):
        raise step.refuse(CarrierRefused("only the secrecy office turns down destructions"),
                          destruction=destruction.id)
    if destruction.status not in (DestructionStatus.REQUESTED, DestructionStatus.APPROVED):
        raise step.refuse(CarrierConflict(f"this destruction is {destruction.status}; only a requested or approved "
                                          "one can be turned down"), destruction=destruction.id)
    if not 2 <= len(reason.strip()) <= 2000:
        raise step.refuse(CarrierError("say why the destruction is turned down (2 to 2000 characters)"),
                          destruction=destruction.id)
    lapsed = list(witnesses_of(session, destruction.id))
    for witness in witness_records(session, destruction.id):
        session.delete(witness)   # each confirmation stays in the audit chain; they no longer count
    destruction.status, destruction.notes = DestructionStatus.REJECTED, f"{user.id}: {reason.strip()}"
    session.flush()
    step.done(destruction=destruction.id, reason=reason.strip(), lapsed_witnesses=lapsed)
    return destruction


def witness_destruction(session: Session, user: User, destruction_id: int, *, now: dt.datetime,
                        context: AccessContext = NO_CONTEXT) -> DestructionWitness:
    """A witness confirms, from their own account, being present for the destruction (现场监督)."""
    step = Step(session, user, "witness_destruction", now, context)
    destruction = _load(step, destruction_id)
    if not step.has_role(*WITNESS_ROLES):
        raise step.refuse(CarrierRefused("witnesses are secrecy officers or department secrecy liaisons"),
                          destruction=destruction.id)
    if destruction.status == DestructionStatus.DONE:
        raise step.refuse(CarrierConflict("this carrier has already been destroyed; witnesses confirm before"),
                          destruction=destruction.id)
    if destruction.status != DestructionStatus.APPROVED:
        raise step.refuse(CarrierError("the destruction is not approved yet; witnesses confirm an approved "
                                       "destruction, on site"), destruction=destruction.id)
    earlier = next((w for w in witness_records(session, destruction.id) if w.witness == user.id), None)
    if earlier is not None and now - earlier.confirmed_at > WITNESS_WINDOW:
        earlier.confirmed_at = now   # on site again, another day: the fresh confirmation is what counts
        session.flush()
        step.done(destruction=destruction.id, renewed=True, witnesses=len(witnesses_of(session, destruction.id)))
        return earlier
    if earlier is not None:
        raise step.refuse(CarrierConflict("you already confirmed as a witness; a second confirmation by the same "
                                          "person does not count — another witness confirms from their own "
                                          "account"), destruction=destruction.id)
    witness = DestructionWitness(destruction_id=destruction.id, witness=user.id, confirmed_at=now)
    try:
        with session.begin_nested():
            session.add(witness)
            session.flush()
    except IntegrityError:   # the same person, twice at once
        raise step.refuse(CarrierConflict("you already confirmed as a witness"), destruction=destruction.id) from None
    step.done(destruction=destruction.id, witnesses=len(witnesses_of(session, destruction.id)))
    return witness


def perform_destruction(session: Session, user: User, destruction_id: int, *, notes: str = "", now: dt.datetime,
                        context: AccessContext = NO_CONTEXT) -> Destruction:
    """Destroy the carrier (the secrecy office), approved and, for a core carrier, watched by two witnesses
    who are not the person destroying it."""
    step = Step(session, user, "destroy", now, context)
    destruction = _load(step, destruction_id)
    carrier = load_carrier(step, destruction.carrier_id)
    decision = authorize(session, user, resource_of_carrier(carrier), "destroy", now=now, log=False,
                         consume=False)
    if not decision.allowed:
        raise step.refuse(CarrierRefused("only the secrecy office destroys carriers"), basis=decision.basis)
    witnesses = [w.witness for w in witness_records(session, destruction.id)
                 if now - w.confirmed_at <= WITNESS_WINDOW]
    stale = len(witnesses_of(session, destruction.id)) - len(witnesses)
    problem = _perform_problem(user, carrier, destruction, witnesses, decision.witnesses, stale)
    if problem is not None:
        raise step.refuse(problem, destruction=destruction.id, witnesses=list(witnesses))
    destruction.status, destruction.performed_by, destruction.performed_at = DestructionStatus.DONE, user.id, now
    destruction.notes = notes.strip()[:2000] or None
    carrier.status, carrier.holder = CarrierStatus.DESTROYED, None
    session.add(CarrierMovement(carrier_id=carrier.id, kind=MovementKind.DESTROY, from_user=None, to_user=None,
                                purpose=destruction.method, at=now, recorded_by=user.id, confirmed_by=user.id,
                                confirmed_at=now))
    session.flush()
    step.done(destruction=destruction.id, method=destruction.method, witnesses=list(witnesses),
              approved_by=destruction.approved_by, basis=decision.basis)
    return destruction


def _perform_problem(user: User, carrier: Carrier, destruction: Destruction, witnesses: Sequence[str],
                     needed: int, stale: int = 0) -> Exception | None:
    if destruction.status == DestructionStatus.DONE:
        return CarrierConflict(f"carrier {carrier.serial} was already destroyed by {destruction.performed_by}")
    if destruction.status != DestructionStatus.APPROVED:
        return CarrierError("the destruction is not approved yet; another secrecy officer approves it first")
    if carrier.status != CarrierStatus.IN_STORE:
        return CarrierError(f"carrier {carrier.serial} is held by {carrier.holder}; record its return first")
    if user.id in witnesses:
        return CarrierRefused("you confirmed as a witness, so you cannot also destroy it: witnesses watch someone "
                              "else do it. Another secrecy officer performs the destruction")
    if len(witnesses) < needed:
        return CarrierError(f"a {carrier.level} carrier is destroyed before {needed} witnesses besides the person "
                            f"destroying it (2 名以上保密员现场监督); {len(witnesses)} confirmed so far. Ask "
                            "secrecy officers or liaisons to confirm from their own accounts"
                            + (f" ({stale} earlier confirmation(s) are older than {WITNESS_WINDOW_HOURS} hours and "
                               "no longer count: witnesses confirm on site, on the day)" if stale else ""))
    return None


def _load(step: Step, destruction_id: int) -> Destruction:
    destruction, _carrier = load_line(step, Destruction, destruction_id, f"there is no destruction record "
                                      f"#{destruction_id}; open it from the carrier's page")
    return destruction


# -- reading -------------------------------------------------------------------------------------------


def destruction_of(session: Session, carrier_id: int) -> Destruction | None:
    return session.scalars(select(Destruction).where(Destruction.carrier_id == carrier_id)).first()


def destructions_of(session: Session, carrier_ids: Sequence[int]) -> dict[int, Destruction]:
    """The destruction records of these carriers, by carrier id."""
    rows = session.scalars(select(Destruction).where(Destruction.carrier_id.in_(list(carrier_ids))))
    return {d.carrier_id: d for d in rows}


def witness_records(session: Session, destruction_id: int) -> Sequence[DestructionWitness]:
    """The witnesses' confirmations, in the order they came."""
    return session.scalars(select(DestructionWitness).where(DestructionWitness.destruction_id == destruction_id)
                           .order_by(DestructionWitness.confirmed_at, DestructionWitness.id)).all()


def witnesses_of(session: Session, destruction_id: int) -> list[str]:
    """The witnesses' user ids, in the order they confirmed."""
    return [w.witness for w in witness_records(session, destruction_id)]


def takes_part(user: User, carrier: Carrier, destruction: Destruction | None) -> bool:
    """Whether ``user`` handles this carrier (keeper, the department's liaison, a witness of its pending
    destruction) and so sees its record, without its name and purposes, when the rule withholds the carrier."""
    roles = set(user.roles or ())
    if KEEPER in roles or _liaison_of(user, carrier):
        return True
    return destruction is not None and destruction.status == DestructionStatus.APPROVED and bool(roles & WITNESS_ROLES)


def available_steps(user: User, carrier: Carrier, destruction: Destruction | None,
                    witnesses: Sequence[str]) -> frozenset[str]:
    """The steps ``user`` may take next on the carrier (the forms its page offers); the steps check again."""
    roles, steps = set(user.roles or ()), set()
    keeper = KEEPER in roles
    if carrier.status == CarrierStatus.IN_STORE \
            and (destruction is None or destruction.status == DestructionStatus.REJECTED):
        steps |= {"issue"} if keeper else set()
        steps |= {"request_destruction"} if keeper or _liaison_of(user, carrier) else set()
    if carrier.status == CarrierStatus.ISSUED and keeper:
        steps.add("return")
    if destruction is not None and destruction.status == DestructionStatus.REQUESTED and keeper \
            and destruction.requested_by != user.id:
        steps.add("approve_destruction")
    if destruction is not None and keeper \
            and destruction.status in (DestructionStatus.REQUESTED, DestructionStatus.APPROVED):
        steps.add("reject_destruction")
    if destruction is not None and destruction.status == DestructionStatus.APPROVED and user.id not in witnesses:
        steps |= {"witness_destruction"} if roles & WITNESS_ROLES else set()
        steps |= {"perform_destruction"} if keeper else set()
    return frozenset(steps)
