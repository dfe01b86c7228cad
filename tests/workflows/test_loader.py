"""Process files are data: malformed, script-carrying or inconsistent BPMN is refused with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.workflows.conftest import DATA
from workflows import BpmnError, Engine, OperationFailed

PROBE = (DATA / "probe.bpmn").read_text(encoding="utf-8")


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "bpmn"
    shutil.copytree(DATA, folder, dirs_exist_ok=True)
    assert old in PROBE
    (folder / "probe.bpmn").write_text(PROBE.replace(old, new, 1), encoding="utf-8")
    return folder


SCRIPT_TASK = ('<bpmn:serviceTask id="tell" name="通知人事">',
               '<bpmn:scriptTask id="tell" name="x"><bpmn:script>import os; os.system("id")</bpmn:script>'
               '</bpmn:scriptTask><bpmn:serviceTask id="tell2" name="通知人事">')


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (*SCRIPT_TASK, "contains a script task; mibao runs no code from process files"),
        ('<spiffworkflow:properties>\n          <spiffworkflow:property name="form"',
         '<spiffworkflow:preScript>open("/etc/passwd").read()</spiffworkflow:preScript>'
         '<spiffworkflow:properties>\n          <spiffworkflow:property name="form"', "contains a pre-script"),
        ('<bpmn:endEvent id="done">', '<bpmn:endEvent id="done"', "not well-formed XML at line"),
        ('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />',
         '<bpmn:sequenceFlow id="f1" targetRef="fill" />', "fails the BPMN schema"),
        ('<?xml version="1.0" encoding="UTF-8"?>',
         '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "declares a DOCTYPE"),
        ('serviceTaskOperator id="review_due"', 'serviceTaskOperator id="run_shell"',
         "unknown operation 'run_shell'; known: change_level"),
        ('<spiffworkflow:parameter id="months" type="int" value="1" />', "",
         "operation 'review_due' takes ['months']; unknown [], missing ['months']"),
        ('value="probe_amount"', 'value="no_such_form"', "form 'no_such_form' does not exist"),
        ('<bpmn:lane id="lane_head" name="department_head">', '<bpmn:lane id="lane_head" name="boss">',
         "lane 'boss' is not a role"),
    ],
    ids=["script-task", "pre-script", "malformed", "xsd", "xxe", "unknown-op", "missing-param", "form", "lane"],
)
def test_bad_bpmn_is_refused(make_engine, tmp_path: Path, old: str, new: str, message: str) -> None:  # type: ignore[no-untyped-def]
    engine: Engine = make_engine(_variant(tmp_path, old, new))
    with pytest.raises(BpmnError) as err:
        engine.start("probe", {"approver": "head1"}, actor="hr1")
    assert message in str(err.value)
    assert "probe.bpmn" in str(err.value)


@pytest.mark.parametrize(
    "condition",
    [
        "().__class__.__base__.__subclasses__()",
        "__import__('os').system('id')",
        "open('/etc/passwd').read()",
        "amount.__class__",
    ],
)
def test_expressions_cannot_reach_python(make_engine, tmp_path: Path, condition: str) -> None:  # type: ignore[no-untyped-def]
    engine: Engine = make_engine(_variant(tmp_path, "amount &gt; 10", condition.replace("'", "&apos;")))
    inst = engine.start("probe", {"approver": "head1"}, actor="hr1")
    task = engine.tasks(role="hr")[0].id
    with pytest.raises(OperationFailed):
        engine.complete(task, actor="hr1", data={"amount": 50})
    assert engine.tasks(role="hr")[0].id == task                  # the completion was rolled back
    assert engine.show(inst.id).version == 2
