"""离职保密流程: exit interview and reminder, revocation, carrier hand-over, cool-down, monthly non-compete checks
driven by ``engine.tick`` on a clock moved month by month."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from sqlalchemy import select

from records import organisation
from records.db import transaction
from records.levels import SecretLevel
from records.models import (
    AccessGrant,
    ApiToken,
    Carrier,
    CarrierMovement,
    CarrierStatus,
    GrantStatus,
    NonCompeteCheck,
    Notification,
    OrgPost,
    PersonStatus,
    ProcessInstance,
    Revocation,
    Task,
    User,
)
from records.people import may_sign_in
from tests.bpmn.driver import CST, Run, check_documents, check_outcome, example, signed_non_compete
from workflows import Engine, FixedClock, FormDataError, InstanceView, OperationFailed

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


def pay(run: Run, day: dt.date, **flags: bool) -> InstanceView:
    """HR records the month's payment on the day it was made (a payment cannot be recorded before it is made)."""
    run.clock.set(dt.datetime(day.year, day.month, day.day, 10, tzinfo=CST))
    return run.do("record_payment", "hr01", payment(day, **flags))


def leave(run: Run, who: str = "eng01") -> None:
    """Interview, reminder, revocations, hand-over: everything before the cool-down."""
    run.do("exit_interview", "sec01", INTERVIEW)
    run.sign("sign_exit_reminder_employee", who)
    run.sign("sign_exit_reminder_secrecy_office", "sec01")
    run.do("carrier_return", "sec01", CARRIERS)
    run.sign("sign_carrier_handover_employee", who)
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
    signed_non_compete(engine, clock, duration_months=3)
    run = Run(engine, clock, "offboarding", example("offboarding"), "hr01")
    leave(run)
    view = run.show()
    assert view.status == "waiting"
    with engine.sessions() as session:
        revoked = session.scalars(select(Revocation).where(Revocation.instance_id == run.id)).all()
    assert sorted((r.person, r.system) for r in revoked) == [("eng01", "accounts"), ("eng01", "door"),
                                                              ("eng01", "files")]
    # Left on 2026-11-30: the non-compete runs from then (appendix 6 art. 1), the six-month cool-down beside it,
    # not before it — monitoring months are December 2026, January and February 2027.
    assert [c.month for c in checks(engine, run.id)] == [1]
    month1 = dt.datetime(2026, 12, 1, tzinfo=CST)
    cooldown_end = dt.datetime(2027, 5, 30, 9, 0, tzinfo=CST)        # six calendar months after the leaving date
    assert view.next_timer_at == month1
    open_month(run, month1)
    clock.set(month1.replace(day=8, hour=10))
    run.do("submit_proof", "eng01", PROOF)
    pay(run, dt.date(2026, 12, 14))

    month2 = dt.datetime(2027, 1, 1, tzinfo=CST)
    open_month(run, month2)
    run.tick(month2.replace(day=10, hour=23, minute=1))             # the proof is late
    assert checks(engine, run.id)[-1].status == "suspended"
    assert run.notifications()[-1].to_user == "eng01"
    assert "补偿暂停支付" in run.notifications()[-1].subject
    assert run.names() == ["submit_proof"]                          # still open: delivery resumes payment
    clock.set(month2.replace(day=12, hour=15))
    run.do("submit_proof", "eng01", PROOF)
    assert checks(engine, run.id)[-1].status == "proven"
    pay(run, dt.date(2027, 1, 13))

    month3 = dt.datetime(2027, 2, 1, tzinfo=CST)
    open_month(run, month3)
    clock.set(month3.replace(day=5))
    run.do("submit_proof", "eng01", PROOF)
    pay(run, dt.date(2027, 2, 14), breach_reported=True)
    view = run.do("handle_breach", "sec01", {"breach_findings": "核实其在竞争对手处兼职提供热处理技术咨询。",
                                             "damages_claimed": 0, "escalated": True})
    # The third month was the last check; the cool-down, its own obligation, still runs to its end.
    assert view.status == "waiting" and view.next_timer_at == cooldown_end
    assert [(c.month, c.proof_due.astimezone(CST)) for c in checks(engine, run.id)] == [
        (1, dt.datetime(2026, 12, 10, 23, tzinfo=CST)), (2, dt.datetime(2027, 1, 10, 23, tzinfo=CST)),
        (3, dt.datetime(2027, 2, 10, 23, tzinfo=CST))]
    assert {c.status for c in checks(engine, run.id)} == {"paid"}
    # The penalty base is on the record: 5 × what was paid (appendix 6 art. 4.1), 3 × 4,278.00 paid.
    assert view.data["compensation_paid"] == "12834.00" and view.data["penalty_base"] == "64170.00"
    assert run.tick(cooldown_end - dt.timedelta(minutes=1)).status == "waiting"
    view = run.tick(cooldown_end + dt.timedelta(minutes=1))
    check_outcome(engine, view)
    assert run.notifications()[-1].subject == "王志强：脱密期已届满" and run.notifications()[-1].to_user == "hr01"
    done = [h["title"] for h in view.history if h["action"] == "completed"]
    assert done.count("提交本月任职情况证明") == 3 and done.count("登记本月补偿支付") == 3
    assert [h["title"] for h in view.history if h["actor"] == "timer" and h["action"] == "ran"].count(
        "证明逾期未交") == 1
    check_documents(engine, view, [("exit_reminder", SIGNED_BY_BOTH), ("carrier_handover", SIGNED_BY_BOTH)])


def test_the_non_compete_runs_from_the_leaving_date_for_at_most_24_months(engine: Engine,
                                                                           clock: FixedClock) -> None:
    """Seed 003 §5.1.3, appendix 6 art. 1: a leave date of 2026-11-30 with a six-month cool-down gives checks in
    every month from December 2026 to November 2028 — 24, none after 2028-11-30 — each with its proof and payment
    task, while the cool-down ends on 2027-05-30 without moving them."""
    signed_non_compete(engine, clock)
    run = Run(engine, clock, "offboarding", example("offboarding"), "hr01")
    leave(run)
    for month in range(1, 25):
        first = dt.datetime(2026 + (11 + month - 1) // 12, (11 + month - 1) % 12 + 1, 1, tzinfo=CST)
        run.tick(first + dt.timedelta(minutes=1))
        clock.set(first.replace(day=5))
        run.do("submit_proof", "eng01", PROOF)
        pay(run, first.date().replace(day=14))
    opened = [(c.month, c.proof_due.astimezone(CST).date()) for c in checks(engine, run.id)]
    assert len(opened) == 24 and opened[0] == (1, dt.date(2026, 12, 10)) and opened[-1] == (24, dt.date(2028, 11, 10))
    assert max(due for _, due in opened) <= dt.date(2028, 11, 30)
    view = run.show()
    check_outcome(engine, view)                                      # the cool-down ended in May 2027, inside it
    cooled = [h for h in view.history if h["title"] == "通知人力资源部：脱密期届满"]
    # Fired by the first tick after 2027-05-30 09:00 (this test ticks on the 1st of each month).
    assert len(cooled) == 1 and dt.datetime.fromisoformat(cooled[0]["at"]).astimezone(CST) == dt.datetime(
        2027, 6, 1, 0, 1, tzinfo=CST)


def test_without_cooldown_or_non_compete_it_ends_after_the_handover(engine: Engine, clock: FixedClock) -> None:
    data = example("offboarding", personnel_level="important", cooldown_applies=False, non_compete_applies=False)
    data.pop("cooldown_months")
    run = Run(engine, clock, "offboarding", data, "hr01")
    leave(run)
    view = run.show()
    check_outcome(engine, view)
    assert checks(engine, run.id) == []
    assert [n.subject for n in run.notifications()] == ["王志强：离职保密手续已完成"]
    check_documents(engine, view, [("exit_reminder", SIGNED_BY_BOTH), ("carrier_handover", SIGNED_BY_BOTH)])


def test_early_release_ends_monitoring(engine: Engine, clock: FixedClock) -> None:
    signed_non_compete(engine, clock)
    run = Run(engine, clock, "offboarding", example("offboarding", cooldown_applies=False), "hr01")
    leave(run)
    open_month(run, dt.datetime(2026, 12, 1, tzinfo=CST))
    run.do("submit_proof", "eng01", PROOF)
    view = pay(run, dt.date(2026, 12, 14), release_early=True)
    check_outcome(engine, view)
    assert [c.month for c in checks(engine, run.id)] == [1]


def test_twenty_four_months_on_calendar_dates(engine: Engine, clock: FixedClock,
                                              record_property: Callable[[str, object], None]) -> None:
    """Every proof due on the 10th at 23:00 China time of 24 consecutive months, no drift; the stored state
    stays under 128 KB (about 5 KB a month: proof, payment and its check, each with a boundary timer)."""
    signed_non_compete(engine, clock)
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
        pay(run, opens.replace(day=14).date())
    view = run.show()
    check_outcome(engine, view)
    assert [d.astimezone(CST) for d in dues] == [
        dt.datetime(2026 + (11 + m) // 12, (11 + m) % 12 + 1, 10, 23, tzinfo=CST) for m in range(24)]
    rows = checks(engine, run.id)
    assert [c.month for c in rows] == list(range(1, 25))
    assert all(c.status == "paid" and c.days_late == 0 for c in rows)
    # Month 5's proof came on the 12th: its payment followed it, due five days later (the 10th → 15th gap).
    assert [c.payment_due.astimezone(CST).day for c in rows] == [15] * 4 + [17] + [15] * 19
    with engine.sessions() as session:
        row = session.get(ProcessInstance, run.id)
        assert row is not None
        size = len(json.dumps(row.state).encode())
    record_property("state_bytes", size)
    print(f"offboarding state after 24 months: {size / 1024:.1f} KB")
    assert size <= 128 * 1024


def _hold(engine: Engine, holder: str, serial: str, name: str, level: str) -> None:
    """A carrier the register has issued to ``holder`` (issuing has its own tests in tests/records)."""
    with transaction(engine.sessions) as session:
        session.add(Carrier(serial=serial, name=name, level=level, form="paper", department="技术研发部",
                            holder=holder, status=CarrierStatus.ISSUED, created_by="sec01"))


def test_the_handover_list_is_checked_against_the_carrier_register(engine: Engine, clock: FixedClock) -> None:
    """Seed 003 §5.1.3: a carrier the leaver still holds that is not on the list refuses the step by name (a core
    one by its serial only), nothing is saved; the listed ones go back to the store on the carrier ledger."""
    _hold(engine, "eng01", "RCL-HT-2026-014", "风电轴承套圈热处理工艺卡", SecretLevel.CORE)
    _hold(engine, "eng01", "MB-USB-0087", "加密 U 盘（工艺试验数据）", SecretLevel.IMPORTANT)
    _hold(engine, "eng01", "DWG-0999", "齿轮箱装配图", SecretLevel.GENERAL)
    _hold(engine, "eng02", "DWG-0998", "保持架图纸", SecretLevel.GENERAL)
    signed_non_compete(engine, clock)
    run = Run(engine, clock, "offboarding", example("offboarding"), "hr01")
    run.do("exit_interview", "sec01", INTERVIEW)
    run.sign("sign_exit_reminder_employee", "eng01")
    run.sign("sign_exit_reminder_secrecy_office", "sec01")

    usb_only = dict(CARRIERS, items=CARRIERS["items"][1:])          # type: ignore[index]
    with pytest.raises(OperationFailed) as refused:
        run.do("carrier_return", "sec01", usb_only)
    message = str(refused.value)
    assert "王志强（eng01） still holds 2 carrier(s)" in message
    assert "RCL-HT-2026-014（核心秘密）" in message and "风电轴承套圈热处理工艺卡" not in message
    assert "DWG-0999《齿轮箱装配图》（一般秘密）" in message and "MB-USB-0087" not in message
    assert run.names() == ["carrier_return"]                         # refused: the step is still open

    someone_elses = dict(CARRIERS, items=[*CARRIERS["items"],       # type: ignore[list-item]
                                          {"seq": 3, "name": "齿轮箱装配图", "form": "纸质", "level": "general",
                                           "quantity": 1, "serial_number": "DWG-0999"},
                                          {"seq": 4, "name": "保持架图纸", "form": "纸质", "level": "general",
                                           "quantity": 1, "serial_number": "DWG-0998"}])
    with pytest.raises(OperationFailed, match="DWG-0998《保持架图纸》（一般秘密） — 由他人保管"):
        run.do("carrier_return", "sec01", someone_elses)
    with engine.sessions() as session:
        assert session.scalars(select(CarrierMovement)).all() == []  # nothing was saved by either attempt

    complete = dict(someone_elses, items=someone_elses["items"][:3])  # type: ignore[index]
    run.do("carrier_return", "sec01", complete)
    with engine.sessions() as session:
        carriers = {c.serial: c for c in session.scalars(select(Carrier))}
        returns = session.scalars(select(CarrierMovement).order_by(CarrierMovement.id)).all()
    assert {s: (c.status, c.holder) for s, c in carriers.items()} == {
        "RCL-HT-2026-014": ("in_store", None), "MB-USB-0087": ("in_store", None), "DWG-0999": ("in_store", None),
        "DWG-0998": ("issued", "eng02")}
    assert [(m.kind, m.from_user, m.recorded_by, m.confirmed_by) for m in returns] == [
        ("return", "eng01", "sec01", "sec01")] * 3
    assert run.names() == ["sign_carrier_handover_employee"]


def test_leaving_closes_the_account_and_hands_on_open_approvals(engine: Engine, clock: FixedClock) -> None:
    """The department head leaves while a permission review waits for them: at the account step their account,
    API tokens, approvals and posts end; the review waits for a new head (the secrecy office is told) and moves
    to them when appointed. What the leaver still signs is done as their own account."""
    review = engine.start("permission_review", example("permission_review"), actor="sec01")
    review_task = next(t for t in review.tasks if t.name == "review_permissions")
    assert review_task.assignee == "head01"
    now = clock.now()
    with transaction(engine.sessions) as session:
        session.add(ApiToken(user_id="head01", token_sha256="0" * 64, label="HR system", created_at=now))
        session.add(AccessGrant(user_id="head01", target_type="register_item", target_id="1", operation="view",
                                level="important", purpose="评审", status=GrantStatus.APPROVED, requested_at=now,
                                approver="gm01", decided_at=now))
    data = example("offboarding", employee_user="head01", employee_name="钱伟", personnel_level="important",
                   cooldown_applies=False, non_compete_applies=False)
    run = Run(engine, clock, "offboarding", data, "hr01")
    leave(run, "head01")
    check_outcome(engine, run.show())
    with engine.sessions() as session:
        head = session.get(User, "head01")
        assert head is not None and head.status == PersonStatus.LEFT and not may_sign_in(head)
        assert "department_head" not in head.roles
        assert session.scalars(select(ApiToken.revoked_at)).one() is not None
        assert session.scalars(select(AccessGrant.status)).one() == GrantStatus.REVOKED
        assert organisation.department_head(session, "技术研发部") is None
        waiting = session.get(Task, review_task.id)
        assert waiting is not None and waiting.assignee == "head01" and waiting.decider == "department_head"
        told = session.scalars(select(Notification).where(Notification.to_role == "secrecy_office",
                                                          Notification.subject.like("待任命%"))).all()
    assert len(told) == 1 and "技术研发部" in told[0].subject
    check_documents(engine, run.show(), [("exit_reminder", [("company", "system"), ("employee", "head01"),
                                                                      ("secrecy_office", "sec01")]),
                                                   ("carrier_handover", [("company", "system"), ("employee", "head01"),
                                                                         ("secrecy_office", "sec01")])])

    with transaction(engine.sessions) as session:
        organisation.appoint(session, actor="hr01", post=OrgPost.DEPARTMENT_HEAD, user_id="eng02",
                             department="技术研发部", now=clock.now())
    moved = engine.task(review_task.id)
    assert moved.assignee == "eng02" and moved.state == "ready"
    history = engine.show(review.id).history
    assert [(h["action"], h["detail"]["from"], h["detail"]["to"]) for h in history if h["action"] == "reassigned"] \
        == [("reassigned", "head01", "eng02")]
    engine.complete(review_task.id, actor="eng02", data={"permission_decision": "keep",
                                                         "permission_note": "权限与岗位相符。"})
    assert engine.task(review_task.id).completed_by == "eng02"


# -- the money (appendix 6 art. 2 and 4): read from the signed agreement, each payment checked against it --------


def test_the_start_must_agree_with_the_signed_non_compete(engine: Engine, clock: FixedClock) -> None:
    """Whether a non-compete binds the leaver is what mibao holds signed, not what HR ticks; its days and
    duration are not part of the start data at all."""
    with pytest.raises(FormDataError, match=r"no non-compete agreement signed by 王志强 \(eng01\)"):
        engine.start("offboarding", example("offboarding"), actor="hr01")
    with pytest.raises(FormDataError, match="payment_day"):
        engine.start("offboarding", example("offboarding", payment_day=28), actor="hr01")
    document = signed_non_compete(engine, clock)
    with pytest.raises(FormDataError, match=f"signed the non-compete agreement {document}"):
        engine.start("offboarding", example("offboarding", non_compete_applies=False), actor="hr01")
    with engine.sessions() as session:
        assert session.scalars(select(ProcessInstance)).all() == []


def test_terms_dates_and_amount_come_from_the_signed_agreement(engine: Engine, clock: FixedClock) -> None:
    """Signed with proof by the 5th, payment by the 20th, 18 months, 40 % of 20,000: the exit reminder, the
    checks and the agreed amount follow the agreement; below the minimum wage the minimum wage is due."""
    document = signed_non_compete(engine, clock, proof_due_day=5, payment_day=20, duration_months=18,
                                  average_monthly_wage="20000.00", compensation_ratio_percent=40)
    run = Run(engine, clock, "offboarding", example("offboarding", cooldown_applies=False), "hr01")
    terms = run.show().data["non_compete"]
    assert terms["document_id"] == document and terms["monthly_amount"] == "8000.00"
    assert (terms["duration_months"], terms["proof_due_day"], terms["payment_day"]) == (18, 5, 20)
    leave(run)
    run.tick(dt.datetime(2026, 12, 1, 0, 1, tzinfo=CST))
    assert run.task("submit_proof", "eng01").due_at == dt.datetime(2026, 12, 5, 23, tzinfo=CST)
    [month] = checks(engine, run.id)
    assert month.agreed_fen == 800000 and month.payment_due == dt.datetime(2026, 12, 20, 23, tzinfo=CST)
    assert run.show().data["check"]["escalate_at"] == "2027-01-20T09:00:00+08:00"   # 30 days late, then the next day

    low = signed_non_compete(engine, clock, user="eng02", average_monthly_wage="5000.00")
    data = example("offboarding", employee_user="eng02", employee_name="李娜", cooldown_applies=False)
    other = Run(engine, clock, "offboarding", data, "hr01").show().data["non_compete"]
    assert other["document_id"] == low and other["monthly_amount"] == "2010.00"   # 1,500 < the minimum wage


def test_payments_are_checked_and_lateness_escalated_with_the_termination_right(engine: Engine,
                                                                                clock: FixedClock) -> None:
    signed_non_compete(engine, clock, duration_months=3)
    run = Run(engine, clock, "offboarding", example("offboarding", cooldown_applies=False), "hr01")
    leave(run)
    month1 = dt.datetime(2026, 12, 1, tzinfo=CST)
    open_month(run, month1)
    clock.set(month1.replace(day=8))
    run.do("submit_proof", "eng01", PROOF)
    assert run.task("record_payment", "hr01").due_at == dt.datetime(2026, 12, 15, 23, tzinfo=CST)
    with pytest.raises(OperationFailed, match="paid_on: 2026-12-09 is after today"):
        run.do("record_payment", "hr01", payment(dt.date(2026, 12, 9)))
    with pytest.raises(FormDataError, match="payment_amount"):
        run.do("record_payment", "hr01", dict(payment(dt.date(2026, 12, 8)), payment_amount=0))
    assert run.names() == ["record_payment"] and checks(engine, run.id)[0].paid_fen is None   # nothing kept
    run.do("record_payment", "hr01", dict(payment(dt.date(2026, 12, 8)), payment_amount=4000.0))
    short = [n for n in run.notifications() if "少付" in n.subject]
    assert sorted(n.to_role or "" for n in short) == ["hr", "secrecy_office"]
    assert short[0].subject == "王志强：第 1 个月竞业限制补偿少付 278.00 元"
    assert "约定每月补偿 4278.00 元" in (short[0].body or "")

    # Month 2 is not paid: 30 days after the 15th nothing happens, the day after HR and the office are told.
    month2 = dt.datetime(2027, 1, 1, tzinfo=CST)
    open_month(run, month2)
    clock.set(month2.replace(day=9))
    run.do("submit_proof", "eng01", PROOF)
    run.tick(dt.datetime(2027, 2, 14, 23, 59, tzinfo=CST))
    assert not [n for n in run.notifications() if "逾期" in n.subject]
    run.tick(dt.datetime(2027, 2, 15, 9, 1, tzinfo=CST))
    late = [n for n in run.notifications() if "逾期" in n.subject]
    assert sorted(n.to_role or "" for n in late) == ["hr", "secrecy_office"]
    assert late[0].subject == "王志强：第 2 个月竞业限制补偿逾期超过 30 日，王志强有权解除协议"
    assert "乙方有权解除本协议，不再承担竞业限制义务" in (late[0].body or "") and "已逾期 31 日" in (late[0].body or "")
    assert checks(engine, run.id)[-1].escalated_at is not None
    assert run.names() == ["record_payment"]                          # the payment is still owed and recorded
    clock.set(dt.datetime(2027, 2, 16, 10, tzinfo=CST))
    view = pay(run, dt.date(2027, 2, 16))
    assert view.data["payment"] == {"month": 2, "paid": "4278.00", "short_by": "0.00", "days_late": 32,
                                    "termination_right": True}
    assert len([n for n in run.notifications() if "逾期" in n.subject]) == 2    # told once, not again
    assert [(c.month, c.paid_fen, c.days_late) for c in checks(engine, run.id)] == [
        (1, 400000, 0), (2, 427800, 32), (3, None, None)]                # month 3 scheduled, not yet open
    assert view.data["compensation_paid"] == "8278.00" and view.data["penalty_base"] == "41390.00"
