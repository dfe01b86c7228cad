"""The signing PKI in the shared database (``pki_files``), for deployments where signing workers run on several
machines: each opens the same CA, TSA and people's keys instead of making a PKI of its own.

Private keys stay encrypted (PKCS#8) under ``MIBAO_PKI_PASSPHRASE``, which must come from the environment — a
dump of the database then holds no usable key. Creating the PKI, issuing an identity and reissuing a CRL take a
PostgreSQL advisory lock, the database's equivalent of the folder store's ``flock``.

An installation that started with the keys in its instance folder keeps them: :func:`shared_keys` moves the
folder's PKI into the database the first time (re-encrypting the keys under the environment's passphrase), so
documents signed before and after verify against the same root.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from records.db import transaction
from records.models import PkiFile
from signing.errors import PkiError
from signing.pki import PASSPHRASE_ENV, FolderKeyStore, reencrypt_key

__all__ = ["DatabaseKeyStore", "shared_keys"]

log = logging.getLogger(__name__)


class DatabaseKeyStore:
    """The PKI's files as rows of ``pki_files`` (PostgreSQL only: the lock is an advisory lock)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        bind = sessions.kw["bind"]
        if bind.dialect.name != "postgresql":
            raise PkiError("the signing keys can be kept in the database only on PostgreSQL; "
                           "with SQLite they stay in the instance folder")
        self.sessions = sessions
        with sessions() as session:
            schema = session.scalar(text("SELECT current_schema()"))
        self.label = f"database:{bind.url.render_as_string(hide_password=True)}#{schema}"
        # One advisory lock per database and schema (tests run side by side in schemas of one database).
        self._lock_key = int.from_bytes(hashlib.sha256(self.label.encode()).digest()[:8], "big", signed=True)

    def read(self, name: str) -> bytes | None:
        with self.sessions() as session:
            data = session.scalar(select(PkiFile.data).where(PkiFile.name == name))
        return bytes(data) if data is not None else None

    def write(self, name: str, data: bytes) -> None:
        with transaction(self.sessions) as session:
            row = session.get(PkiFile, name, with_for_update=True)
            now = dt.datetime.now(dt.UTC)
            if row is None:
                session.add(PkiFile(name=name, data=data, updated_at=now))
            else:
                row.data, row.updated_at = data, now

    @contextmanager
    def lock(self) -> Iterator[None]:
        with self.sessions.kw["bind"].connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": self._lock_key})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._lock_key})
                conn.commit()

    def passphrase(self) -> bytes:
        value = os.environ.get(PASSPHRASE_ENV)
        if not value:
            raise PkiError(f"the signing keys are kept in the database: set {PASSPHRASE_ENV} to the passphrase "
                           "that encrypts them, the same on every node (keep it out of the database and its "
                           "backups — a secret store or the service's environment file)")
        return value.encode()


def shared_keys(sessions: sessionmaker[Session], folder: Path) -> DatabaseKeyStore:
    """The database's key store, with the instance folder's PKI moved into it if the database has none yet."""
    store = DatabaseKeyStore(sessions)
    local = FolderKeyStore(folder)
    if store.read("root.crt.pem") is not None or local.read("root.crt.pem") is None:
        return store
    new = store.passphrase()
    with store.lock(), local.lock():
        if store.read("root.crt.pem") is not None:  # another node moved it meanwhile
            return store
        # A folder made without the environment's passphrase has its own file; one made with it, none.
        old = local.file_passphrase() or new
        names = local.names()
        # The root certificate last: its presence is what marks a complete PKI (as in the folder).
        for name in sorted(names, key=lambda n: n == "root.crt.pem"):
            data = local.read(name)
            assert data is not None
            store.write(name, reencrypt_key(data, old, new) if name.endswith(".key.pem") else data)
    log.info("moved the signing PKI from %s into the database (%d files)", folder, len(names))
    return store
