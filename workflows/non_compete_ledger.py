"""Every non-compete under monitoring, one line per offboarding (seed 003 §5.1.3, appendix 6 art. 2 and 4): what the
signed agreement says is due each month, what was paid, the penalty base, the months paid late or short, whether a
payment was late beyond the agreed days (the former employee may then end the agreement), and where the current
month stands. HR and the secrecy office read it on ``/hr/non-compete``.

The months and the money come from ``noncompete_checks``; the terms (duration, penalty multiple, days) from the
instance data :mod:`workflows.operations.compensation` read from the signed agreement, handed in by the caller as
plain data (``{instance id: instance data}``), so this module never loads a workflow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.models import CheckStatus, Document, InstanceStatus, NonCompeteCheck, ProcessInstance, User
from workflows.clock import SHANGHAI
from workflows.non_compete import from_fen

__all__ = ["Late", "LedgerRow", "Month", "Shortfall", "agreements_of", "monitored_instances", "non_compete_ledger"]

_ENDED = (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)


@dataclass(frozen=True)
class Month:
    """One monitoring month as it stands ``now``."""

    month: int
    status: str                  # scheduled (not open yet) / open / suspended / proven / paid
    opens: dt.datetime           # the 1st of the month, 00:00 China time: the proof task opens
    proof_due: dt.datetime
    payment_due: dt.datetime
    agreed: Decimal | None
    paid: Decimal | None
    paid_on: dt.date | None
    overdue_days: int            # unpaid and past the payment day: days so far (0 otherwise)
    escalated_at: dt.datetime | None


@dataclass(frozen=True)
class Late:
    month: int
    days: int
    paid: bool                   # paid late (days as recorded), or still unpaid (days so far)


@dataclass(frozen=True)
class Shortfall:
    month: int
    short_by: Decimal


@dataclass(frozen=True)
class LedgerRow:
    instance_id: int
    instance_status: str
    person: str
    name: str
    document_id: str | None
    monthly_amount: Decimal | None
    duration_months: int | None
    months_scheduled: int
    months_paid: int
    total_paid: Decimal
    penalty_multiple: int | None
    penalty_base: Decimal | None
    late_payment_days: int | None
    late: list[Late]
    shortfalls: list[Shortfall]
    escalations: list[Month]
    current: Month

    @property
    def ended(self) -> bool:
        return self.instance_status in _ENDED

    @property
    def short_total(self) -> Decimal:
        return sum((s.short_by for s in self.shortfalls), Decimal("0.00"))


def monitored_instances(session: Session) -> list[int]:
    """The offboarding instances with at least one monitoring month, oldest first."""
    return list(session.scalars(select(NonCompeteCheck.instance_id).distinct().order_by(NonCompeteCheck.instance_id)))


def non_compete_ledger(session: Session, data: Mapping[int, Mapping[str, Any]], *, now: dt.datetime) -> list[LedgerRow]:
    """One row per instance with monitoring months: those still monitored first, then by name. ``data`` is each
    instance's data (its ``non_compete`` terms); an instance missing from it is shown from its months alone."""
    checks: dict[int, list[NonCompeteCheck]] = defaultdict(list)
    for check in session.scalars(select(NonCompeteCheck).order_by(NonCompeteCheck.instance_id,
                                                                   NonCompeteCheck.month)):
        checks[check.instance_id].append(check)
    if not checks:
        return []
    instances = session.execute(select(ProcessInstance.id, ProcessInstance.status, ProcessInstance.subject_user,
                                       User.name).outerjoin(User, User.id == ProcessInstance.subject_user)
                                .where(ProcessInstance.id.in_(list(checks)))).all()
    rows = []
    for instance_id, status, subject, name in instances:
        months = checks[instance_id]
        rows.append(_row(instance_id, InstanceStatus(status), months, data.get(instance_id) or {}, now,
                         person=subject or months[0].person, name=name))
    return sorted(rows, key=lambda r: (r.ended, r.name, r.instance_id))


def agreements_of(session: Session, rows: Iterable[LedgerRow]) -> list[Document]:
    """The signed agreements the rows name that mibao holds (to decide, per reader, whether each may be opened)."""
    ids = {r.document_id for r in rows if r.document_id}
    if not ids:
        return []
    return list(session.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.id)))


def _row(instance_id: int, status: InstanceStatus, checks: list[NonCompeteCheck], data: Mapping[str, Any],
         now: dt.datetime, *, person: str, name: str | None) -> LedgerRow:
    found = data.get("non_compete")
    terms: Mapping[str, Any] = found if isinstance(found, dict) else {}
    months = [_month(c, now, monitored=status not in _ENDED) for c in checks]
    paid = [m for m in months if m.paid is not None]
    total = sum((m.paid for m in paid if m.paid is not None), Decimal("0.00"))
    multiple = _int(terms.get("penalty_multiple"))
    base = total * multiple if multiple is not None else _decimal(data.get("penalty_base"))
    late = [Late(m.month, c.days_late or 0, True) for m, c in zip(months, checks, strict=True) if c.days_late] + \
        [Late(m.month, m.overdue_days, False) for m in months if m.overdue_days]
    shortfalls = [Shortfall(m.month, m.agreed - m.paid) for m in paid
                  if m.agreed is not None and m.paid is not None and m.paid < m.agreed]
    monthly = _decimal(terms.get("monthly_amount"))
    return LedgerRow(
        instance_id=instance_id, instance_status=str(status), person=person,
        name=name or str(data.get("employee_name") or "") or person, document_id=terms.get("document_id") or None,
        monthly_amount=monthly if monthly is not None else months[0].agreed,
        duration_months=_int(terms.get("duration_months") or data.get("duration_months")),
        months_scheduled=len(months), months_paid=len(paid), total_paid=total, penalty_multiple=multiple,
        penalty_base=base, late_payment_days=_int(terms.get("late_payment_days")),
        late=sorted(late, key=lambda x: x.month), shortfalls=shortfalls,
        escalations=[m for m in months if m.escalated_at is not None], current=months[-1])


def _month(check: NonCompeteCheck, now: dt.datetime, *, monitored: bool) -> Month:
    """The month ``now``: not open yet (``scheduled``), or as recorded; a month whose proof came in and whose payment
    is past its day is overdue (a suspended one is not: the compensation is withheld until the proof comes)."""
    due_day = check.proof_due.astimezone(SHANGHAI).date().replace(day=1)
    opens = dt.datetime(due_day.year, due_day.month, 1, tzinfo=SHANGHAI)
    status = str(check.status)
    if status == CheckStatus.OPEN and now < opens:
        status = "scheduled"
    overdue = 0
    if monitored and status == CheckStatus.PROVEN and check.paid_fen is None and now > check.payment_due:
        overdue = (now.astimezone(SHANGHAI).date() - check.payment_due.astimezone(SHANGHAI).date()).days
    return Month(month=check.month, status=status, opens=opens, proof_due=check.proof_due,
                 payment_due=check.payment_due,
                 agreed=from_fen(check.agreed_fen) if check.agreed_fen is not None else None,
                 paid=from_fen(check.paid_fen) if check.paid_fen is not None else None, paid_on=check.paid_on,
                 overdue_days=overdue, escalated_at=check.escalated_at)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _int(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None and value != "" else None
    except ValueError:
        return None
