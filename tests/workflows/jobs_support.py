"""What the job tests share: an onboarding brought to its first heavy step."""

from __future__ import annotations

from tests.bpmn.driver import example
from workflows import Engine

BACKGROUND = {"check_date": "2026-11-21", "background_passed": True, "check_summary": "已核实，无竞业限制。"}
PREPARING = "正在生成协议 / preparing the agreement"


def onboarding_at_its_first_agreement(engine: Engine) -> int:
    """Start eng01's onboarding and pass the background check: the first agreement's job is written (and,
    depending on the engine's runner, already handed over). Returns the instance id."""
    view = engine.start("onboarding", example("onboarding"), actor="hr01")
    task = next(t for t in view.tasks if t.name == "background_check")
    return engine.complete(task.id, actor="hr01", data=BACKGROUND).id
