"""Service-task operations: named Python functions with declared parameters.

A BPMN service task names an operation (``<spiffworkflow:serviceTaskOperator id="prepare_agreement">``);
the loader checks every name and parameter against this registry before a process can run, and the engine
calls the function with a typed context. BPMN files therefore choose *which* vetted function runs, never
*what code* runs.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from records.models import ProcessInstance
from workflows.errors import OperationFailed

__all__ = ["OPERATIONS", "JobSpec", "Operation", "OperationContext", "Registry"]


@dataclass
class OperationContext:
    """What an operation may use: the open session (flush only), the instance row, its data, the time."""

    session: Session
    instance: ProcessInstance
    data: dict[str, Any]
    now: dt.datetime
    services: Any                      # workflows.services.Services (kept loose to avoid an import cycle)
    actor: str


@dataclass(frozen=True)
class JobSpec:
    """How a heavy operation runs as a job (``workflows.jobs``). The operation's own function runs in the
    instance's transaction and returns the job's arguments (deciding anything a retry must repeat, such as the
    document id); ``work(services, args)`` does the heavy part on a worker with no database session and no lock,
    and must be safe to run twice; ``apply(ctx, args, result)`` records its result under the instance's lock and
    returns what the service task's result variable gets."""

    queue: str                                                   # documents / signing / mail
    title: str                                                   # what the instance shows while it waits
    work: Callable[[Any, dict[str, Any]], dict[str, Any]]
    apply: Callable[[OperationContext, dict[str, Any], dict[str, Any]], Any]


@dataclass(frozen=True)
class Operation:
    name: str
    func: Callable[..., Any]
    params: dict[str, bool]            # name -> required
    summary: str
    job: JobSpec | None = None         # run on a worker, outside the request and the instance's lock

    def call(self, ctx: OperationContext, args: dict[str, Any]) -> Any:
        unknown = sorted(set(args) - set(self.params))
        missing = sorted(p for p, required in self.params.items() if required and p not in args)
        if unknown or missing:
            raise OperationFailed(f"operation {self.name!r}: unknown parameters {unknown}, missing {missing}")
        return self.func(ctx, **args)


class Registry:
    def __init__(self) -> None:
        self._ops: dict[str, Operation] = {}

    def operation(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register ``func(ctx, **params)``; its keyword parameters (after ``ctx``) are the declared ones."""

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            sig = inspect.signature(func)
            params = {p.name: p.default is inspect.Parameter.empty
                      for p in list(sig.parameters.values())[1:]}
            summary = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
            self._ops[name] = Operation(name=name, func=func, params=params, summary=summary)
            return func

        return register

    def job(self, name: str, *, queue: str, title: str,
            work: Callable[[Any, dict[str, Any]], dict[str, Any]],
            apply: Callable[[OperationContext, dict[str, Any], dict[str, Any]], Any]
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register a heavy operation: the decorated function prepares the job's arguments (see ``JobSpec``)."""

        def register(func: Callable[..., Any]) -> Callable[..., Any]:
            self.operation(name)(func)
            self._ops[name] = replace(self._ops[name], job=JobSpec(queue=queue, title=title, work=work, apply=apply))
            return func

        return register

    def get(self, name: str) -> Operation | None:
        return self._ops.get(name)

    def all(self) -> list[Operation]:
        return sorted(self._ops.values(), key=lambda op: op.name)


OPERATIONS = Registry()
