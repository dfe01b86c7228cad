"""入职保密流程: background check, three agreements (four with the non-compete for core staff), training gate."""

from __future__ import annotations

import json

import pytest

from records.db import transaction
from records.models import ItemStatus, SecretItem
from signing import signed_file
from signing.evidence import DATA_NAME
from tests.bpmn.driver import Run, check_documents, check_outcome, document, example, pdf_text
from workflows import Engine, FixedClock, FormDataError

BACKGROUND_OK = {"check_date": "2026-11-21", "background_passed": True,
                 "check_summary": "已向原单位临清华达轴承制造有限公司人力资源部核实，无竞业限制约定，无泄密记录。"}


def training(score: int) -> dict[str, object]:
    return {"training_date": "2026-11-25", "trainer_name": "周明", "training_score": score}


def test_core_engineer_signs_four_agreements_and_retakes_the_test(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "onboarding", example("onboarding"), "hr01")
    assert run.names() == ["background_check"]
    run.do("background_check", "hr01", BACKGROUND_OK)
    for key in ("legacy", "notice", "nda", "non_compete"):
        task = run.task(f"sign_{key}_employee")
        assert (task.assignee, task.sign_party) == ("eng01", "employee")
        run.sign(f"sign_{key}_employee", "eng01")
    run.do("induction_training", "sec01", training(45))            # failed: the test is taken again
    assert run.names() == ["induction_training"]
    view = run.do("induction_training", "sec01", training(88))
    check_outcome(engine, view)
    assert view.data["training_score"] == 88
    employee = [("company", "system"), ("employee", "eng01")]
    check_documents(engine, view, [("legacy_secret_pledge", employee), ("confidentiality_notice", employee),
                                   ("nda", employee), ("non_compete", employee)])
    trainings = [h for h in view.history if h["action"] == "completed" and h["title"] == "入职保密培训及考核"]
    assert [h["detail"]["data"]["training_score"] for h in trainings] == [45, 88]
    assert [(n.to_user, n.subject) for n in run.notifications()] == [
        ("hr01", "王志强：入职保密手续已完成，培训考核合格，可以上岗")]


@pytest.mark.parametrize("level", ["important", "general"])
def test_other_staff_sign_no_non_compete(engine: Engine, clock: FixedClock, level: str) -> None:
    data = example("onboarding", employee_user="eng02", employee_name="李娜", employee_id_number="371502199507082346",
                   employee_number="E1002", position="轴承检测工程师", personnel_level=level)
    for key in ("local_minimum_wage", "bank_name", "bank_account"):
        data.pop(key)                                              # only the non-compete needs them
    run = Run(engine, clock, "onboarding", data, "hr01")
    run.do("background_check", "hr01", BACKGROUND_OK)
    for key in ("legacy", "notice", "nda"):
        run.sign(f"sign_{key}_employee", "eng02")
    assert run.names() == ["induction_training"]
    view = run.do("induction_training", "sec01", training(60))     # the pass mark itself passes
    check_outcome(engine, view)
    employee = [("company", "system"), ("employee", "eng02")]
    check_documents(engine, view, [("legacy_secret_pledge", employee), ("confidentiality_notice", employee),
                                   ("nda", employee)])


def test_failed_background_check_ends_without_agreements(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "onboarding", example("onboarding"), "hr01")
    view = run.do("background_check", "hr01", {**BACKGROUND_OK, "background_passed": False,
                                               "check_summary": "原单位确认其负有竞业限制义务且期限未满。"})
    check_outcome(engine, view)
    check_documents(engine, view, [])
    assert [n.subject for n in run.notifications()] == ["王志强：背景调查未通过，入职保密手续终止"]


def test_the_nda_attaches_the_items_the_person_may_know_from_the_register(engine: Engine, clock: FixedClock) -> None:
    """Appendix 5 art. 1: the NDA attaches the register entries whose 知悉范围 names the person (by name or post),
    read from the register when it is prepared — a declassified entry or someone else's is not listed, a typed list
    is refused — and the NDA is marked at the highest listed level. The competitor clause is an option, and the
    legal representative has a signature line."""
    with transaction(engine.sessions) as session:
        session.add_all([
            SecretItem(name="风电主轴轴承套圈热处理工艺参数", level="core", department="技术研发部", period="长期",
                       knowers="王志强；热处理车间生产主管"),
            SecretItem(name="轴承游隙检测作业指导书", level="general", department="技术研发部", period="3 年",
                       knowers="工艺工程师、质检组"),
            SecretItem(name="已公开的保持架结构", level="important", department="技术研发部", knowers="王志强",
                       status=ItemStatus.DECLASSIFIED),
            SecretItem(name="重点客户报价体系", level="important", department="销售部", knowers="李娜")])
    with pytest.raises(FormDataError, match="known_items"):
        engine.start("onboarding", example("onboarding", known_items=[]), actor="hr01")
    run = Run(engine, clock, "onboarding", example("onboarding", competitor_clause=True), "hr01")
    run.do("background_check", "hr01", BACKGROUND_OK)
    run.sign("sign_legacy_employee", "eng01")
    run.sign("sign_notice_employee", "eng01")
    nda = document(engine, str(run.show().data["nda_doc"]))
    assert nda.level == "core"                                       # it names a core item
    fields = json.loads(signed_file(engine.services.blobs.get(nda.path), DATA_NAME))
    assert [(i["number"], i["name"], i["level"]) for i in fields["known_items"]] == [
        (1, "风电主轴轴承套圈热处理工艺参数", "core"), (2, "轴承游隙检测作业指导书", "general")]
    text = pdf_text(engine, nda)
    assert "附件：乙方知悉范围内的商业秘密清单" in text and "共2项" in text and "重点客户报价体系" not in text
    assert "3.3乙方离职后不入职与甲方有竞争关系的轴承企业" in text
    assert "法定代表人（签字）：" in text
    # Appendix 5 art. 3: secret until public or of no value, and still secret while a non-compete runs.
    assert "失去商业价值或经甲方解密之日止；乙方签订《竞业限制协议》的，竞业限制期限内保密义务继续有效" in text
