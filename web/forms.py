"""Forms from the engine's JSON Schemas: fields to render, and posted strings turned back into typed JSON.

The engine validates the result against the same schema again; this only converts what a browser sends
(strings) into the types the schema describes and reports what cannot be converted, per field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from workflows.uploads import UPLOAD

__all__ = ["Field", "coerce", "field_titles", "fields_of", "uploaded_files"]


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    description: str
    kind: str                    # text | textarea | number | integer | checkbox | select | lines | date | file | person
                                 # | items
    required: bool
    choices: list[Any] = field(default_factory=list)
    const: Any = None
    accept: list[str] = field(default_factory=list)       # media types of a file field
    # Required only in some cases: (other field, its values) from the schema's if/then; any one of them applies.
    required_when: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def label(self, choice: Any) -> str:
        """A choice in words (the stored value is the code the processes and templates use)."""
        return str(CHOICE_LABELS.get(self.name, {}).get(choice) or LEVEL_WORDS.get(choice) or choice)

    def choices_in_words(self, choices: tuple[Any, ...]) -> str:
        return str(_(" or ")).join(self.label(c) for c in choices)


# Choices in words, by field, in the page's language; a level named anywhere else reads as a secret's level.
LEVEL_WORDS = {"core": _l("core secret"), "important": _l("important secret"), "general": _l("general secret")}
CHOICE_LABELS: dict[str, dict[str, Any]] = {
    "personnel_level": {"core": _l("core personnel"), "important": _l("important personnel"),
                        "general": _l("general personnel")},
    "area_zone": {"core": _l("core area"), "important": _l("important area"), "general": _l("general area")},
    "cadence": {"monthly": _l("monthly"), "weekly": _l("weekly")},
    "trigger": {"yearly": _l("the yearly review"), "ad_hoc": _l("a review of its own")},
    "permission_decision": {"keep": _l("keep as it is"), "reduce": _l("reduce"), "revoke": _l("revoke")},
    "declassify_reason": {"expired": _l("its period has ended"), "public": _l("it has become public"),
                          "no_value": _l("it has no value any more"), "keep": _l("keep it secret")},
    "employment_status": {"employed": _l("employed"), "self_employed": _l("self-employed"),
                          "unemployed": _l("not working")},
    "proof_type": {"labor_contract": _l("labour contract"), "social_insurance": _l("social insurance record"),
                   "both": _l("both"), "declaration": _l("written declaration")},
    "agreement": {"visitor_pledge": _l("visitor's pledge"), "area_entry_pledge": _l("area entry pledge"),
                  "meeting_pledge": _l("meeting pledge"), "bid_evaluation_pledge": _l("bid evaluation pledge"),
                  "inspection_nda": _l("administrative inspection NDA"),
                  "audit_nda": _l("audit NDA"), "maintenance_nda": _l("maintenance NDA"),
                  "cooperation_nda": _l("cooperation NDA")},
    "external_role": {"visitor": _l("visitor"), "attendee": _l("meeting attendee"),
                      "expert": _l("bid evaluation expert"), "inspector": _l("inspector"),
                      "auditor": _l("auditor"), "maintainer": _l("maintenance contractor"), "partner": _l("partner")},
    "dispute_resolution": {"litigation": _l("court"), "arbitration": _l("arbitration")},
    "review_decision": {"keep": _l("keep it secret"), "drop_public": _l("drop it: it is public")},
    "material_kind": {"paper": _l("academic paper"), "exhibition": _l("exhibition"), "patent": _l("patent filing"),
                      "press": _l("press release"), "other": _l("other publication")},
    "publication_decision": {"approve": _l("approve publication"),
                             "approve_redacted": _l("approve with the redactions listed"),
                             "refuse": _l("refuse publication")},
}


def fields_of(schema: dict[str, Any] | None) -> list[Field]:
    if not schema:
        return []
    required = set(schema.get("required", []))
    when = _required_when(schema)
    out = []
    for name, prop in schema.get("properties", {}).items():
        kind = _kind(prop)
        out.append(Field(name=name, title=str(prop.get("title", name)), description=str(prop.get("description", "")),
                         kind=kind, required=name in required, choices=list(prop.get("enum", [])),
                         const=prop.get("const"), accept=list(prop.get("x-upload", [])),
                         required_when=tuple((other, tuple(values)) for other, values in when.get(name, {}).items())))
    return out


def _required_when(schema: dict[str, Any]) -> dict[str, dict[str, list[Any]]]:
    """Fields the schema requires only when another field has a value: ``if {x: const v} then {required: [...]}``.

    The forms state such cases that way (onboarding: the non-compete's fields for core personnel; the outside
    parties' start form: each agreement's own fields). Other conditions are left to the engine's validation.
    """
    when: dict[str, dict[str, list[Any]]] = {}
    for rule in [schema, *schema.get("allOf", [])]:
        condition = (rule.get("if") or {}).get("properties") or {}
        if len(condition) != 1:
            continue
        (other, test), = condition.items()
        if not isinstance(test, dict) or "const" not in test:
            continue
        for name in (rule.get("then") or {}).get("required", []):
            when.setdefault(name, {}).setdefault(other, []).append(test["const"])
    return when


def _kind(prop: dict[str, Any]) -> str:
    t = prop.get("type")
    if "x-upload" in prop:
        return "file"
    if prop.get("x-items"):
        return "items"          # register entries, picked by name among those the person may see
    if prop.get("x-person"):
        return "person"         # an account, picked by name (web/templates/_form.html)
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
        if f.kind == "items":
            picked = [v for v in form.getlist(f.name) if v.strip()]
            if picked and not all(v.strip().isdigit() for v in picked):
                problems.append(_("%(field)s: pick entries of the register.", field=f.title))
            elif picked:
                data[f.name] = [int(v) for v in picked]
            continue
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


def field_titles(engine: Any, process_id: str) -> dict[str, str]:
    """Titles of every field people fill in a process: its start form and its tasks' forms."""
    forms = [engine.start_form(process_id)]
    forms += [task.properties.get("form") for task in engine.process(process_id).user_tasks.values()]
    return {f.name: f.title for form in forms if form for f in fields_of(engine.forms.schema(form))}


def uploaded_files(data: dict[str, Any], titles: dict[str, str]) -> list[tuple[str, str]]:
    """(title, stored name) of the files a process holds (``upload:<sha256>.<ext>``, web/uploads.py)."""
    return [(titles.get(key, key), value.removeprefix(UPLOAD)) for key, value in sorted(data.items())
            if isinstance(value, str) and value.startswith(UPLOAD)]
