"""Benchmark: the web app under 20 concurrent users with 100,000 tasks in the database.

Usage: ``.venv/bin/python bench/web.py [--tasks 100000] [--users 20] [--seconds 30]``

Prepares an instance folder (SQLite) holding ``--tasks`` open review tasks (copies of a real
``permission_review`` instance, each with its own task ids) spread over 1,000 department heads, starts
``mibao serve`` on a loopback port, and lets ``--users`` simulated heads each sign in, then loop for a
bounded time: open the inbox, open the oldest task, complete it. Prints a table and, last, one JSON object
with ``inbox_p95_ms``, ``complete_p95_ms``, ``requests``, ``errors``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from records.db import database_url, make_engine, make_session_factory, transaction  # noqa: E402
from records.instance import Instance  # noqa: E402
from records.migrate import upgrade  # noqa: E402
from records.models import ProcessInstance, Task, User  # noqa: E402
from records.people import DEMO_PEOPLE, ensure_people  # noqa: E402
from web.passwords import hash_password  # noqa: E402
from workflows import BPMN_DIR, Engine, Services  # noqa: E402

HEADS = 1000
PASSWORD = "bench-password"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_TASK = re.compile(r'href="/tasks/([0-9a-f-]{36})"')


def prepare(instance: Instance, tasks: int) -> None:
    db = make_engine(database_url(instance))
    upgrade(db)
    factory = make_session_factory(db)
    pw = hash_password(PASSWORD)
    with transaction(factory) as session:
        ensure_people(session, DEMO_PEOPLE)
        session.execute(insert(User), [{"id": f"head{i:04d}", "name": f"部门负责人{i:04d}",
                                        "roles": ["department_head"], "password_hash": pw} for i in range(HEADS)])
    engine = Engine(factory, Services(instance, warm_converters=0))
    data = json.loads((BPMN_DIR / "examples" / "permission_review.json").read_text(encoding="utf-8"))
    view = engine.start("permission_review", data, actor="hr01")
    ready = next(t for t in view.tasks if t.state == "ready")
    with transaction(factory) as session:
        template = session.get(ProcessInstance, view.id)
        assert template is not None
        text = json.dumps(template.state)
        for start in range(0, tasks, 2000):
            instances, rows = [], []
            for i in range(start, min(start + 2000, tasks)):
                state, mapping = _copy(text)
                instances.append({"process_id": "permission_review", "definition_id": template.definition_id,
                                  "state": state, "format_version": template.format_version, "version": 1,
                                  "status": "running", "started_by": "bench", "started_at": template.started_at,
                                  "updated_at": template.started_at})
                rows.append({"id": mapping[ready.id], "spec_name": ready.name, "title": ready.title,
                             "lane": "department_head", "assignee": f"head{i % HEADS:04d}",
                             "form": ready.form, "state": "ready", "created_at": template.started_at})
            ids = session.scalars(insert(ProcessInstance).returning(ProcessInstance.id), instances).all()
            for row, instance_id in zip(rows, ids, strict=True):
                row["instance_id"] = instance_id
            session.execute(insert(Task), rows)
    db.dispose()


def _copy(text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A copy of an instance's state with new task ids (as if started separately), and the id mapping."""
    mapping: dict[str, str] = {}
    state = json.loads(_UUID.sub(lambda m: mapping.setdefault(m.group(), str(uuid.uuid4())), text))
    return state, mapping


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return str(response.read().decode("utf-8"))

    def post(self, path: str, fields: dict[str, str]) -> int:
        body = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return int(response.status)


def user_loop(base: str, user: str, deadline: float, out: dict[str, list[float]], errors: list[str]) -> None:
    client = Client(base)
    try:
        token = _CSRF.search(client.get("/login"))
        client.post("/login", {"username": user, "password": PASSWORD, "csrf_token": token.group(1) if token else ""})
    except Exception as exc:
        errors.append(f"{user}: login: {type(exc).__name__}: {exc}")
        return
    while time.monotonic() < deadline:
        try:
            t0 = time.perf_counter()
            inbox = client.get("/inbox")
            out["inbox"].append(time.perf_counter() - t0)
            match = _TASK.search(inbox)
            if match is None:
                return  # this user's work is done (a small --tasks run)
            page = client.get(f"/tasks/{match.group(1)}")
            csrf = _CSRF.findall(page)[-1]
            t0 = time.perf_counter()
            client.post(f"/tasks/{match.group(1)}", {"csrf_token": csrf, "permission_decision": "keep",
                                                     "permission_note": "权限与岗位相符"})
            out["complete"].append(time.perf_counter() - t0)
        except Exception as exc:  # counted, not raised: the benchmark reports errors
            errors.append(f"{user}: {type(exc).__name__}: {exc}")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] * 1000 if len(values) >= 20 else max(values, default=0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2, help="server processes (mibao serve --workers)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Instance.from_env(tmp)
        t0 = time.perf_counter()
        prepare(instance, args.tasks)
        print(f"prepared {args.tasks} tasks in {time.perf_counter() - t0:.1f} s")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # 20 simulated users sign in from one address: lift the per-address login limit for this run only.
        env = {**os.environ, "MIBAO_INSTANCE": tmp, "MIBAO_LOGIN_RATE_LIMIT": "1000 per minute"}
        command = [sys.executable, "-c", "import cli; cli.main()", "serve", "--port", str(port),
                   "--threads", "8", "--workers", str(args.workers)]
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    Client(base).get("/login")
                    break
                except OSError:
                    time.sleep(0.1)
            single = Client(base)
            token = _CSRF.search(single.get("/login"))
            single.post("/login", {"username": "head0999", "password": PASSWORD,
                                   "csrf_token": token.group(1) if token else ""})
            alone = []
            for _ in range(20):
                t0 = time.perf_counter()
                single.get("/inbox")
                alone.append(time.perf_counter() - t0)
            timings: dict[str, list[float]] = {"inbox": [], "complete": []}
            errors: list[str] = []
            deadline = time.monotonic() + args.seconds
            threads = [threading.Thread(target=user_loop, args=(base, f"head{i:04d}", deadline, timings, errors))
                       for i in range(args.users)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    result: dict[str, Any] = {
        "inbox_p95_ms": round(p95(timings["inbox"]), 1), "complete_p95_ms": round(p95(timings["complete"]), 1),
        "inbox_median_ms": round(statistics.median(timings["inbox"]) * 1000, 1) if timings["inbox"] else None,
        "inbox_alone_ms": round(statistics.median(alone) * 1000, 1),
        "requests": len(timings["inbox"]) + len(timings["complete"]), "errors": len(errors),
        "tasks": args.tasks, "users": args.users, "seconds": args.seconds, "workers": args.workers,
    }
    for line in errors[:5]:
        print("error:", line)
    for key, value in result.items():
        print(f"  {key:16} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
