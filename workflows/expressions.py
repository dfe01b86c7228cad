"""Expressions in BPMN files (conditions, timers, parameters, assignees) through a safe evaluator.

SpiffWorkflow's default environment hands expressions to Python's ``eval``/``exec`` with full privileges
(PITFALLS: reading /etc/passwd and running ``id`` both worked; a RestrictedPython builtins dict was escaped
through ``__subclasses__``). simpleeval parses the expression itself, refuses dunder attributes and
only calls the functions we list here. Scripts are never executed: the loader rejects script tasks.
"""

from __future__ import annotations

from typing import Any

from simpleeval import EvalWithCompoundTypes, InvalidExpression
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

__all__ = ["ExpressionError", "SafeEnvironment", "evaluate"]

_FUNCTIONS = {
    "len": len, "str": str, "int": int, "float": float, "bool": bool, "min": min, "max": max,
    "abs": abs, "round": round, "any": any, "all": all, "sorted": sorted,
}


class ExpressionError(Exception):
    pass


def evaluate(expression: str, names: dict[str, Any]) -> Any:
    evaluator = EvalWithCompoundTypes(names=dict(names), functions=_FUNCTIONS)
    try:
        return evaluator.eval(expression)
    except (InvalidExpression, SyntaxError, KeyError, TypeError, ValueError, ZeroDivisionError,
            AttributeError, IndexError) as exc:
        raise ExpressionError(f"cannot evaluate {expression!r}: {type(exc).__name__}: {exc}") from None


class SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
                 ) -> Any:
        names = {**(external_context or {}), **context}
        return evaluate(expression, names)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
                ) -> bool:
        raise ExpressionError("scripts are not allowed in mibao processes")

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ExpressionError("service calls go through the engine's operation registry")

