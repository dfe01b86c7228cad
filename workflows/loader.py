"""Load BPMN files safely: hardened XML parsing, XSD validation, no scripts, only known operations and forms.

Every problem is reported with the file (and line where the XML parser knows it) and what to change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from records.models import OrgPost
from workflows.errors import BpmnError
from workflows.forms import FormCatalog
from workflows.registry import Registry

__all__ = ["ROLES", "LoadedProcess", "load_process"]

DECIDER_POSTS = frozenset(post.value for post in OrgPost)
# purchasing: 采购部 / the tender organiser, who runs bid evaluations (seed 003 §5.5.2).
ROLES = frozenset({"hr", "secrecy_office", "liaison", "department_head", "committee", "employee", "external",
                   "purchasing"})
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
# Elements that carry code for an interpreter: refused whatever they contain.
_FORBIDDEN = {
    "//bpmn:scriptTask": "script task",
    "//bpmn:script": "script",
    "//spiffworkflow:preScript": "pre-script",
    "//spiffworkflow:postScript": "post-script",
    "//bpmn:businessRuleTask": "business rule task (DMN)",
}
_MAX_BYTES = 5 * 1024 * 1024
_VALIDATOR: BpmnValidator | None = None


@dataclass(frozen=True)
class UserTaskInfo:
    name: str
    title: str
    lane: str | None
    properties: dict[str, str]


@dataclass(frozen=True)
class LoadedProcess:
    process_id: str
    name: str
    path: Path
    sha256: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, Any]
    user_tasks: dict[str, UserTaskInfo] = field(default_factory=dict)
    # Who may start it from the web and the API: roles, or "staff" for anyone on the staff (the start event's
    # "starters" property). None: nobody there — only the scheduler and the command line start it.
    starters: frozenset[str] = frozenset()
    # Who starts one choice of the start data instead ("starters:agreement=bid_evaluation_pledge" on the start
    # event): (field, value) -> roles. The outside parties' process takes each agreement from those who need it.
    choice_starters: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)

    def starters_for(self, data: dict[str, Any]) -> frozenset[str]:
        """Who may start the process with ``data``: the starters of the choice it makes, else the process's."""
        return next((roles for (name, value), roles in self.choice_starters.items() if data.get(name) == value),
                    self.starters)


STAFF = "staff"


def _validator() -> BpmnValidator:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = BpmnValidator()
    return _VALIDATOR


def _parse_xml(data: bytes, where: str) -> etree._Element:
    if len(data) > _MAX_BYTES:
        raise BpmnError(f"{where}: {len(data)} bytes is too large for a process file")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise BpmnError(f"{where}: declares a DOCTYPE or entities, which BPMN never needs; the file was refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BpmnError(f"{where}: not well-formed XML at line {exc.lineno}: {exc.msg}; "
                        "open it in a BPMN modeler and save it again") from None


def _check_safety(root: etree._Element, where: str, registry: Registry, forms: FormCatalog) -> None:
    for xpath, what in _FORBIDDEN.items():
        found = root.xpath(xpath, namespaces=_NS)
        if found:
            line = found[0].sourceline
            raise BpmnError(f"{where}, line {line}: contains a {what}; mibao runs no code from process files. "
                            "Use a service task naming a registered operation instead")
    for op in root.xpath("//spiffworkflow:serviceTaskOperator", namespaces=_NS):
        name = op.get("id")
        operation = registry.get(name or "")
        if operation is None:
            known = ", ".join(o.name for o in registry.all())
            raise BpmnError(f"{where}, line {op.sourceline}: unknown operation {name!r}; known: {known}")
        given = {p.get("id") for p in op.xpath(".//spiffworkflow:parameter", namespaces=_NS)}
        unknown = sorted(str(g) for g in given - set(operation.params))
        missing = sorted(p for p, req in operation.params.items() if req and p not in given)
        if unknown or missing:
            raise BpmnError(f"{where}, line {op.sourceline}: operation {name!r} takes "
                            f"{sorted(operation.params)}; unknown {unknown}, missing {missing}")
    for prop in root.xpath("//bpmn:userTask//spiffworkflow:property[@name='form']", namespaces=_NS):
        if not forms.exists(prop.get("value", "")):
            raise BpmnError(f"{where}, line {prop.sourceline}: form {prop.get('value')!r} does not exist "
                            f"in {forms.root}")
    for lane in root.xpath("//bpmn:lane", namespaces=_NS):
        if lane.get("name") not in ROLES:
            raise BpmnError(f"{where}, line {lane.sourceline}: lane {lane.get('name')!r} is not a role; "
                            f"use one of {', '.join(sorted(ROLES))}")


def load_process(path: Path, registry: Registry, forms: FormCatalog) -> LoadedProcess:
    """Parse and check ``path``; its process id is the file's stem."""
    where = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BpmnError(f"{where}: cannot read ({exc.strerror})") from None
    root = _parse_xml(data, where)
    _check_safety(root, where, registry, forms)
    parser = SpiffBpmnParser(validator=_validator())
    process_id = path.stem
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename=where)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        line = f", line {exc.line_number}" if getattr(exc, "line_number", None) else ""
        raise BpmnError(f"{where}{line}: fails the BPMN schema: {exc}") from None
    except SpiffWorkflowException as exc:
        raise BpmnError(f"{where}: {exc}") from None
    except (KeyError, ValueError) as exc:
        raise BpmnError(f"{where}: no executable process {process_id!r} in the file ({exc})") from None
    user_tasks = {}
    for name, task_spec in spec.task_specs.items():
        if getattr(task_spec, "manual", False):
            props = dict((getattr(task_spec, "extensions", None) or {}).get("properties", {}))
            user_tasks[name] = UserTaskInfo(name=name, title=task_spec.bpmn_name or name,
                                            lane=task_spec.lane, properties=props)
            if task_spec.lane is None:
                raise BpmnError(f"{where}: user task {name!r} is in no lane; put it in the lane of its role")
            if "decider" in props and props["decider"] not in DECIDER_POSTS:
                raise BpmnError(f"{where}: user task {name!r} has decider {props['decider']!r}; use one of "
                                f"{', '.join(sorted(DECIDER_POSTS))}")
            if "decider" in props and "assignee" in props:
                raise BpmnError(f"{where}: user task {name!r} names both a decider and an assignee; keep one")
    return LoadedProcess(process_id=process_id, name=spec.description or process_id, path=path,
                         sha256=hashlib.sha256(data).hexdigest(), spec=spec,
                         subprocess_specs=subprocess_specs, user_tasks=user_tasks, starters=_starters(root, where),
                         choice_starters=_choice_starters(root, where))


def _choice_starters(root: etree._Element, where: str) -> dict[tuple[str, str], frozenset[str]]:
    found: dict[tuple[str, str], frozenset[str]] = {}
    for prop in root.xpath("//bpmn:startEvent//spiffworkflow:property[starts-with(@name, 'starters:')]",
                           namespaces=_NS):
        name, _, value = str(prop.get("name"))[len("starters:"):].partition("=")
        if not name or not value:
            raise BpmnError(f"{where}, line {prop.sourceline}: {prop.get('name')!r} names no choice; write "
                            "starters:<field>=<value>, e.g. starters:agreement=bid_evaluation_pledge")
        found[(name.strip(), value.strip())] = _starters(prop, where, ".")
    return found


def _starters(root: etree._Element, where: str, path: str = "//bpmn:startEvent//spiffworkflow:property"
              "[@name='starters']") -> frozenset[str]:
    found: set[str] = set()
    for prop in root.xpath(path, namespaces=_NS):
        for role in str(prop.get("value", "")).split(","):
            role = role.strip()
            if role and role != STAFF and role not in ROLES:
                raise BpmnError(f"{where}, line {prop.sourceline}: starters names {role!r}, which is not a role; "
                                f"use {STAFF} (anyone on the staff) or one of {', '.join(sorted(ROLES))}")
            if role:
                found.add(role)
    return frozenset(found)
