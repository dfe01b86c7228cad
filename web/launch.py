"""HR starts processes: one person from a form, or many from a CSV file (one row = one person's start data).

A row that fails (bad data, an unknown user, a template that cannot be filled) does not stop the others:
each row gets its own result, and each started instance is its own transaction.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from documents.errors import DocumentError
from records.models import User
from signing.errors import SigningError
from web.forms import coerce, fields_of
from workflows import BPMN_DIR, Engine, FormDataError, InstanceView, WorkflowError

__all__ = ["HR_PROCESSES", "MAX_ROWS", "RowResult", "csv_template", "example", "read_csv", "start_one", "start_rows"]

HR_PROCESSES = ("onboarding", "offboarding", "annual_pledge")
MAX_ROWS = 200
_USER_FIELDS = ("employee_user", "hr_user")


@dataclass(frozen=True)
class RowResult:
    row: int                      # 1-based data row (the header is row 0)
    label: str                    # a name to recognise the row by
    instance_id: int | None = None
    problems: list[str] = field(default_factory=list)


def example(process_id: str) -> dict[str, Any]:
    """The example start data shipped with the process (a starting point for the form)."""
    path = BPMN_DIR / "examples" / f"{process_id}.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else {}


def csv_template(schema: dict[str, Any] | None, sample: dict[str, Any]) -> str:
    names = [f.name for f in fields_of(schema)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    writer.writerow(["true" if sample.get(n) is True else "false" if sample.get(n) is False else sample.get(n, "")
                     for n in names])
    return "\ufeff" + out.getvalue()      # a BOM, so spreadsheet programs read the Chinese as UTF-8


def read_csv(raw: bytes) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV (with or without BOM) as dicts by header; raises FormDataError if unreadable."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormDataError(_("the CSV file"),
                            [_("The file is not UTF-8: save it as “CSV UTF-8” and upload it again.")]) from None
    rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]
    if not rows:
        raise FormDataError(_("the CSV file"),
                            [_("The file has no data rows below the header: add one row per person.")])
    if len(rows) > MAX_ROWS:
        raise FormDataError(_("the CSV file"),
                            [_("At most %(max)s rows at a time; this file has %(rows)s. Split it into smaller files.",
                               max=MAX_ROWS, rows=len(rows))])
    return rows


def start_one(engine: Engine, process_id: str, data: dict[str, Any], *, actor: str) -> InstanceView:
    """Start ``process_id`` for one person, after checking that the accounts it names exist."""
    with engine.sessions() as session:
        missing = [_("%(field)s: there is no user “%(user)s”.", field=name, user=data[name]) for name in _USER_FIELDS
                   if isinstance(data.get(name), str) and session.get(User, data[name]) is None]
    if missing:
        raise FormDataError(_("the start form"), missing)
    return engine.start(process_id, data, actor=actor)


def start_rows(engine: Engine, process_id: str, schema: dict[str, Any] | None, rows: list[dict[str, str]], *,
               actor: str) -> list[RowResult]:
    results = []
    for number, row in enumerate(rows, start=1):
        label = row.get("employee_name") or row.get("employee_user") or f"#{number}"
        data, problems = coerce(schema, MultiDict(row))
        if problems:
            results.append(RowResult(number, label, problems=problems))
            continue
        try:
            view = start_one(engine, process_id, data, actor=actor)
        except FormDataError as exc:
            results.append(RowResult(number, label, problems=list(exc.problems)))
        except (WorkflowError, DocumentError, SigningError) as exc:
            results.append(RowResult(number, label, problems=[str(exc)]))
        else:
            results.append(RowResult(number, label, instance_id=view.id))
    return results
