"""Where documents' files live. The embedded default keeps them in the instance folder (``documents/``); with
PostgreSQL they live in the database (``blobs``), which every web node and worker on every machine sees, and a
file written inside a transaction (a signature) commits or rolls back with the row that points to it.

Names are the documents' relative paths; the ones written by jobs carry their content hash, so a job that runs
twice writes the same name with the same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from records.db import transaction
from records.models import Blob
from records.storage import write_atomic

__all__ = ["BlobMissing", "BlobStore", "DatabaseBlobs", "FolderBlobs"]


class BlobMissing(FileNotFoundError):
    """No file under that name: a document row points at nothing (restore the file from backup)."""


class BlobStore(Protocol):
    def put(self, name: str, data: bytes, session: Session | None = None) -> None:
        """Store ``data`` as ``name``; inside ``session``'s transaction when given (database store)."""

    def get(self, name: str) -> bytes: ...


class FolderBlobs:
    """Files under a folder, each written atomically (rename) — a crash leaves the old file or the new one."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, name: str, data: bytes, session: Session | None = None) -> None:
        write_atomic(self.root / name, data)

    def get(self, name: str) -> bytes:
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(f"the file {name} is missing from {self.root}") from None


class DatabaseBlobs:
    """Files as rows of ``blobs`` in the shared database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def put(self, name: str, data: bytes, session: Session | None = None) -> None:
        if session is not None:
            self._write(session, name, data)
            return
        with transaction(self.sessions) as own:
            self._write(own, name, data)

    @staticmethod
    def _write(session: Session, name: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        row = session.get(Blob, name, with_for_update=True)
        if row is None:
            session.add(Blob(name=name, sha256=digest, size=len(data), data=data,
                             created_at=dt.datetime.now(dt.UTC)))
        elif row.sha256 != digest:
            row.sha256, row.size, row.data = digest, len(data), data
        session.flush()

    def get(self, name: str) -> bytes:
        with self.sessions() as session:
            row = session.get(Blob, name)
            if row is None:
                raise BlobMissing(f"the file {name} is missing from the database's blobs")
            return bytes(row.data)
