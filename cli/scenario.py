"""The demo scenario: the demo organisation's people work through the real processes on a simulated clock.

``run_demo`` needs a fresh engine whose users are seeded (``records.people.DEMO_PEOPLE``) and whose clock is the
``FixedClock`` passed in. It runs, with every agreement signed by every party through the engine's sign tasks:

1. onboarding of the core engineer eng01 (four agreements, the training test failed once and retaken);
2. a classification: a core item filed by liaison01, three committee votes, the chair's approval, the register
   entry and the signed 《商业秘密定密审批表》;
3. a visitor NDA (visitor_pledge) signed by the company, the visitor and the host;
4. offboarding of eng01: the exit reminder and the carrier hand-over, the six-month cool-down, then 24 months of
   non-compete checks driven by ``engine.tick`` — the third month's proof is missed (compensation suspended, a
   reminder sent), then delivered late; every month's payment is recorded.

Then it copies every completed document's final PDF to ``out_dir`` as ``<process>-<template>-<document>.pdf``.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from records.db import make_engine, make_session_factory, transaction
from records.demo_org import ensure_demo
from records.instance import Instance
from records.migrate import upgrade
from records.models import (
    CheckStatus,
    Document,
    DocumentStatus,
    HistoryEntry,
    InstanceStatus,
    NonCompeteCheck,
    Notification,
    ProcessInstance,
)
from workflows import BPMN_DIR, Engine, FixedClock, InstanceView, Services, TaskView

__all__ = ["DemoReport", "offboarding_state_after_months", "run_demo"]

CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=CST)
MISSED_MONTH = 3
# Who does a task that is open to a role rather than assigned to one person.
ROLE_USERS = {"hr": "hr01", "secrecy_office": "sec01", "liaison": "liaison01", "department_head": "head01",
              "committee": "gm01", "employee": "eng01", "external": "visitor01"}
AGREE = {"agree": True}


@dataclass
class DemoReport:
    instances: dict[str, int] = field(default_factory=dict)
    tasks_completed: int = 0
    months_monitored: int = 0
    suspensions: int = 0


def example(process_id: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BPMN_DIR / "examples" / f"{process_id}.json").read_text(encoding="utf-8"))
    data.update(changes)
    return data


class _Desk:
    """The simulated users: each completes the ready tasks of an instance from their inbox."""

    def __init__(self, engine: Engine, clock: FixedClock, report: DemoReport) -> None:
        self.engine, self.clock, self.report = engine, clock, report

    def ready(self, instance_id: int) -> list[TaskView]:
        return [t for t in self.engine.tasks() if t.instance_id == instance_id]

    def do(self, instance_id: int, name: str, data: dict[str, Any], actor: str | None = None) -> InstanceView:
        tasks = [t for t in self.ready(instance_id) if t.name == name and (actor is None or t.assignee == actor)]
        if not tasks:
            open_ = ", ".join(t.name for t in self.ready(instance_id)) or "none"
            raise RuntimeError(f"instance {instance_id}: no ready task {name!r} (open: {open_})")
        task = tasks[0]
        user = task.assignee or ROLE_USERS[task.lane or ""]
        view = self.engine.complete(task.id, actor=user, data=data)
        self.report.tasks_completed += 1
        return view

    def tick(self, moment: dt.datetime) -> None:
        self.clock.set(moment)
        report = self.engine.tick(moment)
        if report.errors:
            raise RuntimeError(f"tick at {moment.isoformat()}: {report.errors}")

    def later(self, **delta: float) -> None:
        self.clock.set(self.clock.now() + dt.timedelta(**delta))


def _day(moment: dt.datetime, days: int = 0) -> str:
    return (moment.astimezone(CST) + dt.timedelta(days=days)).date().isoformat()


def onboard(desk: _Desk, *, months: int = 24) -> InstanceView:
    """Onboard eng01 as core staff: the non-compete signed here (``months`` long) is what offboarding monitors."""
    now = desk.clock.now()
    data = example("onboarding", start_date=_day(now, 10), duration_months=months)
    view = desk.engine.start("onboarding", data, actor="hr01")
    desk.do(view.id, "background_check", {"check_date": _day(now), "background_passed": True,
                                          "check_summary": "已向原单位核实：无竞业限制约定，无泄密记录。"})
    for key in ("legacy", "notice", "nda", "non_compete"):
        desk.do(view.id, f"sign_{key}_employee", AGREE)
    trainer = {"training_date": _day(now, 3), "trainer_name": "周明"}
    desk.do(view.id, "induction_training", {**trainer, "training_score": 52, "training_notes": "未达合格线，补考"})
    return desk.do(view.id, "induction_training", {**trainer, "training_score": 91})


def classify(desk: _Desk) -> InstanceView:
    now = desk.clock.now()
    view = desk.engine.start("classification", example("classification"), actor="liaison01")
    desk.do(view.id, "file_item", {
        "item_name": "风电主轴轴承套圈热处理工艺参数", "item_category": "技术信息—制造工艺", "proposed_level": "core",
        "item_summary": "3.0MW 风电主轴轴承套圈淬火、回火工艺的全套参数及其调整规则，系公司经三年试验形成。",
        "carrier_form": "电子文档、生产控制系统参数文件、纸质工艺卡", "secrecy_period": "长期",
        "knowers": "技术研发部王志强；热处理车间生产主管",
        "declassification_condition": "技术公开、替代工艺启用或产品退市",
        "protection_measures": "纸质工艺卡存放于双人双锁保密柜；电子文档存储于离线服务器；参数修改须授权并记录。",
        "self_check_summary": "经部门自查，该参数未在论文、专利、展会资料中公开。", "apply_date": _day(now)})
    desk.do(view.id, "cross_review", {
        "review_decision": "keep", "cross_review_opinion": "经研发、生产、法务人员交叉审核，不属于已公开信息。",
        "cross_reviewers": "研发部刘振国、生产部李长青、法务部宋佳", "secrecy_office_name": "周明",
        "review_date": _day(now)})
    desk.do(view.id, "novelty_check", {"novelty_check": "委托山东省科学技术情报研究院查新，结论为“不为公众所知悉”。",
                                       "novelty_agency": "山东省科学技术情报研究院", "novelty_confirmed": True})
    desk.do(view.id, "value_assessment", {"include_in_protection": True,
                                          "value_assessment": "年节约成本约 680 万元；泄露损失超过年营业收入的 10%。"})
    desk.do(view.id, "classification_proposal", {
        "recommended_level": "core", "secrecy_period": "长期", "knowers": "技术研发部王志强；热处理车间生产主管",
        "office_opinion": "建议定为核心秘密，保密期限长期，知悉范围限于上列人员。"})
    for member in ("gm01", "cm02", "cm03"):
        desk.do(view.id, "committee_vote", {"ballot": {"vote": "approve", "comment": "同意定为核心秘密。"}}, member)
    # The counts, the voters and the level come from the tally; the office records the meeting and the remarks.
    desk.do(view.id, "record_resolution", {
        "meeting_date": _day(now), "decision_note": "同意保密管理部建议，对知悉范围内人员进行专项保密提醒。"})
    desk.do(view.id, "chair_approval", {"chair_approved": True, "chair_note": "同意。"})
    for name in ("liaison", "secrecy_office", "committee"):
        view = desk.do(view.id, f"sign_classification_form_{name}", AGREE)
    return view


def visitor_nda(desk: _Desk) -> InstanceView:
    now = desk.clock.now()
    view = desk.engine.start("external_nda", example("external_nda", visit_date=_day(now, 1)), actor="eng01")
    desk.do(view.id, "host_request", {"request_reason": "检测设备售后回访，参观成品检测中心外围区域。",
                                      "minimal_necessity": True})
    desk.do(view.id, "department_approval", {"approved": True, "approval_date": _day(now)})
    desk.do(view.id, "sign_external", AGREE)
    return desk.do(view.id, "sign_host", AGREE)


def offboard(desk: _Desk, *, months: int = 24, cooldown: bool = True, missed: int | None = MISSED_MONTH
             ) -> InstanceView:
    """Offboard eng01 and monitor the non-compete they signed in ``onboard`` month by month until the last month
    is paid (``months`` only checks that the agreement said so)."""
    now = desk.clock.now()
    leave = _day(now, 9)
    data = example("offboarding", leave_date=leave, cooldown_applies=cooldown)
    if not cooldown:
        data.pop("cooldown_months")
    view = desk.engine.start("offboarding", data, actor="hr01")
    if view.data["non_compete"]["duration_months"] != months:
        raise RuntimeError(f"eng01's signed non-compete runs {view.data['non_compete']['duration_months']} months, "
                           f"not {months}")
    desk.do(view.id, "exit_interview", {"interview_date": _day(now, 2), "interviewer_name": "周明",
                                        "prohibited_acts_notified": True})
    desk.do(view.id, "sign_exit_reminder_employee", AGREE)
    desk.do(view.id, "sign_exit_reminder_secrecy_office", AGREE)
    desk.do(view.id, "carrier_return", {
        "handover_date": leave, "receiver_name": "周明", "device_cleaned": True, "access_revoked": True,
        "items": [{"seq": 1, "name": "风电轴承套圈热处理工艺卡", "form": "纸质", "level": "core", "quantity": 3,
                   "serial_number": "RCL-HT-2026-014"},
                  {"seq": 2, "name": "加密 U 盘（工艺试验数据）", "form": "电子", "level": "important", "quantity": 1,
                   "serial_number": "MB-USB-0087"}],
        "notes": "笔记本电脑已完成涉密信息清理与检测。"})
    desk.do(view.id, "sign_carrier_handover_employee", AGREE)
    view = desk.do(view.id, "sign_carrier_handover_secrecy_office", AGREE)
    proof = {"employment_status": "employed", "new_employer": "聊城市某机械配件经销部",
             "proof_type": "social_insurance", "proof_reference": "社保缴纳证明", "truthful": True}
    while view.status != InstanceStatus.COMPLETED:
        if view.next_timer_at is None:
            raise RuntimeError(f"offboarding {view.id} waits for nothing: {view.status}")
        desk.tick(view.next_timer_at + dt.timedelta(minutes=1))       # the cool-down ends / a month opens
        view = desk.engine.show(view.id)
        if not desk.ready(view.id):
            continue
        check = view.data["check"]
        proof_due = dt.datetime.fromisoformat(check["proof_due"])
        if check["month"] == missed:
            desk.tick(proof_due + dt.timedelta(minutes=1))            # overdue: suspended and reminded
            desk.clock.set(proof_due + dt.timedelta(days=2))          # delivered two days late
        else:
            desk.clock.set(proof_due - dt.timedelta(days=2))
        desk.do(view.id, "submit_proof", proof)
        desk.later(days=4)
        view = desk.do(view.id, "record_payment", {"payment_amount": float(view.data["non_compete"]["monthly_amount"]),
                                                   "paid_on": _day(desk.clock.now()),
                                                   "breach_reported": False, "release_early": False})
        desk.report.months_monitored += 1
    return view


def run_demo(engine: Engine, out_dir: Path, clock: FixedClock, echo: Callable[[str], None] = print) -> list[Path]:
    """Run the scenario on ``engine`` (fresh, users seeded, driven by ``clock``); returns the PDFs written."""
    report = DemoReport()
    desk = _Desk(engine, clock, report)
    steps: list[tuple[str, Callable[[], InstanceView]]] = [
        ("onboarding", lambda: onboard(desk)), ("classification", lambda: classify(desk)),
        ("external_nda", lambda: visitor_nda(desk)), ("offboarding", lambda: offboard(desk))]
    for process_id, step in steps:
        view = step()
        if view.status != InstanceStatus.COMPLETED:
            raise RuntimeError(f"{process_id} instance {view.id} ended {view.status}: {view.error}")
        report.instances[process_id] = view.id
        echo(f"{process_id:15} instance {view.id}: {view.status} at {clock.now().astimezone(CST):%Y-%m-%d}")
        desk.later(days=1)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with engine.sessions() as session:
        rows = session.execute(select(Document, ProcessInstance.process_id)
                               .join(ProcessInstance, ProcessInstance.id == Document.instance_id)
                               .order_by(Document.instance_id, Document.created_at, Document.id)).all()
        offboarding = report.instances["offboarding"]
        checks = list(session.scalars(select(NonCompeteCheck).where(NonCompeteCheck.instance_id == offboarding)
                                      .order_by(NonCompeteCheck.month)))
        suspended = session.scalar(select(func.count()).select_from(HistoryEntry).where(
            HistoryEntry.instance_id == offboarding, HistoryEntry.title == "暂停支付竞业限制补偿"))
        reminders = list(session.scalars(select(Notification).where(Notification.instance_id == offboarding,
                                                                    Notification.to_user == "eng01")))
    for document, process_id in rows:
        if document.status != DocumentStatus.COMPLETED:
            raise RuntimeError(f"document {document.id} ({document.template_id}) is {document.status}")
        target = out_dir / f"{process_id}-{document.template_id}-{document.id}.pdf"
        target.write_bytes(engine.services.blobs.get(document.path))
        written.append(target)
        signers = ", ".join(f"{s['party']}={s['signer']}" for s in document.signatures)
        echo(f"  {target.name}  {document.title}  [{signers}]")
    report.suspensions = int(suspended or 0)
    first, last = (checks[0], checks[-1]) if checks else (None, None)
    echo(f"{len(report.instances)} instances completed, {report.tasks_completed} tasks completed, "
         f"{len(written)} signed documents in {out_dir}")
    if first and last:
        echo(f"non-compete: {report.months_monitored} months monitored "
             f"({first.proof_due.astimezone(CST):%Y-%m} to {last.proof_due.astimezone(CST):%Y-%m}, proofs due on the "
             f"10th 23:00), {report.suspensions} suspension(s) and {len(reminders)} reminder(s); "
             f"{sum(c.status == CheckStatus.PAID for c in checks)} months proven and paid "
             f"({sum(c.paid_fen or 0 for c in checks) / 100:.2f} yuan)")
    return written


def offboarding_state_after_months(months: int) -> int:
    """Bytes of an offboarding instance's stored state after ``months`` of non-compete checks (one missed),
    on a throwaway SQLite engine (for ``bench/engine.py``)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = make_engine(f"sqlite:///{root / 'bench.db'}")
        upgrade(db)
        factory = make_session_factory(db)
        with transaction(factory) as session:
            ensure_demo(session)
        clock = FixedClock(START)
        services = Services(Instance.from_env(root / "instance"))
        try:
            engine = Engine(factory, services, clock=clock)
            desk = _Desk(engine, clock, DemoReport())
            onboard(desk, months=months)
            view = offboard(desk, months=months, cooldown=False)
            with factory() as session:
                row = session.get(ProcessInstance, view.id)
                assert row is not None
                return len(json.dumps(row.state).encode())
        finally:
            services.close()
            db.dispose()
