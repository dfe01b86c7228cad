"""The operations BPMN service tasks may name; importing this package registers them all."""

from workflows.operations import (
                                  access,
                                  agreements,
                                  audit,
                                  carriers,
                                  compensation,
                                  incidents,
                                  monitoring,
                                  publication,
                                  register,
)

__all__ = ["access", "agreements", "audit", "carriers", "compensation", "incidents", "monitoring", "publication",
           "register"]
