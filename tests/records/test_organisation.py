"""The organisation: posts with history, the committee's rules, and the one-file import (checked whole, then
written whole) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from records import organisation
from records.db import make_session_factory, transaction
from records.demo_org import ensure_demo
from records.models import Appointment, AuditRecord, OrgChange, OrgPost, PersonStatus, User
from records.org_import import import_people
from tests.db import BACKENDS, database

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
HEADER = "id,name,department,post,personnel_level,status,roles,email,identifier,head,liaison,committee\n"


@pytest.fixture(params=BACKENDS)
def org(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database(str(request.param), tmp_path) as engine:
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            ensure_demo(session, NOW)
        yield factory


def company(n: int) -> str:
    """A company of ``n`` people in 20 departments, each with a head and a liaison, a committee of 7."""
    rows = [HEADER, "gm,总经理,总经理办公室,总经理,core,,general_manager;employee,gm@example.cn,E0,yes,,chair\n"]
    for i in range(1, n):
        dept = f"部门{i % 20:02d}"
        head = "yes" if i <= 20 and i % 20 != 0 else ""
        liaison = "yes" if 20 < i <= 40 else ""
        committee = "member" if 40 < i <= 46 else ""
        rows.append(f"p{i:05d},员工{i},{dept},工程师,{('core', 'important', 'general')[i % 3]},,employee,"
                    f"p{i}@example.cn,E{i},{head},{liaison},{committee}\n")
    return "".join(rows)


def test_a_new_head_ends_the_old_ones_term_and_both_stay_in_the_history(org: sessionmaker[Session]) -> None:
    later = NOW + dt.timedelta(days=30)
    with transaction(org) as session:
        organisation.appoint(session, actor="hr01", post=OrgPost.DEPARTMENT_HEAD, user_id="eng02",
                             department="技术研发部", now=later)
    with org() as session:
        assert organisation.department_head(session, "技术研发部").id == "eng02"
        terms = session.scalars(select(Appointment).where(Appointment.post == OrgPost.DEPARTMENT_HEAD,
                                                          Appointment.department == "技术研发部")
                                .order_by(Appointment.id)).all()
        assert [(a.user_id, a.ends_at, a.ended_by) for a in terms] == [("head01", later, "hr01"), ("eng02", None, None)]
        # The roles follow the posts: the old head no longer sees department-head pages.
        assert "department_head" not in session.get(User, "head01").roles
        assert "department_head" in session.get(User, "eng02").roles
        actions = [c.action for c in session.scalars(select(OrgChange).where(OrgChange.at == later))]
        assert actions == ["dismiss", "appoint"]
        audited = session.scalars(select(AuditRecord.action).where(AuditRecord.at == later)).all()
        assert audited == ["org_dismiss", "org_appoint"]


def test_committee_settings_have_the_seeds_defaults_and_are_checked(org: sessionmaker[Session]) -> None:
    with org() as session:
        body = organisation.committee(session)
        assert (body.chair.id, [u.id for u in body.members]) == ("gm01", ["gm01", "cm02", "cm03"])
        assert (body.quorum, body.majority) == (2 / 3, 0.5)
    with transaction(org) as session, pytest.raises(organisation.OrganisationError, match="more than 0, at most 1"):
        organisation.set_setting(session, actor="sec01", key="committee.quorum", value=1.5, now=NOW)


def test_leaving_ends_every_post(org: sessionmaker[Session]) -> None:
    with transaction(org) as session:
        organisation.set_status(session, actor="hr01", user_id="liaison01", status=PersonStatus.LEFT, now=NOW)
    with org() as session:
        assert organisation.liaisons(session, "技术研发部") == []
        with pytest.raises(organisation.OrganisationError, match="there is no liaison of 技术研发部"):
            organisation.decider(session, OrgPost.LIAISON, "技术研发部")


def test_importing_a_company_writes_people_departments_and_posts(org: sessionmaker[Session]) -> None:
    with transaction(org) as session:
        report = import_people(session, company(2000), actor="hr01", now=NOW)
    assert report.ok, report.rows[:3]
    assert report.counts() == {"added": 2000}
    with org() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 2000 + 11
        assert organisation.department_head(session, "部门07").id == "p00007"
        assert [u.id for u in organisation.liaisons(session, "部门07")] == ["p00027"]
        body = organisation.committee(session)
        assert body.chair.id == "gm" and len(body.members) == 7
        # The file is the organisation's posts: the demo's heads, liaison and committee ended.
        assert organisation.department_head(session, "技术研发部") is None
    assert report.posts_ended == 6


@pytest.mark.parametrize(("row", "reason"), [
    ("x1,某人,,,,,,,,,,\n", "department is empty"),
    ("x1,某人,生产部,,secret,,,,,,,\n", "personnel_level 'secret'"),
    ("x1,某人,生产部,,,,hr;department_head,,,,,\n", "heads, liaisons and the committee come from"),
    ("x1,某人,生产部,,,,,,,,,chair\n", "the committee's chair is the general manager"),
    ("x1,某人,生产部,,,left,,,,yes,,\n", "a person who is left holds no post"),
    ("x1,某人,生产部,,,,,not-an-address,,,,\n", "is not an address"),
    ("p00003,某人,生产部,,,,,,,,,\n", "id p00003 is also on line 5"),
    ("x1,某人,部门03,,,,,,,yes,,\n", "部门03 already has a head on line 5"),
])
def test_one_bad_row_is_named_and_nothing_is_imported(org: sessionmaker[Session], row: str, reason: str) -> None:
    text = company(30) + row
    with transaction(org) as session:
        report = import_people(session, text, actor="hr01", now=NOW)
    assert not report.ok
    [bad] = [r for r in report.rows if r.outcome == "error"]
    assert bad.line == 32 and reason in bad.reason, bad
    with org() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 11
        assert organisation.department_head(session, "技术研发部").id == "head01"


def test_a_file_that_is_not_the_expected_csv_is_refused_whole(org: sessionmaker[Session]) -> None:
    with transaction(org) as session:
        report = import_people(session, "name;department\n张三;生产部\n", actor="hr01", now=NOW)
    assert not report.ok and "the header lacks id" in report.problems[0]
