"""Non-compete monitoring (seed 003 §5.1.3, appendix 6) and review timers, in calendar months.

Each month's dates are computed from the leaving date, never by adding a fixed period to the previous
timer: ``R24/P1M`` freezes the first month's length and drifts by weeks over two years (PITFALLS).
Times are China Standard Time, written with their offset.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from records.models import CheckStatus, Department, NonCompeteCheck
from workflows.clock import SHANGHAI
from workflows.non_compete import to_fen
from workflows.operations.compensation import current_check
from workflows.registry import OPERATIONS, OperationContext


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


# Appendix 6 art. 1 / Labour Contract Law art. 24: a non-compete restriction lasts at most two years.
MAX_MONTHS = 24


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@OPERATIONS.operation("schedule_check")
def schedule_check(ctx: OperationContext) -> dict[str, Any]:
    """Open the next monitoring month: when the proof task opens, proof due (10th), payment due (15th).

    Monitoring runs from the leaving date (appendix 6 art. 1: the restriction and its compensation start when the
    employment ends; seed 003 §5.1.3), whatever the cool-down: month 1 is the calendar month after the leaving
    date, and there are at most 24 — a restriction beyond two years is void (Labour Contract Law art. 24), so no
    check opens later than 24 months after the leaving date."""
    data = ctx.data
    left = dt.date.fromisoformat(str(data["leave_date"]))
    month = int((data.get("check") or {}).get("month", 0)) + 1
    duration = min(int(data.get("duration_months") or MAX_MONTHS), MAX_MONTHS)
    if month > duration:
        raise ValueError(f"the non-compete has {duration} monthly checks; month {month} would run past them")
    first_of_month = add_months(left.replace(day=1), month)
    proof_day, pay_day = int(data.get("proof_due_day") or 10), int(data.get("payment_day") or 15)
    proof_due = _at(first_of_month.replace(day=proof_day), 23)
    payment_due = _at(first_of_month.replace(day=pay_day), 23)
    terms = data.get("non_compete") or {}
    agreed = to_fen(Decimal(terms["monthly_amount"])) if terms.get("monthly_amount") else None
    ctx.session.add(NonCompeteCheck(
        instance_id=ctx.instance.id, person=ctx.instance.subject_user or "", month=month,
        proof_due=proof_due, payment_due=payment_due, agreed_fen=agreed, updated_at=ctx.now))
    ctx.session.flush()
    return {"month": month, "opens": _at(first_of_month, 0).isoformat(), "proof_due": proof_due.isoformat(),
            "payment_due": payment_due.isoformat(), "last": month >= duration,
            "escalate_at": _escalation(payment_due, data).isoformat()}


def _escalation(payment_due: dt.datetime, data: dict[str, Any]) -> dt.datetime:
    """When an unpaid month is escalated: the day after the agreed days of lateness have passed (art. 4.2)."""
    days = int((data.get("non_compete") or {}).get("late_payment_days") or 30)
    return _at(payment_due.astimezone(SHANGHAI).date() + dt.timedelta(days=days + 1))


@OPERATIONS.operation("set_compensation")
def set_compensation(ctx: OperationContext, status: str) -> str:
    """Mark this month's compensation 'suspended' (proof missing) or 'active' (proof received). Payment follows
    a late proof (appendix 6 art. 2.3: suspended until the proof arrives): it is then due as many days after the
    proof as the agreement allows between the proof day and the payment day."""
    states = {"suspended": CheckStatus.SUSPENDED, "active": CheckStatus.PROVEN}
    if status not in states:
        raise ValueError(f"unknown compensation status {status!r}; use 'active' or 'suspended'")
    current = current_check(ctx)
    if current is not None:
        current.status = states[status]
        current.updated_at = ctx.now
        if status == "active":
            current.proof_at = ctx.now
            if ctx.now > current.proof_due:
                gap = max(int(ctx.data.get("payment_day") or 15) - int(ctx.data.get("proof_due_day") or 10), 0)
                day = ctx.now.astimezone(SHANGHAI).date() + dt.timedelta(days=gap)
                current.payment_due = _at(day, 23)
                check = ctx.data.get("check")
                if isinstance(check, dict):
                    check.update(payment_due=current.payment_due.isoformat(),
                                 escalate_at=_escalation(current.payment_due, ctx.data).isoformat())
        ctx.session.flush()
    return status


@OPERATIONS.operation("months_after_leave")
def months_after_leave(ctx: OperationContext, months: int) -> str:
    """The moment ``months`` calendar months after the leaving date (China time, 09:00): the cool-down's end,
    counted from the day the employment ended, not from the day the hand-over was signed."""
    left = dt.date.fromisoformat(str(ctx.data["leave_date"]))
    return _at(add_months(left, int(months))).isoformat()


@OPERATIONS.operation("review_due")
def review_due(ctx: OperationContext, months: int) -> str:
    """The moment ``months`` calendar months from now (China time, 09:00), for a timer."""
    today = ctx.now.astimezone(SHANGHAI).date()
    return _at(add_months(today, int(months))).isoformat()


@OPERATIONS.operation("self_check_period")
def self_check_period(ctx: OperationContext) -> dict[str, Any]:
    """The next self-check period of the department (seed 000 art. 5(3): monthly; seed 003 §10.1.1: weekly where
    the company sets it): when it opens and when the form is due (its last day, 23:59, China time). The first is
    the current period, open at once. ``stop`` when the department is no longer in the organisation."""
    data = ctx.data
    weekly = data.get("cadence") == "weekly"
    previous = (data.get("period") or {}).get("start")
    today = ctx.now.astimezone(SHANGHAI).date()
    if previous is None:
        start = today - dt.timedelta(days=today.weekday()) if weekly else today.replace(day=1)
    else:
        last = dt.date.fromisoformat(previous)
        start = last + dt.timedelta(days=7) if weekly else add_months(last, 1)
    end = start + dt.timedelta(days=7) if weekly else add_months(start, 1)
    label = f"{start.isocalendar().year}-W{start.isocalendar().week:02d}" if weekly else f"{start:%Y-%m}"
    known = ctx.session.scalar(select(Department.id).where(Department.name == str(data.get("department") or ""))) \
        is not None
    opens = _at(start, 0) if previous is not None else ctx.now.astimezone(SHANGHAI)
    return {"period": label, "start": start.isoformat(), "opens": opens.isoformat(),
            "due": (_at(end, 0) - dt.timedelta(minutes=1)).isoformat(), "stop": not known}
