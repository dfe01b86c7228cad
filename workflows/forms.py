"""Forms described as data: JSON Schemas in ``bpmn/forms/``, validated on the server for every completion."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

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
        validator = Draft202012Validator(self.schema(name))
        problems = sorted(
            f"{'.'.join(map(str, e.absolute_path)) or '(form)'}: {e.message}" for e in validator.iter_errors(data)
        )
        if problems:
            raise FormDataError(what, problems)


@lru_cache(maxsize=256)
def _load(path: Path) -> dict[str, Any]:
    try:
        schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
    except (OSError, json.JSONDecodeError, SchemaError) as exc:
        raise BpmnError(f"form {path.name}: not a valid JSON Schema ({exc})") from None
    return schema
