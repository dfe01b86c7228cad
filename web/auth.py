"""Sign in and out, and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from records.models import User
from records.people import may_sign_in
from web import limiter
from web.config import LANGUAGES
from web.passwords import verify_password
from web.security import sign_in
from web.state import state

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only local paths: an attacker's ?next=https://evil.example must not turn login into a redirector.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]), methods=["POST"])
def login() -> str | Response:
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        with state().sessions() as db:
            user = db.scalars(select(User).where(User.id == username)).first()
            ok = verify_password(user.password_hash if user else None, request.form.get("password", ""))
        if user is not None and ok and may_sign_in(user):
            sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong user name or password."), "error")
    return render_template("login.html")


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")))
