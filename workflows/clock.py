"""An injectable clock for the engine, also seen by SpiffWorkflow's timers.

SpiffWorkflow reads ``datetime.now(timezone.utc)`` inside its timer module and takes no clock parameter
(PITFALLS). We replace that module's ``datetime`` name once with a subclass whose ``now`` asks a context
variable, so each engine call (a tick with ``--now``, a test, the demo's simulated months) sees its own
time without touching other threads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

__all__ = ["Clock", "FixedClock", "SystemClock", "using_clock"]

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that only moves when told to (tests, the demo, ``mibao tick --now``)."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def set(self, at: dt.datetime) -> None:
        self.at = at


_current: ContextVar[Clock | None] = ContextVar("mibao_clock", default=None)


class _ClockedDatetime(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _ClockedDatetime:
        clock = _current.get()
        moment = clock.now() if clock is not None else dt.datetime.now(dt.UTC)
        return cls.fromtimestamp(moment.timestamp(), tz)


_spiff_timer.datetime = _ClockedDatetime


@contextmanager
def using_clock(clock: Clock) -> Iterator[None]:
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)
