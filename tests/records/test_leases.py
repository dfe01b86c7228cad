"""Once-across-all-nodes duties: a database lease is held by one holder at a time, renewed by it, and taken over
when it runs out (SQLite and PostgreSQL; racing takers on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from records.db import make_session_factory
from records.leases import hold
from tests.db import BACKENDS, database
from tests.race import all_at_once

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_holder_at_a_time_and_a_dead_ones_lease_runs_out(backend: str, tmp_path: Path) -> None:
    with database(backend, tmp_path) as engine:
        sessions = make_session_factory(engine)
        assert hold(sessions, "background", "node-a", NOW, 3 * MINUTE)
        assert not hold(sessions, "background", "node-b", NOW + MINUTE, 3 * MINUTE)
        assert hold(sessions, "background", "node-a", NOW + 2 * MINUTE, 3 * MINUTE)       # renewed
        assert not hold(sessions, "background", "node-b", NOW + 4 * MINUTE, 3 * MINUTE)   # still a's
        assert hold(sessions, "background", "node-b", NOW + 6 * MINUTE, 3 * MINUTE)       # a stopped renewing
        assert not hold(sessions, "background", "node-a", NOW + 7 * MINUTE, 3 * MINUTE)
        assert hold(sessions, "other-duty", "node-a", NOW + 7 * MINUTE, 3 * MINUTE)       # leases are per duty
        # Eight nodes racing for a fresh lease: exactly one gets it.
        won = all_at_once(8, lambda n: str(hold(sessions, "fresh", f"node-{n}", NOW, MINUTE)))
        assert sorted(won) == ["False"] * 7 + ["True"]
