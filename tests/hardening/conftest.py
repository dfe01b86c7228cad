"""Hardening tests (issue 5): shared fixtures, and the figures each test records, printed in the terminal summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from records.db import make_session_factory, transaction
from records.instance import Instance
from records.people import DEMO_PEOPLE, ensure_people
from signing import Converter, Pki
from tests.bpmn.driver import START
from tests.db import BACKENDS, database
from workflows import BPMN_DIR, Engine, FixedClock, Services

FIGURES: list[str] = []


def record(line: str) -> None:
    """Keep a figure for the summary at the end of the run (and print it for ``-s``)."""
    FIGURES.append(line)
    print(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("hardening figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def hardening_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.open(tmp_path_factory.mktemp("hardening-pki"))


@pytest.fixture(params=BACKENDS)
def real_engine(request: pytest.FixtureRequest, tmp_path: Path, converter: Converter,
                hardening_pki: Pki) -> Iterator[Engine]:
    """The real processes of ``bpmn/`` with the demo people, on SQLite and PostgreSQL, a warm LibreOffice."""
    with database(str(request.param), tmp_path) as db:
        factory = make_session_factory(db)
        with transaction(factory) as session:
            ensure_people(session, DEMO_PEOPLE)
        services = Services(Instance.from_env(tmp_path / "instance"), _converter=converter, _pki=hardening_pki)
        yield Engine(factory, services, clock=FixedClock(START), bpmn_dir=BPMN_DIR)
