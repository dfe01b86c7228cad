"""Files people upload into a task (proof of employment): checked, stored by content hash, readable by HR.

A form field marked ``"x-upload": [media types]`` in its JSON Schema takes a file; the task's data keeps only
the reference ``upload:<sha256>.<ext>``, so the workflow state stays small and the file cannot change later.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.wrappers import Response

from records.storage import write_atomic
from web.audit_log import log_access
from web.forms import coerce, fields_of
from web.security import roles_required
from web.state import WebState, state
from workflows import FormDataError
from workflows.uploads import UPLOAD, upload_dir

__all__ = ["MAX_UPLOAD_BYTES", "UploadError", "bp", "posted_task_data", "store_upload", "stored_files",
           "upload_path"]

bp = Blueprint("uploads", __name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Decided by the file's first bytes, never by its name or the browser's claim.
_MAGIC = {b"%PDF-": ("application/pdf", "pdf"), b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
          b"\xff\xd8\xff": ("image/jpeg", "jpg")}


class UploadError(ValueError):
    pass


def store_upload(web: WebState, upload: FileStorage, allowed: list[str]) -> str:
    data = upload.stream.read(MAX_UPLOAD_BYTES + 1)
    if not data:
        raise UploadError(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(_("The file is larger than 10 MB."))
    kind = next((v for magic, v in _MAGIC.items() if data.startswith(magic)), None)
    if kind is None or kind[0] not in allowed:
        raise UploadError(_("Upload a PDF, PNG or JPEG file."))
    name = f"{hashlib.sha256(data).hexdigest()}.{kind[1]}"
    target = upload_path(web, name)
    if not target.exists():
        write_atomic(target, data)
    return f"{UPLOAD}{name}"


def posted_task_data(web: WebState, schema: dict[str, Any] | None, form: MultiDict[str, str],
                     files: MultiDict[str, FileStorage], title: str) -> dict[str, Any]:
    """A posted task form as typed data, its files stored; FormDataError naming every field that is wrong."""
    data, problems = coerce(schema, form)
    stored, failed = stored_files(web, schema, files)
    if problems or failed:
        raise FormDataError(_("the task “%(title)s”", title=title), problems + failed)
    return data | stored


def stored_files(web: WebState, schema: dict[str, Any] | None,
                 files: MultiDict[str, FileStorage]) -> tuple[dict[str, str], list[str]]:
    """The posted files of ``schema``'s file fields, stored: their references by field, and what was refused."""
    stored: dict[str, str] = {}
    problems: list[str] = []
    for f in fields_of(schema):
        upload = files.get(f.name) if f.kind == "file" else None
        if upload is not None and upload.filename:
            try:
                stored[f.name] = store_upload(web, upload, f.accept)
            except UploadError as exc:
                problems.append(f"{f.title}: {exc}")
    return stored, problems


def upload_path(web: WebState, name: str) -> Path:
    if "/" in name or name.startswith("."):
        raise UploadError(_("Not a valid file reference."))
    return upload_dir(web.instance.root) / name


@bp.route("/uploads/<name>")
@roles_required("hr", "secrecy_office")
def download(name: str) -> Response:
    """An uploaded proof, for HR and the secrecy office who check it."""
    try:
        path = upload_path(state(), name)
    except UploadError:
        abort(404)
    if not path.is_file():
        abort(404)
    log_access("download", "upload", name[:64], None, name.split(".")[0], True)
    media = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}.get(path.suffix[1:], "")
    return send_file(path, mimetype=media or "application/octet-stream", download_name=name)
