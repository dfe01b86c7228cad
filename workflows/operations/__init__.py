"""The operations BPMN service tasks may name; importing this package registers them all."""

from workflows.operations import access, agreements, monitoring, register

__all__ = ["access", "agreements", "monitoring", "register"]
