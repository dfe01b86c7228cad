"""The annual pledge from the roster (seed 003 §5.1.2; issue 12 item 4): from 1 January every secret-involved
person's pledge is launched by the duty round, once a year, as a bulk launch HR can follow; who has and has not
signed is shown by department."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from records.db import transaction
from records.models import LaunchBatch, PersonStatus, ProcessInstance, User
from workflows import Engine, FixedClock
from workflows.clock import SHANGHAI
from workflows.launch import progress
from workflows.schedules import launch_annual_pledges, pledge_coverage

NEW_YEAR = dt.datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI)


def _involved(engine: Engine) -> list[str]:
    with engine.sessions() as session:
        return list(session.scalars(select(User.id).where(User.personnel_level.is_not(None),
                                                          User.status == PersonStatus.ACTIVE).order_by(User.id)))


def test_the_years_pledges_come_from_the_roster_once(composed: Engine, clock: FixedClock) -> None:
    engine = composed
    clock.set(NEW_YEAR)
    involved = _involved(engine)
    assert involved                                             # the demo organisation has secret-involved people
    batch_id = launch_annual_pledges(engine, clock.now())
    assert batch_id is not None
    with engine.sessions() as session:
        batch = progress(session, batch_id)
        launched = set(session.scalars(select(ProcessInstance.subject_user)
                                       .where(ProcessInstance.process_id == "annual_pledge")))
        started_by = session.scalar(select(LaunchBatch.started_by).where(LaunchBatch.id == batch_id))
    assert batch is not None and batch.total == len(involved) and started_by == "scheduler"
    assert launched == set(involved) and (batch.started, batch.failures) == (len(involved), [])
    # The next round (and the next node's) finds nobody due: nobody is launched twice in a year.
    clock.set(NEW_YEAR + dt.timedelta(hours=1))
    assert launch_annual_pledges(engine, clock.now()) is None
    # Someone who becomes secret-involved in March gets theirs on the next round, alone.
    with transaction(engine.sessions) as session:
        person = session.scalars(select(User).where(User.personnel_level.is_(None),
                                                    User.status == PersonStatus.ACTIVE)).first()
        assert person is not None
        person.personnel_level, person.post, person_id = "general", person.post or "质检员", person.id
    clock.set(dt.datetime(2027, 3, 2, 9, tzinfo=SHANGHAI))
    later = launch_annual_pledges(engine, clock.now())
    assert later is not None
    with engine.sessions() as session:
        late = progress(session, later)
        assert late is not None and (late.total, late.started) == (1, 1), late.failures
        count = session.scalar(select(func.count()).select_from(ProcessInstance)
                               .where(ProcessInstance.subject_user == person_id))
    assert count == 1


def test_coverage_by_department(composed: Engine, clock: FixedClock) -> None:
    engine = composed
    clock.set(NEW_YEAR)
    with engine.sessions() as session:
        before = pledge_coverage(session, 2027)
    assert before and all(not c.signed and not c.pending for c in before)
    assert sum(c.total for c in before) == len(_involved(engine))
    launch_annual_pledges(engine, clock.now())
    with engine.sessions() as session:
        after = pledge_coverage(session, 2027)
        last_year = pledge_coverage(session, 2026)
    assert sum(len(c.pending) for c in after) >= 1 and not any(c.signed for c in after)
    assert all(not c.pending for c in last_year)                      # 2027's launches are not 2026's
