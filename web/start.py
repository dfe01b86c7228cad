"""Starting a process from the web, for everyone whose role starts it (the process's own ``starters``, checked by
workflows.authority.may_start): a liaison files a classification for their department, a host asks for a visitor's
NDA, the secrecy office starts a review out of turn. HR's personnel processes keep their own page (hr.start: one
person or a CSV); this page lists them for HR and leads there."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from records.people import staff
from web.forms import coerce, fields_of
from web.launch import HR_PROCESSES
from web.navigation import process_title
from web.security import current_user, login_required
from web.state import state
from workflows import FormDataError, UnknownProcess
from workflows.authority import may_start

__all__ = ["bp"]

bp = Blueprint("start", __name__, url_prefix="/start")


@dataclass(frozen=True)
class Startable:
    process_id: str
    title: str
    url: str


def _startable() -> list[Startable]:
    user = current_user()
    assert user is not None
    engine, found = state().engine, []
    with state().sessions() as session:
        for process_id in engine.process_ids():
            if may_start(session, user, engine.process(process_id)) is None:
                url = url_for("hr.start", process_id=process_id) if process_id in HR_PROCESSES \
                    else url_for("start.form", process_id=process_id)
                found.append(Startable(process_id, process_title(process_id), url))
    return found


@bp.get("")
@login_required
def index() -> str:
    return render_template("start/index.html", startable=_startable())


def _schema(process_id: str) -> dict[str, object] | None:
    """The process's start form, if this person may start it here; else "not found" (not "not yours")."""
    user = current_user()
    assert user is not None
    try:
        process = state().engine.process(process_id)
    except UnknownProcess:
        abort(404)
    with state().sessions() as session:
        if process_id in HR_PROCESSES or may_start(session, user, process) is not None:
            abort(404)
    form = state().engine.start_form(process_id)
    return state().engine.forms.schema(form) if form else None


@bp.get("/<process_id>")
@login_required
def form(process_id: str) -> str:
    user = current_user()
    assert user is not None
    schema = _schema(process_id)
    fields = fields_of(schema)
    # The starter is who the form is about where it asks: the host of a visit, the liaison's own department.
    values: dict[str, object] = {f.name: user.id for f in fields if f.name == "host_user"}
    if user.department and any(f.name == "department" for f in fields):
        values["department"] = user.department
    with state().sessions() as session:
        people = staff(session)
    return render_template("start/form.html", process_id=process_id, schema=schema, fields=fields, values=values,
                           people=people)


@bp.post("/<process_id>")
@login_required
def start(process_id: str) -> Response:
    user = current_user()
    assert user is not None
    schema = _schema(process_id)
    data, problems = coerce(schema, request.form)
    if problems:
        raise FormDataError(_("the start form"), problems)
    with state().sessions() as session:
        refused = may_start(session, user, state().engine.process(process_id), data)
    if refused:
        raise FormDataError(_("the start form"), [refused])
    view = state().engine.start(process_id, data, actor=user.id)
    flash(_("Started: %(process)s #%(id)s. Its next step is in the inbox of whoever does it.",
            process=process_title(process_id), id=view.id), "success")
    return redirect(url_for("inbox.index"))
