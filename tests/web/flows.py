"""Drive processes to the state a web test needs, through the engine (the same calls the pages make)."""

from __future__ import annotations

from typing import Any

from cli.scenario import ROLE_USERS, example
from workflows import Engine, InstanceView, TaskView

__all__ = ["do", "ready", "to_committee_vote", "to_first_signature"]


def ready(engine: Engine, instance_id: int, name: str | None = None) -> list[TaskView]:
    return [t for t in engine.tasks() if t.instance_id == instance_id and (name is None or t.name == name)]


def do(engine: Engine, instance_id: int, name: str, data: dict[str, Any], actor: str | None = None) -> InstanceView:
    task = next(t for t in ready(engine, instance_id, name) if actor is None or t.assignee == actor)
    return engine.complete(task.id, actor=task.assignee or ROLE_USERS[task.lane or ""], data=data)


def to_first_signature(engine: Engine) -> TaskView:
    """Onboarding of eng01 up to the first agreement the employee signs (the company has signed it)."""
    view = engine.start("onboarding", example("onboarding"), actor="hr01")
    do(engine, view.id, "background_check", {"check_date": "2026-11-21", "background_passed": True,
                                             "check_summary": "已核实。"})
    (task,) = [t for t in ready(engine, view.id) if t.sign_document]
    return task


def to_committee_vote(engine: Engine) -> int:
    """A classification up to the committee vote (three members: gm01, cm02, cm03); returns the instance id."""
    view = engine.start("classification", example("classification"), actor="liaison01")
    do(engine, view.id, "file_item", {
        "item_name": "风电主轴轴承套圈热处理工艺参数", "item_category": "技术信息—制造工艺", "proposed_level": "core",
        "item_summary": "淬火、回火工艺的全套参数。", "carrier_form": "电子文档", "secrecy_period": "长期",
        "knowers": "技术研发部王志强", "declassification_condition": "技术公开",
        "protection_measures": "双人双锁。", "self_check_summary": "未公开。", "apply_date": "2026-11-21"})
    do(engine, view.id, "cross_review", {"review_decision": "keep", "cross_review_opinion": "不属于已公开信息。",
                                         "cross_reviewers": "研发部刘振国", "secrecy_office_name": "周明",
                                         "review_date": "2026-11-21"})
    do(engine, view.id, "novelty_check", {"novelty_check": "查新结论：不为公众所知悉。", "novelty_agency": "情报研究院",
                                          "novelty_confirmed": True})
    do(engine, view.id, "value_assessment", {"include_in_protection": True, "value_assessment": "年节约 680 万元。"})
    do(engine, view.id, "classification_proposal", {
        "recommended_level": "core", "secrecy_period": "长期", "knowers": "技术研发部王志强",
        "office_opinion": "建议定为核心秘密。"})
    return view.id
