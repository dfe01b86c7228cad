"""离职保密流程: exit interview and reminder, revocation, carrier hand-over, cool-down, monthly non-compete checks
driven by ``engine.tick`` on a clock moved month by month."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from sqlalchemy import select

from records.models import NonCompeteCheck, ProcessInstance, Revocation
from tests.bpmn.driver import CST, Run, check_documents, check_outcome, example
from workflows import Engine, FixedClock

INTERVIEW = {"interview_date": "2026-11-23", "interviewer_name": "周明", "prohibited_acts_notified": True}
CARRIERS = {"handover_date": "2026-11-30", "receiver_name": "周明", "device_cleaned": True, "access_revoked": True,
            "items": [{"seq": 1, "name": "风电轴承套圈热处理工艺卡", "form": "纸质", "level": "core", "quantity": 3,
                       "serial_number": "RCL-HT-2026-014"},
                      {"seq": 2, "name": "加密 U 盘（工艺试验数据）", "form": "电子", "level": "important",
                       "quantity": 1, "serial_number": "MB-USB-0087"}]}
PROOF = {"employment_status": "employed", "new_employer": "聊城市东昌府区某机械配件经销部", "truthful": True,
         "proof_type": "social_insurance", "proof_reference": "upload-社保缴纳证明"}
SIGNED_BY_BOTH = [("company", "system"), ("employee", "eng01"), ("secrecy_office", "sec01")]


def payment(day: dt.date, **flags: bool) -> dict[str, object]:
    return {"payment_amount": 4278.0, "paid_on": day.isoformat(), "breach_reported": False, "release_early": False,
            **flags}


def leave(run: Run) -> None:
    """Interview, reminder, revocations, hand-over: everything before the cool-down."""
    run.do("exit_interview", "sec01", INTERVIEW)
    run.sign("sign_exit_reminder_employee", "eng01")
    run.sign("sign_exit_reminder_secrecy_office", "sec01")
    run.do("carrier_return", "sec01", CARRIERS)
    run.sign("sign_carrier_handover_employee", "eng01")
    run.sign("sign_carrier_handover_secrecy_office", "sec01")


def checks(engine: Engine, instance_id: int) -> list[NonCompeteCheck]:
    with engine.sessions() as session:
        return list(session.scalars(select(NonCompeteCheck).where(NonCompeteCheck.instance_id == instance_id)
                                    .order_by(NonCompeteCheck.month)))


def open_month(run: Run, first: dt.datetime) -> None:
    """The month's proof task is not there a minute before the 1st and is there just after midnight."""
    assert run.tick(first - dt.timedelta(minutes=1)).status == "waiting"
    assert run.ready() == []
    run.tick(first + dt.timedelta(minutes=1))
    task = run.task("submit_proof", "eng01")
    assert task.created_at.astimezone(CST).day == 1
    assert task.due_at == first.replace(day=10, hour=23)


def test_core_engineer_cooldown_monitoring_suspension_and_breach(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "offboarding", example("offboarding", duration_months=3), "hr01")
    leave(run)
    view = run.show()
    assert view.status == "waiting"
    cooldown_end = dt.datetime(2027, 5, 21, 9, 0, tzinfo=CST)       # six calendar months after the start
    assert view.next_timer_at == cooldown_end
    with engine.sessions() as session:
        revoked = session.scalars(select(Revocation).where(Revocation.instance_id == run.id)).all()
    assert sorted((r.person, r.system) for r in revoked) == [("eng01", "accounts"), ("eng01", "door"),
                                                              ("eng01", "files")]
    assert run.tick(cooldown_end - dt.timedelta(days=1)).status == "waiting" and checks(engine, run.id) == []
    run.tick(cooldown_end + dt.timedelta(minutes=1))                 # cool-down over: month 1 is scheduled
    assert run.ready() == [] and [c.month for c in checks(engine, run.id)] == [1]
    # leave 2026-11-30 + 6 months cool-down = 2027-05-30: monitoring months are June, July, August 2027.
    month1 = dt.datetime(2027, 6, 1, tzinfo=CST)
    open_month(run, month1)
    clock.set(month1.replace(day=8, hour=10))
    run.do("submit_proof", "eng01", PROOF)
    run.do("record_payment", "hr01", payment(dt.date(2027, 6, 14)))

    month2 = dt.datetime(2027, 7, 1, tzinfo=CST)
    open_month(run, month2)
    run.tick(month2.replace(day=10, hour=23, minute=1))             # the proof is late
    assert checks(engine, run.id)[-1].status == "suspended"
    assert run.notifications()[-1].to_user == "eng01"
    assert "补偿暂停支付" in run.notifications()[-1].subject
    assert run.names() == ["submit_proof"]                          # still open: delivery resumes payment
    clock.set(month2.replace(day=12, hour=15))
    run.do("submit_proof", "eng01", PROOF)
    assert checks(engine, run.id)[-1].status == "proven"
    run.do("record_payment", "hr01", payment(dt.date(2027, 7, 13)))

    month3 = dt.datetime(2027, 8, 1, tzinfo=CST)
    open_month(run, month3)
    clock.set(month3.replace(day=5))
    run.do("submit_proof", "eng01", PROOF)
    run.do("record_payment", "hr01", payment(dt.date(2027, 8, 14), breach_reported=True))
    view = run.do("handle_breach", "sec01", {"breach_findings": "核实其在竞争对手处兼职提供热处理技术咨询。",
                                             "penalty_claimed": 64170.0, "escalated": True})
    check_outcome(engine, view)                                      # the third month was the last
    assert [(c.month, c.proof_due.astimezone(CST), c.status) for c in checks(engine, run.id)] == [
        (m, dt.datetime(2027, 5 + m, 10, 23, tzinfo=CST), "proven") for m in (1, 2, 3)]
    done = [h["title"] for h in view.history if h["action"] == "completed"]
    assert done.count("提交本月任职情况证明") == 3 and done.count("登记本月补偿支付") == 3
    assert [h["title"] for h in view.history if h["actor"] == "timer" and h["action"] == "ran"].count(
        "证明逾期未交") == 1
    check_documents(engine, view, [("exit_reminder", SIGNED_BY_BOTH), ("carrier_handover", SIGNED_BY_BOTH)])


def test_without_cooldown_or_non_compete_it_ends_after_the_handover(engine: Engine, clock: FixedClock) -> None:
    data = example("offboarding", personnel_level="important", cooldown_applies=False, non_compete_applies=False)
    for key in ("cooldown_months", "duration_months"):
        data.pop(key)
    run = Run(engine, clock, "offboarding", data, "hr01")
    leave(run)
    view = run.show()
    check_outcome(engine, view)
    assert checks(engine, run.id) == []
    assert [n.subject for n in run.notifications()] == ["王志强：离职保密手续已完成"]
    check_documents(engine, view, [("exit_reminder", SIGNED_BY_BOTH), ("carrier_handover", SIGNED_BY_BOTH)])


def test_early_release_ends_monitoring(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "offboarding", example("offboarding", cooldown_applies=False), "hr01")
    leave(run)
    open_month(run, dt.datetime(2026, 12, 1, tzinfo=CST))
    run.do("submit_proof", "eng01", PROOF)
    view = run.do("record_payment", "hr01", payment(dt.date(2026, 12, 14), release_early=True))
    check_outcome(engine, view)
    assert [c.month for c in checks(engine, run.id)] == [1]


def test_twenty_four_months_on_calendar_dates(engine: Engine, clock: FixedClock,
                                              record_property: Callable[[str, object], None]) -> None:
    """Every proof due on the 10th at 23:00 China time of 24 consecutive months, no drift; the stored state
    stays under 100 KB."""
    run = Run(engine, clock, "offboarding", example("offboarding", cooldown_applies=False), "hr01")
    leave(run)
    first = dt.datetime(2026, 12, 1, tzinfo=CST)                     # the month after leaving on 2026-11-30
    dues = []
    for month in range(24):
        opens = first.replace(year=first.year + (first.month - 1 + month) // 12,
                              month=(first.month - 1 + month) % 12 + 1)
        run.tick(opens + dt.timedelta(minutes=5))
        task = run.task("submit_proof", "eng01")
        assert task.created_at.astimezone(CST).date() == opens.date()
        assert task.due_at is not None
        dues.append(task.due_at)
        if month == 4:                                               # month 5: late, suspended, then delivered
            run.tick(opens.replace(day=10, hour=23, minute=5))
            assert checks(engine, run.id)[-1].status == "suspended"
            clock.set(opens.replace(day=12, hour=10))
        else:
            clock.set(opens.replace(day=9, hour=10))
        run.do("submit_proof", "eng01", PROOF)
        run.do("record_payment", "hr01", payment(opens.replace(day=14).date()))
    view = run.show()
    check_outcome(engine, view)
    assert [d.astimezone(CST) for d in dues] == [
        dt.datetime(2026 + (11 + m) // 12, (11 + m) % 12 + 1, 10, 23, tzinfo=CST) for m in range(24)]
    rows = checks(engine, run.id)
    assert [c.month for c in rows] == list(range(1, 25))
    assert all(c.status == "proven" for c in rows)
    assert [c.payment_due.astimezone(CST).day for c in rows] == [15] * 24
    with engine.sessions() as session:
        row = session.get(ProcessInstance, run.id)
        assert row is not None
        size = len(json.dumps(row.state).encode())
    record_property("state_bytes", size)
    print(f"offboarding state after 24 months: {size / 1024:.1f} KB")
    assert size <= 100 * 1024
