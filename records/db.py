"""Database engines and transactions.

SQLite (in the instance folder) is the embedded default; PostgreSQL when ``MIBAO_DATABASE_URL`` names one.
Transactions are owned by the edge (a CLI command, a web request, a tick): services only ``flush()``.

SQLite under concurrent writers failed most writes with "database is locked" when transactions began
deferred and upgraded to write later (PITFALLS: 1097 of 1200); beginning write transactions with
``BEGIN IMMEDIATE`` takes the write lock up front and waits for it (busy timeout) instead — 0 of 1200.
Every :func:`transaction` is such a write transaction; plain sessions (reads: inboxes, pages) begin
deferred, so in WAL mode they never wait for a writer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from records.instance import Instance

__all__ = ["WRITE_OPTION", "database_url", "make_engine", "make_session_factory", "transaction"]

WRITE_OPTION = "mibao_write_transaction"


def database_url(instance: Instance) -> str:
    return os.environ.get("MIBAO_DATABASE_URL") or f"sqlite:///{instance.root / 'mibao.db'}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event (below) issue BEGIN itself instead of pysqlite's implicit one.
            # The journal mode (WAL) is set once, by records.migrate under its lock, not by every connection.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work that writes: commit when the block ends normally, roll back on any exception."""
    with factory() as session, session.begin():
        session.connection(execution_options={WRITE_OPTION: True})   # SQLite: BEGIN IMMEDIATE
        yield session
