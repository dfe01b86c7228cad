"""Forms described as data: JSON Schemas in ``bpmn/forms/``, validated on the server for every completion.

What JSON Schema cannot say with a message a person understands — a rule across fields, such as "the secrecy
period must fit the level" — a form names in ``x-rules`` (``{"rule": NAME, ...fields}``), checked here after the
schema, with messages that name the rule and the seed's section."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from records.levels import period_problem
from workflows.errors import BpmnError, FormDataError

__all__ = ["FormCatalog"]


class FormCatalog:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / f"{name}.json"

    def exists(self, name: str) -> bool:
        return bool(name) and "/" not in name and self.path(name).is_file()

    def schema(self, name: str) -> dict[str, Any]:
        return _load(self.path(name))

    def validate(self, name: str | None, data: Any, what: str) -> None:
        if name is None:
            if data not in (None, {}):
                raise FormDataError(what, ["this task takes no data"])
            return
        schema = self.schema(name)
        validator = Draft202012Validator(schema)
        problems = sorted(
            f"{'.'.join(map(str, e.absolute_path)) or '(form)'}: {e.message}{_why(e.schema)}"
            for e in validator.iter_errors(data)
        )
        if not problems:
            problems = [problem for spec in schema.get("x-rules", []) for problem in _rule(spec, data)]
            problems += _ranges(schema, data)
        if problems:
            raise FormDataError(what, problems)


def _why(field: Any) -> str:
    """The seed's rule behind a field's bounds (``x-rule``), quoted after the schema's own message."""
    return f" — {field['x-rule']}" if isinstance(field, dict) and field.get("x-rule") else ""


def _ranges(schema: dict[str, Any], data: Any) -> list[str]:
    """A field marked ``x-not-above`` (the low end of a range) may not exceed the field it names."""
    problems = []
    for name, field in schema.get("properties", {}).items():
        high = field.get("x-not-above") if isinstance(field, dict) else None
        if high and isinstance(data, dict) and isinstance(data.get(name), int | float) \
                and isinstance(data.get(high), int | float) and data[name] > data[high]:
            problems.append(f"{name}: {data[name]} is above {high} {data[high]}; the lower bound may not exceed the "
                            f"upper{_why(field)}")
    return problems


def _rule(spec: dict[str, str], data: dict[str, Any]) -> list[str]:
    if spec["rule"] == "secrecy_period_fits_level":
        level, period = data.get(spec["level"]), data.get(spec["period"])
        if not isinstance(level, str) or not isinstance(period, str):
            return []
        problem = period_problem(level, period)
        return [f"{spec['period']}: {problem}"] if problem else []
    raise BpmnError(f"a form names an unknown rule {spec['rule']!r}")


@lru_cache(maxsize=256)
def _load(path: Path) -> dict[str, Any]:
    try:
        schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
    except (OSError, json.JSONDecodeError, SchemaError) as exc:
        raise BpmnError(f"form {path.name}: not a valid JSON Schema ({exc})") from None
    return schema
