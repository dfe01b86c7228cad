"""The need-to-know matrix: every role × every level × every operation × every kind of record, on SQLite and
PostgreSQL, through ``records.access_grants.authorize`` (the one place every page, download, list and API call
asks). Each cell's outcome is asserted against the table below, written from seed 003 §4.2 rather than from the
code, and each cell must leave exactly one audit record with its result: every denial is logged.

The approvals that open what standing authority does not (GM per access for core, the department head for
important) have their own tests below the matrix.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from records.access_grants import (
    AccessRequestError,
    AlreadyDecided,
    NotTheApprover,
    authorize,
    decide_request,
    request_access,
    resource_of_carrier,
    resource_of_document,
    resource_of_item,
)
from records.db import make_session_factory, transaction
from records.models import AccessGrant, AuditRecord, Carrier, Document, ItemStatus, PersonStatus, SecretItem, User
from records.need_to_know import KINDS, LEVELS, OPERATIONS, Decision, Resource
from tests.db import BACKENDS, database
from tests.race import all_at_once

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
DEPT = "技术研发部"
# One account per kind of person the rule tells apart. "party" is the person an agreement is about.
SUBJECTS = {
    "party": User(id="party", name="王志强", roles=["employee"], department="生产部"),
    "employee_same_dept": User(id="emp_in", name="李娜", roles=["employee"], department=DEPT),
    "employee_other_dept": User(id="emp_out", name="赵六", roles=["employee"], department="销售部"),
    "knower_by_post": User(id="knower", name="钱七", roles=["employee"], department="生产部", post="工艺工程师"),
    "liaison_same_dept": User(id="liaison", name="孙丽", roles=["liaison"], department=DEPT),
    "head_same_dept": User(id="head_in", name="钱伟", roles=["department_head"], department=DEPT),
    "head_other_dept": User(id="head_out", name="冯刚", roles=["department_head"], department="销售部"),
    "hr": User(id="hr", name="刘芳", roles=["hr"], department="人力资源部"),
    "secrecy_office": User(id="sec", name="周明", roles=["secrecy_office"], department="保密管理部"),
    "committee": User(id="cm", name="吴强", roles=["committee"], department="生产部"),
    "general_manager": User(id="gm", name="陈建华", roles=["general_manager", "committee"], department="总经理办公室"),
    "external": User(id="visitor", name="访客", roles=["external"], department=None),
    # Left, with the roles and post of a secrecy officer and head still on the account: none of it counts.
    "left": User(id="left", name="郑离", roles=["secrecy_office", "department_head"], department=DEPT,
                 post="工艺工程师", status=PersonStatus.LEFT),
}
READ = {"view", "download", "print", "copy"}
EVERYONE = set(SUBJECTS)


def expected(subject: str, kind: str, level: str, operation: str) -> bool:
    """The rule as the seeds state it (see records/need_to_know.py's docstring)."""
    if subject == "left":
        return False                             # nothing of theirs here: left means left
    if operation in READ:
        if subject == "general_manager":
            return True
        if kind == "document" and subject == "party" and operation != "copy":
            return True                          # one's own agreement
        if level == "core":
            return False                         # GM approval per access
        keepers = {"document": {"hr", "secrecy_office"}, "register_item": {"secrecy_office", "committee"},
                   "carrier": {"secrecy_office"}}[kind]
        if subject in keepers:
            return True
        owning_department = kind != "document"   # agreements belong to no department
        if owning_department and subject == "head_same_dept":
            return True
        if level == "general" and owning_department:
            return subject in {"employee_same_dept", "liaison_same_dept"} or \
                (kind == "register_item" and subject == "knower_by_post")
        return False
    if operation == "sign":
        return kind == "document" and subject == "party"
    if operation == "modify":
        return kind == "carrier" and subject == "secrecy_office"
    if operation == "destroy":
        return kind == "carrier" and subject == "secrecy_office"
    assert operation == "approve"
    if subject == "general_manager":
        return True
    if level == "core":
        return False
    head = subject == "head_same_dept" and kind != "document"
    return head if level == "important" else head or subject == "secrecy_office"


@pytest.fixture(params=BACKENDS)
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database(str(request.param), tmp_path) as engine:
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            session.add_all(User(id=u.id, name=u.name, roles=list(u.roles), department=u.department, post=u.post,
                                 status=u.status or PersonStatus.ACTIVE) for u in SUBJECTS.values())
            session.add(User(id="holder", name="持有人", roles=["employee"], department=DEPT))
        yield factory


def _resources(session: Session) -> dict[tuple[str, str], Resource]:
    """One document, register entry and carrier per level, owned by ``DEPT``."""
    found: dict[tuple[str, str], Resource] = {}
    for number, level in enumerate(LEVELS):
        document = Document(id=f"MB-20261121-MATRIX0{number}", template_id="nda", title="保密协议", level=level,
                            path="x.pdf", sha256="0" * 64, parties=["company", "employee"], subject_user="party")
        item = SecretItem(name=f"{level} 工艺参数", level=level, department=DEPT, knowers="工艺工程师、质检组",
                          approval={})
        session.add_all([document, item])
        session.flush()
        carrier = Carrier(serial=f"ZT-{level}", name="图纸", level=level, form="paper", department=DEPT,
                          created_by="sec", item_id=item.id)
        session.add(carrier)
        session.flush()
        found["document", level] = resource_of_document(session, document)
        found["register_item", level] = resource_of_item(item)
        found["carrier", level] = resource_of_carrier(carrier)
    return found


def test_every_role_level_operation_and_kind(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        resources = _resources(session)
    cells = list(itertools.product(SUBJECTS, KINDS, LEVELS, OPERATIONS))
    mismatches = []
    with transaction(sessions) as session:
        users = {name: session.get(User, u.id) for name, u in SUBJECTS.items()}
        for subject, kind, level, operation in cells:
            user = users[subject]
            assert user is not None
            decision = authorize(session, user, resources[kind, level], operation, now=NOW,
                                 detail={"cell": [subject, kind, level, operation]})
            if decision.allowed != expected(subject, kind, level, operation):
                mismatches.append((subject, kind, level, operation, decision.basis))
    assert not mismatches, mismatches
    with sessions() as session:
        logged = {tuple(r.detail["cell"]): (r.result, r.detail["basis"])
                  for r in session.scalars(select(AuditRecord).where(AuditRecord.action.in_(OPERATIONS)))}
    assert len(logged) == len(cells) == 13 * 3 * 3 * 8
    denied = [cell for cell in cells if not expected(*cell)]
    assert all(logged[cell][0] == "denied" for cell in denied)
    assert all(logged[cell][0] == "allowed" for cell in set(cells) - set(denied))
    assert len(denied) > len(cells) // 2       # the default is no
    # A core carrier may be destroyed only with two witnesses (records.carriers enforces them).
    core_carrier = resources["carrier", "core"]
    assert authorize_quietly(sessions, "sec", core_carrier, "destroy").witnesses == 2


def authorize_quietly(sessions: sessionmaker[Session], user_id: str, resource: Resource,
                      operation: str) -> Decision:
    with transaction(sessions) as session:
        user = session.get(User, user_id)
        assert user is not None
        return authorize(session, user, resource, operation, now=NOW, log=False)


def _ask(sessions: sessionmaker[Session], user_id: str, resource: Resource, operation: str = "view") -> int:
    with transaction(sessions) as session:
        user = session.get(User, user_id)
        assert user is not None
        return request_access(session, user, resource, operation, "劳动仲裁举证，需要核对条款", now=NOW).id


def _decide(sessions: sessionmaker[Session], user_id: str, grant_id: int, approve: bool = True) -> AccessGrant:
    with transaction(sessions) as session:
        user = session.get(User, user_id)
        assert user is not None
        grant = decide_request(session, user, grant_id, approve, now=NOW)
        session.flush()
        session.expunge(grant)
        return grant


def _access(sessions: sessionmaker[Session], user_id: str, resource: Resource, operation: str = "view",
            now: dt.datetime = NOW) -> bool:
    with transaction(sessions) as session:
        user = session.get(User, user_id)
        assert user is not None
        return authorize(session, user, resource, operation, now=now).allowed


def test_core_access_needs_the_general_manager_once_per_access(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        core = _resources(session)["register_item", "core"]
    assert not _access(sessions, "sec", core)
    grant = _ask(sessions, "sec", core)
    assert _ask(sessions, "sec", core) == grant                  # a second click: the same request
    for wrong in ("head_in", "sec", "cm"):                      # not the GM; not oneself
        with pytest.raises(NotTheApprover):
            _decide(sessions, wrong, grant)
    assert _decide(sessions, "gm", grant).status == "approved"
    with pytest.raises(AlreadyDecided):
        _decide(sessions, "gm", grant, approve=False)
    assert not _access(sessions, "sec", core, "download")       # approved for viewing, not for downloading
    assert _access(sessions, "sec", core)
    assert not _access(sessions, "sec", core)                   # used up
    with sessions() as session:
        bases = [(r.action, r.result, r.detail.get("basis")) for r in session.scalars(
            select(AuditRecord).where(AuditRecord.actor == "sec").order_by(AuditRecord.seq))]
    assert bases == [("view", "denied", "approval_required"), ("request_access", "allowed", None),
                     ("download", "denied", "approval_required"), ("view", "allowed", "grant"),
                     ("view", "denied", "approval_required")]


def test_an_important_approval_is_the_owning_heads_and_expires(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        important = _resources(session)["register_item", "important"]
    grant = _ask(sessions, "liaison", important)
    with pytest.raises(NotTheApprover):
        _decide(sessions, "head_out", grant)                    # another department's head
    assert _decide(sessions, "head_in", grant).expires_at == NOW + dt.timedelta(days=7)
    assert _access(sessions, "liaison", important) and _access(sessions, "liaison", important)
    assert not _access(sessions, "liaison", important, now=NOW + dt.timedelta(days=8))


def test_a_rejected_request_opens_nothing(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        important = _resources(session)["register_item", "important"]
    _decide(sessions, "head_in", _ask(sessions, "emp_out", important), approve=False)
    assert not _access(sessions, "emp_out", important)


@pytest.mark.parametrize(("user_id", "operation", "purpose", "message"), [
    ("sec", "modify", "修改条目内容", "approval can be asked for"),
    ("sec", "view", "看", "say what the access is for"),
    ("gm", "view", "例行查看", "already have access"),
])
def test_requests_that_cannot_be_made(sessions: sessionmaker[Session], user_id: str, operation: str, purpose: str,
                                      message: str) -> None:
    with transaction(sessions) as session:
        core = _resources(session)["register_item", "core"]
    with pytest.raises(AccessRequestError, match=message), transaction(sessions) as session:
        user = session.get(User, user_id)
        assert user is not None
        request_access(session, user, core, operation, purpose, now=NOW)


def test_one_core_approval_gives_one_access_under_a_race(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        core = _resources(session)["document", "core"]
    _decide(sessions, "gm", _ask(sessions, "hr", core))
    outcomes = all_at_once(8, lambda _: "allowed" if _access(sessions, "hr", core) else "denied")
    assert sorted(outcomes) == ["allowed"] + ["denied"] * 7, outcomes
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.actor == "hr", AuditRecord.action == "view", AuditRecord.result == "allowed")) == 1


def test_the_holder_of_a_carrier_sees_its_record(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        carrier = Carrier(serial="ZT-held", name="图纸", level="core", form="paper", department=DEPT,
                          created_by="sec", holder="emp_out", status="issued")
        session.add(carrier)
        session.flush()
        held = resource_of_carrier(carrier)
    assert _access(sessions, "emp_out", held) and _access(sessions, "emp_out", held, "print")
    assert not _access(sessions, "emp_out", held, "copy") and not _access(sessions, "emp_in", held)


def test_a_declassified_entry_is_open_to_all_but_those_who_left(sessions: sessionmaker[Session]) -> None:
    """Seed 003 §4.3.2: declassification lifts the restriction (解除访问限制) — a former core entry is read by
    anyone on staff without an approval, and the reading is still recorded."""
    with transaction(sessions) as session:
        item = SecretItem(name="已公开的工艺参数", level="core", department=DEPT, approval={},
                          status=ItemStatus.DECLASSIFIED)
        session.add(item)
        session.flush()
        resource = resource_of_item(item)
    for name, user in SUBJECTS.items():
        decision = authorize_quietly(sessions, user.id, resource, "view")
        assert decision.allowed == (name != "left"), (name, decision.basis)
    assert _access(sessions, "emp_out", resource, "download")
    with sessions() as session:
        assert session.scalars(select(AuditRecord.detail).where(AuditRecord.actor == "emp_out")).one()["basis"] \
            == "declassified"
