"""SpiffWorkflow state ⇄ JSON, with the process definition stored once instead of inside every instance.

A serialized instance embeds its whole process definition (PITFALLS: ~5 KB of ~9 KB); we keep that part in
``process_definitions`` (one row per BPMN content hash) and store only the instance's own state.
``FORMAT_VERSION`` is ours: bump it with an upgrade step in ``_UPGRADES`` whenever the stored shape changes.

SpiffWorkflow keeps every completed task, and each task record repeats its own id (already its key) and fields
that almost always hold their default; a 24-month monitoring loop stored 133 KB. ``snapshot`` leaves those out and
``restore`` puts them back (records written in full are read as they are), which kept that loop under 100 KB
(122 KB since each payment is checked and can escalate).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

__all__ = ["FORMAT_VERSION", "definition_dict", "restore", "restore_definition", "snapshot"]

FORMAT_VERSION = 1
_SPEC_KEYS = ("spec", "subprocess_specs")

_registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
_registry.register(dt.date, lambda v: {"value": v.isoformat()}, lambda d: dt.date.fromisoformat(d["value"]),
                   typename="date")
_registry.register(dt.datetime, lambda v: {"value": v.isoformat()},
                   lambda d: dt.datetime.fromisoformat(d["value"]), typename="datetime")
_registry.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]), typename="Decimal")
_SERIALIZER = BpmnWorkflowSerializer(_registry)
_UPGRADES: dict[int, Any] = {}
# Task record fields left out when they hold these values ("delta" apart: its default depends on "parent").
_TASK_DEFAULTS: dict[str, Any] = {"typename": "Task", "triggered": False, "internal_data": {}, "data": {},
                                  "children": []}


def definition_dict(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The process-definition part of a workflow's serialization (stored once per BPMN file version)."""
    full = _SERIALIZER.to_dict(workflow)
    return {key: full[key] for key in _SPEC_KEYS}


def snapshot(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The instance's own state, without the definition."""
    full = _SERIALIZER.to_dict(workflow)
    for key in _SPEC_KEYS:
        full.pop(key)
    full["serializer_version"] = _SERIALIZER.VERSION
    return _each_tasks(full, _compact)


def restore_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition's spec objects, restored once and shared: specs are read-only to the workflows using them."""
    return {"spec": _registry.restore(definition["spec"]),
            "subprocess_specs": {name: _registry.restore(spec)
                                 for name, spec in definition.get("subprocess_specs", {}).items()}}


def restore(state: dict[str, Any], definition: dict[str, Any], format_version: int) -> BpmnWorkflow:
    """Rebuild a workflow from its stored state and its definition (as stored, or from restore_definition)."""
    for version in range(format_version, FORMAT_VERSION):
        state = _UPGRADES[version](state)
    full = _each_tasks({**state, **definition}, _expand)
    full[_SERIALIZER.VERSION_KEY] = full.pop("serializer_version")
    _SERIALIZER.migrate(full)
    workflow: BpmnWorkflow = _SERIALIZER.from_dict(full)
    return workflow


def _each_tasks(workflow: dict[str, Any], convert: Any) -> dict[str, Any]:
    """A copy of ``workflow`` with ``convert(task_id, record)`` applied to its task records and its subprocesses'."""

    def converted(part: dict[str, Any]) -> dict[str, Any]:
        tasks = part.get("tasks")
        if not isinstance(tasks, dict):
            return part
        return {**part, "tasks": {task_id: convert(task_id, record) for task_id, record in tasks.items()}}

    out = converted(workflow)
    if isinstance(out.get("subprocesses"), dict):
        out["subprocesses"] = {key: converted(sub) for key, sub in out["subprocesses"].items()}
    return out


def _no_delta(record: dict[str, Any]) -> dict[str, Any]:
    # SpiffWorkflow writes a child task's data as a delta from its parent's and the root task's data in full.
    return {"updates": {}, "deletions": []} if record.get("parent") is not None else {}


def _compact(task_id: str, record: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in record.items()
           if not (k == "id" and v == task_id) and not (k in _TASK_DEFAULTS and v == _TASK_DEFAULTS[k])}
    if out.get("delta") == _no_delta(record):
        del out["delta"]
    return out


def _expand(task_id: str, record: dict[str, Any]) -> dict[str, Any]:
    defaults = {"id": task_id, "typename": "Task", "triggered": False, "internal_data": {}, "data": {},
                "children": [], "delta": _no_delta(record)}
    return {**defaults, **record}
