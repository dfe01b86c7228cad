"""The carrier register (涉密载体收发台账, seed 003 §5.2.2): registering, issuing, receipts and returns.

Every step takes a session, the acting user, plain values and ``now``, and only flushes; the caller owns the
transaction (:func:`run_step` is the edge's helper). Every step writes one audit record with the carrier's level
and its result; a refused step writes a denied record and raises :class:`CarrierError` (what was wrong and what
to do), :class:`CarrierConflict` (the state moved on: a second click, a concurrent step) or
:class:`CarrierRefused` (not this user's to do). Rows that a step changes are locked first, so two concurrent
steps on one carrier give one result. Destruction is :mod:`records.destructions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from records.access_grants import AccessContext, authorize, resource_of_carrier
from records.audit import record
from records.db import transaction
from records.levels import SecretLevel
from records.models import Carrier, CarrierMovement, CarrierStatus, Destruction, MovementKind, SecretItem, User
from records.need_to_know import LEVELS

__all__ = ["FORMS", "LEVELS", "NO_CONTEXT", "STATUSES", "CarrierConflict", "CarrierError", "CarrierNotFound",
           "CarrierRefused", "Step", "confirm_receipt", "departments", "holdings", "issue_carrier", "ledger",
           "receivers", "register_carrier", "register_query", "return_carrier", "run_step"]

FORMS = ("paper", "electronic", "physical")
STATUSES: tuple[str, ...] = tuple(status.value for status in CarrierStatus)
RANK = {level.value: level.rank for level in SecretLevel}
KEEPER = "secrecy_office"
REGISTRARS = frozenset({KEEPER, "liaison"})
MAX_COPIES = 1000
NO_CONTEXT = AccessContext()   # steps called outside a request (tests, the demo, the CLI)

T = TypeVar("T")
Line = TypeVar("Line", CarrierMovement, Destruction)


class CarrierError(ValueError):
    """A carrier step that cannot be taken as asked; the message says what was wrong and what to do."""


class CarrierNotFound(CarrierError):
    """No such carrier, movement or destruction record."""


class CarrierConflict(CarrierError):
    """The record has moved on: the step was already taken (a second click, a concurrent request)."""


class CarrierRefused(PermissionError):
    """The step is not this user's to take."""


@dataclass
class Step:
    """One step by one user: writes its audit record, allowed or (through :meth:`refuse`) denied."""

    session: Session
    user: User
    action: str
    now: dt.datetime
    context: AccessContext
    target_id: str = "new"
    level: str | None = None

    def about(self, carrier: Carrier) -> None:
        self.target_id, self.level = str(carrier.id), carrier.level

    def refuse(self, error: Exception, **detail: Any) -> Exception:
        """Record the refusal; the error to raise."""
        self._record(False, {"refused": str(error), **detail})
        return error

    def done(self, **detail: Any) -> None:
        self._record(True, detail)

    def has_role(self, *roles: str) -> bool:
        return bool(set(roles) & set(self.user.roles or ()))

    def _record(self, allowed: bool, detail: dict[str, Any]) -> None:
        record(self.session, actor=self.user.id, role=",".join(self.user.roles or ()), action=self.action,
               target_type="carrier", target_id=self.target_id, level=self.level, allowed=allowed,
               source=self.context.source, session_hash=self.context.session_hash, at=self.now, detail=detail)


def run_step(factory: sessionmaker[Session], step: Callable[[Session], T]) -> T:
    """Run one step in its own write transaction. A refused step changes nothing and still leaves its denied
    audit record: the step runs in a savepoint that is rolled back, the transaction commits the queued audit
    entries, and the error is raised once they are stored."""
    refused: CarrierError | PermissionError | None = None
    with transaction(factory) as session:
        try:
            with session.begin_nested():
                result = step(session)
        except (CarrierError, PermissionError) as exc:
            refused = exc
    if refused is not None:
        raise refused
    return result


def locked(session: Session, model: type[T], row_id: int) -> T | None:
    """The row, read afresh and locked until the transaction ends (PostgreSQL; SQLite writers are serial)."""
    return session.get(model, row_id, with_for_update=True, populate_existing=True)


def load_line(step: Step, model: type[Line], row_id: int, missing: str) -> tuple[Line, Carrier]:
    """A row that belongs to a carrier (a ledger line, a destruction record), locked, with its carrier; the step
    is about that carrier from here on."""
    row = locked(step.session, model, row_id)
    carrier = step.session.get(Carrier, row.carrier_id) if row is not None else None
    if row is None or carrier is None:
        step.target_id = f"{model.__tablename__}:{row_id}"
        raise step.refuse(CarrierNotFound(missing))
    step.about(carrier)
    return row, carrier


def load_carrier(step: Step, carrier_id: int) -> Carrier:
    carrier = locked(step.session, Carrier, carrier_id)
    if carrier is None:
        step.target_id = str(carrier_id)
        raise step.refuse(CarrierNotFound(f"there is no carrier #{carrier_id} in the register; check the number"))
    step.about(carrier)
    return carrier


def _text(value: str | None, what: str, *, least: int = 1, most: int = 200) -> str:
    text = (value or "").strip()
    if len(text) < least:
        raise CarrierError(f"{what} is missing: enter at least {least} character(s)")
    if len(text) > most:
        raise CarrierError(f"{what} is longer than {most} characters; shorten it")
    return text


# -- registering -----------------------------------------------------------------------------------


def register_carrier(session: Session, user: User, *, serial: str, name: str, level: str, form: str,
                     copies: int = 1, item_id: int | None = None, department: str | None = None,
                     now: dt.datetime, context: AccessContext = NO_CONTEXT) -> Carrier:
    """Enter a carrier into the register and the store (the secrecy office, or a liaison for their department)."""
    step = Step(session, user, "register_carrier", now, context, target_id=(serial or "").strip()[:64] or "new",
                level=level if level in LEVELS else None)
    if not step.has_role(*REGISTRARS):
        raise step.refuse(CarrierRefused("only the secrecy office or a department secrecy liaison registers "
                                         "carriers"))
    try:
        values = _registration(session, user, serial, name, level, form, copies, item_id, department)
    except CarrierError as exc:
        raise step.refuse(exc) from None
    if session.scalar(select(Carrier.id).where(Carrier.serial == values["serial"])) is not None:
        raise step.refuse(CarrierConflict(f"serial {values['serial']} is already in the register; use the "
                                          "number marked on this carrier, or add a copy suffix such as -2"))
    carrier = Carrier(**values, created_at=now, created_by=user.id, status=CarrierStatus.IN_STORE)
    try:
        with session.begin_nested():
            session.add(carrier)
            session.flush()
    except IntegrityError:   # registered concurrently under the same serial
        raise step.refuse(CarrierConflict(f"serial {values['serial']} was registered a moment ago; "
                                          "reload the register")) from None
    session.add(CarrierMovement(carrier_id=carrier.id, kind=MovementKind.REGISTER, to_user=None, at=now,
                                recorded_by=user.id, confirmed_by=user.id, confirmed_at=now))
    session.flush()
    step.about(carrier)
    step.done(serial=carrier.serial, form=carrier.form, copies=carrier.copies, item=carrier.item_id,
              department=carrier.department)
    return carrier


def _registration(session: Session, user: User, serial: str, name: str, level: str, form: str, copies: int,
                  item_id: int | None, department: str | None) -> dict[str, Any]:
    if level not in LEVELS:
        raise CarrierError(f"level {level!r} is not one of {', '.join(LEVELS)}; choose the carrier's secret level")
    if form not in FORMS:
        raise CarrierError(f"form {form!r} is not one of {', '.join(FORMS)}; say what kind of carrier it is")
    if not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
        raise CarrierError(f"copies must be a whole number from 1 to {MAX_COPIES} (份数, as marked)")
    department = (department or "").strip() or None
    if KEEPER not in (user.roles or ()):
        if department not in (None, user.department):
            raise CarrierError(f"a liaison registers carriers of their own department ({user.department}); "
                               "ask the secrecy office to register it for another department")
        department = user.department
    if item_id is not None:
        item = session.get(SecretItem, item_id)
        if item is None:
            raise CarrierError(f"there is no register entry #{item_id}; leave the link empty or check the number")
        if RANK[level] < RANK.get(item.level, 0):
            raise CarrierError(f"the carrier is marked {level} but register entry #{item_id} is {item.level}: a "
                               "carrier is at least as secret as what it carries; raise the carrier's level")
        department = department or item.department
    return {"serial": _text(serial, "the serial (编号)", most=64), "name": _text(name, "the name"), "level": level,
            "form": form, "copies": copies, "item_id": item_id, "department": department}


# -- issuing, receipts, returns ------------------------------------------------------------------------


def issue_carrier(session: Session, user: User, carrier_id: int, to_user: str, purpose: str, *, now: dt.datetime,
                  context: AccessContext = NO_CONTEXT) -> CarrierMovement:
    """Hand a carrier from the store to ``to_user`` for ``purpose`` (the secrecy office). The receiver must be
    allowed to view it under the need-to-know rule; a core carrier uses up the receiver's approval."""
    step = Step(session, user, "issue_carrier", now, context)
    carrier = load_carrier(step, carrier_id)
    if not step.has_role(KEEPER):
        raise step.refuse(CarrierRefused("only the secrecy office issues carriers from the store"))
    try:
        purpose = _text(purpose, "the purpose (用途)", least=2, most=2000)
    except CarrierError as exc:
        raise step.refuse(exc) from None
    receiver = session.get(User, to_user) if to_user else None
    problem = _issue_problem(session, user, carrier, receiver, to_user)
    if problem is not None:
        raise step.refuse(problem, to_user=to_user)
    assert receiver is not None
    decision = authorize(session, receiver, resource_of_carrier(carrier), "view", now=now, context=context,
                         detail={"step": "issue_carrier", "issued_by": user.id})
    if not decision.allowed:
        approval = {"general_manager": "the general manager's approval (one per access)",
                    "department_head": "the department head's approval"}.get(decision.needs or "", "an approval")
        raise step.refuse(CarrierRefused(
            f"{receiver.name} ({receiver.id}) may not receive this {carrier.level} carrier: under the need-to-know "
            f"rule they need {approval}. Ask them to request access to carrier #{carrier.id}, then issue it again"),
            to_user=receiver.id, basis=decision.basis)
    carrier.status, carrier.holder = CarrierStatus.ISSUED, receiver.id
    movement = CarrierMovement(carrier_id=carrier.id, kind=MovementKind.ISSUE, from_user=user.id,
                               to_user=receiver.id, purpose=purpose, at=now, recorded_by=user.id)
    session.add(movement)
    session.flush()
    step.done(movement=movement.id, to_user=receiver.id, purpose=purpose, basis=decision.basis)
    return movement


def _issue_problem(session: Session, user: User, carrier: Carrier, receiver: User | None,
                   to_user: str) -> CarrierError | None:
    if carrier.status == CarrierStatus.DESTROYED:
        return CarrierConflict(f"carrier {carrier.serial} was destroyed; it cannot be issued")
    if carrier.status != CarrierStatus.IN_STORE:
        return CarrierConflict(f"carrier {carrier.serial} is not in the store (held by {carrier.holder}); "
                               "record its return first")
    if session.scalar(select(Destruction.id).where(Destruction.carrier_id == carrier.id)) is not None:
        return CarrierConflict(f"carrier {carrier.serial} is waiting for destruction; it cannot be issued")
    if receiver is None:
        return CarrierError(f"there is no user {to_user!r}; choose the receiver from the list")
    if receiver.id == user.id:
        return CarrierError("a carrier is issued to someone else, who confirms the receipt (收发人签字确认); "
                            "choose the receiver")
    return None


def confirm_receipt(session: Session, user: User, movement_id: int, *, now: dt.datetime,
                    context: AccessContext = NO_CONTEXT) -> CarrierMovement:
    """The receiver confirms, from their own account, that they received the carrier (收发人签字确认); once."""
    step = Step(session, user, "confirm_receipt", now, context)
    movement, carrier = load_line(step, CarrierMovement, movement_id,
                                  f"there is no hand-over #{movement_id}; open it from “my carriers”")
    if movement.kind != MovementKind.ISSUE or movement.to_user != user.id:
        raise step.refuse(CarrierRefused("only the person a carrier was issued to confirms its receipt"),
                          movement=movement.id)
    if movement.confirmed_at is not None:
        raise step.refuse(CarrierConflict(f"you already confirmed receiving carrier {carrier.serial} at "
                                          f"{movement.confirmed_at:%Y-%m-%d %H:%M} UTC"), movement=movement.id)
    movement.confirmed_by, movement.confirmed_at = user.id, now
    session.flush()
    step.done(movement=movement.id)
    return movement


def return_carrier(session: Session, user: User, carrier_id: int, *, note: str = "", now: dt.datetime,
                   context: AccessContext = NO_CONTEXT) -> CarrierMovement:
    """Record that the holder handed the carrier back to the store; the recording officer confirms it."""
    step = Step(session, user, "return_carrier", now, context)
    carrier = load_carrier(step, carrier_id)
    if not step.has_role(KEEPER):
        raise step.refuse(CarrierRefused("only the secrecy office takes carriers back into the store"))
    if carrier.status != CarrierStatus.ISSUED or carrier.holder is None:
        raise step.refuse(CarrierConflict(f"carrier {carrier.serial} is not issued ({carrier.status}); "
                                          "there is nothing to take back"))
    holder = carrier.holder
    movement = CarrierMovement(carrier_id=carrier.id, kind=MovementKind.RETURN, from_user=holder, to_user=user.id,
                               purpose=note.strip()[:2000] or None, at=now, recorded_by=user.id,
                               confirmed_by=user.id, confirmed_at=now)
    carrier.status, carrier.holder = CarrierStatus.IN_STORE, None
    session.add(movement)
    session.flush()
    step.done(movement=movement.id, from_user=holder)
    return movement


# -- reading -------------------------------------------------------------------------------------------


def register_query(level: str = "", status: str = "", department: str = "", limit: int = 500) -> Select[Carrier]:
    """The register, optionally narrowed; pass the rows through the need-to-know filter before showing them."""
    query = select(Carrier)
    if level:
        query = query.where(Carrier.level == level)
    if status:
        query = query.where(Carrier.status == status)
    if department:
        query = query.where(Carrier.department == department)
    return query.order_by(Carrier.id.desc()).limit(limit)


def departments(session: Session) -> list[str]:
    """The departments that have carriers on the register (the list's filter)."""
    return [d for d in session.scalars(select(Carrier.department).distinct().order_by(Carrier.department)) if d]


def receivers(session: Session) -> Sequence[User]:
    """Who a carrier can be issued to: people with an account, from which they confirm the receipt."""
    return session.scalars(select(User).where(User.password_hash.is_not(None))
                           .order_by(User.department, User.id)).all()


def ledger(session: Session, carrier_id: int) -> Sequence[CarrierMovement]:
    """The carrier's lines of the 收发台账, oldest first."""
    return session.scalars(select(CarrierMovement).where(CarrierMovement.carrier_id == carrier_id)
                           .order_by(CarrierMovement.at, CarrierMovement.id)).all()


def holdings(session: Session, user_id: str) -> list[tuple[Carrier, CarrierMovement | None]]:
    """What ``user_id`` holds, or was issued and has not confirmed, each with the last issue line to them."""
    lines = session.scalars(select(CarrierMovement).where(CarrierMovement.kind == MovementKind.ISSUE,
                                                         CarrierMovement.to_user == user_id)
                            .order_by(CarrierMovement.id)).all()
    last = {m.carrier_id: m for m in lines}
    unconfirmed = [carrier_id for carrier_id, m in last.items() if m.confirmed_at is None]
    carriers = session.scalars(select(Carrier).where(or_(Carrier.holder == user_id, Carrier.id.in_(unconfirmed)))
                               .order_by(Carrier.id)).all()
    return [(c, last.get(c.id)) for c in carriers]
