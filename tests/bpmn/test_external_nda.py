"""外部人员保密协议: the host asks, the department head approves (the committee for core secrets), the visitor
signs (lane external) after the company seal, the host countersigns."""

from __future__ import annotations

import pytest

from tests.bpmn.driver import Run, check_documents, check_outcome, example
from workflows import Engine, FixedClock, Forbidden, FormDataError

REQUEST = {"request_reason": "检测设备售后回访，参观成品检测中心外围区域。", "minimal_necessity": True}
APPROVAL = {"approved": True, "approval_date": "2026-11-21"}


def test_visitor_pledge_signed_by_company_visitor_and_host(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "external_nda", example("external_nda"), "eng01")
    run.do("host_request", "eng01", REQUEST)
    assert run.task("department_approval").assignee == "head01"     # the host's department head, from the org
    view = run.do("department_approval", "head01", APPROVAL)
    assert (view.data["approver_name"], view.data["approver_department"]) == ("钱伟", "技术研发部")
    task = run.task("sign_external")
    assert (task.lane, task.assignee, task.sign_party) == ("external", None, "visitor")
    run.sign("sign_external", "visitor01")
    task = run.task("sign_host")
    assert (task.assignee, task.sign_party) == ("eng01", "host")
    view = run.sign("sign_host", "eng01")
    check_outcome(engine, view)
    check_documents(engine, view, [("visitor_pledge", [("company", "system"), ("visitor", "visitor01"),
                                                       ("host", "eng01")])])
    assert [(n.to_role, n.to_user) for n in run.notifications()] == [("secrecy_office", "eng01")]


def test_core_disclosure_refused_by_the_committee(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "external_nda", example("external_nda", core_disclosure=True), "eng01")
    run.do("host_request", "eng01", REQUEST)
    assert run.names() == ["committee_disclosure_approval"]
    decision = {"core_disclosure_approved": False, "core_approval_ref": "BM-2026-031", "approval_date": "2026-11-22"}
    task = run.task("committee_disclosure_approval")
    assert task.assignee == "gm01"
    with pytest.raises(Forbidden):     # HR cannot approve as the chair, nor type the chair's name
        engine.complete(task.id, actor="hr01", data=decision)
    with pytest.raises(FormDataError, match="approver_name"):
        engine.complete(task.id, actor="gm01", data={**decision, "approver_name": "陈建华"})
    view = run.do("committee_disclosure_approval", "gm01", decision)
    check_outcome(engine, view)
    check_documents(engine, view, [])
    assert [n.subject for n in run.notifications()] == ["外部人员保密申请未获批准"]
