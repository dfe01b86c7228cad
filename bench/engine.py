"""Benchmark: the process engine's step cost, timer tick selectivity and stored state size.

Usage: ``.venv/bin/python bench/engine.py [-n 200] [--db sqlite|postgresql]``

- ``raw_step_ms``  one user task on an in-memory SpiffWorkflow instance: restore it from its serialized state,
                   complete the task, run the engine steps that follow, serialize it again (median)
- ``task_step_ms`` the same step through the engine: lock + load from the database, check the form and the
                   user, complete, advance, save with the version check, update the task table and history
- ``tick_ratio``   tick time with 10,000 waiting instances of which 100 are due ÷ 1,000 waiting with the same
                   100 due (1.0 = the tick only touches due instances)
- ``monitoring_state_kb`` stored state of an offboarding instance after 24 months of non-compete checks

The step is the department head's review in ``permission_review`` (decision "keep" → compute the next review
date → wait on the six-month timer); the tick fires those timers. Prints a table, then one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import insert

from records.db import make_session_factory, transaction
from records.demo_org import ensure_demo
from records.instance import Instance
from records.models import ProcessInstance
from tests.db import database
from workflows import BPMN_DIR, Engine, FixedClock, Services, serializer
from workflows.registry import OperationContext
from workflows.script_engine import CURRENT_CONTEXT

START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PROCESS = "permission_review"
REVIEW = {"permission_decision": "keep", "permission_note": "权限与岗位相符"}


def start_data() -> dict[str, Any]:
    return json.loads((BPMN_DIR / "examples" / f"{PROCESS}.json").read_text(encoding="utf-8"))


@contextmanager
def engine_on(backend: str, root: Path):  # type: ignore[no-untyped-def]
    root.mkdir(parents=True, exist_ok=True)
    with database(backend, root) as db:
        factory = make_session_factory(db)
        with transaction(factory) as session:
            ensure_demo(session)                  # people and posts: deciders come from the organisation
        engine = Engine(factory, Services(Instance.from_env(root / "instance")), clock=FixedClock(START))
        yield engine, factory


def raw_step_ms(engine: Engine, runs: int) -> float:
    proc = engine.process(PROCESS)
    ctx = OperationContext(session=None, instance=ProcessInstance(id=0), data={}, now=START,  # type: ignore[arg-type]
                           services=engine.services, actor="bench")
    CURRENT_CONTEXT.set(ctx)
    wf = BpmnWorkflow(proc.spec, proc.subprocess_specs, script_engine=engine.script_engine)
    for task in wf.get_tasks(state=TaskState.READY):
        task.data.update(start_data())
    wf.do_engine_steps()
    definition, state = serializer.definition_dict(wf), serializer.snapshot(wf)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        restored = serializer.restore(state, definition, serializer.FORMAT_VERSION)
        restored.script_engine = engine.script_engine
        task = restored.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(REVIEW)
        task.run()
        restored.do_engine_steps()
        serializer.snapshot(restored)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def task_step_ms(engine: Engine, runs: int) -> float:
    for _ in range(runs):
        engine.start(PROCESS, start_data(), actor="hr01")
    tasks = engine.tasks(role="department_head")
    times = []
    for task in tasks[:runs]:
        t0 = time.perf_counter()
        engine.complete(task.id, actor=task.assignee or "head01", data=REVIEW)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def tick_seconds(backend: str, root: Path, waiting: int, due: int) -> float:
    """Time one tick over ``waiting`` waiting instances of which ``due`` have a due timer."""
    with engine_on(backend, root) as (engine, factory):
        engine.start(PROCESS, start_data(), actor="hr01")
        task = engine.tasks(role="department_head")[0]
        view = engine.complete(task.id, actor=task.assignee or "head01", data=REVIEW)
        assert view.next_timer_at is not None
        fire_at = view.next_timer_at + dt.timedelta(days=1)
        with transaction(factory) as session:
            template = session.get(ProcessInstance, view.id)
            assert template is not None
            later = fire_at + dt.timedelta(days=365)
            rows = [{"process_id": PROCESS, "definition_id": template.definition_id,
                     "state": fresh_identity(template.state),
                     "format_version": template.format_version, "version": 1, "status": "waiting",
                     "next_timer_at": template.next_timer_at if i < due - 1 else later,
                     "subject_user": template.subject_user, "started_by": "bench", "started_at": START,
                     "updated_at": START} for i in range(waiting - 1)]
            for chunk in range(0, len(rows), 1000):
                session.execute(insert(ProcessInstance), rows[chunk:chunk + 1000])
        t0 = time.perf_counter()
        report = engine.tick(fire_at)
        elapsed = time.perf_counter() - t0
        assert len(report.advanced) == due and not report.errors, report
        return elapsed


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def fresh_identity(state: dict[str, Any]) -> dict[str, Any]:
    """A copy of an instance's state whose tasks have new ids, as a separately started instance would."""
    text = json.dumps(state)
    mapping: dict[str, str] = {}
    text = _UUID.sub(lambda m: mapping.setdefault(m.group(), str(uuid.uuid4())), text)
    copy: dict[str, Any] = json.loads(text)
    return copy


def monitoring_state_kb() -> float | None:
    try:
        from cli.scenario import offboarding_state_after_months
    except ImportError:
        return None
    return offboarding_state_after_months(24) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=200, help="steps to measure (default 200)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with engine_on(args.db, root / "step") as (engine, _):
            raw = raw_step_ms(engine, args.n)
            step = task_step_ms(engine, args.n)
        small = tick_seconds(args.db, root / "t1k", 1_000, 100)
        large = tick_seconds(args.db, root / "t10k", 10_000, 100)
    result = {"raw_step_ms": round(raw, 2), "task_step_ms": round(step, 2),
              "step_over_raw": round(step / raw, 2), "tick_1k_ms": round(small * 1000, 1),
              "tick_10k_ms": round(large * 1000, 1), "tick_ratio": round(large / small, 2)}
    state = monitoring_state_kb()
    if state is not None:
        result["monitoring_state_kb"] = round(state, 1)
    print(f"engine benchmark ({args.db}, {args.n} steps)")
    for key, value in result.items():
        print(f"  {key:20} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
