"""The engine's error tree; the CLI and the web map these classes to exit codes / HTTP statuses in one place."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every error raised by :mod:`workflows`."""


class BpmnError(WorkflowError):
    """A BPMN file is malformed, fails the XSD, carries scripts, or names unknown operations, forms or lanes."""


class UnknownProcess(WorkflowError):
    """No process has the id asked for."""


class NotFound(WorkflowError):
    """The task or instance does not exist (any more)."""


class Forbidden(WorkflowError):
    """The user may not do this: someone else's task, or a role the user lacks."""


class FormDataError(WorkflowError):
    """Data failed the task's (or the start) form schema; ``problems`` names each field at fault."""

    def __init__(self, what: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"the data for {what} is not valid: " + "; ".join(problems)
                         + ". Correct these fields and try again.")


class ConflictError(WorkflowError):
    """Someone else changed this first (the task was already completed, the instance moved on); nothing changed."""


class OperationFailed(WorkflowError):
    """A service task's operation failed; the instance is left as it was before the step."""
