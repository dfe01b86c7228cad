"""The directory's people kept in step here, on SQLite and PostgreSQL, against a real OpenLDAP server: a sync
creates them with their roles and department, changes nothing the second time, follows a changed entry, a moved
one and a changed group, and marks a deleted one as left (their sign-ins end). Local accounts are never touched,
and the sign-in path (sign_in_person) writes the same account the sync would."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from records import organisation, sign_ins
from records.audit import verify_chain
from records.db import transaction
from records.directory import (
    DirectorySettings,
    DirectoryUnavailable,
    EntryRefused,
    SyncReport,
    authenticate,
    sign_in_person,
    sync,
)
from records.models import Department, IdentitySource, OrgChange, OrgPost, PersonStatus, SignIn, User
from records.people import Person, ensure_people, may_sign_in
from tests.identity.conftest import GROUPS, PASSWORDS, PEOPLE, Slapd

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=1)
EVERYONE = ["chenjh", "lina", "wangzq", "zhangwei", "zhouming"]


def run_sync(sessions: sessionmaker[Session], settings: DirectorySettings, now: dt.datetime = NOW) -> SyncReport:
    with transaction(sessions) as session:
        return sync(session, settings, actor="hr01", now=now)


def people(sessions: sessionmaker[Session]) -> dict[str, User]:
    with sessions() as session:
        return {u.id: u for u in session.scalars(select(User))}


def test_a_sync_creates_the_people_with_their_roles_and_departments(sessions: sessionmaker[Session],
                                                                     settings: DirectorySettings) -> None:
    report = run_sync(sessions, settings)
    assert (sorted(report.created), report.updated, report.disabled, report.errors) == (EVERYONE, [], [], [])
    found = people(sessions)
    zhang = found["zhangwei"]
    assert (zhang.name, zhang.email, zhang.department, zhang.identifier, zhang.roles) == (
        "张伟", "zhangwei@example.com", "人力资源部", "E0101", ["hr", "secrecy_office"])
    assert (zhang.identity_source, zhang.external_id) == (IdentitySource.LDAP, f"uid=zhangwei,{PEOPLE}")
    assert (zhang.status, zhang.password_hash, zhang.created_at) == (PersonStatus.ACTIVE, None, NOW)
    assert found["zhouming"].roles == ["secrecy_office"]
    assert found["chenjh"].roles == ["employee"]               # the committee group is not a role: posts are
    assert (found["wangzq"].name, found["lina"].email) == ("王志强（工艺）", None)
    with sessions() as session:
        departments = set(session.scalars(select(Department.name)))
        assert departments == {"人力资源部", "保密管理部", "总经理办公室", "技术研发部"}
        actions = list(session.scalars(select(OrgChange.action).where(OrgChange.subject == "zhangwei")))
        assert actions == ["person_added"]
        assert session.scalars(select(OrgChange.action).order_by(OrgChange.id.desc())).first() == "directory_sync"
        assert verify_chain(session, []).ok


def test_a_second_sync_changes_nothing(sessions: sessionmaker[Session], settings: DirectorySettings) -> None:
    run_sync(sessions, settings)
    with sessions() as session:
        changes = len(session.scalars(select(OrgChange)).all())
    again = run_sync(sessions, settings, LATER)
    assert again.counts() == {"created": 0, "updated": 0, "disabled": 0, "unchanged": 5, "errors": 0}
    with sessions() as session:       # only the sync's own summary was added
        assert len(session.scalars(select(OrgChange)).all()) == changes + 1


def test_a_changed_entry_and_group_update_the_person_and_keep_what_the_directory_does_not_manage(
        sessions: sessionmaker[Session], settings: DirectorySettings, directory: Slapd) -> None:
    run_sync(sessions, settings)
    with transaction(sessions) as session:       # HR's own changes here: a role and a post the directory knows not
        zhang = session.get(User, "zhangwei")
        assert zhang is not None
        zhang.roles, zhang.personnel_level, zhang.post = [*zhang.roles, "general_manager"], "important", "人事专员"
        organisation.appoint(session, actor="hr01", post=OrgPost.COMMITTEE_MEMBER, user_id="zhangwei", now=NOW)
    with directory.admin() as admin:
        admin.modify(f"uid=zhangwei,{PEOPLE}", {"mail": [("MODIFY_REPLACE", ["wei.zhang@example.com"])],
                                                "ou": [("MODIFY_REPLACE", ["保密管理部"])]})
        admin.modify(f"cn=secrecy,{GROUPS}", {"member": [("MODIFY_DELETE", [f"uid=zhangwei,{PEOPLE}"])]})
        admin.modify(f"cn=hr,{GROUPS}", {"member": [("MODIFY_ADD", [f"uid=lina,{PEOPLE}"])]})
    report = run_sync(sessions, settings, LATER)
    assert (sorted(report.updated), report.created, report.disabled) == (["lina", "zhangwei"], [], [])
    zhang = people(sessions)["zhangwei"]
    assert (zhang.email, zhang.department) == ("wei.zhang@example.com", "保密管理部")
    # secrecy_office went with the group; general_manager and the post's committee role are not the directory's.
    assert sorted(zhang.roles) == ["committee", "general_manager", "hr"]
    assert (zhang.personnel_level, zhang.post) == ("important", "人事专员")
    assert people(sessions)["lina"].roles == ["employee", "hr"]
    with sessions() as session:
        change = session.scalars(select(OrgChange).where(OrgChange.action == "person_updated",
                                                         OrgChange.subject == "zhangwei")).one()
        assert change.detail["changes"]["email"] == ["zhangwei@example.com", "wei.zhang@example.com"]
        assert verify_chain(session, []).ok
    assert run_sync(sessions, settings, LATER).counts()["unchanged"] == 5


def test_a_moved_entry_is_the_same_person(sessions: sessionmaker[Session], settings: DirectorySettings,
                                          directory: Slapd) -> None:
    run_sync(sessions, settings)
    with directory.admin() as admin:
        admin.add(f"ou=rd,{PEOPLE}", ["organizationalUnit"], {"ou": "rd"})
        assert admin.modify_dn(f"uid=wangzq,{PEOPLE}", "uid=wangzq", new_superior=f"ou=rd,{PEOPLE}")
    report = run_sync(sessions, settings, LATER)
    assert (report.updated, report.disabled, report.created) == (["wangzq"], [], [])
    assert people(sessions)["wangzq"].external_id == f"uid=wangzq,ou=rd,{PEOPLE}"


def test_a_deleted_entry_is_marked_left_and_their_sign_ins_end(sessions: sessionmaker[Session],
                                                               settings: DirectorySettings, directory: Slapd) -> None:
    run_sync(sessions, settings)
    with transaction(sessions) as session:
        lina = session.get(User, "lina")
        assert lina is not None
        sign_ins.begin(session, lina, now=NOW, limits=sign_ins.Limits())
    with directory.admin() as admin:
        admin.modify(f"cn=hr,{GROUPS}", {"member": [("MODIFY_ADD", [f"uid=lina,{PEOPLE}"])]})
        admin.delete(f"uid=lina,{PEOPLE}")
    report = run_sync(sessions, settings, LATER)
    assert (report.disabled, report.updated, report.errors) == (["lina"], [], [])
    lina = people(sessions)["lina"]
    assert lina.status == PersonStatus.LEFT and not may_sign_in(lina)
    with sessions() as session:
        ended = session.scalars(select(SignIn).where(SignIn.user_id == "lina")).one()
        assert (ended.ended_at, ended.ended_reason) == (LATER, "account_disabled")
        assert session.scalars(select(OrgChange.detail).where(OrgChange.action == "status")).one() == {
            "from": "active", "to": "left"}
    assert run_sync(sessions, settings, LATER).counts()["disabled"] == 0      # once is enough


def test_someone_who_left_is_not_brought_back_by_the_directory(sessions: sessionmaker[Session],
                                                               settings: DirectorySettings) -> None:
    run_sync(sessions, settings)
    with transaction(sessions) as session:          # offboarding, before the directory account is disabled
        organisation.set_status(session, actor="hr01", user_id="wangzq", status=PersonStatus.LEFT, now=NOW)
    report = run_sync(sessions, settings, LATER)
    assert [(p.entry, "has left" in p.reason) for p in report.errors] == [(f"uid=wangzq,{PEOPLE}", True)]
    assert people(sessions)["wangzq"].status == PersonStatus.LEFT


def test_local_accounts_are_never_touched(sessions: sessionmaker[Session], settings: DirectorySettings) -> None:
    with transaction(sessions) as session:
        ensure_people(session, [Person("hr01", "刘芳", ("hr",), "人力资源部"),
                                Person("lina", "李娜（本地）", ("employee",))])
        session.get(User, "lina").password_hash = "argon2-hash-of-a-local-password"    # type: ignore[union-attr]
    report = run_sync(sessions, settings)
    assert [(p.entry, p.reason.split(",")[0]) for p in report.errors] == [
        (f"uid=lina,{PEOPLE}", "the user name 'lina' is a local account here")]
    assert sorted(report.created) == ["chenjh", "wangzq", "zhangwei", "zhouming"]
    found = people(sessions)
    for local in ("hr01", "lina"):
        assert (found[local].identity_source, found[local].external_id, found[local].status) == (
            None, None, PersonStatus.ACTIVE)
    assert (found["lina"].name, found["lina"].password_hash) == ("李娜（本地）", "argon2-hash-of-a-local-password")


def test_an_empty_listing_disables_nobody(sessions: sessionmaker[Session], settings: DirectorySettings,
                                          directory: Slapd) -> None:
    run_sync(sessions, settings)
    with directory.admin() as admin:
        admin.add("ou=empty,dc=example,dc=com", ["organizationalUnit"], {"ou": "empty"})
    wrong_base = dataclasses.replace(settings, user_base="ou=empty,dc=example,dc=com")
    with pytest.raises(DirectoryUnavailable, match="lists nobody"), transaction(sessions) as session:
        sync(session, wrong_base, actor="hr01", now=LATER)
    assert {u.status for u in people(sessions).values()} == {PersonStatus.ACTIVE}


def test_a_directory_that_is_down_changes_nothing(sessions: sessionmaker[Session], settings: DirectorySettings) -> None:
    down = dataclasses.replace(settings, url="ldap://127.0.0.1:1")
    with pytest.raises(DirectoryUnavailable, match="MIBAO_LDAP_URL"), transaction(sessions) as session:
        sync(session, down, actor="hr01", now=NOW)
    assert people(sessions) == {}


def test_sign_in_makes_and_updates_the_same_account_as_the_sync(sessions: sessionmaker[Session],
                                                                settings: DirectorySettings, directory: Slapd) -> None:
    person = authenticate(settings, "zhouming", PASSWORDS["zhouming"])
    assert person is not None
    with transaction(sessions) as session:
        user = sign_in_person(session, settings, person, NOW)
        assert (user.id, user.roles, user.department, user.identity_source) == (
            "zhouming", ["secrecy_office"], "保密管理部", IdentitySource.LDAP)
    with sessions() as session:
        assert session.scalars(select(OrgChange.actor).where(OrgChange.action == "person_added")).one() == "directory"
    with directory.admin() as admin:
        admin.modify(f"uid=zhouming,{PEOPLE}", {"cn": [("MODIFY_REPLACE", ["周明明"])]})
    again = authenticate(settings, "zhouming", PASSWORDS["zhouming"])
    assert again is not None
    with transaction(sessions) as session:
        assert sign_in_person(session, settings, again, LATER).name == "周明明"
    # The sync finds the account the sign-in made, and has nothing to change in it.
    report = run_sync(sessions, settings, LATER)
    assert ("zhouming" in report.unchanged, "zhouming" in report.created) == (True, False)


def test_sign_in_never_takes_over_a_local_account_and_never_brings_back_a_leaver(
        sessions: sessionmaker[Session], settings: DirectorySettings) -> None:
    with transaction(sessions) as session:
        ensure_people(session, [Person("lina", "李娜", ("employee",))])
    person = authenticate(settings, "lina", PASSWORDS["lina"])
    assert person is not None
    with pytest.raises(EntryRefused, match="local account"), transaction(sessions) as session:
        sign_in_person(session, settings, person, NOW)
    chen = authenticate(settings, "chenjh", PASSWORDS["chenjh"])
    assert chen is not None
    with transaction(sessions) as session:
        sign_in_person(session, settings, chen, NOW)
        organisation.set_status(session, actor="hr01", user_id="chenjh", status=PersonStatus.LEFT, now=NOW)
    with transaction(sessions) as session:
        user = sign_in_person(session, settings, chen, LATER)
        assert user.status == PersonStatus.LEFT and not may_sign_in(user)
