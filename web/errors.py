"""One place that turns errors into responses: a page in the user's language, or JSON under /api/."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from documents.errors import DataError, DocumentError
from records.access_grants import AccessRequestError, AccessRequestNotFound, AlreadyDecided, NotTheApprover
from records.carriers import CarrierConflict, CarrierError, CarrierNotFound, CarrierRefused
from signing.errors import PdfInputError, SigningError
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

__all__ = ["STATUS", "register_error_handlers"]

# Error class → HTTP status. The most specific class wins (checked in this order).
STATUS: list[tuple[type[Exception], int]] = [
    (Forbidden, 403),
    (NotTheApprover, 403),
    (AccessRequestNotFound, 404),
    (AlreadyDecided, 409),
    (AccessRequestError, 400),
    (CarrierRefused, 403),
    (CarrierNotFound, 404),
    (CarrierConflict, 409),
    (CarrierError, 400),
    (NotFound, 404),
    (UnknownProcess, 404),
    (ConflictError, 409),
    (FormDataError, 422),
    (DataError, 422),
    (PdfInputError, 422),
    (BpmnError, 500),
    (OperationFailed, 500),
    (WorkflowError, 400),
    (DocumentError, 400),
    (SigningError, 400),
]


def _advice(status: int) -> str:
    advice: dict[int, str] = {
        400: _("The request could not be processed. Check what you entered and try again."),
        403: _("You do not have access to this page. Sign in with the right account or ask the secrecy office."),
        404: _("This page or item does not exist (any more). Go back to your inbox."),
        405: _("This action is not available here."),
        409: _("Someone else has already done this. Reload the page to see the current state."),
        413: _("The file is too large. Upload a file of at most 20 MB."),
        422: _("Some of what you entered is not valid. Correct the fields named below and try again."),
        429: _("Too many attempts. Wait a minute and try again."),
        500: _("Something went wrong on our side. Nothing was changed; try again, or tell the administrator."),
    }
    return advice.get(status) or str(_("Something went wrong."))


def _respond(status: int, message: str, problems: list[str] | None = None):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "problems": problems or [], "status": status}), status
    return render_template("error.html", status=status, message=message, advice=_advice(status),
                           problems=problems or []), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
        return _respond(400, _("The form expired or was sent from elsewhere. Reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return _respond(exc.code or 500, _advice(exc.code or 500))

    for cls, status in STATUS:
        def handler(exc: Exception, status: int = status):  # type: ignore[no-untyped-def]
            problems = list(getattr(exc, "problems", []) or [])
            if isinstance(exc, FormDataError) and not request.path.startswith("/api/"):
                # The page's advice says it in the user's language; the problems below name the fields.
                return _respond(status, _advice(status), problems)
            return _respond(status, str(exc), problems)

        app.register_error_handler(cls, handler)
