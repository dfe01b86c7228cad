"""Verify an uploaded PDF in a child process with a deadline, so no file can hold a request (or a worker) hostage.

``signing.verify_pdf`` already bounds the known denial-of-service files in-process; the child process is the
second wall for the unknown ones: past the deadline it is killed and the verdict says so. Children fork from a
forkserver that has imported the verifier once, so a check costs about what it costs in-process.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from flask_babel import gettext as _

from signing import Verdict, verify_pdf

__all__ = ["Busy", "verify_isolated"]

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["web.verification"])
_SLOTS = threading.BoundedSemaphore(4)   # checks at once; more wait, then are told to come back


class Busy(Exception):
    """Every verification slot stayed taken for the whole wait."""


def _child(conn: Connection, data: bytes, roots: list[bytes]) -> None:
    conn.send(verify_pdf(data, trust_roots=roots).to_json())
    conn.close()


def _verdict(found: dict[str, Any]) -> Verdict:
    return Verdict.from_json(found)


def verify_isolated(data: bytes, *, trust_roots: Sequence[bytes], timeout: float = 20.0,
                    wait: float = 30.0) -> Verdict:
    """``verify_pdf(data)`` in a child process killed after ``timeout`` seconds."""
    if not _SLOTS.acquire(timeout=wait):
        raise Busy("all verification slots are busy")
    try:
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        process = _CONTEXT.Process(target=_child, args=(sender, data, list(trust_roots)), daemon=True)
        process.start()
        sender.close()
        found: dict[str, Any] | None = None
        problem, failure = (_("The document could not be checked within %(seconds)s seconds; it is treated as not "
                              "valid.", seconds=f"{timeout:g}"), "timeout")
        try:
            if receiver.poll(timeout):
                found = receiver.recv()
        except (EOFError, OSError):
            problem, failure = _("The checker stopped on this document; it is treated as not valid."), "error"
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join(5)
            process.close()
    finally:
        _SLOTS.release()
    return _verdict(found) if found is not None else Verdict(ok=False, signatures=[], problems=[problem],
                                                             failure=failure)
