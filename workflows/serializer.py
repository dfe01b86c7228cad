"""SpiffWorkflow state ⇄ JSON, with the process definition stored once instead of inside every instance.

A serialized instance embeds its whole process definition (PITFALLS: ~5 KB of ~9 KB); we keep that part in
``process_definitions`` (one row per BPMN content hash) and store only the instance's own state.
``FORMAT_VERSION`` is ours: bump it with an upgrade step in ``_UPGRADES`` whenever the stored shape changes.
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
    return dict(full)


def restore_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition's spec objects, restored once and shared: specs are read-only to the workflows using them."""
    return {"spec": _registry.restore(definition["spec"]),
            "subprocess_specs": {name: _registry.restore(spec)
                                 for name, spec in definition.get("subprocess_specs", {}).items()}}


def restore(state: dict[str, Any], definition: dict[str, Any], format_version: int) -> BpmnWorkflow:
    """Rebuild a workflow from its stored state and its definition (as stored, or from restore_definition)."""
    for version in range(format_version, FORMAT_VERSION):
        state = _UPGRADES[version](state)
    full = {**state, **definition}
    full[_SERIALIZER.VERSION_KEY] = full.pop("serializer_version")
    _SERIALIZER.migrate(full)
    workflow: BpmnWorkflow = _SERIALIZER.from_dict(full)
    return workflow
