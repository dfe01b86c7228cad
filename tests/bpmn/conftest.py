"""The real processes of ``bpmn/`` on a throwaway database per backend (SQLite and PostgreSQL), with the demo
organisation's users, a frozen clock, one warm LibreOffice and one PKI shared by the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from records.db import make_session_factory, transaction
from records.demo_org import ensure_demo
from records.instance import Instance
from signing import Converter, Pki
from tests.bpmn.driver import START
from tests.db import BACKENDS, database
from workflows import BPMN_DIR, Engine, FixedClock, Services
from workflows.composition import build_engine


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Keys are issued once per person for the session; each test still checks its own documents."""
    return Pki.open(tmp_path_factory.mktemp("pki"))


@contextmanager
def _demo(backend: str, tmp_path: Path, converter: Converter, pki: Pki) -> Iterator[tuple[sessionmaker[Session],
                                                                                      Services]]:
    with database(backend, tmp_path) as db:
        factory = make_session_factory(db)
        with transaction(factory) as session:
            ensure_demo(session)
        # The shared converter and PKI belong to the session: this engine's services are never closed.
        yield factory, Services(Instance.from_env(tmp_path / "instance"), _converter=converter, _pki=pki)


@pytest.fixture
def engine(backend: str, tmp_path: Path, clock: FixedClock, converter: Converter, pki: Pki) -> Iterator[Engine]:
    with _demo(backend, tmp_path, converter, pki) as (factory, services):
        yield Engine(factory, services, clock=clock, bpmn_dir=BPMN_DIR)


@pytest.fixture
def composed(backend: str, tmp_path: Path, clock: FixedClock, converter: Converter, pki: Pki) -> Iterator[Engine]:
    """The engine as the composition root wires it (its listeners; the jobs a bulk launch needs)."""
    with _demo(backend, tmp_path, converter, pki) as (factory, services):
        yield build_engine(factory, services, clock=clock)
