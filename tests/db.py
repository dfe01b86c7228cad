"""Throwaway databases for tests: a SQLite file, or a private schema in the local PostgreSQL."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from records.db import make_engine
from records.migrate import upgrade

PG_URL = os.environ.get("MIBAO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


@functools.cache
def _pg_available() -> bool:
    probe = make_engine(PG_URL)
    try:
        with probe.connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False
    finally:
        probe.dispose()


def require_postgresql() -> None:
    """Skip without a reachable PostgreSQL; under CI its absence fails the test instead."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}; CI must test it")
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database that disappears afterwards."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    with postgresql_schema() as (_schema, engine):
        upgrade(engine)
        yield engine


def schema_url(schema: str) -> str:
    """The URL of the test PostgreSQL with ``schema`` as its search path, for processes the test starts (a worker,
    a server) that must see the same private schema."""
    return make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


@contextmanager
def postgresql_schema() -> Iterator[tuple[str, Engine]]:
    """A private, empty (unmigrated) schema in the test PostgreSQL, and an engine whose search path is it."""
    require_postgresql()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield schema, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
