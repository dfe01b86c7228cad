"""The Organisation page: departments with their heads and liaisons, the secrecy committee and its voting rules,
the people and their status, the history of changes, and importing the organisation from a CSV file.

HR and the secrecy office maintain it (``records.organisation.MAINTAINERS``), as with ``mibao org``. Each form
posts one change of :mod:`records.organisation` (or an import of :mod:`records.org_import`) as the signed-in user,
in one transaction; a refused change (``OrganisationError``) changes nothing and comes back as a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from records import organisation, password_links, two_factor
from records.db import transaction
from records.levels import LEVELS
from records.models import Department, OrgPost, PasswordLink, PasswordLinkPurpose, PersonStatus, TwoFactor, User
from records.org_import import COLUMNS, ROW_ROLES, ImportReport, add_person, import_people
from records.people import OUTSIDE_PARTY_ROLE
from web.auth import safe_next
from web.security import current_user, roles_required
from web.state import state
from web.uploads import MAX_UPLOAD_BYTES, UploadError

__all__ = ["bp"]

bp = Blueprint("organisation", __name__, url_prefix="/organisation")

ROLES = tuple(sorted(organisation.MAINTAINERS))
PEOPLE_PAGE = 50
HISTORY_SHOWN = 50
REPORT_SHOWN = 500   # rows of a good import listed (every bad row is listed)
POSTS = {OrgPost.DEPARTMENT_HEAD: _l("Department head"), OrgPost.LIAISON: _l("Department secrecy liaison"),
         OrgPost.COMMITTEE_CHAIR: _l("Committee chair"), OrgPost.COMMITTEE_MEMBER: _l("Committee member")}
PER_DEPARTMENT = (OrgPost.DEPARTMENT_HEAD, OrgPost.LIAISON)
STATUSES = {PersonStatus.ACTIVE: _l("in service"), PersonStatus.LEAVING: _l("leaving"),
            PersonStatus.LEFT: _l("left")}
# The roles a person is given on the page (the post roles come from appointments).
ROLE_NAMES = {"employee": _l("Employee"), "hr": _l("HR"), "secrecy_office": _l("Secrecy office"),
              organisation.GENERAL_MANAGER_ROLE: _l("General manager")}
RULES = {"committee.quorum": "quorum", "committee.majority": "majority"}   # setting → form field (percent)

E = TypeVar("E", bound=StrEnum)
Change = Callable[[Session, str, dt.datetime], object]


@dataclass(frozen=True)
class DepartmentRow:
    name: str
    head: User | None
    liaisons: list[User]
    people: int


class _NothingWritten(Exception):
    """Raised inside the import's transaction to roll it back (a dry run, or a file with bad rows)."""


def _actor() -> str:
    user = current_user()
    assert user is not None   # roles_required
    return user.id


def _field(name: str) -> str:
    return request.form.get(name, "").strip()


def _choice(kind: type[E], value: str) -> E:
    try:
        return kind(value)
    except ValueError:
        abort(400)


def _percent(share: float) -> float:
    return round(share * 100, 2)


def _shown(share: float) -> str:
    """A share as the page shows it: 0.6667 → "66.67", 0.5 → "50"."""
    return f"{_percent(share):g}"


def _back() -> Response:
    return redirect(url_for("organisation.index"))


def _change(change: Change, done: str, refused: str | None = None) -> Response:
    """Make one change as the signed-in user and commit; a refusal changes nothing and says why."""
    try:
        with transaction(state().sessions) as session:
            change(session, _actor(), state().engine.clock.now())
    except organisation.OrganisationError as exc:
        flash(refused or _("Nothing was changed: %(reason)s", reason=str(exc)), "error")
    else:
        flash(done, "success")
    return _back()


# -- the page ----------------------------------------------------------------------------------------------------

def _departments(session: Session) -> list[DepartmentRow]:
    counts = {d: n for d, n in session.execute(select(User.department, func.count()).group_by(User.department))}
    return [DepartmentRow(d.name, organisation.department_head(session, d.name),
                          organisation.liaisons(session, d.name), counts.get(d.name, 0))
            for d in session.scalars(select(Department).order_by(Department.name))]


def _people(session: Session, filters: dict[str, str]) -> list[User]:
    """Staff (not outside parties) in the department and status asked for, by department and id."""
    query = select(User).order_by(User.department, User.id)
    if filters["department"]:
        query = query.where(User.department == filters["department"])
    if filters["status"]:
        query = query.where(User.status == filters["status"])
    return [u for u in session.scalars(query) if OUTSIDE_PARTY_ROLE not in (u.roles or [])]


def _page_data(session: Session, filters: dict[str, str], page: int) -> dict[str, Any]:
    people = _people(session, filters)
    pages = max(1, -(-len(people) // PEOPLE_PAGE))
    page = min(page, pages)
    history = organisation.history(session, limit=HISTORY_SHOWN)
    named = {c.actor for c in history} | {c.subject for c in history}
    names = {i: n for i, n in session.execute(select(User.id, User.name).where(User.id.in_(named)))}
    shown = people[(page - 1) * PEOPLE_PAGE:page * PEOPLE_PAGE]
    ids = [u.id for u in shown]
    second_step = set(session.scalars(select(TwoFactor.user_id).where(TwoFactor.user_id.in_(ids),
                                                                     TwoFactor.confirmed_at.is_not(None))))
    invited = set(session.scalars(select(PasswordLink.user_id).where(
        PasswordLink.user_id.in_(ids), PasswordLink.used_at.is_(None),
        PasswordLink.expires_at > state().engine.clock.now())))
    return {"departments": _departments(session), "committee": organisation.committee(session),
            "second_step": second_step, "invited": invited, "row_roles": sorted(ROW_ROLES),
            "role_names": ROLE_NAMES, "levels": LEVELS,
            "people": shown, "total": len(people), "page": page,
            "pages": pages, "filters": filters, "history": history, "names": names, "posts": POSTS,
            "statuses": STATUSES, "percent": _shown}


@bp.route("")
@roles_required(*ROLES)
def index() -> str:
    filters = {k: request.args.get(k, "").strip() for k in ("department", "status")}
    if filters["status"] not in {s.value for s in PersonStatus}:
        filters["status"] = ""
    page = request.args.get("page", "1")
    with state().sessions() as session:
        return render_template("organisation/index.html",
                               **_page_data(session, filters, int(page) if page.isdigit() and int(page) else 1))


# -- changes -----------------------------------------------------------------------------------------------------

@bp.route("/departments", methods=["POST"])
@roles_required(*ROLES)
def add_department() -> Response:
    name = _field("name")
    return _change(lambda s, actor, now: organisation.add_department(s, actor=actor, name=name, now=now),
                   _("The department %(name)s is in the organisation.", name=name))


@bp.route("/appoint", methods=["POST"])
@roles_required(*ROLES)
def appoint() -> Response:
    post, user_id, department = _choice(OrgPost, _field("post")), _field("user_id"), _field("department") or None
    label = f"{POSTS[post]} ({department})" if department and post in PER_DEPARTMENT else str(POSTS[post])
    return _change(lambda s, actor, now: organisation.appoint(s, actor=actor, post=post, user_id=user_id,
                                                              department=department, now=now),
                   _("%(person)s now holds the post %(post)s.", person=user_id, post=label))


@bp.route("/dismiss", methods=["POST"])
@roles_required(*ROLES)
def dismiss() -> Response:
    post, user_id, department = _choice(OrgPost, _field("post")), _field("user_id"), _field("department") or None
    return _change(lambda s, actor, now: organisation.dismiss(s, actor=actor, post=post, user_id=user_id,
                                                              department=department, now=now),
                   _("%(person)s no longer holds the post %(post)s; the term stays in the history.",
                     person=user_id, post=POSTS[post]))


@bp.route("/committee", methods=["POST"])
@roles_required(*ROLES)
def committee_rules() -> Response:
    try:
        wanted = {key: float(_field(name).rstrip("% ")) for key, name in RULES.items()}
    except ValueError:
        flash(_("Enter the quorum and the majority as percentages, e.g. 66.67 and 50. Nothing was changed."),
              "error")
        return _back()

    def change(session: Session, actor: str, now: dt.datetime) -> None:
        for key, value in wanted.items():
            if value != _percent(organisation.setting(session, key)):   # an unchanged field is not a change
                organisation.set_setting(session, actor=actor, key=key, value=value / 100, now=now)

    return _change(change, _("The committee's rules are saved."),
                   _("The quorum and the majority are percentages: more than 0 and at most 100. Nothing was changed."))


@bp.route("/status", methods=["POST"])
@roles_required(*ROLES)
def status() -> Response:
    user_id, status = _field("user_id"), _choice(PersonStatus, _field("status"))
    return _change(lambda s, actor, now: organisation.set_status(s, actor=actor, user_id=user_id, status=status,
                                                                 now=now),
                   _("%(person)s is now marked as %(status)s.", person=user_id, status=STATUSES[status]))


# -- accounts ----------------------------------------------------------------------------------------------------

@bp.route("/people", methods=["POST"])
@roles_required(*ROLES)
def add() -> Response:
    """A new person; with an e-mail address (or the outbox) they get an invitation to set their password."""
    fields = {k: _field(k) for k in ("id", "name", "department", "email", "post", "personnel_level", "identifier")}
    fields["roles"] = ",".join(r for r in request.form.getlist("roles") if r) or "employee"
    invite = request.form.get("invite") == "1"
    try:
        with transaction(state().sessions) as session:
            now = state().engine.clock.now()
            user = add_person(session, fields, actor=_actor(), now=now)
            if invite:
                password_links.issue(session, user, PasswordLinkPurpose.INVITE, actor=_actor(), now=now,
                                     public_url=str(current_app.config["PUBLIC_URL"]))
    except organisation.OrganisationError as exc:
        flash(_("Nobody was added: %(reason)s", reason=str(exc)), "error")
        return _back_to_start() or _back()
    flash(_("%(person)s is added.", person=fields["id"]) + " " + (
        _("The invitation to set a password is in the outbox (and mailed, where mail is set up); it works for 3 "
          "days.") if invite else _("They cannot sign in until you send an invitation.")), "success")
    return _back_to_start({"employee_user": fields["id"]}) or _back()


def _back_to_start(chosen: dict[str, str] | None = None) -> Response | None:
    """Back to the start form the person was added from (``next``), with them chosen; only a start form is
    followed back to."""
    target = request.args.get("next", "")
    if not target.startswith("/hr/start/"):
        return None
    return redirect(safe_next(target) + ("?" + urlencode(chosen) if chosen else ""))


@bp.route("/password-link", methods=["POST"])
@roles_required(*ROLES)
def password_link() -> Response:
    """An invitation (no password yet) or a reset link (a forgotten one) for a person; earlier links stop working."""
    user_id = _field("user_id")
    try:
        with transaction(state().sessions) as session:
            user = session.get(User, user_id)
            if user is None or OUTSIDE_PARTY_ROLE in (user.roles or []):
                abort(404)
            purpose = PasswordLinkPurpose.RESET if user.password_hash else PasswordLinkPurpose.INVITE
            password_links.issue(session, user, purpose, actor=_actor(), now=state().engine.clock.now(),
                                 public_url=str(current_app.config["PUBLIC_URL"]))
    except password_links.LinkError as exc:
        flash(_("No link was sent: %(reason)s", reason=str(exc)), "error")
        return _back()
    flash(_("A link for %(person)s to set a password is in the outbox (and mailed, where mail is set up).",
            person=user_id), "success")
    return _back()


@bp.route("/two-factor/reset", methods=["POST"])
@roles_required(*ROLES)
def reset_two_factor() -> Response:
    """For a lost phone: turn the person's second step off, so that they set it up again at their next sign-in
    (where their roles require it) — after their identity was checked in person, which the page reminds of."""
    user_id = _field("user_id")
    with transaction(state().sessions) as session:
        if session.get(User, user_id) is None:
            abort(404)
        was_on = two_factor.remove(session, user_id)
        if was_on:
            organisation.log_change(session, actor=_actor(), action="reset_2fa", subject=user_id, detail={},
                                    now=state().engine.clock.now())
    flash(_("Two-step sign-in of %(person)s is reset: they set it up again when they next sign in.",
            person=user_id) if was_on else _("%(person)s had no two-step sign-in.", person=user_id), "success")
    return _back()


# -- import ------------------------------------------------------------------------------------------------------

def _csv_text(upload: FileStorage | None) -> str:
    """The uploaded file as text, within the app's upload limit; UploadError says what to do otherwise."""
    data = upload.stream.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    if not data:
        raise UploadError(_("Choose a CSV file to import (the file is empty or none was chosen)."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(_("The file is larger than 10 MB."))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadError(_("The file is not UTF-8 (Excel often saves CSV as GBK): save it as “CSV UTF-8” and "
                            "upload it again. Nothing was imported.")) from None


def _import(text: str, *, dry_run: bool) -> ImportReport:
    """Check and (unless a dry run or a row is bad) write the file in one transaction."""
    actor, now = _actor(), state().engine.clock.now()
    report = ImportReport()
    try:
        with transaction(state().sessions) as session:
            report = import_people(session, text, actor=actor, now=now)
            if dry_run or not report.ok:
                raise _NothingWritten
    except _NothingWritten:
        pass
    return report


@bp.route("/import")
@roles_required(*ROLES)
def import_form() -> str:
    return render_template("organisation/import.html", columns=COLUMNS, report=None)


@bp.route("/import", methods=["POST"])
@roles_required(*ROLES)
def import_file() -> str | Response:
    try:
        text = _csv_text(request.files.get("people"))
    except UploadError as exc:
        flash(str(exc), "error")
        return redirect(url_for("organisation.import_form"))
    dry_run = bool(request.form.get("dry_run"))
    try:
        report = _import(text, dry_run=dry_run)
    except organisation.OrganisationError as exc:
        flash(_("Nothing was imported: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for("organisation.import_form"))
    return render_template("organisation/import.html", columns=COLUMNS, report=report, dry_run=dry_run,
                           shown_rows=REPORT_SHOWN)
