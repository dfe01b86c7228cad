"""The child side of test_crash_recovery: a small fork server and the jobs its children run.

``python -m tests.hardening.crash_child`` imports the engine once, then forks one child per job line read on
stdin (JSON) and answers with how the child ended (exit code or signal). Children share nothing but the imported
modules: each opens the instance's SQLite file itself, so a check after a kill really is a fresh process.

A job runs one engine step (``start`` annual_pledge — which commits the instance waiting for its agreement's job,
then works the job — or ``sign`` the employee's task) on an instance folder; with
a ``stage`` it first installs a hook that SIGKILLs the child when that stage is reached (after the stage's n-th
call, or — for ``convert`` — while LibreOffice is converting). ``inspect`` reports the folder's state as JSON
and, with ``redo``, then does the step again and reports the outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import sys
import tempfile
import threading
import traceback
import xmlrpc.client
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

import documents.produce
import records.blobs
import workflows.agreements
from records.db import make_engine, make_session_factory
from records.instance import Instance
from records.models import Document, HistoryEntry, Job, ProcessInstance, Task
from signing import Converter, ConvertOptions, Pki, verify_pdf
from signing.convert import _PDF_FILTER_OPTIONS, _check_pdf, _TimeoutTransport
from tests.bpmn.driver import AGREE, START, example
from workflows import BPMN_DIR, ConflictError, Engine, FixedClock, Services
from workflows.jobs import run_job as work_job
from workflows.jobs import sweep
from workflows.loader import LoadedProcess

SIGN_TASK = "sign_annual_pledge_employee"
CONVERT_KILL_AFTER_S = 0.05


class SharedOffice:
    """Converts through the test session's warm LibreOffice (unoserver on ``port``), as the Converter does."""

    def __init__(self, port: int) -> None:
        self.port = port

    def convert(self, docx: bytes) -> bytes:
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.port}", allow_none=True,
                                          transport=_TimeoutTransport(60))
        result = proxy.convert(None, xmlrpc.client.Binary(docx), None, "pdf", None, _PDF_FILTER_OPTIONS, True,
                               None, None)
        pdf = bytes(result.data)
        _check_pdf(pdf)
        return pdf


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_after(owner: Any, name: str, nth: int) -> None:
    real, calls = getattr(owner, name), [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls[0] += 1
        if calls[0] == nth:
            _die()
        return result

    setattr(owner, name, wrapper)


def open_engine(root: Path, port: int) -> Engine:
    instance = Instance.from_env(root)
    converter: Any = SharedOffice(port) if port else Converter(ConvertOptions(workdir=instance.work_dir,
                                                                              warm_instances=0))
    services = Services(instance, _converter=converter, _pki=Pki.open(instance.pki_dir))
    db = make_engine(f"sqlite:///{root / 'mibao.db'}")
    engine = Engine(make_session_factory(db), services, clock=FixedClock(START), bpmn_dir=BPMN_DIR)
    engine._processes.update(_LOADED)   # parsed and validated once, in the server
    return engine


def _arm(engine: Engine, stage: str, nth: int) -> None:
    if stage == "render":
        _kill_after(documents.produce, "render_docx", nth)
    elif stage == "convert":
        real = engine.services.converter.convert

        def convert(docx: bytes) -> bytes:
            threading.Timer(CONVERT_KILL_AFTER_S, _die).start()   # killed while LibreOffice converts
            pdf = real(docx)
            _die()                                                # (or right after, if it was faster)
            return pdf

        engine.services._converter.convert = convert  # type: ignore[union-attr]
    elif stage == "mark":
        _kill_after(documents.produce, "mark_document", nth)
    elif stage in ("store", "write"):
        _kill_after(records.blobs, "write_atomic", nth)
    elif stage == "sign":
        _kill_after(workflows.agreements, "sign_document", nth)
    elif stage == "commit":      # just before the database commits the step
        event.listen(engine.sessions.kw["bind"], "commit", lambda _conn: _die())
    elif stage == "committed":   # just after it committed, before the caller hears of it
        event.listen(engine.sessions, "after_commit", lambda _session: _die())
    else:
        raise ValueError(f"unknown stage {stage!r}")


def step(engine: Engine, which: str, stage: str | None = None, nth: int = 1) -> str:
    if which == "start":
        if stage:
            _arm(engine, stage, nth)
        with engine.sessions() as session:
            started = session.scalar(select(ProcessInstance.id)) is not None
        if not started:
            engine.start("annual_pledge", example("annual_pledge"), actor="hr01")
            return "done"
        # Started, and its agreement's job was lost with the killed worker: once the lease has run out the sweep
        # (the scheduler's round) hands it over again.
        assert isinstance(engine.clock, FixedClock)
        engine.clock.set(START + dt.timedelta(hours=1))
        sweep(engine, lambda job_id: work_job(engine, job_id))
        return "done"
    # Found before arming (reads only); a redo after a finished step finds it completed and must get a conflict.
    task = next(t for state in ("ready", "completed") for t in engine.tasks(state=state) if t.name == SIGN_TASK)
    if stage:
        _arm(engine, stage, nth)
    try:
        engine.complete(task.id, actor="eng01", data=AGREE)
    except ConflictError:
        return "conflict"
    return "done"


def snapshot(engine: Engine) -> dict[str, Any]:
    """What the database says and whether the files it points to are there, unchanged; files nobody points to."""
    docs_dir = engine.services.documents_dir
    root_pem = engine.services.pki.root_certificate_pem()
    with engine.sessions() as session:
        instances = [{"id": r.id, "version": r.version, "status": str(r.status),
                      "state": hashlib.sha256(json.dumps(r.state, sort_keys=True).encode()).hexdigest()}
                     for r in session.scalars(select(ProcessInstance).order_by(ProcessInstance.id))]
        tasks = sorted([t.spec_name, str(t.state)] for t in session.scalars(select(Task)))
        queued = [[str(j.status), j.attempts] for j in session.scalars(select(Job).order_by(Job.id))]
        history = [h.action for h in session.scalars(select(HistoryEntry).order_by(HistoryEntry.id))]
        documents = []
        for d in session.scalars(select(Document).order_by(Document.id)):
            path = docs_dir / d.path
            data = path.read_bytes() if path.is_file() else None
            entry: dict[str, Any] = {
                "id": d.id, "path": d.path, "sha256": d.sha256, "status": str(d.status),
                "parties_signed": [s["party"] for s in d.signatures],
                "file": "missing" if data is None else
                        "ok" if hashlib.sha256(data).hexdigest() == d.sha256 else "wrong hash"}
            if data is not None:
                verdict = verify_pdf(data, trust_roots=[root_pem])
                entry["verified"] = verdict.ok
                entry["problems"] = verdict.problems
                entry["signed_fields"] = [s.field for s in verdict.signatures if s.kind == "signature"]
            documents.append(entry)
    referenced = {d["path"] for d in documents}
    files = sorted(str(p.relative_to(docs_dir)) for p in docs_dir.rglob("*") if p.is_file()) \
        if docs_dir.is_dir() else []
    return {"instances": instances, "tasks": tasks, "history": history, "documents": documents, "jobs": queued,
            "orphans": [f for f in files if f not in referenced]}


def run_job(job: dict[str, Any]) -> None:
    root, port = Path(job["root"]), int(job["port"])
    engine = open_engine(root, port)
    result: dict[str, Any] = {}
    if job["kind"] == "step":
        result["outcome"] = step(engine, job["step"], job.get("stage"), int(job.get("nth", 1)))
    else:
        result["before"] = snapshot(engine)
        if job.get("redo"):
            result["outcome"] = step(engine, job["step"])
            result["after"] = snapshot(engine)
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")


_LOADED: dict[str, LoadedProcess] = {}


def serve() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        warm = Engine(make_session_factory(make_engine("sqlite://")), Services(Instance.from_env(scratch)),
                      bpmn_dir=BPMN_DIR)
        _LOADED["annual_pledge"] = warm.process("annual_pledge")
    for line in sys.stdin:
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.dup2(2, 1)           # the answer channel is the server's; children write to stderr
                signal.alarm(120)       # a hung child ends as SIGALRM instead of hanging the test
                run_job(job)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        answer = {"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                  "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
