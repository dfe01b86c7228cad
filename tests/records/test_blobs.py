"""Documents' files: in the instance folder (embedded default) or in the database every node sees (PostgreSQL);
a file written inside a transaction is gone when that transaction rolls back."""

from __future__ import annotations

from pathlib import Path

import pytest

from records.blobs import BlobMissing, DatabaseBlobs, FolderBlobs
from records.db import make_session_factory, transaction
from tests.db import BACKENDS, database


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_database_store_keeps_files_with_their_transaction(backend: str, tmp_path: Path) -> None:
    with database(backend, tmp_path) as engine:
        sessions = make_session_factory(engine)
        blobs = DatabaseBlobs(sessions)
        blobs.put("MB-1/0-prepared-ab.pdf", b"%PDF-1 prepared")
        blobs.put("MB-1/0-prepared-ab.pdf", b"%PDF-1 prepared")          # a job run twice: same name, same bytes
        assert blobs.get("MB-1/0-prepared-ab.pdf") == b"%PDF-1 prepared"
        with transaction(sessions) as session:
            blobs.put("MB-1/1-employee.pdf", b"%PDF-1 signed", session)
        assert blobs.get("MB-1/1-employee.pdf") == b"%PDF-1 signed"
        with pytest.raises(RuntimeError), transaction(sessions) as session:
            blobs.put("MB-1/2-company.pdf", b"%PDF-1 sealed", session)
            raise RuntimeError("the signature's row could not be written")
        with pytest.raises(BlobMissing, match=r"MB-1/2-company\.pdf"):
            blobs.get("MB-1/2-company.pdf")                              # rolled back with it: no orphan


def test_the_folder_store(tmp_path: Path) -> None:
    blobs = FolderBlobs(tmp_path / "documents")
    blobs.put("MB-1/0-prepared.pdf", b"%PDF-1 prepared")
    assert (tmp_path / "documents" / "MB-1" / "0-prepared.pdf").read_bytes() == blobs.get("MB-1/0-prepared.pdf")
    with pytest.raises(BlobMissing):
        blobs.get("MB-1/9-nothing.pdf")
