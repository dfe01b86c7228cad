"""Sign in and out, and the language switch."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from records.db import transaction
from records.models import User
from records.people import may_sign_in
from web import limiter
from web.config import LANGUAGES
from web.passwords import verify_password
from web.security import current_user, sign_in, sign_out
from web.state import state

bp = Blueprint("auth", __name__)

# Control characters, the space and the backslash: what browsers drop or rewrite inside a URL.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def _safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else the inbox.

    An attacker's ``?next=`` must not turn sign-in into a redirector. Browsers drop tabs and newlines inside a
    URL and read a backslash as a slash, so ``/<tab>/evil.example`` and ``/<backslash>evil.example`` lead
    off-site; a CR/LF would also break the Location header. So: one leading slash, then no control character,
    space or backslash, and nothing a URL parser reads as a scheme or a host.
    """
    if (target and len(target) <= 2000 and target.startswith("/") and not target.startswith("//")
            and not _UNSAFE.search(target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
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
    sign_out()
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
        user = current_user()
        if user is not None:    # the choice follows the person to their next sign-in, on any browser
            with transaction(state().sessions) as db:
                stored = db.get(User, user.id)
                if stored is not None:
                    stored.language = code
    return redirect(_safe_next(request.form.get("next")))
