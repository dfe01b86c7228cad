"""Pause Python's cyclic garbage collector while one verification runs, and collect its garbage after it.

A verification holds ~30 000 container objects (parsed PDF objects, their copies per historical revision,
certificates) for ~0.1 s and then drops them all at once; they are tied in reference cycles (every parsed
object points back at its reader), so only the collector frees them. With the collector running, they
outlive a few young collections, are promoted to the oldest generation and make it due: in a worker that
also renders and signs (bench/pipeline.py), every second or third verification paid a full collection of
60–130 ms on top of its ~110 ms of work. Paused, the same objects are still young when the verification
ends, and one collection of the youngest generation frees them (~4 ms, charged to the verification).

The switch is process-wide, so the pause is shared: concurrent verifications (threads) hold it together and
the last one out turns the collector back on (unless it was off before the first one came in). Every one
of them collects the youngest generation as it leaves, so garbage waits at most one verification even when
verifications overlap without end; what a verification may read is bounded by
:data:`signing.verify.MAX_PDF_BYTES` and pyHanko's decode limits.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_holders = 0
_resume = False  # whether the collector was on when the first holder paused it


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the body with the cyclic collector off; collect the youngest generation after it."""
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
        paused = _resume
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _resume:
                gc.enable()
        if paused:
            gc.collect(0)
