"""涉密权限定期核查: the department head reviews every six months (timer via ``engine.tick``) until revocation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from records.models import Revocation
from tests.bpmn.driver import CST, Run, check_documents, check_outcome, example
from workflows import Engine, FixedClock


def test_keep_reduce_then_revoke(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "permission_review", example("permission_review"), "sec01")
    run.do("review_permissions", "head01", {"permission_decision": "keep", "permission_note": "权限与岗位相符。"})
    view = run.show()
    in_six = dt.datetime(2027, 5, 21, 9, 0, tzinfo=CST)
    assert view.status == "waiting" and view.next_timer_at == in_six
    assert run.tick(in_six - dt.timedelta(days=1)).status == "waiting"
    run.tick(in_six + dt.timedelta(minutes=1))
    run.do("review_permissions", "head01", {"permission_decision": "reduce",
                                            "permission_note": "项目结题，收回 PLM 热处理项目写权限。"})
    run.do("adjust_permissions", "sec01")
    in_twelve = dt.datetime(2027, 11, 21, 9, 0, tzinfo=CST)
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
    assert [n.subject for n in run.notifications()] == ["王志强：涉密权限已全部回收"]
