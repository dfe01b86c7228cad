"""What commands share: the instance folder, its PKI, a converter and the engine, built on demand."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from records.db import database_url, make_engine, make_session_factory
from records.instance import Instance
from records.key_store import shared_keys
from records.migrate import upgrade
from signing import Converter, ConvertOptions, Pki
from workflows import Clock, Engine, Services
from workflows.composition import build_engine
from workflows.jobs import JobRunner


def configure_logging() -> None:
    """Log lines for the long-running commands (serve, worker, scheduler), without the libraries' chatter."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # one line per task state change otherwise
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # forty lines per evidence page otherwise


def instance() -> Instance:
    return Instance.from_env()


def pki(inst: Instance) -> Pki:
    """The instance's PKI: in its folder, or in the shared database on PostgreSQL (as the engine's)."""
    url = database_url(inst)
    if not url.startswith("postgresql"):
        return Pki.open(inst.pki_dir)
    # The store keeps its engine: the PKI reads through it again to issue a person or reissue a CRL.
    return Pki.open(shared_keys(make_session_factory(make_engine(url)), inst.pki_dir))


def prepare(inst: Instance) -> None:
    """What must exist before any server process or worker starts: the schema at head and the PKI.

    Both are safe to race (a migration lock; the PKI's file lock), but doing them once here means workers forked
    afterwards find them ready and never compete for them.
    """
    db = make_engine(database_url(inst))
    try:
        upgrade(db)
    finally:
        db.dispose()
    pki(inst)


@contextmanager
def converter(inst: Instance, warm_instances: int) -> Iterator[Converter]:
    """One-shot commands use a cold soffice (~1 s); batches pay the ~5 s warm start once."""
    with Converter(ConvertOptions(workdir=inst.work_dir, warm_instances=warm_instances)) as conv:
        yield conv


@contextmanager
def engine(inst: Instance, clock: Clock | None = None, warm_converters: int = 0,
           jobs: JobRunner | None = None) -> Iterator[Engine]:
    """The process engine on the instance's database (migrated on first use), wired like the web app's."""
    db = make_engine(database_url(inst))
    upgrade(db)
    services = Services(inst, warm_converters=warm_converters)
    try:
        yield build_engine(make_session_factory(db), services, clock=clock, jobs=jobs)
    finally:
        services.close()
        db.dispose()
