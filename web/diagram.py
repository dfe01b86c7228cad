"""What the process diagram highlights: the BPMN elements an instance has passed and the ones waiting now."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from workflows import InstanceView

__all__ = ["diagram_state"]

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def diagram_state(xml: str, view: InstanceView) -> dict[str, Any]:
    """``{"xml", "completed", "active"}``: element ids from the instance's tasks and history.

    User tasks are known by id; automatic steps are recorded by name, so names are looked up in the diagram.
    """
    root = ElementTree.fromstring(xml)   # our own BPMN files, already validated by the engine's loader
    by_name: dict[str, str] = {}
    starts: list[str] = []
    for process in root.iter(f"{_BPMN}process"):
        for node in process.iter():
            node_id, name = node.get("id"), node.get("name")
            if node_id and name:
                by_name.setdefault(name, node_id)
            if node.tag == f"{_BPMN}startEvent" and node_id:
                starts.append(node_id)
    active = sorted({t.name for t in view.tasks if t.state == "ready"})
    done = {t.name for t in view.tasks if t.state == "completed"}
    # An automatic step is recorded under its name, or under its id when it has no name.
    done |= {by_name.get(h["title"], h["title"]) for h in view.history if h["action"] == "ran" and h["title"]}
    done |= set(starts[:1])
    return {"xml": xml, "completed": sorted(done - set(active)), "active": active}
