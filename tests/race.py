"""Start many attempts at exactly the same moment and collect what each one got."""

from __future__ import annotations

import threading
from collections.abc import Callable

from workflows import ConflictError


def all_at_once(count: int, attempt: Callable[[int], str]) -> list[str]:
    """Run ``attempt(i)`` for i in range(count) on threads released together; "conflict" for a ConflictError,
    "error: …" for anything else (a bug the caller's assertions must show)."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            result = attempt(i)
        except ConflictError:
            result = "conflict"
        except Exception as exc:
            result = f"error: {type(exc).__name__}: {exc}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes
