"""A reminder goes out once before a task's due time."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from records.db import transaction
from records.models import Notification, Task
from web.mailer import send_reminders
from web.state import WebState
from workflows import BPMN_DIR, FixedClock


def test_one_reminder_before_the_due_time(web: WebState, clock: FixedClock) -> None:
    data = json.loads((BPMN_DIR / "examples" / "permission_review.json").read_text(encoding="utf-8"))
    view = web.engine.start("permission_review", data, actor="hr01")
    task_id = next(t.id for t in view.tasks if t.state == "ready")
    with transaction(web.sessions) as session:
        task = session.get(Task, task_id)
        assert task is not None
        task.due_at = clock.now() + dt.timedelta(days=5)
    assert send_reminders(web, clock.now()) == 0                       # not yet: due in five days
    later = clock.now() + dt.timedelta(days=4)
    assert send_reminders(web, later) == 1
    assert send_reminders(web, later + dt.timedelta(hours=1)) == 0     # only once
    with web.sessions() as session:
        reminders = session.scalars(select(Notification).where(Notification.subject.like("提醒%"))).all()
    assert [r.to_user for r in reminders] == ["head01"]
    assert "请在" in (reminders[0].body or "")
