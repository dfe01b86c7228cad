"""The remaining outside parties' pledges through 外部人员保密协议 (issue 13, item 5): the meeting pledge (seed 003
§6.5.3), the temporary pledge for a secret area (§5.3.2: approved by the head of the area's department, as the
organisation has it, with a named escort), the bid-evaluation pledge (§5.5.2) and the administrative-inspection
agreement (§5.5.3). Each is sealed by the company, signed by the outside party and, where the template says so,
countersigned by the host; the signed PDF verifies."""

from __future__ import annotations

import pytest

from tests.bpmn.driver import START, Run, check_documents, check_outcome, document, pdf_text
from tests.bpmn.pledges import APPROVAL, AREA_ENTRY, BID_EVALUATION, INSPECTION, MEETING, REQUEST, add_purchasing
from workflows import Engine, FixedClock, FormDataError


def test_meeting_pledge_signed_by_the_attendee_and_countersigned_by_the_organiser(engine: Engine,
                                                                                   clock: FixedClock) -> None:
    run = Run(engine, clock, "external_nda", MEETING, "eng01")
    assert (run.view.data["host_name"], run.view.data["host_department"]) == ("王志强", "技术研发部")  # from the org
    run.do("host_request", "eng01", REQUEST)
    run.do("department_approval", "head01", APPROVAL)
    assert run.task("sign_external").sign_party == "attendee"
    run.sign("sign_external", "visitor01")
    view = run.sign("sign_host", "eng01")
    check_outcome(engine, view)
    [signed] = check_documents(engine, view, [("meeting_pledge", [("company", "system"), ("attendee", "visitor01"),
                                                                  ("host", "eng01")])])
    text = pdf_text(engine, document(engine, signed.id))
    assert "会议保密承诺书" in text and "不录音、录像、拍照" in text and "交还会议组织人" in text


def test_area_entry_is_approved_by_the_head_of_the_area_department_and_escorted(engine: Engine,
                                                                               clock: FixedClock) -> None:
    """The secrecy office asks; the escort (picked, not typed) fills the request; the head of the department the
    area belongs to approves — here 技术研发部's head, not the secrecy office's."""
    run = Run(engine, clock, "external_nda", AREA_ENTRY, "sec01")
    assert (run.view.data["host_name"], run.view.data["host_department"]) == ("李娜", "技术研发部")
    assert run.task("host_request").assignee == "eng02"
    run.do("host_request", "eng02", REQUEST)
    assert run.task("department_approval").assignee == "head01"
    view = run.do("department_approval", "head01", APPROVAL)
    assert (view.data["approver_name"], view.data["approver_department"]) == ("钱伟", "技术研发部")
    run.sign("sign_external", "visitor01")
    view = run.sign("sign_host", "eng02")
    check_outcome(engine, view)
    [signed] = check_documents(engine, view, [("area_entry_pledge", [("company", "system"), ("visitor", "visitor01"),
                                                                     ("host", "eng02")])])
    text = pdf_text(engine, document(engine, signed.id))
    assert "钱伟（技术研发部负责人）" in text and "李娜" in text and "不携带手机、相机、U盘等任何电子设备" in text


def test_area_entry_names_a_department_with_a_head_and_the_escort_as_the_org_has_them(engine: Engine) -> None:
    with pytest.raises(FormDataError, match="no department head of 生产部"):
        engine.start("external_nda", {**AREA_ENTRY, "area_department": "生产部"}, actor="sec01")
    with pytest.raises(FormDataError, match="host_name"):
        engine.start("external_nda", {**AREA_ENTRY, "host_name": "王志强"}, actor="sec01")
    with pytest.raises(FormDataError, match="approver_name"):      # the approver is the organisation's
        engine.start("external_nda", {**AREA_ENTRY, "approver_name": "钱伟"}, actor="sec01")
    with pytest.raises(FormDataError, match="area_department"):    # the area's department is required
        engine.start("external_nda", {k: v for k, v in AREA_ENTRY.items() if k != "area_department"}, actor="sec01")


def test_bid_evaluation_pledge_organised_by_purchasing(engine: Engine, clock: FixedClock) -> None:
    add_purchasing(engine.sessions, START)
    run = Run(engine, clock, "external_nda", BID_EVALUATION, "buyer01")
    run.do("host_request", "buyer01", REQUEST)
    assert run.task("department_approval").assignee == "head02"      # 采购部's head
    run.do("department_approval", "head02", APPROVAL)
    assert run.task("sign_external").sign_party == "expert"
    view = run.sign("sign_external", "visitor01")
    check_outcome(engine, view)
    [signed] = check_documents(engine, view, [("bid_evaluation_pledge", [("company", "system"),
                                                                         ("expert", "visitor01")])])
    text = pdf_text(engine, document(engine, signed.id))
    assert "评标保密承诺书" in text and "不泄露评标过程与结果" in text and "回收销毁未中标的投标文件" in text


def test_inspection_agreement_asked_by_the_secrecy_office(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "external_nda", INSPECTION, "sec01")
    run.do("host_request", "eng01", REQUEST)                    # the employee who accompanies the inspectors
    assert run.task("department_approval").assignee == "head01"
    run.do("department_approval", "head01", APPROVAL)
    assert run.task("sign_external").sign_party == "inspector"
    view = run.sign("sign_external", "visitor01")
    check_outcome(engine, view)
    [signed] = check_documents(engine, view, [("inspection_nda", [("company", "system"), ("inspector", "visitor01")])])
    text = pdf_text(engine, document(engine, signed.id))
    assert "行政检查保密协议" in text and "聊城市生态环境局" in text and "遮盖涉密图纸、避开核心车间" in text


def test_a_host_whose_department_has_no_head_is_refused_at_the_start(engine: Engine) -> None:
    """The host's department head approves every outside party's agreement: without one the request would stop
    at the approval, so it is refused when started, saying what to do (保密管理部 has no head in the demo)."""
    with pytest.raises(FormDataError, match="保密管理部 has no department head") as refused:
        engine.start("external_nda", {**INSPECTION, "host_user": "sec02"}, actor="sec01")
    assert "appoint one on the Organisation page" in str(refused.value)
