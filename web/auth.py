"""Sign in and out, and the language switch.

Sign-in is the password, then (where it is on, or required for the person's roles) a code from an authenticator
app, a security key (records.security_keys) or a recovery code (records.two_factor). Wrong passwords, codes and
key answers count against the account name (records.login_throttle). Invitation and reset links
(records.password_links) let a person choose a password."""

from __future__ import annotations

import datetime as dt
import logging
import re
from urllib.parse import urlsplit

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from records import directory, login_throttle, password_links, security_keys, two_factor
from records.db import transaction
from records.directory import DirectorySettings, DirectoryUnavailable, EntryRefused
from records.models import IdentitySource, PasswordLinkPurpose, User
from records.people import may_sign_in
from web import limiter
from web import security_keys as key_ceremony
from web.config import LANGUAGES
from web.passwords import WeakPasswordError, check_password, hash_password, verify_password
from web.security import current_user, load_user, sign_in, sign_out
from web.state import state

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

# The second step must follow the password within this; after it, the password is asked again.
PENDING_VALID = dt.timedelta(minutes=5)

# Control characters, the space and the backslash: what browsers drop or rewrite inside a URL.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next(target: str | None) -> str:
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
        now = _now()
        with state().sessions() as db:
            until = login_throttle.locked_until(db, username, now=now)
        if until is not None:
            _locked(until)
            return render_template("login.html"), 429  # type: ignore[return-value]
        password = request.form.get("password", "")
        with state().sessions() as db:
            user = db.scalars(select(User).where(User.id == username)).first()
            if user is not None:
                db.expunge(user)
        directory: DirectorySettings | None = current_app.config.get("DIRECTORY")
        if directory is not None and (user is None or user.identity_source == IdentitySource.LDAP):
            try:
                user = _from_directory(directory, username, password)
            except DirectoryUnavailable:
                flash(_("The company directory cannot be reached just now, so your password cannot be checked. "
                        "Try again in a few minutes; if it goes on, tell IT."), "error")
                return render_template("login.html"), 503  # type: ignore[return-value]
            except EntryRefused as refused:
                flash(_("Your directory account cannot be used here: %(reason)s. Ask HR or the secrecy office.",
                        reason=str(refused)), "error")
                return render_template("login.html"), 403  # type: ignore[return-value]
            ok = user is not None
        else:
            ok = verify_password(user.password_hash if user else None, password)
        if user is not None and ok and may_sign_in(user):
            return _second_step(user, safe_next(request.args.get("next")))
        until = _failed(username)
        if until is not None:
            _locked(until)
        else:
            flash(_("Wrong user name or password."), "error")
    return render_template("login.html")


def _from_directory(settings: DirectorySettings, username: str, password: str) -> User | None:
    """The account of the directory person whose password this is, created or brought up to date from their
    entry (so a new employee signs in before the next sync); None for a wrong password or an unknown name."""
    person = directory.authenticate(settings, username, password)
    if person is None:
        return None
    for attempt in range(2):
        try:
            with transaction(state().sessions) as db:
                user = directory.sign_in_person(db, settings, person, _now())
                db.flush()
                db.expunge(user)
                return user
        except IntegrityError:      # their first sign-in at the same moment in another browser made the account
            if attempt:
                raise
    return None


def _now() -> dt.datetime:
    return state().engine.clock.now()


def _locked(until: dt.datetime) -> None:
    # Said the same way for every name, real or not (records.login_throttle counts both).
    flash(_("Too many wrong attempts with this user name: signing in with it is blocked until %(time)s. If you "
            "forgot your password, ask for a new one below.", time=format_datetime(until, "short")), "error")


def _failed(username: str) -> dt.datetime | None:
    """Count a wrong password or code against ``username``; when its lock starts, the lock's end."""
    for attempt in range(2):
        try:
            with transaction(state().sessions) as db:
                return login_throttle.failed(db, username, now=_now(), policy=current_app.config["LOGIN_LOCKOUT"])
        except IntegrityError:      # two first failures for one name at once: the other made the row
            if attempt:
                raise
    return None


def _second_step(user: User, target: str) -> Response:
    """The password was right: sign in, or first ask for the second step (or its set-up, where it is required)."""
    with state().sessions() as db:
        enrolled = two_factor.active(db, user.id)
    required = two_factor.required(user, current_app.config["TWO_FACTOR_ROLES"])
    if not enrolled and not required:
        _succeeded(user.id)
        sign_in(user)
        return redirect(target)
    session["pending"] = {"user": user.id, "at": _now().isoformat(), "next": target}
    return redirect(url_for("auth.code" if enrolled else "auth.enrol"))


def _succeeded(username: str) -> None:
    with transaction(state().sessions) as db:
        login_throttle.succeeded(db, username)


def _pending() -> User | None:
    """The person whose password was right a moment ago and who now owes the second step, or None (never had one,
    too long ago, or the account changed meanwhile)."""
    pending = session.get("pending")
    if not isinstance(pending, dict):
        return None
    try:
        started = dt.datetime.fromisoformat(str(pending.get("at")))
    except ValueError:
        return None
    if not dt.timedelta(0) <= _now() - started <= PENDING_VALID:
        session.pop("pending", None)
        return None
    with state().sessions() as db:
        user = db.get(User, str(pending.get("user")))
        if user is not None:
            db.expunge(user)
    return user if user is not None and may_sign_in(user) else None


def _start_again() -> Response:
    session.pop("pending", None)
    flash(_("Please sign in again: the second step must follow the password within %(minutes)d minutes.",
            minutes=int(PENDING_VALID.total_seconds() // 60)), "error")
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]), methods=["POST"])
def code() -> str | Response:
    user = _pending()
    if user is None:
        return _start_again()
    if request.method == "POST":
        with transaction(state().sessions) as db:
            used = two_factor.verify(db, user.id, request.form.get("code", ""), now=_now())
            left = two_factor.recovery_codes_left(db, user.id)
        if used is not None:
            done = _through(user)
            if used == "recovery":
                flash(_("You signed in with a recovery code; %(left)d are left. If your phone is lost, set up "
                        "two-step sign-in again on your account page.", left=left), "error")
            return done
        locked = _wrong_step(user, _("That code is not right, or was used already. Type the 6 digits your "
                                     "authenticator app shows now, or one of your recovery codes."))
        if locked is not None:
            return locked
    with state().sessions() as db:
        ways = {"totp": two_factor.totp_active(db, user.id), "keys": bool(security_keys.keys_of(db, user.id))}
    return render_template("two_factor/code.html", user=user, **ways)


def _through(user: User) -> Response:
    """The second step is done: sign in and go where the person was going."""
    target = safe_next(str(session["pending"].get("next")))
    _succeeded(user.id)
    sign_in(user)
    return redirect(target)


def _wrong_step(user: User, message: str) -> Response | None:
    """Count a wrong second step; the way back to the login page once the account name is locked."""
    until = _failed(user.id)
    if until is None:
        flash(message, "error")
        return None
    session.pop("pending", None)
    _locked(until)
    return redirect(url_for("auth.login"))


@bp.post("/login/key/options")
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]))
def key_options() -> Response:
    """What the browser asks the pending person's security key to sign (JSON)."""
    user = _pending()
    if user is None:
        return Response('{"error": "sign in again"}', 401, mimetype="application/json")
    with state().sessions() as db:
        options, challenge = security_keys.authentication_options(db, user.id, key_ceremony.relying_party(),
                                                                  now=_now())
    key_ceremony.keep(challenge)
    return Response(options, mimetype="application/json")


@bp.post("/login/key/verify")
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]))
def key_verify() -> Response:
    """The key's answer, posted by static/webauthn.js: right, like a right code; wrong, like a wrong one."""
    user = _pending()
    if user is None:
        return _start_again()
    try:
        with transaction(state().sessions) as db:
            security_keys.authenticate(db, user.id, key_ceremony.relying_party(), key_ceremony.take(),
                                       request.form.get("credential", ""), now=_now())
    except security_keys.KeyRefused as refused:
        log.info("security key refused for %s: %s", user.id, refused)
        return _wrong_step(user, _("Your security key was not accepted. Try again with a key you added to "
                                   "your account, or type a code.")) or redirect(url_for("auth.code"))
    return _through(user)


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]), methods=["POST"])
def enrol() -> str | Response:
    """Set up the second step before the first sign-in that requires it."""
    user = _pending()
    if user is None:
        return _start_again()
    with state().sessions() as db:
        if two_factor.active(db, user.id):
            return redirect(url_for("auth.code"))
    codes = set_up_app(user)
    if not isinstance(codes, list):
        return codes
    target = safe_next(str(session["pending"].get("next")))
    _succeeded(user.id)
    sign_in(user)
    load_user()               # the page below is the signed-in person's
    return render_template("two_factor/codes.html", codes=codes, next=target)


def set_up_app(user: User) -> str | list[str]:
    """One step of setting up ``user``'s authenticator app (at the first sign-in that requires it, or from their
    account page): the set-up page — first visit, or a wrong code — or, once a right code turned it on, the
    recovery codes to show."""
    with transaction(state().sessions) as db:
        secret = two_factor.pending_secret(db, user.id) or two_factor.begin(db, user.id, now=_now())
        codes = two_factor.confirm(db, user.id, request.form.get("code", ""), now=_now()) \
            if request.method == "POST" else None
    if codes is not None:
        return codes
    if request.method == "POST":
        flash(_("That code is not right. Check that the app shows the account “%(account)s” and type the 6 "
                "digits it shows now.", account=user.id), "error")
    uri = two_factor.provisioning_uri(secret, user)
    # The QR code an authenticator app scans, and the secret to type instead.
    return render_template("two_factor/enrol.html", user=user,
                           qr=segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)))


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]), methods=["POST"])
def forgot() -> str | Response:
    """A reset link by mail. The answer is the same whether or not the name is an account with a mail address, so
    the page tells nobody which names exist."""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        with transaction(state().sessions) as db:
            user = db.get(User, username) if username else None
            if user is not None and user.email and may_sign_in(user) and user.identity_source is None:
                password_links.issue(db, user, PasswordLinkPurpose.RESET, actor=user.id, now=_now(),
                                     public_url=str(current_app.config["PUBLIC_URL"]))
        flash(_("If %(name)s is an account with an e-mail address, a link to set a new password is on its way; it "
                "works once, within an hour. No mail? Ask HR or the secrecy office to send you one.",
                name=username or "—"), "success")
        return redirect(url_for("auth.login"))
    return render_template("password/forgot.html")


@bp.route("/password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: str(current_app.config["LOGIN_RATE_LIMIT"]), methods=["POST"])
def set_password(token: str) -> tuple[str, int] | Response:
    """The page an invitation or reset link opens: choose a password (twice)."""
    with state().sessions() as db:
        try:
            link, user = password_links.check(db, token, now=_now())
        except password_links.LinkError:
            return render_template("password/invalid.html"), 404
        purpose, name, user_id = link.purpose, user.name, user.id
        inputs = (user.id, user.name, user.email or "", user.identifier or "")
    problem = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("again", ""):
            problem = _("The two passwords are not the same. Type it twice, the same way.")
        else:
            try:
                check_password(password, user_inputs=inputs)
            except WeakPasswordError as exc:
                problem = _("This password is refused: %(reason)s", reason=str(exc))
        if problem is None:
            try:
                with transaction(state().sessions) as db:
                    password_links.use(db, token, hash_password(password), now=_now())
            except password_links.LinkError:
                return render_template("password/invalid.html"), 404
            sign_out()
            flash(_("Your password is set. Sign in with your user name %(user)s and the new password.", user=user_id),
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("password/set.html", purpose=purpose, name=name, user_id=user_id,
                           problem=problem), 400 if problem else 200


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
    return redirect(safe_next(request.form.get("next")))
