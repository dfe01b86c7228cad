"""入职保密流程: background check, three agreements (four with the non-compete for core staff), training gate."""

from __future__ import annotations

import pytest

from tests.bpmn.driver import Run, check_documents, check_outcome, example
from workflows import Engine, FixedClock

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
