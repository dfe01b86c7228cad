"""The carrier register on a throwaway database (SQLite and PostgreSQL): a small organisation, a frozen clock,
and helpers that take one step as one user, in its own transaction, the way the web does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from records.access_grants import decide_request, request_access, resource_of_carrier
from records.carriers import register_carrier, run_step
from records.db import make_session_factory, transaction
from records.models import AuditRecord, Carrier, User
from tests.db import BACKENDS, database

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
PEOPLE = [
    User(id="sec1", name="周明", roles=["secrecy_office"], department="保密管理部"),
    User(id="sec2", name="吴敏", roles=["secrecy_office"], department="保密管理部"),
    User(id="sec3", name="冯刚", roles=["secrecy_office"], department="保密管理部"),
    User(id="liaison1", name="孙丽", roles=["liaison"], department="技术研发部"),
    User(id="liaison2", name="何静", roles=["liaison"], department="生产部"),
    User(id="head1", name="钱伟", roles=["department_head"], department="技术研发部"),
    User(id="gm", name="陈建华", roles=["general_manager", "committee"], department="总经理办公室"),
    User(id="eng1", name="王志强", roles=["employee"], department="技术研发部"),
    User(id="eng2", name="李娜", roles=["employee"], department="生产部"),
]


@pytest.fixture(params=BACKENDS)
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database(str(request.param), tmp_path) as engine:
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            session.add_all(User(id=p.id, name=p.name, roles=list(p.roles), department=p.department)
                            for p in PEOPLE)
        yield factory


Act = Callable[..., Any]


@pytest.fixture
def act(sessions: sessionmaker[Session]) -> Act:
    """``act(step, "sec1", *args, **kwargs)``: ``step`` as that user, now, in its own transaction."""

    def run(step: Callable[..., Any], user_id: str, *args: Any, now: dt.datetime = NOW, **kwargs: Any) -> Any:
        def call(session: Session) -> Any:
            user = session.get(User, user_id)
            assert user is not None
            return step(session, user, *args, now=now, **kwargs)

        return run_step(sessions, call)

    return run


def register(act: Act, serial: str, level: str = "general", form: str = "paper", *, by: str = "sec1",
             department: str | None = "技术研发部", **kwargs: Any) -> Carrier:
    carrier: Carrier = act(register_carrier, by, serial=serial, name=f"图纸 {serial}", level=level, form=form,
                           department=department, **kwargs)
    return carrier


def grant_view(sessions: sessionmaker[Session], user_id: str, carrier_id: int, approver: str = "gm") -> None:
    """``user_id`` asks to view the carrier and ``approver`` approves."""
    with transaction(sessions) as session:
        user, carrier = session.get(User, user_id), session.get(Carrier, carrier_id)
        assert user is not None and carrier is not None
        grant = request_access(session, user, resource_of_carrier(carrier), "view", "读取图纸以便加工", now=NOW)
    with transaction(sessions) as session:
        boss = session.get(User, approver)
        assert boss is not None
        decide_request(session, boss, grant.id, True, now=NOW)


def audit(sessions: sessionmaker[Session], action: str, result: str | None = None) -> list[AuditRecord]:
    with sessions() as session:
        query = select(AuditRecord).where(AuditRecord.action == action)
        if result:
            query = query.where(AuditRecord.result == result)
        return list(session.scalars(query.order_by(AuditRecord.seq)))
