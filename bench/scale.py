"""Benchmark: scale-out on PostgreSQL + Redis — two web nodes, one then two Celery workers, one worker killed.

Usage: ``.venv/bin/python bench/scale.py [--agreements 200] [--users 20] [--worker-threads 1]`` (4–8 minutes on 2 cores)

Builds a small cluster on this machine, each node with an instance folder of its own as if on its own machine:
a fresh PostgreSQL database, a Redis database as the Celery broker, ``mibao scheduler`` (the once-across-nodes
round, which sweeps jobs a crash left behind), two ``mibao serve`` web nodes on loopback ports and ``mibao worker
--broker …`` processes serving the documents, signing and mail queues. Every node has the same
``MIBAO_PKI_PASSPHRASE`` (the signing keys live in the database) and ``MIBAO_SECRET_KEY`` (sessions valid on
both web nodes), and nothing else in common but the database and Redis; a short job lease
(``MIBAO_JOB_LEASE_SECONDS``) and a short "stored but not applied" delay.

HR's system starts onboarding instances through the API (``hr01``'s token); ``--users`` simulated HR clerks, each
signed in to the web app (their requests alternate between the two nodes, as behind a proxy without stickiness),
open their inbox regularly and complete the background check of each onboarding assigned to them through the
API — the step whose completion makes the process prepare an agreement (the ``prepare_agreement`` job, then the
company's seal, ``company_sign``). Two measured phases of ``--agreements`` completions each: one worker, then two;
in the second one worker is SIGKILLed while it works a job, and a replacement started. Each phase runs from its
first completion until every job of its instances is applied.

Prints a table and, last, one JSON object with ``agreements_per_s_1``, ``agreements_per_s_2``, ``complete_p95_ms``,
``inbox_p95_ms``, ``lost``, ``duplicated``, ``worker_rss_growth_mb`` (and more). The database, the Redis database,
the instance folders and every process started (LibreOffice included) are removed at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.cookiejar
import importlib
import importlib.util
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import Engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from records.db import make_engine, make_session_factory, transaction  # noqa: E402
from records.demo_org import ensure_demo  # noqa: E402
from records.models import ApiToken, Document, Job, JobStatus, Task, TaskState, User  # noqa: E402
from records.people import Person, ensure_people  # noqa: E402
from web.passwords import hash_password  # noqa: E402

PASSWORD = "bench-password-绿茶-轴承"
PASSPHRASE = "bench-pki-passphrase-" + "x" * 16
BACKGROUND = {"check_date": "2026-11-21", "background_passed": True, "check_summary": "已核实，无竞业限制。"}
TEMPLATE = "legacy_secret_pledge"          # the agreement the background check leads to (onboarding.bpmn)
OPERATIONS = ("prepare_agreement", "company_sign")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_TASK = re.compile(r'href="/tasks/([0-9a-f-]{36})"')
# The same claim on a Redis database as the tests' (tests/workflows/test_celery_jobs.py): neither takes the other's.
_REDIS_OWNER = "mibao-test-owner"

TARGETS: dict[str, tuple[str, float]] = {
    "scale_ratio": (">=", 1.5), "complete_p95_ms": ("<=", 150), "inbox_p95_ms": ("<=", 50),
    "lost": ("<=", 0), "duplicated": ("<=", 0), "worker_rss_growth_mb": ("<=", 100),
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- processes and their memory ------------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (LibreOffice runs in a session of its own, but is still a child)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def start_time(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot): with the pid, names a process even after the pid is reused."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def rss_tree(pid: int) -> list[float]:
    """Resident memory (MB) of ``pid``, then of each of its descendants (psutil when installed, else /proc)."""
    if importlib.util.find_spec("psutil") is not None:
        psutil: Any = importlib.import_module("psutil")
        try:
            parent = psutil.Process(pid)
            procs = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        sizes = []
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                sizes.append(proc.memory_info().rss / 2**20)
        return sizes
    sizes = []
    for p in descendants(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
    return sizes


def rss_mb(pid: int) -> tuple[float, float]:
    """(the process with its LibreOffice children, the process alone) in MB."""
    sizes = rss_tree(pid)
    return sum(sizes), (sizes[0] if sizes else 0.0)


@dataclass
class Node:
    name: str
    folder: Path
    proc: subprocess.Popen[bytes]
    log_path: Path
    # Every descendant ever seen, with its start time: LibreOffice (a session of its own) outlives a killed parent.
    seen: dict[int, str] = field(default_factory=dict)

    def note_children(self) -> None:
        if self.proc.poll() is None:
            for pid in descendants(self.proc.pid):
                started = start_time(pid)
                if started is not None:
                    self.seen.setdefault(pid, started)

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _kill_pids(pids: dict[int, str], sig: int) -> None:
    """Signal each process still running under its pid (the same start time: not another that reuses the pid)."""
    for pid, started in pids.items():
        if start_time(pid) == started:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)


# -- the cluster ---------------------------------------------------------------------------------------------


class Cluster:
    """The database, the broker, the instance folders and the processes; :meth:`close` undoes all of it."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="mibao-scale-"))
        self.nodes: list[Node] = []
        self.db_name = f"bench_scale_{os.getpid()}"
        admin = make_url(args.pg)
        self.admin_url = args.pg
        self.url = admin.set(database=self.db_name).render_as_string(hide_password=False)
        self.broker = ""
        self.db: Engine | None = None
        self.env: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        self.first_folder = self.tmp / "web1"

    # setup

    def create(self) -> None:
        admin = make_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.db_name}"'))
        finally:
            admin.dispose()
        self.broker = self._claim_redis()
        self.env = {**os.environ, "MIBAO_DATABASE_URL": self.url, "MIBAO_BROKER_URL": self.broker,
                    "MIBAO_PKI_PASSPHRASE": PASSPHRASE, "MIBAO_SECRET_KEY": secrets.token_urlsafe(48),
                    "MIBAO_JOB_LEASE_SECONDS": str(self.args.lease),
                    "MIBAO_JOB_UNAPPLIED_SECONDS": str(self.args.unapplied),
                    "MIBAO_LOGIN_RATE_LIMIT": "10000 per minute", "PYTHONUNBUFFERED": "1",
                    # The clerks are HR, whose sign-in asks for a second step by default (records.two_factor); they
                    # sign in once, before the measured phases, so the bench leaves it out.
                    "MIBAO_2FA_ROLES": "none"}
        self.env.pop("MIBAO_TEST_JOB_CRASH_AT", None)
        # This process prepares the first instance folder: the schema, the PKI (encrypted with the passphrase).
        os.environ.update({k: self.env[k] for k in ("MIBAO_DATABASE_URL", "MIBAO_PKI_PASSPHRASE")})
        os.environ.pop("MIBAO_BROKER_URL", None)
        from cli import context
        from records.instance import Instance

        context.prepare(Instance.from_env(self.first_folder))
        self.db = make_engine(self.url)

    def _claim_redis(self) -> str:
        base = self.args.redis.rstrip("/")
        for index in range(1, 16):
            client = redis.Redis.from_url(f"{base}/{index}")
            if client.set(_REDIS_OWNER, uuid.uuid4().hex, nx=True, ex=3600):
                client.flushdb()
                client.set(_REDIS_OWNER, "bench/scale.py", ex=3600)
                return f"{base}/{index}"
        raise RuntimeError("no free Redis database (1…15 are all claimed by tests or other runs)")

    def seed(self, users: int, employees: int) -> None:
        """The demo organisation, ``users`` HR clerks who sign in, ``employees`` new employees, API tokens."""
        assert self.db is not None
        factory = make_session_factory(self.db)
        pw = hash_password(PASSWORD)
        with transaction(factory) as session:
            ensure_demo(session)
            ensure_people(session, [Person(f"clerk{i:02d}", f"人事专员{i:02d}", ("hr",), "人力资源部",
                                           identifier=f"E2{i:03d}") for i in range(users)])
            # New hires without a personnel level on their account: not on the roster the duty round launches annual
            # pledges for (workflows/schedules.py), so the workers do only what the users' completions ask for.
            ensure_people(session, [Person(f"emp{i:04d}", f"新员工{i:04d}", ("employee",), "技术研发部", None,
                                           f"E5{i:04d}", post="工艺工程师") for i in range(employees)])
            session.flush()
            for i in range(users):
                user = session.get(User, f"clerk{i:02d}")
                assert user is not None
                user.password_hash = pw
            for user_id in ["hr01", *(f"clerk{i:02d}" for i in range(users))]:
                secret = secrets.token_urlsafe(32)
                session.add(ApiToken(user_id=user_id, label="bench/scale.py",
                                     token_sha256=hashlib.sha256(secret.encode()).hexdigest()))
                self.tokens[user_id] = secret

    def folder(self, name: str) -> Path:
        """A node's own instance folder: nothing shared but what the environment says (keys are in the database)."""
        path = self.tmp / name
        if path != self.first_folder:
            path.mkdir()
        return path

    def start(self, name: str, *command: str) -> Node:
        folder = self.folder(name)
        log_path = self.tmp / f"{name}.log"
        with log_path.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", *command], cwd=ROOT,
                                    env={**self.env, "MIBAO_INSTANCE": str(folder)}, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        node = Node(name, folder, proc, log_path)
        self.nodes.append(node)
        return node

    def web(self, name: str) -> tuple[Node, str]:
        port = free_port()
        node = self.start(name, "serve", "--port", str(port), "--workers", str(self.args.web_processes),
                          "--threads", "8")
        return node, f"http://127.0.0.1:{port}"

    def worker(self, name: str) -> Node:
        return self.start(name, "worker", "--broker", self.broker, "--queues", "documents,signing,mail",
                          "--threads", str(self.args.worker_threads), "--warm", str(self.args.warm))

    def wait_ready(self, node: Node, probe: Any, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if node.proc.poll() is not None:
                raise RuntimeError(f"{node.name} exited with {node.proc.returncode}:\n{node.log_tail()}")
            if probe():
                node.note_children()
                return
            time.sleep(0.2)
        raise RuntimeError(f"{node.name} not ready after {seconds:.0f} s:\n{node.log_tail()}")

    # teardown

    def kill(self, node: Node) -> None:
        """SIGKILL the node's process, as a machine that dies; its LibreOffice goes with it."""
        node.note_children()
        os.kill(node.proc.pid, signal.SIGKILL)
        node.proc.wait()
        _kill_pids(node.seen, signal.SIGKILL)

    def close(self) -> None:
        for node in self.nodes:
            node.note_children()
        for node in self.nodes:
            if node.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(node.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for node in self.nodes:
            try:
                node.proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(node.proc.pid, signal.SIGKILL)
                node.proc.wait()
        for node in self.nodes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(node.proc.pid, signal.SIGKILL)   # gunicorn's children, if any lingered
            _kill_pids({p: t for p, t in node.seen.items() if p != node.proc.pid}, signal.SIGKILL)
        if self.db is not None:
            self.db.dispose()
        if self.broker:
            with contextlib.suppress(redis.exceptions.RedisError):
                redis.Redis.from_url(self.broker).flushdb()
        admin = make_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
        except Exception as exc:  # reported, not raised: the rest of the cleanup must still run
            print(f"could not drop database {self.db_name}: {exc}", file=sys.stderr)
        finally:
            admin.dispose()
        if self.args.logs:
            keep = Path(self.args.logs)
            keep.mkdir(parents=True, exist_ok=True)
            for node in self.nodes:
                with contextlib.suppress(OSError):
                    shutil.copy2(node.log_path, keep / node.log_path.name)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # the database, read

    def job_counts(self, instance_ids: list[int]) -> dict[tuple[str, str], int]:
        assert self.db is not None
        with self.db.connect() as conn:
            rows = conn.execute(select(Job.operation, Job.status, func.count()).where(
                Job.instance_id.in_(instance_ids), Job.operation.in_(OPERATIONS))
                .group_by(Job.operation, Job.status)).all()
        return {(str(op), str(status)): int(n) for op, status, n in rows}

    def unsettled(self) -> int:
        """Jobs of any kind not yet applied or given up (the duty round's own work included)."""
        assert self.db is not None
        with self.db.connect() as conn:
            found: int | None = conn.scalar(select(func.count()).select_from(Job).where(
                Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE])))
            return found or 0

    def first_error(self, instance_ids: list[int]) -> str | None:
        """A job that failed an attempt (retried with backoff): the app is broken and the numbers meaningless."""
        assert self.db is not None
        with self.db.connect() as conn:
            row = conn.execute(select(Job.id, Job.operation, Job.error).where(
                Job.instance_id.in_(instance_ids), Job.error.is_not(None)).limit(1)).first()
        return None if row is None else f"job {row[0]} ({row[1]}) failed: {row[2]}"

    def running_on(self, node: Node) -> int:
        assert self.db is not None
        with self.db.connect() as conn:
            found: int | None = conn.scalar(select(func.count()).select_from(Job).where(
                Job.status == JobStatus.RUNNING, Job.worker.like(f"%:{node.proc.pid}:%")))
            return found or 0

    def holds_lease(self) -> bool:
        assert self.db is not None
        with self.db.connect() as conn:
            return bool(conn.scalar(text("select count(*) from leases where name = 'background'")) == 1)


# -- simulated people ----------------------------------------------------------------------------------------


class Http:
    """One person's browser (cookies, alternating between the web nodes) or an API client."""

    def __init__(self, bases: list[str], token: str | None = None, start: int = 0) -> None:
        self.bases, self.token, self.turn = bases, token, start
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def _base(self) -> str:
        self.turn += 1
        return self.bases[self.turn % len(self.bases)]

    def get(self, path: str) -> str:
        with self.opener.open(self._base() + path, timeout=60) as response:
            return str(response.read().decode("utf-8"))

    def post_form(self, path: str, fields: dict[str, str]) -> int:
        body = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self._base() + path, data=body, timeout=60) as response:
            return int(response.status)

    def post_json(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(self._base() + path, data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result

    def sign_in(self, user: str) -> None:
        token = _CSRF.search(self.get("/login"))
        self.post_form("/login", {"username": user, "password": PASSWORD,
                                  "csrf_token": token.group(1) if token else ""})
        if "/logout" not in self.get("/inbox"):
            raise RuntimeError(f"{user} could not sign in")


def _describe(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        with contextlib.suppress(Exception):
            return f"HTTP {exc.code}: {exc.read()[:200].decode('utf-8', 'replace')}"
        return f"HTTP {exc.code}"
    return f"{type(exc).__name__}: {exc}"


@dataclass
class Phase:
    name: str
    instance_ids: list[int]
    done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    first_completion: float | None = None
    completed: int = 0
    inbox: list[float] = field(default_factory=list)
    complete: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def user_loop(user: str, browser: Http, api: Http, phase: Phase, think: float, interval: float) -> None:
    """Open the inbox; complete the oldest background check in it; again — and keep looking until the phase ends."""
    rnd = random.Random(user)
    phase.done.wait(rnd.uniform(0, think))     # people do not all click at the same moment
    while not phase.done.is_set():
        try:
            t0 = time.perf_counter()
            page = browser.get("/inbox")
            elapsed = time.perf_counter() - t0
            with phase.lock:
                phase.inbox.append(elapsed)
            match = _TASK.search(page)
            if match is None:
                phase.done.wait(interval * rnd.uniform(0.5, 1.5))
                continue
            started = time.monotonic()
            t0 = time.perf_counter()
            api.post_json(f"/api/v1/tasks/{match.group(1)}/complete", BACKGROUND)
            elapsed = time.perf_counter() - t0
            with phase.lock:
                phase.complete.append(elapsed)
                phase.completed += 1
                if phase.first_completion is None or started < phase.first_completion:
                    phase.first_completion = started
            phase.done.wait(think * rnd.uniform(0.5, 1.5))
        except Exception as exc:  # counted, not raised: the benchmark reports errors
            with phase.lock:
                phase.errors.append(f"{user}: {_describe(exc)}")
            phase.done.wait(1.0)


def start_instances(hr: Http, count: int, users: list[str], first_employee: int) -> list[int]:
    """HR's system starts ``count`` onboardings through the API, their background checks spread over the users."""
    example = json.loads((ROOT / "bpmn" / "examples" / "onboarding.json").read_text(encoding="utf-8"))

    def one(i: int) -> int:
        k = first_employee + i
        data = {**example, "employee_user": f"emp{k:04d}", "employee_name": f"新员工{k:04d}",
                "employee_number": f"E5{k:04d}", "personnel_level": "important", "hr_user": users[i % len(users)]}
        try:
            return int(hr.post_json("/api/v1/processes/onboarding/instances", data)["id"])
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"starting an onboarding: {_describe(exc)}") from None

    # The first start of a process stores its definition; concurrent first starts race on that insert (one of
    # them answers 500: workflows/runtime.py Engine._definition, select-then-insert), so the first goes alone.
    first = [one(0)] if count else []
    with ThreadPoolExecutor(max_workers=4) as pool:
        return first + list(pool.map(one, range(1, count)))


# -- the run -------------------------------------------------------------------------------------------------


def p(values: list[float], q: int) -> float:
    """The q-th percentile in ms (nearest rank)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] * 1000


@dataclass
class PhaseResult:
    name: str
    workers: int
    agreements: int
    seconds: float
    per_s: float
    phase: Phase
    killed: str = ""
    load: float = field(default_factory=lambda: os.getloadavg()[0])   # others' work on this machine skews it


class Bench:
    def __init__(self, args: argparse.Namespace, cluster: Cluster) -> None:
        self.args, self.cluster = args, cluster
        self.users = [f"clerk{i:02d}" for i in range(args.users)]
        self.bases: list[str] = []
        self.browsers: dict[str, Http] = {}
        self.apis: dict[str, Http] = {}
        self.hr: Http | None = None
        self.next_employee = 0
        self.all_ids: list[int] = []
        self.workers: list[Node] = []
        self.watched: Node | None = None    # the worker whose memory is followed from its warm-up to the end
        self.rss_peak = 0.0

    def employees_needed(self) -> int:
        return int(2 * self.args.agreements + 3 * self.args.warmup)

    def start_instances(self, count: int) -> list[int]:
        assert self.hr is not None
        ids = start_instances(self.hr, count, self.users, self.next_employee)
        self.next_employee += count
        self.all_ids.extend(ids)
        return ids

    def wait_applied(self, ids: list[int], seconds: float,
                     on_progress: Any = None) -> tuple[bool, dict[tuple[str, str], int]]:
        """Until every instance's background check is completed and both its jobs are applied (or failed)."""
        deadline = time.monotonic() + seconds
        counts: dict[tuple[str, str], int] = {}
        while time.monotonic() < deadline:
            counts = self.cluster.job_counts(ids)
            settled = sum(n for (_, status), n in counts.items() if status in (JobStatus.APPLIED, JobStatus.FAILED))
            if on_progress is not None:
                on_progress(counts)
            if settled >= len(OPERATIONS) * len(ids):
                return True, counts
            error = self.cluster.first_error(ids)
            if error is not None:
                raise RuntimeError(f"stopping the benchmark: {error}")
            for node in self.workers:
                node.note_children()
            if self.watched is not None:
                self.rss_peak = max(self.rss_peak, rss_mb(self.watched.proc.pid)[0])
            time.sleep(0.25)
        return False, counts

    def warm_up(self, count: int) -> None:
        """Agreements nobody times: each worker starts its LibreOffice and loads its keys."""
        ids = self.start_instances(count)
        for user in self.users[:count]:
            self._complete_all_of(user)
        ok, counts = self.wait_applied(ids, self.args.phase_timeout)
        if not ok:
            raise RuntimeError(f"warm-up did not finish: {counts}")
        deadline = time.monotonic() + self.args.phase_timeout
        while self.cluster.unsettled() and time.monotonic() < deadline:   # a phase starts with nothing in hand
            time.sleep(0.5)

    def _complete_all_of(self, user: str) -> None:
        while True:
            match = _TASK.search(self.browsers[user].get("/inbox"))
            if match is None:
                return
            self.apis[user].post_json(f"/api/v1/tasks/{match.group(1)}/complete", BACKGROUND)

    def phase(self, name: str, count: int, kill: Node | None = None) -> PhaseResult:
        ids = self.start_instances(count)
        phase = Phase(name, ids)
        log(f"{name}: {count} onboardings started; {len(self.users)} users complete their background checks")
        threads = [threading.Thread(target=user_loop, args=(u, self.browsers[u], self.apis[u], phase,
                                                            self.args.think, self.args.inbox_interval), daemon=True)
                   for u in self.users]
        for t in threads:
            t.start()
        killed = ""
        state = {"killed": False, "asked": 0.0}

        def progress(counts: dict[tuple[str, str], int]) -> None:
            nonlocal killed
            if kill is None or state["killed"]:
                return
            prepared = sum(n for (op, status), n in counts.items()
                           if op == "prepare_agreement" and status == JobStatus.APPLIED)
            if prepared < self.args.kill_at * count:
                return
            if not state["asked"]:
                state["asked"] = time.monotonic()
            mid_job = self.cluster.running_on(kill) > 0
            if mid_job or time.monotonic() - state["asked"] > 30:
                self.cluster.kill(kill)
                self.workers.remove(kill)
                state["killed"] = True
                killed = f"{kill.name} SIGKILLed {'mid-job' if mid_job else 'NOT mid-job (none in hand for 30 s)'} " \
                         f"after {prepared} prepared"
                log(killed + "; starting a replacement")
                replacement = self.cluster.worker("worker3")
                self.workers.append(replacement)

        ok, counts = self.wait_applied(ids, self.args.phase_timeout, progress)
        end = time.monotonic()
        phase.done.set()
        for t in threads:
            t.join(timeout=70)
        if not ok:
            phase.errors.append(f"timed out after {self.args.phase_timeout:.0f} s: jobs {counts}")
        failed = sum(n for (_, status), n in counts.items() if status == JobStatus.FAILED)
        if failed:
            phase.errors.append(f"{failed} job(s) failed")
        seconds = end - (phase.first_completion or end)
        prepared = counts.get(("prepare_agreement", str(JobStatus.APPLIED)), 0)
        result = PhaseResult(name, len(self.workers), prepared, seconds, prepared / seconds if seconds else 0.0,
                             phase, killed)
        log(f"{name}: {prepared} agreements prepared in {seconds:.1f} s = {result.per_s:.2f}/s")
        return result

    def count_agreements(self) -> tuple[int, int, int, int]:
        """(expected, lost, duplicated, reclaimed): from the database, one agreement per completed background check."""
        assert self.cluster.db is not None
        with self.cluster.db.connect() as conn:
            completed = set(conn.scalars(select(Task.instance_id).where(
                Task.instance_id.in_(self.all_ids), Task.spec_name == "background_check",
                Task.state == TaskState.COMPLETED)))
            per_instance: dict[int, int] = {int(i or 0): int(n) for i, n in conn.execute(
                select(Document.instance_id, func.count()).where(
                    Document.instance_id.in_(self.all_ids), Document.template_id == TEMPLATE)
                .group_by(Document.instance_id))}
            reclaimed = int(conn.scalar(select(func.count()).select_from(Job).where(
                Job.instance_id.in_(self.all_ids), Job.attempts > 1)) or 0)
        lost = sum(1 for i in completed if per_instance.get(i, 0) == 0)
        duplicated = sum(max(0, n - 1) for n in per_instance.values()) + \
            sum(n for i, n in per_instance.items() if i not in completed)
        return len(completed), lost, duplicated, reclaimed

    def run(self) -> dict[str, Any]:
        args, cluster = self.args, self.cluster
        t_start = time.monotonic()
        cluster.create()
        cluster.seed(args.users, self.employees_needed())
        log(f"database {cluster.db_name}, broker {cluster.broker}, instance folders under {cluster.tmp}")
        scheduler = cluster.start("scheduler", "scheduler", "--every", str(args.sweep_every))
        cluster.wait_ready(scheduler, cluster.holds_lease)
        web = [cluster.web("web1"), cluster.web("web2")]
        self.bases = [base for _, base in web]
        for node, base in web:
            cluster.wait_ready(node, lambda base=base: _answers(base))
        self.hr = Http(self.bases, cluster.tokens["hr01"])
        for i, user in enumerate(self.users):
            self.browsers[user] = Http(self.bases, start=i)
            self.browsers[user].sign_in(user)
            self.apis[user] = Http(self.bases, cluster.tokens[user], start=i)
        log(f"scheduler, web nodes {', '.join(self.bases)}; {len(self.users)} users signed in")

        first = cluster.worker("worker1")
        self.workers.append(first)
        cluster.wait_ready(first, lambda: b" ready." in first.log_path.read_bytes())
        self.warm_up(args.warmup)
        rss_start, own_start = rss_mb(first.proc.pid)
        self.watched, self.rss_peak = first, rss_start
        log(f"worker1 warm: {rss_start:.0f} MB with its LibreOffice ({own_start:.0f} MB the worker itself)")
        one = self.phase("1 worker", args.agreements)

        second = cluster.worker("worker2")
        self.workers.append(second)
        cluster.wait_ready(second, lambda: b" ready." in second.log_path.read_bytes())
        self.warm_up(2 * args.warmup)
        two = self.phase("2 workers", args.agreements, kill=second)

        ok, counts = self.wait_applied(self.all_ids, args.phase_timeout)
        rss_end, own_end = rss_mb(first.proc.pid)
        expected, lost, duplicated, reclaimed = self.count_agreements()
        phases = [one, two]
        inbox = [x for r in phases for x in r.phase.inbox]
        complete = [x for r in phases for x in r.phase.complete]
        result: dict[str, Any] = {
            "agreements_per_s_1": round(one.per_s, 3), "agreements_per_s_2": round(two.per_s, 3),
            "complete_p95_ms": round(p(complete, 95), 1), "inbox_p95_ms": round(p(inbox, 95), 1),
            "lost": lost, "duplicated": duplicated, "worker_rss_growth_mb": round(rss_end - rss_start, 1),
            "scale_ratio": round(two.per_s / one.per_s, 2) if one.per_s else None,
            "complete_p50_ms": round(p(complete, 50), 1), "inbox_p50_ms": round(p(inbox, 50), 1),
            "completions": len(complete), "inbox_requests": len(inbox), "expected_agreements": expected,
            "reclaimed_jobs": reclaimed, "worker_rss_start_mb": round(rss_start, 1),
            "worker_rss_end_mb": round(rss_end, 1), "worker_rss_peak_mb": round(self.rss_peak, 1),
            "worker_own_rss_start_mb": round(own_start, 1),
            "worker_own_rss_end_mb": round(own_end, 1), "errors": sum(len(r.phase.errors) for r in phases),
            "killed": two.killed, "all_settled": ok,
            "agreements": args.agreements, "users": args.users, "worker_threads": args.worker_threads,
            "web_processes": args.web_processes, "lease_s": args.lease, "sweep_every_s": args.sweep_every,
            "cores": os.cpu_count(), "load_avg_1m": [round(one.load, 2), round(two.load, 2)],
            "seconds": round(time.monotonic() - t_start, 1),
        }
        if not ok:
            result["unsettled_jobs"] = {f"{op}/{status}": n for (op, status), n in counts.items()}
        self.report(phases, result)
        return result

    def report(self, phases: list[PhaseResult], result: dict[str, Any]) -> None:
        for r in phases:
            for line in r.phase.errors[:5]:
                print(f"error ({r.name}): {line}")
        print()
        print(f"{'phase':10} {'workers':>7} {'agreements':>10} {'seconds':>8} {'agr/s':>6} {'complete p50/p95 ms':>20} "
              f"{'inbox p50/p95 ms':>17} {'errors':>6} {'load':>5}")
        for r in phases:
            ph = r.phase
            print(f"{r.name:10} {r.workers:>7} {r.agreements:>10} {r.seconds:>8.1f} {r.per_s:>6.2f} "
                  f"{p(ph.complete, 50):>9.0f} / {p(ph.complete, 95):<8.0f} {p(ph.inbox, 50):>7.0f} / "
                  f"{p(ph.inbox, 95):<7.0f} {len(ph.errors):>6} {r.load:>5.1f}")
        if phases[1].killed:
            print(f"  {phases[1].killed}")
        print()
        print(f"{'target':22} {'value':>10} {'goal':>8}  met")
        for key, (op, goal) in TARGETS.items():
            value = result.get(key)
            met = value is not None and (value >= goal if op == ">=" else value <= goal)
            goal_text = f"{op} {goal:g}" + (" x" if key == "scale_ratio" else "")
            print(f"{key:22} {value!s:>10} {goal_text:>8}  {'yes' if met else 'NO'}")
        result["targets_met"] = {key: bool(result.get(key) is not None and (
            result[key] >= goal if op == ">=" else result[key] <= goal)) for key, (op, goal) in TARGETS.items()}
        res = result
        print(f"  agreements expected {res['expected_agreements']} (warm-ups included), jobs reclaimed after the kill "
              f"{res['reclaimed_jobs']}")
        print(f"  worker1 RSS with LibreOffice {res['worker_rss_start_mb']} → {res['worker_rss_end_mb']} MB (peak "
              f"{res['worker_rss_peak_mb']}), the worker alone {res['worker_own_rss_start_mb']} → "
              f"{res['worker_own_rss_end_mb']} MB; whole run {res['seconds']} s")


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/login", timeout=5) as response:
            return int(response.status) == 200
    except OSError:
        return False


@contextlib.contextmanager
def interrupts_as_exceptions() -> Iterator[None]:
    """SIGTERM/SIGHUP end the run like Ctrl-C (SIGINT too when started in the background), so the cleanup runs."""
    def _raise(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {sig: signal.signal(sig, _raise) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreements", type=int, default=200, help="completions (agreements) per measured phase")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2, help="untimed agreements per worker before each phase")
    parser.add_argument("--worker-threads", type=int, default=1, help="mibao worker --threads")
    parser.add_argument("--warm", type=int, default=1, help="mibao worker --warm (warm LibreOffice instances)")
    parser.add_argument("--web-processes", type=int, default=1, help="mibao serve --workers, per web node")
    parser.add_argument("--lease", type=float, default=20, help="MIBAO_JOB_LEASE_SECONDS")
    parser.add_argument("--unapplied", type=float, default=10, help="MIBAO_JOB_UNAPPLIED_SECONDS")
    parser.add_argument("--sweep-every", type=float, default=10, help="mibao scheduler --every")
    parser.add_argument("--kill-at", type=float, default=0.2, help="kill a worker once this share is prepared")
    parser.add_argument("--think", type=float, default=3.0,
                        help="seconds (on average) a user takes from one completion to opening the inbox again")
    parser.add_argument("--inbox-interval", type=float, default=2.0,
                        help="seconds (on average) between looks at an empty inbox")
    parser.add_argument("--phase-timeout", type=float, default=300)
    parser.add_argument("--pg", default=os.environ.get("MIBAO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"),
                        help="a PostgreSQL database to connect to for CREATE/DROP DATABASE")
    parser.add_argument("--logs", help="keep the nodes' logs in this folder")
    parser.add_argument("--redis", default=os.environ.get("MIBAO_TEST_REDIS", "redis://127.0.0.1:6379"))
    args = parser.parse_args()
    cluster = Cluster(args)
    try:
        with interrupts_as_exceptions():
            try:
                result = Bench(args, cluster).run()
            except BaseException:
                for node in cluster.nodes:
                    tail = node.log_tail(8)
                    if tail:
                        print(f"--- {node.name} log (last lines) ---\n{tail}", file=sys.stderr)
                raise
            finally:
                log("stopping every process, dropping the database")
                cluster.close()
    except KeyboardInterrupt as exc:
        print(f"interrupted ({exc or 'Ctrl-C'}); everything started was stopped and removed", file=sys.stderr)
        sys.exit(130)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
