"""涉密权限定期核查: the department head reviews every six months (timer via ``engine.tick``) until revocation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from records import organisation
from records.db import transaction
from records.models import Notification, OrgPost, ProcessInstance, Revocation
from tests.bpmn.driver import CST, Run, check_documents, check_outcome, example
from workflows import Engine, FixedClock, FormDataError, OperationFailed


def test_keep_reduce_then_revoke(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "permission_review", example("permission_review"), "sec01")
    run.do("review_permissions", "head01", {"permission_decision": "keep", "permission_note": "权限与岗位相符。"})
    view = run.show()
    in_six = dt.datetime(2027, 5, 21, 9, 0, tzinfo=CST)
    assert view.status == "waiting" and view.next_timer_at == in_six
    assert run.tick(in_six - dt.timedelta(days=1)).status == "waiting"
    run.tick(in_six + dt.timedelta(minutes=1))
    # Each review is due a month after it opens; late, the secrecy office is told once (§5.1.2 schedules).
    assert run.task("review_permissions").due_at == in_six.replace(month=6)
    assert run.notifications() == []
    run.tick(in_six.replace(month=6) + dt.timedelta(minutes=1))
    run.tick(in_six.replace(month=6) + dt.timedelta(days=2))
    assert [(n.to_role, n.subject) for n in run.notifications()] == [
        ("secrecy_office", "王志强：涉密权限定期核查逾期未完成")]
    run.do("review_permissions", "head01", {"permission_decision": "reduce",
                                            "permission_note": "项目结题，收回 PLM 热处理项目写权限。"})
    run.do("adjust_permissions", "sec01")
    in_twelve = dt.datetime(2027, 12, 23, 9, 0, tzinfo=CST)           # six months after the (late) review
    assert run.show().next_timer_at == in_twelve
    run.tick(in_twelve + dt.timedelta(minutes=1))
    view = run.do("review_permissions", "head01", {"permission_decision": "revoke",
                                                   "permission_note": "调岗至销售部，全部回收。"})
    check_outcome(engine, view)
    with engine.sessions() as session:
        systems = sorted(r.system for r in session.scalars(select(Revocation).where(Revocation.instance_id == run.id)))
    assert systems == ["accounts", "door", "files"]
    reviews = [h for h in view.history if h["action"] == "completed" and h["title"] == "核查涉密人员访问权限"]
    assert [h["detail"]["data"]["permission_decision"] for h in reviews] == ["keep", "reduce", "revoke"]
    check_documents(engine, view, [])
    assert [n.subject for n in run.notifications()] == ["王志强：涉密权限定期核查逾期未完成",
                                                        "王志强：涉密权限已全部回收"]


def test_the_reviewer_is_the_head_of_the_persons_own_department(engine: Engine, clock: FixedClock) -> None:
    """Issue 10: the department comes from the organisation. A typed department that is not the person's is
    refused (it would send the review to another department's head); nothing is started."""
    with pytest.raises(FormDataError) as refused:
        engine.start("permission_review", example("permission_review", department="生产部"), actor="sec01")
    assert refused.value.problems == [
        "department: eng01 is '技术研发部' in the organisation, not '生产部' — correct it or update the organisation "
        "first"]
    with pytest.raises(FormDataError, match="employee_user"):
        data = example("permission_review")
        data.pop("employee_user")
        engine.start("permission_review", data, actor="sec01")
    with engine.sessions() as session:
        assert session.scalars(select(ProcessInstance)).all() == []
    view = engine.start("permission_review", example("permission_review"), actor="sec01")
    assert [t.assignee for t in view.tasks] == ["head01"]


@pytest.mark.parametrize(("process_id", "field", "who", "office"), [
    ("log_review", "reviewer_user", "hr01", "secrecy office"),
    ("onboarding", "hr_user", "eng02", "hr"),
    ("log_review", "reviewer_user", "nobody", None),
])
def test_an_office_task_goes_only_to_someone_in_that_office(engine: Engine, process_id: str, field: str, who: str,
                                                            office: str | None) -> None:
    """A start-data name assigns an office's task (the weekly log reviewer, HR's clerk) only to someone who works
    there; anyone else, or a name nobody has, is refused and nothing is started."""
    with pytest.raises(OperationFailed) as refused:
        engine.start(process_id, example(process_id, **{field: who}), actor="sec01" if office != "hr" else "hr01")
    message = str(refused.value)
    assert message.startswith(f"{field}: ")
    assert (f"does not work in {office}" in message) if office else ("there is no person 'nobody'" in message)
    with engine.sessions() as session:
        assert session.scalars(select(ProcessInstance)).all() == []


def test_a_new_head_takes_over_the_review_of_the_one_replaced(engine: Engine, clock: FixedClock) -> None:
    """Appointing a new head ends the old one's term and hands the open review straight to the new head; the post
    was never empty, so the secrecy office is not asked to appoint anyone."""
    view = engine.start("permission_review", example("permission_review"), actor="sec01")
    (task,) = view.tasks
    with transaction(engine.sessions) as session:
        organisation.appoint(session, actor="hr01", post=OrgPost.DEPARTMENT_HEAD, user_id="eng02",
                             department="技术研发部", now=clock.now())
    assert engine.task(task.id).assignee == "eng02"
    with engine.sessions() as session:
        assert session.scalars(select(Notification).where(Notification.subject.like("待任命%"))).all() == []
