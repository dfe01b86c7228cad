"""Operations of the weekly access-log review (seed 003 §7.2.2): which week is next, and its signed report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from records.access_report import (
    REPEATED_DENIALS,
    SHANGHAI,
    current_week,
    parse_week,
    week_label,
    weekly_access_report,
)
from workflows.agreements import agreement_job, render_agreement
from workflows.log_review import TEMPLATE, report_data, report_title
from workflows.operations.agreements import record_prepared
from workflows.registry import OPERATIONS, OperationContext

REVIEW_HOUR = 9     # the review of a week opens on the following Monday at 09:00 (China time)


@OPERATIONS.operation("log_review_week")
def log_review_week(ctx: OperationContext) -> dict[str, str]:
    """The next week to review: the one after ``log_week``, else the last complete week; due Monday 09:00 after."""
    previous = ctx.data.get("log_week")
    if isinstance(previous, dict) and previous.get("end"):
        start = dt.datetime.fromisoformat(str(previous["end"]))
    else:
        start = current_week(ctx.now)[0] - dt.timedelta(days=7)
    end = start + dt.timedelta(days=7)
    return {"week": week_label(start), "start": start.isoformat(), "end": end.isoformat(),
            "due": (end + dt.timedelta(hours=REVIEW_HOUR)).isoformat()}


@OPERATIONS.job("prepare_log_review", queue="documents", title="正在生成周审计报告 / preparing the weekly report",
                work=render_agreement, apply=record_prepared)
def prepare_log_review(ctx: OperationContext) -> dict[str, Any]:
    """Compute the access report of ``log_week`` now, and render it with the reviewer's findings on a worker; the
    result is the document id."""
    start, end = parse_week(str(ctx.data["log_week"]["week"]))
    threshold = int(ctx.data.get("denial_threshold") or REPEATED_DENIALS)
    report = weekly_access_report(ctx.session, start, end, trust=ctx.services.pki, repeated_denials=threshold)
    data = report_data(ctx.session, report, reviewer=str(ctx.data["secrecy_office_name"]),
                       today=ctx.now.astimezone(SHANGHAI).date(), threshold=threshold, review=ctx.data)
    job = agreement_job(ctx.services, template_id=TEMPLATE, data=data, instance_id=ctx.instance.id,
                        subject_user=None, now=ctx.now)
    return {**job, "title": report_title(str(data["week_label"]))}
