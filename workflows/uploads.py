"""Files people hand in with a form, as a process holds them: ``upload:<sha256>.<ext>``, stored under the instance
folder's ``uploads/`` by the web app (web/uploads.py) and read back here, hashed again, by the steps that rely on
their bytes (a leak's evidence, a publication's material)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from workflows.errors import OperationFailed

__all__ = ["UPLOAD", "stored_upload", "upload_dir"]

UPLOAD = "upload:"


def upload_dir(root: Path) -> Path:
    return root / "uploads"


def stored_upload(root: Path, data: dict[str, Any], field: str, what: str) -> tuple[str, str]:
    """(stored name, SHA-256) of the file ``data[field]`` names, checked against its content-addressed name;
    ``what`` says in the error what to upload ("the evidence")."""
    ref = str(data.get(field) or "")
    name = ref.removeprefix(UPLOAD)
    path = upload_dir(root) / name
    if not ref.startswith(UPLOAD) or "/" in name or not path.is_file():
        raise OperationFailed(f"{field}: {ref!r} is no uploaded file; upload {what} in the form")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if not name.startswith(digest):
        raise OperationFailed(f"{field}: the stored file {name} no longer matches its hash; it was changed")
    return name, digest
