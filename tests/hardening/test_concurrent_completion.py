"""16 completions of one task at once, 100 trials per database: exactly one winner each time, 15 clear conflicts.

tests/workflows/test_concurrency.py runs the same race 5 times; this is the long run for the figures of issue 5.
One engine per backend is reused and every trial starts a new instance of the tiny probe process.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from records.db import make_session_factory, transaction
from records.instance import Instance
from records.models import HistoryEntry, Task
from records.models import User as UserRow
from tests.db import BACKENDS, database
from tests.hardening.conftest import record
from tests.race import all_at_once
from tests.workflows.conftest import DATA, START
from workflows import Engine, FixedClock, Services

THREADS = 16
TRIALS = 100


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    tmp = tmp_path_factory.mktemp(f"race-{request.param}")
    with database(str(request.param), tmp) as db:
        factory = make_session_factory(db)
        with transaction(factory) as session:
            session.add_all([UserRow(id="hr1", name="刘人事", roles=["hr"]),
                             UserRow(id="head1", name="钱部长", roles=["department_head"])])
        engine = Engine(factory, Services(Instance.from_env(tmp / "instance")), clock=FixedClock(START),
                        bpmn_dir=DATA)
        yield engine
        engine.services.close()


def _race(engine: Engine, task_id: str) -> list[str]:
    def complete(i: int) -> str:
        engine.complete(task_id, actor="hr1", data={"amount": i % 10})      # all take the short path
        return "won"

    return all_at_once(THREADS, complete)


def test_one_winner_in_every_trial(engine: Engine) -> None:
    backend = engine.sessions.kw["bind"].dialect.name
    winners: Counter[int] = Counter()        # winners in a trial -> trials
    tally: Counter[str] = Counter()
    bad: list[str] = []
    started = time.perf_counter()
    for trial in range(TRIALS):
        view = engine.start("probe", {"approver": "head1"}, actor="hr1")
        task_id = next(t.id for t in view.tasks if t.state == "ready" and t.lane == "hr")
        outcomes = _race(engine, task_id)
        tally.update(o if not o.startswith("error") else "error" for o in outcomes)
        winners[outcomes.count("won")] += 1
        after = engine.show(view.id)
        with engine.sessions() as session:
            completions = session.scalar(select(func.count()).select_from(HistoryEntry).where(
                HistoryEntry.instance_id == view.id, HistoryEntry.action == "completed"))
            approvals = session.scalar(select(func.count()).select_from(Task).where(
                Task.instance_id == view.id, Task.spec_name == "approve"))
        if (outcomes.count("won"), outcomes.count("conflict"), completions, approvals, after.version) != (
                1, THREADS - 1, 1, 1, view.version + 1):
            bad.append(f"trial {trial}: {sorted(outcomes)}; completions {completions}, approval tasks {approvals}, "
                       f"version {view.version} -> {after.version}")
    elapsed = time.perf_counter() - started
    figures = (f"concurrent completion [{backend}]: {TRIALS} trials x {THREADS} threads in {elapsed:.1f} s; "
               f"trials by number of winners {dict(sorted(winners.items()))}; outcomes {dict(sorted(tally.items()))}; "
               f"trials with a wrong outcome or history: {len(bad)}")
    record(figures)
    assert not bad and winners == Counter({1: TRIALS}), figures + "\n" + "\n".join(bad[:10])
