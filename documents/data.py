"""Check fill data against a manifest and turn it into typed values before anything is rendered.

Every problem is collected (not just the first), named by its field path, so a form or a CLI user can fix
them all at once. Values never reach the template unchecked: a legal document must not silently print an
empty string or a half-parsed date.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from documents.errors import DataError
from documents.manifest import LEVELS, Manifest, Variable

__all__ = ["validate_data"]

# Characters that cannot appear in WordprocessingML text (XML 1.0 forbids most C0 controls).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MISSING = object()
_LEVEL = Variable(name="secret_level", type="choice", label={"zh": "密级", "en": "Secret level"},
                  choices=LEVELS)


def _convert(var: Variable, value: Any, path: str, problems: list[str]) -> Any:
    t = var.type
    if t in ("string", "text"):
        if not isinstance(value, str):
            problems.append(f"{path}: expected text, got {type(value).__name__}")
            return None
        if bad := _FORBIDDEN.search(value):
            problems.append(f"{path}: contains the control character U+{ord(bad.group()):04X}")
        if t == "string" and "\n" in value:
            problems.append(f"{path}: must be a single line")
        limit = var.length_limit
        if limit is not None and len(value) > limit:
            problems.append(f"{path}: is {len(value)} characters long, at most {limit} are allowed")
        if var.required and not value.strip():
            problems.append(f"{path}: must not be empty")
        return value
    if t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected true or false, got {value!r}")
        return value
    if t == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{path}: expected a whole number, got {value!r}")
            return None
        return _bounded(var, value, path, problems)
    if t == "decimal":
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            number = Decimal(str(value).strip())
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"{path}: expected a number, got {value!r}")
            return None
        return _bounded(var, number, path, problems)
    if t == "date":
        if not isinstance(value, str) or not _DATE.match(value):
            problems.append(f"{path}: expected a date as YYYY-MM-DD, got {value!r}")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            problems.append(f"{path}: {value!r} is not a calendar date")
            return None
    if t == "choice":
        if value not in var.choices:
            problems.append(f"{path}: {value!r} is not one of {', '.join(map(str, var.choices))}")
        return value
    # list
    if not isinstance(value, list):
        problems.append(f"{path}: expected a list of rows, got {type(value).__name__}")
        return None
    if var.required and not value:
        problems.append(f"{path}: needs at least one row")
    if len(value) > 500:
        problems.append(f"{path}: has {len(value)} rows, at most 500 are allowed")
        return None
    return [_record(var.fields, row, f"{path}[{i}]", problems) for i, row in enumerate(value)]


def _bounded(var: Variable, number: Any, path: str, problems: list[str]) -> Any:
    why = f" — {var.rule}" if var.rule else ""
    if var.minimum is not None and number < var.minimum:
        problems.append(f"{path}: {number} is below the minimum {var.minimum}{why}")
    if var.maximum is not None and number > var.maximum:
        problems.append(f"{path}: {number} is above the maximum {var.maximum}{why}")
    return number


def _ranges(variables: tuple[Variable, ...], out: dict[str, Any], problems: list[str]) -> None:
    """The low end of a range may not exceed its high end (a penalty of "5 to 2 months' wages" means nothing)."""
    for var in variables:
        low, high = out.get(var.name), out.get(var.not_above or "")
        if var.not_above and low is not None and high is not None and low > high:
            why = f" — {var.rule}" if var.rule else ""
            problems.append(f"{var.name}: {low} is above {var.not_above} {high}; the lower bound may not exceed the "
                            f"upper{why}")


def _record(variables: tuple[Variable, ...], raw: Any, prefix: str, problems: list[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.append(f"{prefix}: expected an object with fields, got {type(raw).__name__}")
        return {}
    known = {v.name for v in variables}
    for extra in sorted(set(raw) - known):
        problems.append(f"{prefix}.{extra}: unknown field" if prefix else f"{extra}: unknown field")
    out: dict[str, Any] = {}
    for var in variables:
        path = f"{prefix}.{var.name}" if prefix else var.name
        value = raw.get(var.name, _MISSING)
        if value is _MISSING or value is None:
            if var.has_default:
                value = var.default
            elif var.required:
                problems.append(f"{path}: is required")
                continue
            else:
                out[var.name] = None
                continue
        out[var.name] = _convert(var, value, path, problems)
    return out


def validate_data(manifest: Manifest, raw: Any) -> dict[str, Any]:
    """Return the typed context for ``manifest`` or raise :class:`DataError` listing every problem.

    ``document_id`` is not accepted from the data: the system assigns it. ``secret_level`` may be given
    and defaults to the manifest's ``default_level``.
    """
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise DataError(manifest.id, [f"expected a JSON object of fields, got {type(raw).__name__}"])
    raw = dict(raw)
    level = raw.pop("secret_level", manifest.default_level)
    out = _record(manifest.variables, raw, "", problems)
    _ranges(manifest.variables, out, problems)
    out["secret_level"] = _convert(_LEVEL, level, "secret_level", problems)
    if problems:
        raise DataError(manifest.id, problems)
    return out
