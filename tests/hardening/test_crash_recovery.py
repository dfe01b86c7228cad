"""A process SIGKILLed at each stage of producing and signing an agreement loses and doubles nothing.

Each run copies a prepared instance folder (file-backed SQLite, PKI, documents), runs one engine step in a
child that kills itself when the stage is reached (``crash_child``: a hook after the stage's n-th call; for
``convert`` while LibreOffice is converting), then checks the folder in a fresh process — database unchanged
from before the step, every Document row pointing to a present file with its recorded hash, at most orphan
files — and redoes the step there, which must complete with exactly the expected signatures and a PDF that
verifies. ``committed`` (killed right after the commit) must show the step done exactly once, and redoing
it must be refused as a conflict.

The step is ``start`` of annual_pledge for the preparation stages — it commits the instance waiting for its
agreement's job, then works the job (render, convert, mark, store the prepared file) — so a kill there leaves the
instance waiting with the job claimed and no document; the redo is the sweep handing the job over again once its
lease has run out. The rest use the employee's signature (sign, write the signed file, commit).
Children convert through the session's warm LibreOffice, so every stage gets its 10 runs.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from records.db import make_engine, make_session_factory, transaction
from records.migrate import upgrade
from records.people import DEMO_PEOPLE, ensure_people
from signing import Converter
from tests.hardening.conftest import record

RUNS = 10
STAGES = {"render": "start", "convert": "start", "mark": "start", "store": "start",
          "sign": "sign", "write": "sign", "commit": "sign", "committed": "sign"}
ROOT = Path(__file__).resolve().parents[2]


class ForkServer:
    def __init__(self, log: Path) -> None:
        self.log = log.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.hardening.crash_child"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(30)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkServer]:
    fork_server = ForkServer(tmp_path_factory.mktemp("crash") / "children.log")
    yield fork_server
    fork_server.close()


@pytest.fixture(scope="module")
def port(converter: Converter) -> int:
    """The port of the session's warm LibreOffice (0: none, children convert one-shot)."""
    offices = converter._offices
    if not offices:
        return 0
    if not offices[0].alive():
        offices[0].start()
    return offices[0].port


class Folders:
    def __init__(self, tmp: Path, server: ForkServer, port: int) -> None:
        self.tmp, self.server, self.port = tmp, server, port
        self.bases: dict[str, Path] = {}
        self.before: dict[str, dict[str, Any]] = {}

    def job(self, root: Path, **job: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        result = root.parent / f"{root.name}-{job['kind']}.json"
        result.unlink(missing_ok=True)
        answer = self.server.run({"root": str(root), "port": self.port, "result": str(result), **job})
        return answer, (json.loads(result.read_text(encoding="utf-8")) if result.exists() else {})


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, server: ForkServer, port: int) -> Folders:
    """Two instance folders to copy: ``start`` (people, no instance) and ``sign`` (awaiting the employee)."""
    made = Folders(tmp_path_factory.mktemp("crash-runs"), server, port)
    empty = made.tmp / "base-start"
    empty.mkdir()
    db = make_engine(f"sqlite:///{empty / 'mibao.db'}")
    upgrade(db)
    with transaction(make_session_factory(db)) as session:
        ensure_people(session, DEMO_PEOPLE)
    db.dispose()
    waiting = made.tmp / "base-sign"
    shutil.copytree(empty, waiting)
    assert made.job(waiting, kind="step", step="start")[0] == {"signal": None, "code": 0}
    for step, base in (("start", empty), ("sign", waiting)):
        answer, found = made.job(base, kind="inspect")
        assert answer["code"] == 0, answer
        made.bases[step], made.before[step] = base, found["before"]
    assert made.before["start"]["instances"] == [] and made.before["start"]["documents"] == []
    [doc] = made.before["sign"]["documents"]
    assert doc["parties_signed"] == ["company"] and doc["verified"] and doc["file"] == "ok"
    return made


def _same_records(found: dict[str, Any], expected: dict[str, Any]) -> None:
    for key in ("instances", "tasks", "history", "documents"):
        assert found[key] == expected[key], key


def _step_done_once(found: dict[str, Any], step: str, before: dict[str, Any]) -> None:
    """The state after exactly one successful ``step`` from ``before``."""
    [doc] = found["documents"]
    assert doc["file"] == "ok" and doc["verified"], doc
    if step == "start":
        [inst] = found["instances"]
        assert inst["status"] == "running" and [j[0] for j in found["jobs"]] == ["applied", "applied"]
        assert doc["parties_signed"] == doc["signed_fields"] == ["company"]
        assert ["sign_annual_pledge_employee", "ready"] in found["tasks"]
        assert found["history"].count("started") == 1
    else:
        [inst], [old] = found["instances"], before["instances"]
        assert inst["version"] == old["version"] + 1 and inst["status"] == "completed"
        assert doc["parties_signed"] == doc["signed_fields"] == ["company", "employee"]
        assert doc["status"] == "completed"
        assert found["history"].count("completed") == 1


@pytest.mark.parametrize("stage", list(STAGES))
def test_killed_at_stage(folders: Folders, stage: str) -> None:
    step = STAGES[stage]
    before = folders.before[step]
    killed = orphans = 0
    started = time.perf_counter()
    for run in range(RUNS):
        root = folders.tmp / f"{stage}-{run}"
        shutil.copytree(folders.bases[step], root)
        answer, _ = folders.job(root, kind="step", step=step, stage=stage, nth=1)
        assert answer["signal"] == signal.SIGKILL, f"run {run}: the child was not killed at {stage}: {answer}"
        killed += 1
        answer, found = folders.job(root, kind="inspect", step=step, redo=True)
        assert answer["code"] == 0, f"run {run}: checking after the kill failed: {answer} (see children.log)"
        after_kill = found["before"]
        for doc in after_kill["documents"]:
            assert doc["file"] == "ok", f"run {run}: document row points to a {doc['file']} file: {doc}"
        orphans += len(set(after_kill["orphans"]) - set(before["orphans"]))
        if stage == "committed":
            _step_done_once(after_kill, step, before)
            assert found["outcome"] == "conflict", f"run {run}: the step was done twice"
            _same_records(found["after"], after_kill)
        elif step == "start":
            [inst] = after_kill["instances"]
            assert inst["status"] == "waiting" and after_kill["documents"] == [] and after_kill["tasks"] == []
            # started, the signing deadline worked out ("ran"), then waiting for the preparation's job
            assert after_kill["jobs"] == [["running", 1]] and after_kill["history"] == ["started", "ran", "waiting"]
            assert found["outcome"] == "done"
            _step_done_once(found["after"], step, before)
            assert found["after"]["jobs"] == [["applied", 2], ["applied", 1]]   # preparing (again), then sealing
        else:
            _same_records(after_kill, before)
            assert found["outcome"] == "done"
            _step_done_once(found["after"], step, before)
        assert not any(f.rsplit("/", 1)[-1].startswith(".") for f in found["after"]["orphans"]), found["after"]
        shutil.rmtree(root)
    record(f"crash recovery [{stage}, step {step}]: {RUNS} runs, {killed} SIGKILLed at the stage, "
           f"{RUNS} consistent after the kill, {RUNS} redone correctly "
           f"{'(its job handed over again by the sweep) ' if step == 'start' and stage != 'committed' else ''}"
           f"({'refused as already done' if stage == 'committed' else 'completed'}); "
           f"new files no row points to after the kills: {orphans} "
           f"({'the superseded version' if stage == 'committed' else 'orphans'}); "
           f"{time.perf_counter() - started:.1f} s")
