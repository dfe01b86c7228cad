"""The OpenAPI 3.1 description of ``/api/v1`` (served at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from typing import Any

from records.levels import SecretLevel

__all__ = ["openapi_document"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {status: {"$ref": f"#/components/responses/{name}"} for status, name in
           (("401", "Unauthorised"), ("403", "Forbidden"), ("404", "NotFound"), ("409", "Conflict"),
            ("422", "Invalid"), ("429", "TooMany"))}


def _errors(*codes: str) -> dict[str, Any]:
    return {c: _ERRORS[c] for c in ("401", "429", *codes)}


_PATH_ID = {"in": "path", "required": True, "schema": {"type": "string"}}

_SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "status"], "properties": {
        "error": {"type": "string", "description": "what went wrong, in plain words"},
        "problems": {"type": "array", "items": {"type": "string"}, "description": "one entry per bad field"},
        "status": {"type": "integer"}}},
    "Task": {"type": "object", "required": ["id", "instance_id", "process_id", "title", "state"], "properties": {
        "id": {"type": "string"}, "instance_id": {"type": "integer"}, "process_id": {"type": "string"},
        "name": {"type": "string", "description": "the BPMN task id"}, "title": {"type": "string"},
        "lane": {"type": ["string", "null"], "description": "the role that may act (when unassigned)"},
        "assignee": {"type": ["string", "null"]},
        "form": {"type": ["string", "null"], "description": "the JSON Schema (bpmn/forms/<form>.json) of the data"},
        "sign_document": {"type": ["string", "null"], "description": "completing the task signs this document"},
        "sign_party": {"type": ["string", "null"]}, "due_at": {"type": ["string", "null"], "format": "date-time"},
        "state": {"type": "string", "enum": ["ready", "completed", "cancelled"]},
        "created_at": {"type": "string", "format": "date-time"},
        "completed_at": {"type": ["string", "null"], "format": "date-time"},
        "completed_by": {"type": ["string", "null"]}}},
    "DocumentSummary": {"type": "object", "properties": {
        "id": {"type": "string"}, "template_id": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "string"}, "signatures": {"type": "array", "items": _ref("Signature")}}},
    "Signature": {"type": "object", "properties": {
        "party": {"type": "string"}, "signer": {"type": "string"}, "user": {"type": "string"},
        "at": {"type": "string", "format": "date-time"}}},
    "Instance": {"type": "object", "required": ["id", "process_id", "status"], "properties": {
        "id": {"type": "integer"}, "process_id": {"type": "string"},
        "status": {"type": "string", "enum": ["running", "waiting", "completed", "cancelled", "error"]},
        "version": {"type": "integer"}, "subject_user": {"type": ["string", "null"]},
        "started_by": {"type": "string"}, "started_at": {"type": "string", "format": "date-time"},
        "completed_at": {"type": ["string", "null"], "format": "date-time"},
        "next_timer_at": {"type": ["string", "null"], "format": "date-time"},
        "error": {"type": ["string", "null"]},
        "data": {"type": "object", "description": "the instance data", "additionalProperties": True},
        "tasks": {"type": "array", "items": _ref("Task")},
        "history": {"type": "array", "items": {"type": "object"}},
        "documents": {"type": "array", "items": _ref("DocumentSummary")}}},
    "Document": {"type": "object", "required": ["id", "title", "status", "sha256", "pdf"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "template_id": {"type": "string"},
        "level": {"type": "string", "enum": [level.value for level in SecretLevel]},
        "status": {"type": "string", "enum": ["awaiting_signatures", "completed", "declined"]},
        "instance_id": {"type": ["integer", "null"]}, "subject_user": {"type": ["string", "null"]},
        "parties": {"type": "array", "items": {"type": "string"}},
        "signatures": {"type": "array", "items": _ref("Signature")},
        "sha256": {"type": "string", "description": "SHA-256 of the current PDF"},
        "created_at": {"type": "string", "format": "date-time"},
        "pdf": {"type": "string", "description": "path of the PDF"}}},
    "StartData": {"type": "object", "additionalProperties": True,
                  "description": "validated against bpmn/forms/<process_id>_start.json"},
    "TaskData": {"type": "object", "additionalProperties": True,
                 "description": "validated against the task's form; a signing task needs {\"agree\": true}"},
}


def openapi_document(server_url: str) -> dict[str, Any]:
    error = _ref("Error")
    return {
        "openapi": "3.1.0",
        "info": {"title": "mibao API", "version": "1",
                 "description": "Start trade-secret processes, follow their tasks and fetch signed agreements. "
                                "Authenticate with a bearer token (made on the web's account page, or with "
                                "`mibao token create USER_ID --label L --scope read|act --days N`); requests act as "
                                "that user. A token expires, and one with the scope `read` may only GET."},
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/processes/{process_id}/instances": {"post": {
                "operationId": "startInstance", "summary": "Start a process instance (roles hr, secrecy_office)",
                "parameters": [{"name": "process_id", **_PATH_ID}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("StartData")}}},
                "responses": {"201": _json(_ref("Instance"), "the started instance"), **_errors("403", "404", "422")},
            }},
            "/instances/{instance_id}": {"get": {
                "operationId": "getInstance", "summary": "An instance with its tasks, history and documents",
                "parameters": [{"name": "instance_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": _json(_ref("Instance"), "the instance"), **_errors("404")},
            }},
            "/tasks": {"get": {
                "operationId": "listTasks", "summary": "Ready tasks (yours; hr and secrecy_office see all)",
                "parameters": [{"name": "role", "in": "query", "schema": {"type": "string"}},
                               {"name": "user", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "object", "required": ["tasks"], "properties": {
                    "tasks": {"type": "array", "items": _ref("Task")}}}, "the tasks"), **_errors("403")},
            }},
            "/tasks/{task_id}/complete": {"post": {
                "operationId": "completeTask", "summary": "Complete a task you may act on",
                "parameters": [{"name": "task_id", **_PATH_ID}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("TaskData")}}},
                "responses": {"200": _json(_ref("Instance"), "the instance after the step"),
                              **_errors("403", "404", "409", "422")},
            }},
            "/documents/{document_id}": {"get": {
                "operationId": "getDocument", "summary": "A document's metadata and signatures",
                "parameters": [{"name": "document_id", **_PATH_ID}],
                "responses": {"200": _json(_ref("Document"), "the document"), **_errors("404")},
            }},
            "/documents/{document_id}.pdf": {"get": {
                "operationId": "getDocumentPdf", "summary": "The document's current PDF",
                "parameters": [{"name": "document_id", **_PATH_ID}],
                "responses": {"200": {"description": "the PDF", "content": {"application/pdf": {
                    "schema": {"type": "string", "contentMediaType": "application/pdf"}}}}, **_errors("404")},
            }},
            "/openapi.json": {"get": {
                "operationId": "getOpenApi", "summary": "This document", "security": [],
                "responses": {"200": _json({"type": "object"}, "the OpenAPI document")},
            }},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "an API token (account page, or mibao token create)"}},
            "schemas": _SCHEMAS,
            "responses": {
                "Unauthorised": _json(error, "no token, or an unknown, expired or revoked one"),
                "Forbidden": _json(error, "the token's user may not do this, or the token may only read"),
                "NotFound": _json(error, "no such item, or not visible to the token's user"),
                "Conflict": _json(error, "already done (by someone else)"),
                "Invalid": _json(error, "the data does not match the form"),
                "TooMany": _json(error, "rate limit reached"),
            },
        },
    }
