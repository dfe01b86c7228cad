"""Bring a database to the newest schema with Alembic (migrations in ``records/migrations/versions``).

Several processes may start on one fresh database at once (gunicorn workers, a cron ``mibao tick`` beside the
server, nodes of a cluster). Each upgrade therefore runs under a lock that spans processes and machines, and the
second comer finds the schema at head and does nothing:

- PostgreSQL: a transaction-scoped advisory lock keyed on the database and schema;
- SQLite: an exclusive ``flock`` on a file beside the database, then ``BEGIN IMMEDIATE``. The WAL journal mode is
  set here, once, under that lock: it is stored in the database file, and switching it needs the database to
  itself, which is what failed when every worker switched it while another migrated (PITFALLS, 2026-12-03).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from records.db import WRITE_OPTION

__all__ = ["alembic_config", "upgrade"]

_HERE = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s")
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(engine: Engine) -> None:
    """Apply every pending migration, once, however many processes ask at the same time."""
    with _migration_lock(engine):
        if engine.dialect.name == "sqlite":
            _use_wal(engine)
        with engine.connect() as connection, _begin(engine, connection):
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('mibao.migrate.' || "
                                        "current_database() || '.' || current_schema()))"))
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """SQLite only: an exclusive lock file beside the database file (in-memory databases need none)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(Path(database).with_name(Path(database).name + ".migrate-lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)     # blocks until the migrating process is done (or dead: the OS frees it)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _use_wal(engine: Engine) -> None:
    # On the raw connection, outside any transaction (SQLite refuses to switch inside one); a no-op once the file
    # is in WAL mode.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
    finally:
        raw.close()


@contextmanager
def _begin(engine: Engine, connection: Connection) -> Iterator[None]:
    """The migration's transaction: on SQLite a write transaction from its first statement (BEGIN IMMEDIATE)."""
    if engine.dialect.name == "sqlite":
        connection.execution_options(**{WRITE_OPTION: True})
    with connection.begin():
        yield
