"""Many completions of one task at once: exactly one wins, every other gets a clear conflict."""

from __future__ import annotations

import threading

import pytest

from workflows import ConflictError, Engine

THREADS = 16
TRIALS = 5


@pytest.mark.parametrize("trial", range(TRIALS))
def test_one_winner(engine: Engine, trial: int) -> None:
    inst = engine.start("probe", {"approver": "head1"}, actor="hr1")
    task = engine.tasks(role="hr")[0].id
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def complete(amount: int) -> None:
        barrier.wait()
        try:
            engine.complete(task, actor="hr1", data={"amount": amount})
            result = "won"
        except ConflictError:
            result = "conflict"
        except Exception as exc:  # any other failure is a bug this test must show
            result = f"error: {type(exc).__name__}: {exc}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=complete, args=(i % 10,)) for i in range(THREADS)]  # all take the short path
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * (THREADS - 1) + ["won"], outcomes
    view = engine.show(inst.id)
    assert [h["action"] for h in view.history].count("completed") == 1
    assert len(engine.tasks(role="department_head")) == 1
