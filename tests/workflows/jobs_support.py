"""What the job tests share: a database that this test and real worker processes use (SQLite or PostgreSQL), the
engine over it with jobs left for the workers, a worker run, and an onboarding brought to its first heavy step."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from records.db import make_engine, make_session_factory, transaction
from records.demo_org import ensure_demo
from records.instance import Instance
from records.migrate import upgrade
from tests.bpmn.driver import START, example
from tests.db import BACKENDS, postgresql_schema, schema_url
from workflows import Engine, FixedClock, Services
from workflows.composition import build_engine
from workflows.jobs import ParkedJobs

BACKGROUND = {"check_date": "2026-11-21", "background_passed": True, "check_summary": "已核实，无竞业限制。"}
PREPARING = "正在生成协议 / preparing the agreement"


def onboarding_at_its_first_agreement(engine: Engine) -> int:
    """Start eng01's onboarding and pass the background check: the first agreement's job is written (and,
    depending on the engine's runner, already handed over). Returns the instance id."""
    view = engine.start("onboarding", example("onboarding"), actor="hr01")
    task = next(t for t in view.tasks if t.name == "background_check")
    return engine.complete(task.id, actor="hr01", data=BACKGROUND).id


ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def _database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated, empty database both this test and its worker processes use."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'instance' / 'mibao.db'}"
        return
    with postgresql_schema() as (schema, _engine):
        yield schema_url(schema)


@pytest.fixture(params=BACKENDS)
def setup(request: pytest.FixtureRequest, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, dict[str, str]]]:
    (tmp_path / "instance").mkdir()
    monkeypatch.setenv("MIBAO_PKI_PASSPHRASE", "the deployment's passphrase")  # keys in the database on PostgreSQL
    with _database(str(request.param), tmp_path) as url:
        db = make_engine(url)
        upgrade(db)
        factory = make_session_factory(db)
        with transaction(factory) as session:
            ensure_demo(session)
        services = Services(Instance.from_env(tmp_path / "instance"))
        engine = build_engine(factory, services, clock=FixedClock(START), jobs=ParkedJobs())
        env = {**os.environ, "MIBAO_INSTANCE": str(tmp_path / "instance"), "MIBAO_DATABASE_URL": url,
               "MIBAO_JOB_LEASE_SECONDS": "1", "MIBAO_JOB_UNAPPLIED_SECONDS": "0"}
        try:
            yield engine, env
        finally:
            services.close()
            db.dispose()


def run_worker(env: dict[str, str], crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    run_env = dict(env)
    if crash_at:
        run_env["MIBAO_TEST_JOB_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-c", "from cli import main; main()", "worker", "--once"],
                          cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=300)
