"""The non-compete's compensation in the monitoring loop (seed 003 appendix 6 art. 2 and 4): the terms read from
the signed agreement, each payment checked against them, and the escalation when a payment is late beyond the
agreed days. The arithmetic lives in :mod:`workflows.non_compete`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from records.models import CheckStatus, NonCompeteCheck, Notification, User
from workflows.agreements import document_bytes
from workflows.clock import SHANGHAI
from workflows.errors import OperationFailed
from workflows.non_compete import Terms, assess_payment, from_fen, paid_so_far, signed_agreement, terms_of, to_fen
from workflows.registry import OPERATIONS, OperationContext

# Who hears of a shortfall or a late payment: HR pays, the secrecy office keeps the evidence of the measures.
_TOLD = ("hr", "secrecy_office")


@OPERATIONS.operation("non_compete_terms")
def non_compete_terms(ctx: OperationContext) -> dict[str, Any] | None:
    """Read the leaver's signed non-compete agreement: its monthly amount, days, duration and penalty multiple
    become the instance's (the exit reminder prints them, the monthly checks use them). None when none applies."""
    if not ctx.data.get("non_compete_applies"):
        return None
    person = ctx.instance.subject_user or str(ctx.data.get("employee_user") or "")
    document = signed_agreement(ctx.session, person)
    if document is None:
        raise OperationFailed(f"mibao holds no non-compete agreement signed by {person}; start the offboarding "
                              "without non_compete_applies, or have it signed first")
    terms = terms_of(document.id, document_bytes(ctx.services, document))
    ctx.data.update(duration_months=terms.duration_months, proof_due_day=terms.proof_due_day,
                    payment_day=terms.payment_day)
    return terms.as_data()


def _terms(ctx: OperationContext) -> Terms:
    data = ctx.data.get("non_compete")
    if not isinstance(data, dict):
        raise OperationFailed("this instance has no non-compete terms (it started before they were read from the "
                              "signed agreement); record the payment in the payroll system")
    return Terms.from_data(data)


def current_check(ctx: OperationContext) -> NonCompeteCheck | None:
    """This instance's newest monitoring month."""
    return ctx.session.scalars(
        select(NonCompeteCheck).where(NonCompeteCheck.instance_id == ctx.instance.id)
        .order_by(NonCompeteCheck.month.desc()).limit(1)).first()


@OPERATIONS.operation("check_payment")
def check_payment(ctx: OperationContext) -> dict[str, Any]:
    """Record this month's payment against the agreed amount: a shortfall and a payment late beyond the agreed
    days are reported to HR and the secrecy office; the compensation paid so far and the penalty base (art. 4.1)
    are kept on the instance."""
    terms, check = _terms(ctx), current_check(ctx)
    if check is None:
        raise OperationFailed("no monitoring month is open to record a payment against")
    try:
        paid_on = dt.date.fromisoformat(str(ctx.data.get("paid_on")))
    except ValueError:
        raise OperationFailed(f"paid_on: {ctx.data.get('paid_on')!r} is not a date (YYYY-MM-DD)") from None
    result = assess_payment(terms, amount=ctx.data.get("payment_amount"), paid_on=paid_on, due=check.payment_due,
                            today=ctx.now.astimezone(SHANGHAI).date())
    check.paid_fen, check.paid_on, check.days_late = to_fen(result.amount), paid_on, result.days_late
    check.status, check.updated_at = CheckStatus.PAID, ctx.now
    ctx.session.flush()
    paid = paid_so_far(ctx.session, ctx.instance.id)
    ctx.data.update(compensation_paid=str(paid), penalty_base=str(paid * terms.penalty_multiple))
    name = _name(ctx)
    if result.short_by:
        _tell(ctx, f"{name}：第 {check.month} 个月竞业限制补偿少付 {result.short_by} 元",
              f"《竞业限制协议》{terms.document_id} 约定每月补偿 {terms.monthly_amount} 元（附录 6 第二条第 1 款），"
              f"本月登记支付 {result.amount} 元（{paid_on.isoformat()}）。差额仍应支付；逾期超过 "
              f"{terms.late_payment_days} 日的，{name}有权解除竞业限制协议（第四条第 2 款）。")
    if result.termination_right and check.escalated_at is None:
        check.escalated_at = ctx.now
        _tell(ctx, *_late_message(name, check, terms, f"于 {paid_on.isoformat()} 支付，逾期 {result.days_late} 日"))
    return {"month": check.month, "paid": str(result.amount), "short_by": str(result.short_by),
            "days_late": result.days_late, "termination_right": result.termination_right}


@OPERATIONS.operation("escalate_late_payment")
def escalate_late_payment(ctx: OperationContext) -> bool:
    """The month's compensation is unpaid beyond the agreed days (art. 4.2): tell HR and the secrecy office that
    the former employee may now end the agreement."""
    terms, check = _terms(ctx), current_check(ctx)
    if check is None or check.paid_fen is not None or check.escalated_at is not None:
        return False
    check.escalated_at, check.updated_at = ctx.now, ctx.now
    days = (ctx.now.astimezone(SHANGHAI).date() - check.payment_due.astimezone(SHANGHAI).date()).days
    _tell(ctx, *_late_message(_name(ctx), check, terms, f"至今未登记支付，已逾期 {days} 日"))
    return True


def _late_message(name: str, check: NonCompeteCheck, terms: Terms, what: str) -> tuple[str, str]:
    due = check.payment_due.astimezone(SHANGHAI).date().isoformat()
    return (f"{name}：第 {check.month} 个月竞业限制补偿逾期超过 {terms.late_payment_days} 日，{name}有权解除协议",
            f"《竞业限制协议》{terms.document_id} 第四条第 2 款：甲方无正当理由逾期支付补偿超过 "
            f"{terms.late_payment_days} 日的，乙方有权解除本协议，不再承担竞业限制义务。第 {check.month} 个月补偿 "
            f"{from_fen(check.agreed_fen) if check.agreed_fen is not None else terms.monthly_amount} 元应于 {due} "
            f"前支付，{what}。请立即支付并与{name}确认其是否仍受竞业限制约束；如其已书面解除，竞业限制监督应提前结束。")


def _name(ctx: OperationContext) -> str:
    user = ctx.session.get(User, ctx.instance.subject_user) if ctx.instance.subject_user else None
    return str(ctx.data.get("employee_name") or (user.name if user else "") or ctx.instance.subject_user or "")


def _tell(ctx: OperationContext, subject: str, body: str) -> None:
    for role in _TOLD:
        ctx.session.add(Notification(instance_id=ctx.instance.id, to_role=role, subject=subject, body=body,
                                     created_at=ctx.now))
    ctx.session.flush()


__all__ = ["check_payment", "current_check", "escalate_late_payment", "non_compete_terms"]
