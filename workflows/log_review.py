"""The weekly access-log review as a document (《涉密信息访问日志周审计报告》, template ``access_log_review``).

``report_data`` turns an :class:`~records.access_report.AccessReport` into the template's fill data (Chinese
labels, Shanghai times, names beside user ids); the process renders it with the reviewer's findings and signs
it (``prepare_log_review``), the web renders an unsigned draft of any week. The signed report of a week is
the completed document titled with that week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from documents import LEVEL_NAMES, prepare_agreement
from records.access_report import REPEATED_DENIALS, SHANGHAI, AccessReport, Anomaly, week_label, weekly_access_report
from records.models import Document, DocumentStatus, User
from workflows.agreements import document_bytes, fill_data
from workflows.services import Services

__all__ = ["TEMPLATE", "draft_pdf", "report_data", "report_title", "signed_report", "week_report_pdf"]

TEMPLATE = "access_log_review"
LEVELS = {**LEVEL_NAMES, "none": "无密级"}
ACTIONS = {"view": "查看", "download": "下载", "page_image": "查看页面", "export": "导出", "sign": "签署",
           "start": "发起流程", "complete": "完成任务", "approve": "批准", "deny": "不予批准", "reject": "驳回",
           "decline": "拒签", "timer": "定时触发", "service": "自动步骤", "request_access": "申请权限",
           "print": "打印", "copy": "复制", "modify": "修改", "destroy": "销毁", "list": "列表浏览",
           "register_carrier": "载体登记", "issue_carrier": "载体发放", "confirm_receipt": "签收确认",
           "return_carrier": "载体归还", "request_destruction": "申请销毁", "approve_destruction": "批准销毁",
           "witness_destruction": "监销确认", "perform_destruction": "执行销毁"}
TARGETS = {"document": "文件", "register": "秘密清单", "register_item": "秘密清单条目", "instance": "流程",
           "upload": "上传文件", "access_report": "访问日志报告", "carrier": "涉密载体", "carriers": "载体台账",
           "agreements": "协议列表"}
RULES = {"core_denied": "核心秘密被拒绝访问", "repeated_denials": "一周内多次被拒绝",
         "off_hours_core": "工作时间以外访问核心秘密"}
DRAFT_REVIEW = {"findings": "（草稿：待审计人审核后填写）", "measures": "（草稿：待审计人审核后填写）",
                "anomalies_investigated": False}


def report_title(week: str) -> str:
    return f"涉密信息访问日志周审计报告（{week}）"


def report_data(session: Session, report: AccessReport, *, reviewer: str, today: dt.date, threshold: int,
                review: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The template's fill data; without ``review`` (findings, measures, anomalies_investigated) a draft."""
    names = _names(session, {d.actor for d in report.denials} | {a.actor for a in report.anomalies})
    allowed = sum(level.allowed for level in report.levels)
    return {
        "draft": review is None, "week_label": report.week,
        "period_start": _day(report.week_start), "period_end": _day(report.week_end - dt.timedelta(days=1)),
        "secrecy_office_name": reviewer, "review_date": today.isoformat(),
        "total_records": report.records, "total_allowed": allowed, "total_denied": report.records - allowed,
        "level_totals": [{"level": LEVELS[s.level], "allowed": s.allowed, "denied": s.denied,
                          "total": s.allowed + s.denied} for s in report.levels],
        "level_rows": [{"level": LEVELS[s.level], "action": ACTIONS.get(a.action, a.action), "allowed": a.allowed,
                        "denied": a.denied} for s in report.levels for a in s.actions],
        "denial_count": report.denial_count,
        "denials": [{"at": _time(d.at), "actor": names(d.actor), "action": ACTIONS.get(d.action, d.action),
                     "target": f"{TARGETS.get(d.target_type, d.target_type)} {d.target_id}",
                     "level": LEVELS.get(d.level, d.level), "source": d.source or ""} for d in report.denials],
        "denial_threshold": threshold,
        "anomalies": [_anomaly(a, names) for a in report.anomalies],
        "chain_status": chain_text(report),
        **{k: (review or DRAFT_REVIEW)[k] for k in DRAFT_REVIEW},
    }


def chain_text(report: AccessReport) -> str:
    chain = report.chain
    if chain.first_seq is None:
        return "本周无访问日志记录，无须核验。"
    if not chain.ok:
        return (f"异常：本周第 {chain.first_seq}—{chain.last_seq} 条记录核验发现 {len(chain.problems)} 处问题，"
                f"首个为：{chain.problems[0]}。日志可能被篡改，须立即调查。")
    text = (f"完好：本周第 {chain.first_seq}—{chain.last_seq} 条记录逐条核验哈希及前后链接无误（共核验 "
            f"{chain.checked} 条），")
    if chain.anchor_seq is None:
        return text + "本周最后的记录尚未加盖时间戳（下一次整点锚定后可复核）。"
    when = _time(chain.anchor_time, "%Y-%m-%d %H:%M") if chain.anchor_time else "—"
    return text + f"并由第 {chain.anchor_seq} 条处的可信时间戳锚定（时间戳时间 {when}）。"


def signed_report(session: Session, week: str) -> Document | None:
    """The newest completed (signed by every party) report of ``week``, if the process produced one."""
    return session.scalars(select(Document).where(
        Document.template_id == TEMPLATE, Document.title == report_title(week),
        Document.status == DocumentStatus.COMPLETED).order_by(Document.created_at.desc()).limit(1)).first()


def draft_pdf(services: Services, data: dict[str, Any], now: dt.datetime) -> bytes:
    """The report through the agreement pipeline, marked and with empty signature fields, stored nowhere."""
    today = now.astimezone(SHANGHAI).date()
    manifest = services.catalog.get(TEMPLATE)
    return prepare_agreement(manifest, fill_data(services, TEMPLATE, data, today), converter=services.converter,
                             prepared_at=now).pdf


def week_report_pdf(session: Session, services: Services, start: dt.datetime, end: dt.datetime, *, reviewer: str,
                    now: dt.datetime) -> tuple[bytes, Document | None]:
    """The week's signed report when the process produced one (and that document), else a draft made now."""
    signed = signed_report(session, week_label(start))
    if signed is not None:
        return document_bytes(services, signed), signed
    report = weekly_access_report(session, start, end, trust=services.pki)
    data = report_data(session, report, reviewer=reviewer, today=now.astimezone(SHANGHAI).date(),
                       threshold=REPEATED_DENIALS)
    return draft_pdf(services, data, now), None


def _anomaly(anomaly: Anomaly, names: Callable[[str], str]) -> dict[str, Any]:
    return {"rule": RULES.get(anomaly.rule, anomaly.rule), "actor": names(anomaly.actor), "count": anomaly.count,
            "period": f"{_time(anomaly.first_at)} 至 {_time(anomaly.last_at)}"}


def _names(session: Session, ids: set[str]) -> Callable[[str], str]:
    known: dict[str, str] = {}
    if ids:
        known.update((user_id, name) for user_id, name in session.execute(select(User.id, User.name)
                                                                          .where(User.id.in_(ids))))
    return lambda user_id: f"{known[user_id]}（{user_id}）" if user_id in known else user_id


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).date().isoformat()


def _time(moment: dt.datetime, pattern: str = "%m-%d %H:%M") -> str:
    return moment.astimezone(SHANGHAI).strftime(pattern)
