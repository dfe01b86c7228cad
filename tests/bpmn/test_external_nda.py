"""外部人员保密协议: the host asks, the department head approves (the committee for core secrets), the visitor
signs (lane external) after the company seal, the host countersigns."""

from __future__ import annotations

from tests.bpmn.driver import Run, check_documents, check_outcome, example
from workflows import Engine, FixedClock

REQUEST = {"request_reason": "检测设备售后回访，参观成品检测中心外围区域。", "minimal_necessity": True}
APPROVAL = {"approved": True, "approver_name": "钱伟", "approver_department": "技术研发部",
            "approval_date": "2026-11-21"}


def test_visitor_pledge_signed_by_company_visitor_and_host(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "external_nda", example("external_nda"), "eng01")
    run.do("host_request", "eng01", REQUEST)
    run.do("department_approval", "head01", APPROVAL)
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
    view = run.do("committee_disclosure_approval", "gm01", {
        "core_disclosure_approved": False, "core_approval_ref": "BM-2026-031", "approver_name": "陈建华",
        "approver_department": "总经理办公室", "approval_date": "2026-11-22"})
    check_outcome(engine, view)
    check_documents(engine, view, [])
    assert [n.subject for n in run.notifications()] == ["外部人员保密申请未获批准"]
