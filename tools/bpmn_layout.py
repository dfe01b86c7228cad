"""A small builder for ``bpmn/<process_id>.bpmn``: process model + left-to-right lane layout + BPMN DI.

The process files follow ``docs/processes.md`` (lanes = roles, ``spiffworkflow:properties`` on user tasks,
``spiffworkflow:serviceTaskOperator`` on service tasks, timer expressions, conditions with one default flow). They
are data: this module never writes a ``scriptTask`` or a pre/post script.

Writing DI coordinates by hand is error-prone, so a process is described in Python
(``tools/bpmn_sources/<process_id>.py``, a ``build() -> Process`` function) and this module places it:

* **columns** come from the longest path from the start event over forward flows (flows that close a loop are found
  by a depth-first search and drawn as loop-backs under the row); ``shift=n`` pushes a node ``n`` columns further;
* **lanes** are the roles in the order given; ``row=n`` puts a node on the n-th row of its lane (parallel branches);
* **edges** are orthogonal: a split gateway leaves from its top/bottom, a join gateway is entered from top/bottom,
  other flows bend in the gap before the target; loop-backs run under (``route="over"``: above) both ends;
* boundary events sit on the bottom edge of their task.

The builder refuses overlapping nodes and warns when a flow segment crosses a node it does not connect.

Usage: ``python -m tools.bpmn_layout [PROCESS_ID …]`` writes ``bpmn/<id>.bpmn`` (all when no id is given). After
that the ``.bpmn`` files are the artifacts; they open in bpmn.io / Camunda Modeler and may be edited there — rerun
the builder only if you keep the source in step.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "bpmn"

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "spiffworkflow": SPIFF, "xsi": XSI}

# Geometry (pixels). Element sizes are bpmn-js defaults (bpmnlint's standard-size rule).
SIZES = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}
POOL_X, POOL_Y = 120, 60
POOL_HEADER = 30  # vertical pool title band
LANE_HEADER = 30  # vertical lane title band
LEFT_PAD = 40
COL_W = 150
ROW_H = 140

KIND_SHAPE = {
    "start": "event", "end": "event", "timer": "event", "boundary": "event",
    "user": "task", "service": "task",
    "xgw": "gateway", "pgw": "gateway",
}
KIND_TAG = {
    "start": "startEvent", "end": "endEvent", "timer": "intermediateCatchEvent", "boundary": "boundaryEvent",
    "user": "userTask", "service": "serviceTask", "xgw": "exclusiveGateway", "pgw": "parallelGateway",
}


def q(ns: str, tag: str) -> str:
    return f"{{{NSMAP[ns]}}}{tag}"


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str
    row: int = 0
    shift: int = 0
    doc: str | None = None
    props: dict[str, str] = field(default_factory=dict)  # user task spiffworkflow:properties
    operation: str | None = None  # service task operator id
    params: dict[str, str] = field(default_factory=dict)  # service task parameters (expressions)
    result: str | None = None  # service task result variable
    timer: tuple[str, str] | None = None  # ("timeDate" | "timeDuration", expression)
    attached: str | None = None  # boundary event: the task it sits on
    interrupting: bool = True
    loop: dict[str, str] | None = None  # multi-instance: input, item, output, output_item, sequential
    # filled by the layout
    col: int = 0
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    default: bool = False
    route: str = "under"
    waypoints: list[tuple[float, float]] = field(default_factory=list)
    label: tuple[float, float, float, float] | None = None


class Process:
    """A process under construction. Methods return the node id so calls can be chained into ``flow``/``chain``."""

    def __init__(self, process_id: str, name: str, lanes: list[tuple[str, str]], doc: str) -> None:
        self.id = process_id
        self.name = name
        self.lanes = lanes  # (role id, Chinese description)
        self.doc = doc
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []

    # ---- nodes -------------------------------------------------------------------------------------------------
    def _add(self, node: Node) -> str:
        if node.id in self.nodes:
            raise ValueError(f"{self.id}: duplicate node id {node.id}")
        if node.lane not in {lane for lane, _ in self.lanes}:
            raise ValueError(f"{self.id}: node {node.id} in unknown lane {node.lane}")
        self.nodes[node.id] = node
        return node.id

    def start(self, id: str, name: str, lane: str, **kw: Any) -> str:
        return self._add(Node(id, "start", name, lane, **kw))

    def end(self, id: str, name: str, lane: str, **kw: Any) -> str:
        return self._add(Node(id, "end", name, lane, **kw))

    def user(self, id: str, name: str, lane: str, *, form: str | None = None, assignee: str | None = None,
             decider: str | None = None, sign: str | None = None, party: str | None = None, due: str | None = None,
             loop: dict[str, str] | None = None, **kw: Any) -> str:
        props = {k: v for k, v in (("form", form), ("assignee", assignee), ("decider", decider), ("sign", sign),
                                   ("party", party), ("due", due)) if v is not None}
        return self._add(Node(id, "user", name, lane, props=props, loop=loop, **kw))

    def service(self, id: str, name: str, lane: str, operation: str, params: dict[str, str] | None = None,
                result: str | None = None, **kw: Any) -> str:
        return self._add(Node(id, "service", name, lane, operation=operation, params=params or {}, result=result,
                              **kw))

    def xgw(self, id: str, name: str, lane: str, **kw: Any) -> str:
        return self._add(Node(id, "xgw", name, lane, **kw))

    def pgw(self, id: str, name: str, lane: str, **kw: Any) -> str:
        return self._add(Node(id, "pgw", name, lane, **kw))

    def timer(self, id: str, name: str, lane: str, date: str | None = None, duration: str | None = None,
              **kw: Any) -> str:
        spec = ("timeDate", date) if date is not None else ("timeDuration", str(duration))
        return self._add(Node(id, "timer", name, lane, timer=spec, **kw))

    def boundary_timer(self, id: str, name: str, attached: str, date: str, interrupting: bool = False) -> str:
        lane = self.nodes[attached].lane
        return self._add(Node(id, "boundary", name, lane, timer=("timeDate", date), attached=attached,
                              interrupting=interrupting))

    # ---- composite helpers -------------------------------------------------------------------------------------
    def agreement(self, key: str, template: str, title: str, lane: str, signers: list[dict[str, Any]],
                  row: int = 0, level: str | None = None) -> tuple[str, str]:
        """prepare_<key> → company_sign_<key> → one signing user task per signer, chained. Returns (first, last).

        Each signer: {"lane", "name", "assignee"? or "decider"?, "party"?, "row"?, "id"?}; the document id is
        ``<key>_doc``. ``level``: an expression for the secret level of what the document holds (else the
        template's default).
        """
        doc = f"{key}_doc"
        params = {"template": f"'{template}'", **({"level": level} if level else {})}
        first = self.service(f"prepare_{key}", f"生成《{title}》", lane, "prepare_agreement", params, result=doc,
                             row=row)
        prev = self.service(f"company_sign_{key}", f"公司盖章：《{title}》", lane, "company_sign",
                            {"document": doc}, result=f"{key}_company_signature", row=row)
        self.flow(first, prev)
        for signer in signers:
            sid = signer.get("id") or f"sign_{key}_{signer['lane']}"
            self.user(sid, signer["name"], signer["lane"], form="sign_agreement", assignee=signer.get("assignee"),
                      decider=signer.get("decider"), sign=doc, party=signer.get("party"), due=signer.get("due"),
                      row=signer.get("row", 0))
            self.flow(prev, sid)
            prev = sid
        return first, prev

    # ---- flows -------------------------------------------------------------------------------------------------
    def flow(self, source: str, target: str, name: str | None = None, condition: str | None = None,
             default: bool = False, route: str = "under") -> str:
        for end_ in (source, target):
            if end_ not in self.nodes:
                raise ValueError(f"{self.id}: flow {source} → {target}: unknown node {end_}")
        fid = f"Flow_{source}_to_{target}"
        n = 2
        while any(f.id == fid for f in self.flows):
            fid = f"Flow_{source}_to_{target}_{n}"
            n += 1
        self.flows.append(Flow(fid, source, target, name, condition, default, route))
        return fid

    def chain(self, *ids: str) -> None:
        for a, b in itertools.pairwise(ids):
            self.flow(a, b)

    # ---- checks ------------------------------------------------------------------------------------------------
    def check(self) -> None:
        out: dict[str, list[Flow]] = {n: [] for n in self.nodes}
        inc: dict[str, list[Flow]] = {n: [] for n in self.nodes}
        for f in self.flows:
            out[f.source].append(f)
            inc[f.target].append(f)
        for n in self.nodes.values():
            where = f"{self.id}.{n.id}"
            if n.kind in ("start", "boundary") and inc[n.id]:
                raise ValueError(f"{where}: a {n.kind} event has no incoming flow")
            if n.kind not in ("start", "boundary") and not inc[n.id]:
                raise ValueError(f"{where}: no incoming flow")
            if n.kind != "end" and not out[n.id]:
                raise ValueError(f"{where}: no outgoing flow")
            if n.kind == "end" and out[n.id]:
                raise ValueError(f"{where}: an end event has no outgoing flow")
            if n.kind not in ("xgw", "pgw") and (len(out[n.id]) > 1 or len(inc[n.id]) > 1):
                raise ValueError(f"{where}: split or join only through a gateway")
            if n.kind == "xgw" and len(out[n.id]) > 1:
                defaults = [f for f in out[n.id] if f.default]
                if len(defaults) != 1 or any(not f.condition for f in out[n.id] if not f.default):
                    raise ValueError(f"{where}: a split needs one default flow and conditions on the others")
            if n.kind == "xgw" and len(out[n.id]) > 1 and len(inc[n.id]) > 1:
                raise ValueError(f"{where}: a gateway either splits or joins")
        for f in self.flows:
            if (f.condition or f.default) and self.nodes[f.source].kind != "xgw":
                raise ValueError(f"{self.id}.{f.id}: conditions only on exclusive gateway flows")

    # ---- layout ------------------------------------------------------------------------------------------------
    def layout(self) -> None:
        succ: dict[str, list[Flow]] = {n: [] for n in self.nodes}
        for f in self.flows:
            succ[f.source].append(f)
        boundaries: dict[str, list[str]] = {}
        for n in self.nodes.values():
            if n.kind == "boundary":
                assert n.attached is not None
                boundaries.setdefault(n.attached, []).append(n.id)

        # Back edges: DFS from the start events; a boundary event is visited right after its task.
        back: set[str] = set()
        state: dict[str, int] = {}

        def visit(nid: str) -> None:
            state[nid] = 1
            for f in succ[nid]:
                if state.get(f.target) == 1:
                    back.add(f.id)
                elif f.target not in state:
                    visit(f.target)
            for b in boundaries.get(nid, []):
                if b not in state:
                    visit(b)
            state[nid] = 2

        starts = [n.id for n in self.nodes.values() if n.kind == "start"]
        for s in starts:
            visit(s)
        unreached = set(self.nodes) - set(state)
        if unreached:
            raise ValueError(f"{self.id}: unreachable from the start event: {sorted(unreached)}")

        # Longest path over forward flows (boundary events take their task's column).
        col: dict[str, int] = {}
        order: list[str] = []
        indeg: dict[str, int] = {n: 0 for n in self.nodes}
        fwd = [f for f in self.flows if f.id not in back]
        for f in fwd:
            indeg[f.target] += 1
        for b_list in boundaries.values():
            for b in b_list:
                indeg[b] += 1
        ready = [n for n, d in indeg.items() if d == 0]
        while ready:
            nid = ready.pop(0)
            order.append(nid)
            col[nid] = col.get(nid, 0) + self.nodes[nid].shift
            nexts = [(f.target, 1) for f in fwd if f.source == nid] + [(b, 0) for b in boundaries.get(nid, [])]
            for t, step in nexts:
                col[t] = max(col.get(t, 0), col[nid] + step)
                indeg[t] -= 1
                if indeg[t] == 0:
                    ready.append(t)
        if len(order) != len(self.nodes):
            raise ValueError(f"{self.id}: cycle among forward flows")
        for nid, c in col.items():
            self.nodes[nid].col = c

        # Lanes and rows.
        rows = {lane: 1 for lane, _ in self.lanes}
        for n in self.nodes.values():
            rows[n.lane] = max(rows[n.lane], n.row + 1)
        self.lane_box: dict[str, tuple[float, float, float, float]] = {}
        ncols = max(n.col for n in self.nodes.values()) + 1
        width = POOL_HEADER + LANE_HEADER + 2 * LEFT_PAD + ncols * COL_W
        y = POOL_Y
        for lane, _ in self.lanes:
            h = rows[lane] * ROW_H
            self.lane_box[lane] = (POOL_X + POOL_HEADER, y, width - POOL_HEADER, h)
            y += h
        self.pool_box = (POOL_X, POOL_Y, width, y - POOL_Y)

        taken: dict[tuple[str, int, int], str] = {}
        for n in self.nodes.values():
            if n.kind == "boundary":
                continue
            key = (n.lane, n.row, n.col)
            if key in taken:
                raise ValueError(f"{self.id}: {n.id} and {taken[key]} overlap (lane {n.lane}, row {n.row}, "
                                 f"column {n.col}); give one of them row= or shift=")
            taken[key] = n.id
            n.w, n.h = SIZES[KIND_SHAPE[n.kind]]
            lx, ly, _, _ = self.lane_box[n.lane]
            cx = lx + LANE_HEADER + LEFT_PAD + n.col * COL_W + COL_W / 2
            cy = ly + n.row * ROW_H + ROW_H / 2 + 10
            n.x, n.y = cx - n.w / 2, cy - n.h / 2
        for n in self.nodes.values():
            if n.kind == "boundary":
                assert n.attached is not None
                task = self.nodes[n.attached]
                n.w, n.h = SIZES["event"]
                n.x, n.y = task.x + task.w - n.w - 8, task.y + task.h - n.h / 2

        for f in self.flows:
            self._route(f, f.id in back)
        self._warn_crossings()

    def _route(self, f: Flow, is_back: bool) -> None:
        s, t = self.nodes[f.source], self.nodes[f.target]
        pts: list[tuple[float, float]]
        if is_back:
            if f.route == "over":
                ych = min(s.y, t.y) - 28
                pts = [(s.cx, s.y), (s.cx, ych), (t.cx, ych), (t.cx, t.y)]
            else:
                ych = max(s.y + s.h, t.y + t.h) + 28
                pts = [(s.cx, s.y + s.h), (s.cx, ych), (t.cx, ych), (t.cx, t.y + t.h)]
        elif s.kind == "boundary":
            pts = [(s.cx, s.y + s.h), (s.cx, t.cy), (t.x, t.cy)] if abs(s.cy - t.cy) > 1 else \
                [(s.x + s.w, s.cy), (t.x, t.cy)]
        elif abs(s.cy - t.cy) < 1:
            pts = [(s.x + s.w, s.cy), (t.x, t.cy)]
        elif s.kind in ("xgw", "pgw") and len([g for g in self.flows if g.source == s.id]) > 1:
            sy = s.y + s.h if t.cy > s.cy else s.y
            pts = [(s.cx, sy), (s.cx, t.cy), (t.x, t.cy)]
        elif t.kind in ("xgw", "pgw") and len([g for g in self.flows if g.target == t.id]) > 1:
            ty = t.y + t.h if s.cy > t.cy else t.y
            pts = [(s.x + s.w, s.cy), (t.cx, s.cy), (t.cx, ty)]
        else:
            midx = t.x - 22
            pts = [(s.x + s.w, s.cy), (midx, s.cy), (midx, t.cy), (t.x, t.cy)]
        f.waypoints = pts
        if f.name:
            w = min(110.0, max(30.0, 13.0 * len(f.name)))
            (x0, y0), (x1, y1) = pts[0], pts[1]
            if abs(x0 - x1) < 1 and len(pts) >= 3 and not is_back:  # leaves vertically: label at the corner
                f.label = (x1 + 6, y1 - 18, w, 14)
            elif abs(x0 - x1) < 1:
                f.label = (x0 + 6, y0 + 6, w, 14) if y1 > y0 else (x0 - w - 6, y0 - 20, w, 14)
            else:
                f.label = (x0 + 6, y0 - 18, w, 14)

    def _warn_crossings(self) -> None:
        for f in self.flows:
            ends = {f.source, f.target}
            for (x0, y0), (x1, y1) in itertools.pairwise(f.waypoints):
                for n in self.nodes.values():
                    if n.id in ends or (n.kind == "boundary" and n.attached in ends) or \
                            (self.nodes[f.source].kind == "boundary" and n.id == self.nodes[f.source].attached):
                        continue
                    if _segment_hits(x0, y0, x1, y1, n.x, n.y, n.w, n.h):
                        print(f"warning: {self.id}: flow {f.id} crosses {n.id}", file=sys.stderr)

    # ---- XML ---------------------------------------------------------------------------------------------------
    def to_xml(self) -> bytes:
        self.check()
        self.layout()
        defs = etree.Element(q("bpmn", "definitions"), nsmap=NSMAP)
        defs.set("id", f"Definitions_{self.id}")
        defs.set("targetNamespace", f"https://mibao.example/bpmn/{self.id}")
        defs.set("exporter", "mibao tools/bpmn_layout.py")
        defs.set("exporterVersion", "1")

        collab = etree.SubElement(defs, q("bpmn", "collaboration"), id=f"Collaboration_{self.id}")
        etree.SubElement(collab, q("bpmn", "participant"), id=f"Participant_{self.id}", name=self.name,
                         processRef=self.id)

        proc = etree.SubElement(defs, q("bpmn", "process"), id=self.id, name=self.name, isExecutable="true")
        etree.SubElement(proc, q("bpmn", "documentation")).text = self.doc
        lane_set = etree.SubElement(proc, q("bpmn", "laneSet"), id=f"LaneSet_{self.id}")
        for lane, desc in self.lanes:
            el = etree.SubElement(lane_set, q("bpmn", "lane"), id=f"Lane_{lane}", name=lane)
            etree.SubElement(el, q("bpmn", "documentation")).text = desc
            for n in self.nodes.values():
                if n.lane == lane:
                    etree.SubElement(el, q("bpmn", "flowNodeRef")).text = n.id

        for n in self.nodes.values():
            self._node_xml(proc, n)
        for f in self.flows:
            el = etree.SubElement(proc, q("bpmn", "sequenceFlow"), id=f.id, sourceRef=f.source, targetRef=f.target)
            if f.name:
                el.set("name", f.name)
            if f.condition:
                ce = etree.SubElement(el, q("bpmn", "conditionExpression"))
                ce.set(q("xsi", "type"), "bpmn:tFormalExpression")
                ce.text = f.condition

        self._di_xml(defs)
        # Element ids must be unique, and no operator id (``<spiffworkflow:serviceTaskOperator id="notify">``, the
        # operation name, repeated on every task that calls it) may equal an element id: SpiffWorkflow looks flow
        # nodes up by ``@id``, and a task named like an operation fails to parse with "There is no support
        # implemented for this task type".
        seen: set[str] = set()
        operators: set[str] = set()
        for el in defs.iter():
            eid = el.get("id")
            if eid is None:
                continue
            if etree.QName(el).namespace == SPIFF:  # operator and parameter ids repeat by design
                operators.add(eid)
            elif eid in seen:
                raise ValueError(f"{self.id}: id {eid!r} is used twice")
            else:
                seen.add(eid)
        clash = seen & operators
        if clash:
            raise ValueError(f"{self.id}: ids {sorted(clash)} are also operation or parameter names; rename the tasks")
        etree.indent(defs, space="  ")
        return bytes(etree.tostring(defs, xml_declaration=True, encoding="UTF-8", pretty_print=True))

    def _node_xml(self, proc: etree._Element, n: Node) -> None:
        el = etree.SubElement(proc, q("bpmn", KIND_TAG[n.kind]), id=n.id)
        if n.name:
            el.set("name", n.name)
        if n.kind == "boundary":
            el.set("attachedToRef", str(n.attached))
            el.set("cancelActivity", "true" if n.interrupting else "false")
        if n.kind == "xgw":
            defaults = [f for f in self.flows if f.source == n.id and f.default]
            if defaults:
                el.set("default", defaults[0].id)
        if n.doc:
            etree.SubElement(el, q("bpmn", "documentation")).text = n.doc
        if n.kind in ("user", "start") and n.props:   # a start event's props: its "starters"
            ext = etree.SubElement(el, q("bpmn", "extensionElements"))
            props = etree.SubElement(ext, q("spiffworkflow", "properties"))
            for k, v in n.props.items():
                etree.SubElement(props, q("spiffworkflow", "property"), name=k, value=v)
        if n.kind == "service":
            ext = etree.SubElement(el, q("bpmn", "extensionElements"))
            op = etree.SubElement(ext, q("spiffworkflow", "serviceTaskOperator"), id=str(n.operation))
            if n.result:
                op.set("resultVariable", n.result)
            params = etree.SubElement(op, q("spiffworkflow", "parameters"))
            for k, v in n.params.items():
                etree.SubElement(params, q("spiffworkflow", "parameter"), id=k, type="str", value=v)
        for f in self.flows:
            if f.target == n.id:
                etree.SubElement(el, q("bpmn", "incoming")).text = f.id
        for f in self.flows:
            if f.source == n.id:
                etree.SubElement(el, q("bpmn", "outgoing")).text = f.id
        if n.loop:
            # The collections are declared as activity properties so that loopDataInputRef/loopDataOutputRef
            # resolve for BPMN tools (bpmn-moddle reports an unresolved reference otherwise); SpiffWorkflow ignores
            # bpmn:property and reads both collections from the task data by name.
            for key in ("input", "output"):
                if key in n.loop:
                    etree.SubElement(el, q("bpmn", "property"), id=n.loop[key], name=n.loop[key])
            mi = etree.SubElement(el, q("bpmn", "multiInstanceLoopCharacteristics"))
            if n.loop.get("sequential"):
                mi.set("isSequential", "true")
            etree.SubElement(mi, q("bpmn", "loopDataInputRef")).text = n.loop["input"]
            if "output" in n.loop:
                etree.SubElement(mi, q("bpmn", "loopDataOutputRef")).text = n.loop["output"]
            etree.SubElement(mi, q("bpmn", "inputDataItem"), id=n.loop["item"], name=n.loop["item"])
            if "output_item" in n.loop:
                etree.SubElement(mi, q("bpmn", "outputDataItem"), id=n.loop["output_item"],
                                 name=n.loop["output_item"])
        if n.timer:
            ted = etree.SubElement(el, q("bpmn", "timerEventDefinition"), id=f"TimerEventDefinition_{n.id}")
            te = etree.SubElement(ted, q("bpmn", n.timer[0]))
            te.set(q("xsi", "type"), "bpmn:tFormalExpression")
            te.text = n.timer[1]

    def _di_xml(self, defs: etree._Element) -> None:
        diagram = etree.SubElement(defs, q("bpmndi", "BPMNDiagram"), id=f"BPMNDiagram_{self.id}")
        plane = etree.SubElement(diagram, q("bpmndi", "BPMNPlane"), id=f"BPMNPlane_{self.id}",
                                 bpmnElement=f"Collaboration_{self.id}")

        def bounds(parent: etree._Element, x: float, y: float, w: float, h: float) -> None:
            etree.SubElement(parent, q("dc", "Bounds"), x=_n(x), y=_n(y), width=_n(w), height=_n(h))

        shape = etree.SubElement(plane, q("bpmndi", "BPMNShape"), id=f"Participant_{self.id}_di",
                                 bpmnElement=f"Participant_{self.id}", isHorizontal="true")
        bounds(shape, *self.pool_box)
        for lane, _ in self.lanes:
            shape = etree.SubElement(plane, q("bpmndi", "BPMNShape"), id=f"Lane_{lane}_di",
                                     bpmnElement=f"Lane_{lane}", isHorizontal="true")
            bounds(shape, *self.lane_box[lane])
        for n in self.nodes.values():
            shape = etree.SubElement(plane, q("bpmndi", "BPMNShape"), id=f"{n.id}_di", bpmnElement=n.id)
            if n.kind == "xgw":
                shape.set("isMarkerVisible", "true")
            bounds(shape, n.x, n.y, n.w, n.h)
            if KIND_SHAPE[n.kind] in ("event", "gateway") and n.name:
                label = etree.SubElement(shape, q("bpmndi", "BPMNLabel"))
                lw = min(120.0, max(40.0, 12.5 * len(n.name) / (2 if len(n.name) > 9 else 1)))
                lines = 2 if len(n.name) > 9 else 1
                if n.kind in ("xgw", "pgw"):  # above: flows leave gateways from the bottom
                    bounds(label, n.cx - lw / 2, n.y - 6 - 14 * lines, lw, 14 * lines)
                elif n.kind == "boundary":  # below-right, clear of the outgoing flow
                    bounds(label, n.cx + 8, n.y + n.h + 2, lw, 14 * lines)
                else:
                    bounds(label, n.cx - lw / 2, n.y + n.h + 5, lw, 14 * lines)
        for f in self.flows:
            edge = etree.SubElement(plane, q("bpmndi", "BPMNEdge"), id=f"{f.id}_di", bpmnElement=f.id)
            for x, y in f.waypoints:
                etree.SubElement(edge, q("di", "waypoint"), x=_n(x), y=_n(y))
            if f.label:
                label = etree.SubElement(edge, q("bpmndi", "BPMNLabel"))
                bounds(label, *f.label)


def _n(v: float) -> str:
    return str(round(v))


def _segment_hits(x0: float, y0: float, x1: float, y1: float, x: float, y: float, w: float, h: float) -> bool:
    """Does an axis-parallel segment pass through the inside of a box (2 px tolerance)?"""
    lo_x, hi_x = sorted((x0, x1))
    lo_y, hi_y = sorted((y0, y1))
    return lo_x < x + w - 2 and hi_x > x + 2 and lo_y < y + h - 2 and hi_y > y + 2


def main(ids: list[str]) -> None:
    from tools import bpmn_sources

    names = ids or sorted(m.name for m in pkgutil.iter_modules(bpmn_sources.__path__) if not m.name.startswith("_"))
    OUT_DIR.mkdir(exist_ok=True)
    for name in names:
        module = importlib.import_module(f"tools.bpmn_sources.{name}")
        process: Process = module.build()
        out = OUT_DIR / f"{process.id}.bpmn"
        out.write_bytes(process.to_xml())
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
