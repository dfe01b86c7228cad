"""An engine over a throwaway database (SQLite and PostgreSQL), a frozen clock and the probe process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from records.db import make_session_factory, transaction
from records.instance import Instance
from records.models import User
from tests.db import BACKENDS, database
from tests.workflows.jobs_support import setup  # noqa: F401 - a fixture: an engine whose jobs real workers run
from workflows import Engine, FixedClock, Services

DATA = Path(__file__).parent / "data"
START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def make_engine(backend: str, tmp_path: Path, clock: FixedClock) -> Iterator:  # type: ignore[type-arg]
    engines = []

    def build(bpmn_dir: Path = DATA) -> Engine:
        engine = Engine(factory, Services(Instance.from_env(tmp_path / "instance")), clock=clock,
                        bpmn_dir=bpmn_dir)
        engines.append(engine)
        return engine

    with database(backend, tmp_path) as db:
        factory = make_session_factory(db)
        with transaction(factory) as session:
            session.add_all([
                User(id="hr1", name="刘人事", roles=["hr"]),
                User(id="head1", name="钱部长", roles=["department_head"]),
                User(id="head2", name="赵部长", roles=["department_head"]),
            ])
        yield build
        for engine in engines:
            engine.services.close()


@pytest.fixture
def engine(make_engine) -> Engine:  # type: ignore[no-untyped-def]
    return make_engine()
