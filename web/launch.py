"""HR starts processes: one person from a form, or many from a CSV file (one row = one person's start data).

This module reads the file and checks each row against the start form; ``workflows.launch`` accepts the rows
and starts them on workers, each row on its own, with its own outcome.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from web.forms import coerce, fields_of
from workflows import BPMN_DIR, FormDataError
from workflows.launch import RowIn

__all__ = ["HR_PROCESSES", "MAX_ROWS", "csv_template", "example", "read_csv", "rows_in"]

HR_PROCESSES = ("onboarding", "offboarding", "annual_pledge")
# A year's hiring of a large site in one file; workers start the rows, the request only reads them.
MAX_ROWS = 2000


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


def rows_in(schema: dict[str, Any] | None, rows: list[dict[str, str]]) -> list[RowIn]:
    """Each row's start data as the start form reads it, or why it cannot be started."""
    result = []
    for number, row in enumerate(rows, start=1):
        label = row.get("employee_name") or row.get("employee_user") or f"#{number}"
        data, problems = coerce(schema, MultiDict(row))
        result.append(RowIn(number, label, {} if problems else data, problems))
    return result
