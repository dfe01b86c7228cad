"""Forms from the engine's JSON Schemas: fields to render, and posted strings turned back into typed JSON.

The engine validates the result against the same schema again; this only converts what a browser sends
(strings) into the types the schema describes and reports what cannot be converted, per field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

__all__ = ["Field", "coerce", "fields_of"]


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    description: str
    kind: str                    # text | textarea | number | integer | checkbox | select | lines | date | file
    required: bool
    choices: list[Any] = field(default_factory=list)
    const: Any = None
    accept: list[str] = field(default_factory=list)       # media types of a file field


def fields_of(schema: dict[str, Any] | None) -> list[Field]:
    if not schema:
        return []
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        kind = _kind(prop)
        out.append(Field(name=name, title=str(prop.get("title", name)), description=str(prop.get("description", "")),
                         kind=kind, required=name in required, choices=list(prop.get("enum", [])),
                         const=prop.get("const"), accept=list(prop.get("x-upload", []))))
    return out


def _kind(prop: dict[str, Any]) -> str:
    t = prop.get("type")
    if "x-upload" in prop:
        return "file"
    if "enum" in prop:
        return "select"
    if t == "boolean":
        return "checkbox"
    if t == "integer":
        return "integer"
    if t == "number":
        return "number"
    if t == "array":
        return "lines"
    if prop.get("format") == "date":
        return "date"
    if t == "string" and int(prop.get("maxLength", 0) or 0) > 200:
        return "textarea"
    return "text"


def coerce(schema: dict[str, Any] | None, form: MultiDict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Typed data for ``schema`` from posted strings; leaves out empty optional fields."""
    data: dict[str, Any] = {}
    problems: list[str] = []
    for f in fields_of(schema):
        raw = form.get(f.name, "")
        if f.kind == "checkbox":
            data[f.name] = raw in ("on", "true", "1")
            continue
        if raw.strip() == "":
            continue
        try:
            if f.kind == "integer":
                data[f.name] = int(raw)
            elif f.kind == "number":
                data[f.name] = float(raw)
            elif f.kind == "lines":
                data[f.name] = [line.strip() for line in raw.splitlines() if line.strip()]
            elif f.kind == "select" and f.choices and not isinstance(f.choices[0], str):
                data[f.name] = type(f.choices[0])(raw)
            else:
                data[f.name] = raw
        except ValueError:
            if f.kind == "integer":
                problems.append(_("%(field)s: “%(value)s” is not a whole number.", field=f.title, value=raw))
            elif f.kind == "number":
                problems.append(_("%(field)s: “%(value)s” is not a number.", field=f.title, value=raw))
            else:
                problems.append(_("%(field)s: “%(value)s” is not one of the choices.", field=f.title, value=raw))
    return data, problems
