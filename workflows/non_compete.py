"""The non-compete's money, as the former employee signed it (seed 003 appendix 6 art. 2 and 4).

The agreed monthly amount, the days and the penalty multiple are read from the fill data the signed agreement
embeds (``fill-data.json``, covered by both parties' signatures), never from what HR types when the person
leaves. Each month's payment is recorded against that amount: a shortfall is named, a payment more than the
agreed number of days late (at most 30) gives the former employee the right to end the agreement and is
escalated to HR and the secrecy office, and the penalty base — the multiple of what was actually paid — is
kept current on the record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records.models import Document, DocumentStatus, NonCompeteCheck
from signing import PdfInputError, signed_file
from signing.evidence import DATA_NAME
from workflows.clock import SHANGHAI
from workflows.errors import OperationFailed

__all__ = ["TEMPLATE", "Assessment", "Terms", "assess_payment", "from_fen", "paid_so_far", "signed_agreement",
           "terms_of", "to_fen"]

TEMPLATE = "non_compete"
_CENT = Decimal("0.01")


def signed_agreement(session: Session, person: str) -> Document | None:
    """The person's newest non-compete agreement signed by both parties, if mibao holds one."""
    return session.scalars(select(Document).where(
        Document.template_id == TEMPLATE, Document.subject_user == person,
        Document.status == DocumentStatus.COMPLETED).order_by(Document.created_at.desc()).limit(1)).first()


@dataclass(frozen=True)
class Terms:
    """What the signed agreement says about money and dates. Amounts are strings of yuan with two decimals, so the
    terms keep exactly in the instance's JSON data."""

    document_id: str
    monthly_amount: str          # max(average wage × ratio, local minimum wage): appendix 6 art. 2.1
    average_monthly_wage: str
    ratio_percent: int
    minimum_wage: str
    duration_months: int
    proof_due_day: int
    payment_day: int
    penalty_multiple: int        # art. 4.1: the penalty is this multiple of the compensation paid
    late_payment_days: int       # art. 4.2: payment later than this lets the employee end the agreement

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Terms:
        return cls(**data)


def terms_of(document_id: str, pdf: bytes) -> Terms:
    """The terms in the signed agreement ``pdf`` (whose hash the caller has checked against its record)."""
    try:
        fields = json.loads(signed_file(pdf, DATA_NAME))
        wage, ratio = _money(fields["average_monthly_wage"]), int(fields["compensation_ratio_percent"])
        minimum = _money(fields.get("local_minimum_wage") or 0)
        monthly = max(wage * ratio / 100, minimum).quantize(_CENT, ROUND_HALF_UP)
        return Terms(document_id=document_id, monthly_amount=str(monthly), average_monthly_wage=str(wage),
                     ratio_percent=ratio, minimum_wage=str(minimum),
                     duration_months=int(fields["duration_months"]), proof_due_day=int(fields["proof_due_day"]),
                     payment_day=int(fields["payment_day"]), penalty_multiple=int(fields["penalty_multiple"]),
                     late_payment_days=int(fields["late_payment_days"]))
    except (PdfInputError, ValueError, KeyError, TypeError, InvalidOperation) as exc:
        raise OperationFailed(f"the signed non-compete agreement {document_id} does not carry readable terms "
                              f"({exc}); its monitoring cannot check the money — ask the administrator to restore "
                              "the document from backup") from exc


def _money(value: object) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{value!r} is not an amount of money")
    return amount.quantize(_CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Assessment:
    """One month's payment against the terms."""

    amount: Decimal
    short_by: Decimal            # what is still owed for the month (0 when paid in full)
    days_late: int               # days after the payment was due (0 when on time)
    termination_right: bool      # late beyond the agreed days: the former employee may end the agreement


def assess_payment(terms: Terms, *, amount: object, paid_on: dt.date, due: dt.datetime,
                   today: dt.date) -> Assessment:
    """Check one recorded payment; :class:`OperationFailed` for one that cannot have happened as recorded."""
    try:
        paid = _money(amount)
    except (ValueError, InvalidOperation):
        raise OperationFailed(f"payment_amount: {amount!r} is not an amount in yuan") from None
    if paid == 0:
        raise OperationFailed("payment_amount: record the payment once it is made; a month left unpaid is "
                              f"escalated {terms.late_payment_days} days after it was due")
    if paid_on > today:
        raise OperationFailed(f"paid_on: {paid_on.isoformat()} is after today ({today.isoformat()}); record a "
                              "payment on or after the day it was made")
    due_day = due.astimezone(SHANGHAI).date()
    late = max((paid_on - due_day).days, 0)
    return Assessment(amount=paid, short_by=max(Decimal(terms.monthly_amount) - paid, Decimal(0)),
                      days_late=late, termination_right=late > terms.late_payment_days)


def paid_so_far(session: Session, instance_id: int) -> Decimal:
    """The compensation recorded as paid in this instance's months (the penalty base's factor, art. 4.1)."""
    fen = session.scalar(select(func.coalesce(func.sum(NonCompeteCheck.paid_fen), 0))
                         .where(NonCompeteCheck.instance_id == instance_id))
    return from_fen(int(fen or 0))


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(_CENT)
