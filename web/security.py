"""Who is asking, and may they: the signed-in user, role checks, and the response headers every page gets."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, abort, g, redirect, request, session, url_for

from records.models import User
from records.people import may_sign_in
from web.state import state

__all__ = ["current_user", "load_user", "login_required", "roles_required", "security_headers", "sign_in"]

F = TypeVar("F", bound=Callable[..., Any])

_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def load_user() -> None:
    g.user = None
    uid = session.get("uid")
    if uid:
        with state().sessions() as db:
            user = db.get(User, uid)
            if user is not None and may_sign_in(user):
                db.expunge(user)
                g.user = user


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def sign_in(user: User) -> None:
    session.clear()               # a fresh session on login: no fixation
    session["uid"] = user.id
    session.permanent = True


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None or not set(roles) & set(user.roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if current_user() is not None or request.path.startswith(("/x/", "/api/")):
        response.headers["Cache-Control"] = "no-store"
    return response
