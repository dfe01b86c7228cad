"""The collector pause around a verification: shared by threads, restored as found, garbage collected."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from signing import verify_pdf
from signing.collector import collector_paused


class _Node:
    next: _Node | None = None


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_resumed_after(collector_on: None) -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a second holder (nested or another thread) shares the pause
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector_on: None) -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_last_thread_out_resumes(collector_on: None) -> None:
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with collector_paused():
            inside.set()
            release.wait(5)

    other = threading.Thread(target=hold)
    other.start()
    assert inside.wait(5)
    with collector_paused():
        cycle = _Node()
        cycle.next = cycle
        gone = weakref.ref(cycle)
        del cycle
    assert not gc.isenabled()  # the other thread still verifies
    assert gone() is None  # but this one's garbage did not wait for it
    release.set()
    other.join(5)
    assert gc.isenabled()


def test_verification_leaves_no_cyclic_garbage(signed_blank: list[bytes], root_pem: bytes,
                                               collector_on: None) -> None:
    gc.collect()
    verdict = verify_pdf(signed_blank[-1], trust_roots=[root_pem])
    assert verdict.ok and gc.isenabled()
    assert gc.collect() < 1000  # the reader, its object copies and the certificates were freed at the end
