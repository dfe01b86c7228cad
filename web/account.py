"""The person's own account: where they are signed in (and ending those sign-ins), their second sign-in step
(the app set up, security keys added and removed, new recovery codes, off where it is not required), and their
API tokens (made with a scope and an expiry, shown once, revoked). Everything here is the signed-in person's own:
another person's sign-in or token looks the same as one that does not exist."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from records import api_tokens, security_keys, sign_ins, two_factor
from records.db import transaction
from records.models import ApiToken, SignIn, TokenScope, User
from web import security_keys as key_ceremony
from web.audit_log import log_access
from web.auth import set_up_app
from web.security import current_sign_in, current_user, limits, login_required
from web.state import state

log = logging.getLogger(__name__)
bp = Blueprint("account", __name__, url_prefix="/account")

DEFAULT_DAYS = 90


def _me() -> User:
    user = current_user()
    assert user is not None   # login_required
    return user


def _page(new_secret: str | None = None, problems: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    me, now = _me(), state().engine.clock.now()
    with state().sessions() as db:
        live: list[SignIn] = sign_ins.open_for(db, me.id, now=now, limits=limits())
        tokens: list[ApiToken] = api_tokens.owned(db, me.id)
        second_step = {"on": two_factor.active(db, me.id), "codes_left": two_factor.recovery_codes_left(db, me.id),
                       "required": two_factor.required(me, current_app.config["TWO_FACTOR_ROLES"]),
                       "totp": two_factor.totp_active(db, me.id), "keys": security_keys.keys_of(db, me.id),
                       "max_keys": security_keys.MAX_KEYS}
        db.expunge_all()
    return render_template("account/index.html", sign_ins=live, this_sign_in=current_sign_in(), tokens=tokens,
                           now=now, new_secret=new_secret, problems=problems or [], scopes=list(TokenScope),
                           max_days=api_tokens.MAX_DAYS, default_days=DEFAULT_DAYS, form=request.form,
                           second_step=second_step), status


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    return _page()


@bp.post("/sign-ins/<int:sign_in_id>/end")
@login_required
def end_sign_in(sign_in_id: int) -> Response:
    with transaction(state().sessions) as db:
        ended = sign_ins.end(db, user_id=_me().id, sign_in_id=sign_in_id, now=state().engine.clock.now(),
                             reason="ended")
    if not ended:
        abort(404)
    if sign_in_id == current_sign_in():
        return redirect(url_for("auth.login"))
    flash(_("That sign-in has ended: the browser that held it must sign in again."), "ok")
    return redirect(url_for("account.index"))


@bp.post("/sign-ins/end-others")
@login_required
def end_others() -> Response:
    with transaction(state().sessions) as db:
        count = sign_ins.end_all(db, user_id=_me().id, now=state().engine.clock.now(), reason="ended",
                                 keep=current_sign_in())
    flash(_("Signed out everywhere else (%(count)d sign-ins ended).", count=count), "ok")
    return redirect(url_for("account.index"))


@bp.post("/tokens")
@login_required
def create_token() -> tuple[str, int]:
    form, problems = request.form, []
    scope_text, days_text = form.get("scope", ""), form.get("days", "").strip()
    if scope_text not in {s.value for s in TokenScope}:
        problems.append(_("Choose what the token may do: read, or read and act."))
    if not days_text.isdigit():
        problems.append(_("Say for how many days the token is valid (a whole number, 1 to %(max)d).",
                          max=api_tokens.MAX_DAYS))
    if problems:
        return _page(problems=problems, status=400)
    try:
        with transaction(state().sessions) as db:
            row, secret = api_tokens.create(db, user_id=_me().id, label=form.get("label", ""),
                                            scope=TokenScope(scope_text), days=int(days_text),
                                            now=state().engine.clock.now())
            token_id = row.id
    except api_tokens.TokenError as error:
        return _page(problems=[_token_problem(error)], status=400)
    log_access("api_token_created", "api_token", token_id, None, None, True, detail={"scope": scope_text})
    return _page(new_secret=secret)


def _token_problem(error: api_tokens.TokenError) -> str:
    text = str(error)
    if text.startswith("label"):
        return str(_("Name the token in 1 to 100 characters, e.g. the HR system that will use it."))
    if text.startswith("days"):
        return str(_("A token is valid for 1 to %(max)d days.", max=api_tokens.MAX_DAYS))
    return str(_("This account cannot have API tokens."))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    with transaction(state().sessions) as db:
        revoked = api_tokens.revoke(db, token_id, now=state().engine.clock.now(), owner=_me().id)
    if not revoked:
        abort(404)
    log_access("api_token_revoked", "api_token", token_id, None, None, True)
    flash(_("The token is revoked: requests that send it are refused from now on."), "ok")
    return redirect(url_for("account.index"))


# -- the second step (records.two_factor) ------------------------------------------------------------------------

@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> str | Response:
    me = _me()
    with state().sessions() as db:
        if two_factor.totp_active(db, me.id):
            return redirect(url_for("account.index"))
    codes = set_up_app(me)
    if not isinstance(codes, list):
        return codes
    log_access("two_factor_on", "user", me.id, None, None, True)
    return render_template("two_factor/codes.html", codes=codes, next=url_for("account.index"))


def _code_ok() -> bool:
    """The current code (or a recovery code) typed with a change to the second step: a borrowed, signed-in
    browser alone cannot turn it off or read new recovery codes."""
    with transaction(state().sessions) as db:
        ok = two_factor.verify(db, _me().id, request.form.get("code", ""), now=state().engine.clock.now())
    if ok is None:
        flash(_("That code is not right, or was used already: type the 6 digits your app shows now."), "error")
    return ok is not None


@bp.post("/two-factor/recovery-codes")
@login_required
def new_recovery_codes() -> str | Response:
    if not _code_ok():
        return redirect(url_for("account.index"))
    with transaction(state().sessions) as db:
        codes = two_factor.new_recovery_codes(db, _me().id, now=state().engine.clock.now())
    log_access("recovery_codes_renewed", "user", _me().id, None, None, True)
    return render_template("two_factor/codes.html", codes=codes, next=url_for("account.index"))


@bp.post("/two-factor/off")
@login_required
def two_factor_off() -> Response:
    me = _me()
    if two_factor.required(me, current_app.config["TWO_FACTOR_ROLES"]):
        flash(_("Your roles require two-step sign-in: it cannot be turned off. For a new phone, set it up again "
                "after HR or the secrecy office resets it."), "error")
        return redirect(url_for("account.index"))
    if _code_ok():
        with transaction(state().sessions) as db:
            two_factor.remove(db, me.id)
        log_access("two_factor_off", "user", me.id, None, None, True)
        flash(_("Two-step sign-in is off: your password alone signs you in."), "ok")
    return redirect(url_for("account.index"))


# -- security keys (records.security_keys; the page's script is static/webauthn.js) ---------------------------------

@bp.post("/keys/options")
@login_required
def key_options() -> Response:
    """What the browser asks a new key to make (JSON): the challenge is kept in the session for the answer."""
    with state().sessions() as db:
        options, challenge = security_keys.registration_options(db, _me(), key_ceremony.relying_party(),
                                                                now=state().engine.clock.now())
    key_ceremony.keep(challenge)
    return Response(options, mimetype="application/json")


@bp.post("/keys")
@login_required
def add_key() -> str | Response:
    me = _me()
    try:
        with transaction(state().sessions) as db:
            added = security_keys.register(db, me.id, key_ceremony.relying_party(), key_ceremony.take(),
                                           request.form.get("credential", ""), request.form.get("label", ""),
                                           now=state().engine.clock.now())
            key_id = added.key.id
    except security_keys.KeyRefused as refused:
        log.info("security key not added for %s: %s", me.id, refused)
        flash(_("The security key was not added: it did not answer as expected, is added already, or you have "
                "%(max)d keys. Try again.", max=security_keys.MAX_KEYS), "error")
        return redirect(url_for("account.index"))
    log_access("security_key_added", "security_key", key_id, None, None, True)
    if added.recovery_codes:
        return render_template("two_factor/codes.html", codes=added.recovery_codes, key=True,
                               next=url_for("account.index"))
    flash(_("The security key is added: signing in now offers it as the second step."), "ok")
    return redirect(url_for("account.index"))


@bp.post("/keys/<int:key_id>/remove")
@login_required
def remove_key(key_id: int) -> Response:
    try:
        with transaction(state().sessions) as db:
            removed = security_keys.remove_key(db, _me().id, key_id)
    except security_keys.LastSecondStep:
        flash(_("This is your only second step: add another key or set up an authenticator app first, or turn "
                "two-step sign-in off."), "error")
        return redirect(url_for("account.index"))
    if not removed:
        abort(404)
    log_access("security_key_removed", "security_key", key_id, None, None, True)
    flash(_("The security key is removed: it no longer signs you in."), "ok")
    return redirect(url_for("account.index"))
