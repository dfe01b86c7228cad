"""Who is asking, and may they: the signed-in user, role checks, and the response headers every page gets.

A sign-in lives on the server (``records.sign_ins``): the session cookie carries only its random token, so
signing out, the person ending it from their account page, idleness, the absolute limit and the account being
disabled all end it at once, whatever copies of the cookie exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, abort, current_app, g, redirect, request, session, url_for

from records import sign_ins
from records.db import transaction
from records.models import User
from web.config import LANGUAGES
from web.state import state

__all__ = ["current_sign_in", "current_user", "limits", "load_user", "login_required", "roles_required",
           "security_headers", "sign_in", "sign_out"]

F = TypeVar("F", bound=Callable[..., Any])

_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def limits() -> sign_ins.Limits:
    return sign_ins.Limits(idle=current_app.config["SESSION_IDLE"],
                           absolute=current_app.config["PERMANENT_SESSION_LIFETIME"])


def load_user() -> None:
    g.user, g.sign_in_id = None, None
    token = session.get("sid")
    if not token or request.endpoint == "static":
        return
    with transaction(state().sessions) as db:
        found = sign_ins.current(db, str(token), now=state().engine.clock.now(), limits=limits())
        if found is not None:
            row, user = found
            db.expunge(user)
            g.user, g.sign_in_id = user, row.id
    if found is None:
        session.pop("sid", None)   # ended on the server: the cookie's token is worth nothing now


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def current_sign_in() -> int | None:
    found: int | None = g.get("sign_in_id")
    return found


def sign_in(user: User) -> None:
    """Begin a sign-in for ``user`` (whose password or directory bind was checked) in a fresh cookie."""
    chosen = user.language if user.language in LANGUAGES else session.get("lang")
    session.clear()               # a fresh session on login: no fixation
    with transaction(state().sessions) as db:
        session["sid"] = sign_ins.begin(db, user, now=state().engine.clock.now(), limits=limits(),
                                        user_agent=request.user_agent.string, address=request.remote_addr or "")
        if chosen in LANGUAGES:
            stored = db.get(User, user.id)
            if stored is not None and stored.language != chosen:
                stored.language = chosen  # English chosen on the login page stays with the person
            session["lang"] = chosen
    session.permanent = True


def sign_out() -> None:
    """End this browser's sign-in on the server and forget it; the language choice stays."""
    sign_in_id, user = current_sign_in(), current_user()
    if sign_in_id is not None and user is not None:
        with transaction(state().sessions) as db:
            sign_ins.end(db, user_id=user.id, sign_in_id=sign_in_id, now=state().engine.clock.now(),
                         reason="signed_out")
    lang = session.get("lang")
    session.clear()
    if lang in LANGUAGES:
        session["lang"] = lang


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
