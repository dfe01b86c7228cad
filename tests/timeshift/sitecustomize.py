"""Loaded (through PYTHONPATH) by every Python process of the suite's second pass, which runs the date-sensitive
tests with the clock moved ahead by libfaketime (scripts/test).

libfaketime 0.9.10 (Debian 12) cannot both move the wall clock and keep Python's timed waits working: with the
monotonic clock faked, ``Event.wait(timeout)`` (glibc's ``sem_clockwait``, which it does not intercept) waits for
the whole offset; with ``FAKETIME_DONT_FAKE_MONOTONIC=1``, ``time.sleep`` (``clock_nanosleep`` with an absolute
monotonic deadline) fails with EINVAL. We keep the monotonic clock real and sleep on an Event instead.
"""

import threading
import time


def _sleep(seconds: float) -> None:
    threading.Event().wait(seconds)


time.sleep = _sleep
