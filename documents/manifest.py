"""Template manifests: what a template needs (variables) and who signs it (parties), read from manifest.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from documents.errors import ManifestError, TemplateNotFound
from records.levels import LEVELS, SecretLevel

__all__ = ["LEVELS", "VARIABLE_TYPES", "Manifest", "Party", "TemplateCatalog", "Variable"]

VARIABLE_TYPES = frozenset({"string", "text", "integer", "decimal", "date", "boolean", "choice", "list"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DEFAULT_MAX_LENGTH = {"string": 200, "text": 5000}


@dataclass(frozen=True)
class Variable:
    name: str
    type: str
    label: dict[str, str]
    required: bool = True
    default: Any = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    fields: tuple[Variable, ...] = ()
    rule: str | None = None          # the seed's rule behind the bounds, quoted when a value is out of them
    not_above: str | None = None     # another variable this one may not exceed (the low end of a range)
    # Filled by the system from its records when the agreement is prepared (``workflows.record_sources``), never
    # from typed data: e.g. the secret items a person may know, listed in their NDA.
    from_records: str | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not None

    @property
    def length_limit(self) -> int | None:
        return self.max_length or _DEFAULT_MAX_LENGTH.get(self.type)


@dataclass(frozen=True)
class Party:
    role: str
    label: dict[str, str]
    anchor: str | None = None


@dataclass(frozen=True)
class Manifest:
    id: str
    version: int
    title: dict[str, str]
    parties: tuple[Party, ...]
    variables: tuple[Variable, ...]
    default_level: str = SecretLevel.GENERAL
    source: str = ""
    directory: Path = field(default=Path("."), compare=False)

    @property
    def docx_path(self) -> Path:
        return self.directory / "template.docx"

    @property
    def sample_path(self) -> Path:
        return self.directory / "sample.json"

    def party(self, role: str) -> Party:
        for p in self.parties:
            if p.role == role:
                return p
        roles = ", ".join(p.role for p in self.parties)
        raise ManifestError(f"template {self.id!r} has no party {role!r}; its parties are: {roles}")

    def summary(self) -> dict[str, Any]:
        """The JSON shape of ``mibao templates --json``."""
        return {
            "id": self.id,
            "version": self.version,
            "title": dict(self.title),
            "default_level": self.default_level,
            "parties": [{"role": p.role, "label": dict(p.label)} for p in self.parties],
        }


def _variable(raw: dict[str, Any], where: str, nested: bool = False) -> Variable:
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ManifestError(f"{where}: variable name {name!r} must match [a-z][a-z0-9_]*")
    vtype = raw.get("type")
    if vtype not in VARIABLE_TYPES or (nested and vtype == "list"):
        raise ManifestError(f"{where}: variable {name!r} has type {vtype!r}; use one of {sorted(VARIABLE_TYPES)}"
                            + (" (lists cannot nest)" if nested else ""))
    if vtype == "choice" and not raw.get("choices"):
        raise ManifestError(f"{where}: choice variable {name!r} needs a 'choices' list")
    fields = tuple(_variable(f, f"{where}.{name}", nested=True) for f in raw.get("fields", ()))
    if vtype == "list" and not fields:
        raise ManifestError(f"{where}: list variable {name!r} needs [[variables.fields]]")
    return Variable(
        name=name, type=vtype, label=dict(raw.get("label", {"zh": name, "en": name})),
        required=bool(raw.get("required", True)), default=raw.get("default"),
        max_length=raw.get("max_length"), minimum=raw.get("minimum"), maximum=raw.get("maximum"),
        choices=tuple(raw.get("choices", ())), fields=fields, rule=raw.get("rule"), not_above=raw.get("not_above"),
        from_records=raw.get("from_records"),
    )


def load_manifest(directory: Path) -> Manifest:
    path = directory / "manifest.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest ({exc})") from exc
    where = str(path)
    if raw.get("id") != directory.name:
        raise ManifestError(f"{where}: id {raw.get('id')!r} must equal the folder name {directory.name!r}")
    parties = tuple(Party(role=p["role"], label=dict(p["label"]), anchor=p.get("anchor"))
                    for p in raw.get("parties", ()))
    if not parties:
        raise ManifestError(f"{where}: at least one [[parties]] entry is needed")
    if len({p.role for p in parties}) != len(parties):
        raise ManifestError(f"{where}: party roles must be unique")
    variables = tuple(_variable(v, where) for v in raw.get("variables", ()))
    level = raw.get("default_level", SecretLevel.GENERAL.value)
    if level not in LEVELS:
        raise ManifestError(f"{where}: default_level {level!r} must be one of {LEVELS}")
    return Manifest(id=raw["id"], version=int(raw.get("version", 1)), title=dict(raw["title"]),
                    parties=parties, variables=variables, default_level=level,
                    source=raw.get("source", ""), directory=directory)


class TemplateCatalog:
    """The templates in one folder (``contract_templates/`` by default), loaded once."""

    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            import contract_templates

            root = contract_templates.TEMPLATES_DIR
        self.root = root
        self._manifests: dict[str, Manifest] | None = None

    def _load(self) -> dict[str, Manifest]:
        if self._manifests is None:
            found = {}
            for d in sorted(self.root.iterdir()):
                if (d / "manifest.toml").is_file():
                    found[d.name] = load_manifest(d)
            self._manifests = found
        return self._manifests

    def all(self) -> list[Manifest]:
        return list(self._load().values())

    def get(self, template_id: str) -> Manifest:
        try:
            return self._load()[template_id]
        except KeyError:
            known = ", ".join(self._load()) or "none"
            raise TemplateNotFound(
                f"there is no template {template_id!r}; the templates are: {known} (see `mibao templates`)"
            ) from None
