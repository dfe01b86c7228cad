"""SpiffWorkflow's script engine, with our safe evaluator and our operation registry.

Overriding ``call_service`` also avoids SpiffWorkflow 3.2's own error path, which fails with
``NameError: name 'script' is not defined`` and leaves the task in ERROR (PITFALLS).
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from records.models import Job
from workflows.errors import OperationFailed
from workflows.expressions import ExpressionError, SafeEnvironment
from workflows.jobs import JobPending
from workflows.registry import OperationContext, Registry

__all__ = ["CURRENT_CONTEXT", "MibaoScriptEngine"]

# The engine sets this around every advance; operations get the session, instance and time from it.
CURRENT_CONTEXT: ContextVar[OperationContext | None] = ContextVar("mibao_operation_context", default=None)


class MibaoScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    def __init__(self, registry: Registry) -> None:
        super().__init__(environment=SafeEnvironment())
        self.registry = registry

    def validate(self, expression: str) -> None:
        pass  # parsed by simpleeval when evaluated; a broken one fails its task with the expression named

    def call_service(self, task: Any, operation_name: str, operation_params: dict[str, Any]) -> str:
        ctx = CURRENT_CONTEXT.get()
        if ctx is None:
            raise OperationFailed(f"operation {operation_name!r} called outside the engine")
        operation = self.registry.get(operation_name)
        if operation is None:
            raise OperationFailed(f"unknown operation {operation_name!r} in task {task.task_spec.bpmn_id}")
        ctx.data = task.data
        args = {name: p["value"] for name, p in operation_params.items()}
        try:
            result = operation.call(ctx, args)
            if operation.job is not None:
                # A heavy step: its arguments are decided now, its job is written with the waiting state, and
                # the engine leaves the task STARTED until a worker's result is applied (workflows.jobs).
                job = Job(instance_id=ctx.instance.id, task_id=str(task.id), operation=operation_name,
                          queue=operation.job.queue, title=operation.job.title, args=result, run_after=ctx.now,
                          created_at=ctx.now)
                ctx.session.add(job)
                ctx.session.flush()
                raise JobPending(task, job)
        except (OperationFailed, JobPending):
            raise
        except ExpressionError as exc:
            raise OperationFailed(f"{task.task_spec.bpmn_name or task.task_spec.bpmn_id}: {exc}") from exc
        except Exception as exc:
            raise OperationFailed(f"{task.task_spec.bpmn_name or task.task_spec.bpmn_id} "
                                  f"({operation_name}) failed: {exc}") from exc
        return json.dumps(result, ensure_ascii=False, default=str)
