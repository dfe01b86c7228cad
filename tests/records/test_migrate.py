"""Processes racing to migrate one fresh database all succeed, and the schema is built once.

gunicorn's workers, a cron ``mibao tick`` and the nodes of a cluster may all open a fresh database at the same
moment; before the migration lock one of them failed on ``PRAGMA journal_mode=WAL`` and took the server down.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from records.db import make_engine
from tests.db import PG_URL, postgresql_schema

RACERS = 6

# Each racer waits for the starting gun (a file), then migrates: they hit the fresh database together.
_RACER = """
import sys, time
from pathlib import Path
from records.db import make_engine
from records.migrate import upgrade
gun = Path(sys.argv[2])
while not gun.exists():
    time.sleep(0.005)
kwargs = {"connect_args": {"options": "-csearch_path=" + sys.argv[3]}} if len(sys.argv) > 3 else {}
engine = make_engine(sys.argv[1], **kwargs)
upgrade(engine)
engine.dispose()
print("migrated")
"""


def _race(url: str, tmp_path: Path, *extra: str) -> None:
    gun = tmp_path / "go"
    racers = [subprocess.Popen([sys.executable, "-c", _RACER, url, str(gun), *extra], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(RACERS)]
    time.sleep(3)   # let every interpreter import SQLAlchemy and Alembic and wait at the gun
    gun.touch()
    results = [(proc.wait(timeout=120), *proc.communicate()) for proc in racers]
    failures = [(code, err[-2000:]) for code, _out, err in results if code != 0]
    assert failures == [], failures
    assert all(out.strip() == "migrated" for _code, out, _err in results)


def _assert_at_head(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    from records.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
    assert {"users", "process_instances", "audit_records"} <= set(inspect(engine).get_table_names())


def test_processes_migrating_one_fresh_sqlite_file_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _race(url, tmp_path)
    engine = make_engine(url)
    try:
        _assert_at_head(engine)
        with engine.connect() as conn:   # WAL was set once and is stored in the file
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def test_processes_migrating_one_fresh_postgresql_schema_all_succeed(tmp_path: Path) -> None:
    with postgresql_schema() as (schema, engine):
        _race(PG_URL, tmp_path, schema)
        _assert_at_head(engine)
