"""The process engine: BPMN processes run by SpiffWorkflow (the only package that imports it), persisted."""

from workflows.clock import Clock, FixedClock, SystemClock
from workflows.errors import (
    BpmnError,
    ConflictError,
    Forbidden,
    FormDataError,
    NotFound,
    OperationFailed,
    UnknownProcess,
    WorkflowError,
)
from workflows.runtime import BPMN_DIR, Engine
from workflows.services import Services
from workflows.views import InstanceView, TaskView, TickReport

__all__ = [
    "BPMN_DIR",
    "BpmnError",
    "Clock",
    "ConflictError",
    "Engine",
    "FixedClock",
    "Forbidden",
    "FormDataError",
    "InstanceView",
    "NotFound",
    "OperationFailed",
    "Services",
    "SystemClock",
    "TaskView",
    "TickReport",
    "UnknownProcess",
    "WorkflowError",
]
