"""What the process diagram shows: the BPMN elements an instance has passed, the ones waiting for a person or for
a background job now, and the names of its lanes and steps in the page's language."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

from flask import get_template_attribute

from web.content_i18n import tr
from workflows import InstanceView

__all__ = ["diagram_state", "shown_name"]

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
# A start tag with its attributes (quoted values may hold ">"), and one attribute in it.
_START_TAG = re.compile(r"<[A-Za-z][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>")
_ID = re.compile(r"\sid=(\"[^\"]*\"|'[^']*')")
_NAME = re.compile(r"(\sname=)(\"[^\"]*\"|'[^']*')")
# A diagram element's layout (BPMNShape or BPMNEdge) and the bounds of its label in it.
_LAYOUT = re.compile(r"<(?P<ns>\w+:)?BPMN(?P<kind>Shape|Edge)\b[^>]*?\sbpmnElement=\"(?P<id>[^\"]+)\".*?"
                     r"</(?P=ns)BPMN(?P=kind)>", re.S)
_LABEL_BOUNDS = re.compile(r"(<(?:\w+:)?BPMNLabel>\s*<(?:\w+:)?Bounds\b)([^>]*?)(/>)")
_NUMBER = r"=\"(-?[\d.]+)\""
# An external label's width for a text of n characters in another language than the one it was laid out for
# (bpmn-js wraps it at its bounds' width: "Passed" in the room of "通过" would break inside the word).
_CHAR_WIDTH, _PADDING, _MAX_LABEL_WIDTH = 6.5, 10, 150
# Jobs still to come to an end (a failed one shows as such, not as waiting).
_FAILED = "failed"

Rename = Callable[[str, str], str]


def shown_name(tag: str, name: str) -> str:
    """A BPMN element's name as the page shows it: a lane named by a role id (``secrecy_office``) by the role's
    name in words, everything else through the content catalogue (``tr``)."""
    if tag == "lane" and name.isascii() and name.replace("_", "").isalnum():
        return str(get_template_attribute("_labels.html", "role")(name)).strip()
    return str(tr(name))


def diagram_state(xml: str, view: InstanceView, rename: Rename | None = None) -> dict[str, Any]:
    """``{"xml", "completed", "active", "waiting", "failed", "focus"}``: element ids from the instance's tasks,
    jobs and history; ``focus`` is the element to show first (the current step, else the start). With ``rename``
    (tag, name → shown name) the XML's names are rewritten for the page.

    User tasks are known by id; automatic steps are recorded by name, so names are looked up in the diagram; a step
    waiting for a job is recorded with its id when the job was queued.
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
    waiting, failed = _job_steps(view)
    done = {t.name for t in view.tasks if t.state == "completed"}
    # An automatic step is recorded under its name, or under its id when it has no name.
    done |= {by_name.get(h["title"], h["title"]) for h in view.history if h["action"] == "ran" and h["title"]}
    done |= set(starts[:1])
    focus = (active + waiting + failed + starts)[:1]
    return {"xml": _renamed(xml, root, rename) if rename else xml,
            "completed": sorted(done - set(active) - set(waiting) - set(failed)), "active": active,
            "waiting": waiting, "failed": failed, "focus": focus[0] if focus else None}


def _job_steps(view: InstanceView) -> tuple[list[str], list[str]]:
    """The service tasks waiting for a job (and those whose job gave up): the job's "waiting" history entry
    names the task."""
    task_of: dict[int, str] = {h["detail"]["job"]: str(h["detail"]["task"]) for h in view.history
                               if h["action"] == "waiting" and isinstance(h["detail"], dict)
                               and h["detail"].get("job") and h["detail"].get("task")}
    steps = [(task_of[j["id"]], j["status"] == _FAILED) for j in view.jobs if j["id"] in task_of]
    return sorted({step for step, failed in steps if not failed}), sorted({step for step, failed in steps if failed})


def _renamed(xml: str, root: ElementTree.Element, rename: Rename) -> str:
    """``xml`` with each named element's ``name`` replaced by ``rename(tag, name)``; the rest byte for byte (a
    re-serialised document would lose its prefixes and layout)."""
    shown: dict[str, str] = {}
    for node in root.iter():
        node_id, name = node.get("id"), node.get("name")
        if node_id and name and isinstance(node.tag, str):
            new = rename(node.tag.rsplit("}", 1)[-1], name.strip())
            if new != name:
                shown[node_id] = new

    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        found = _ID.search(text)
        new = shown.get(found.group(1)[1:-1]) if found else None
        if new is None:
            return text
        attribute = quoteattr(new, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
        return _NAME.sub(lambda m: m.group(1) + attribute, text, count=1)

    return _widened(_START_TAG.sub(tag, xml), shown) if shown else xml


def _widened(xml: str, shown: dict[str, str]) -> str:
    """Each renamed element's outside label (events, gateways, flows) made as wide as its new name needs, about
    its old centre; bpmn-js works out the height."""

    def layout(match: re.Match[str]) -> str:
        name = shown.get(match.group("id"))
        if name is None:
            return match.group(0)
        return _LABEL_BOUNDS.sub(lambda m: m.group(1) + _wider(m.group(2), name) + m.group(3), match.group(0),
                                 count=1)

    return _LAYOUT.sub(layout, xml)


def _wider(attributes: str, name: str) -> str:
    x, width = re.search(r"\sx" + _NUMBER, attributes), re.search(r"\swidth" + _NUMBER, attributes)
    if not x or not width:
        return attributes
    old, new = float(width.group(1)), min(len(name) * _CHAR_WIDTH + _PADDING, _MAX_LABEL_WIDTH)
    if new <= old:
        return attributes
    attributes = attributes.replace(width.group(0), f' width="{new:g}"', 1)
    return attributes.replace(x.group(0), f' x="{float(x.group(1)) - (new - old) / 2:g}"', 1)
