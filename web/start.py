"""Starting a process from the web, for everyone whose role starts it (the process's own ``starters``, checked by
workflows.authority.may_start): a liaison files a classification for their department, a host asks for a visitor's
NDA, the secrecy office starts a review out of turn. HR's personnel processes keep their own page (hr.start: one
person or a CSV); this page lists them for HR and leads there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from records.db import transaction
from records.people import staff
from web.access import pickable_items
from web.forms import Field, coerce, fields_of
from web.launch import HR_PROCESSES
from web.navigation import process_title
from web.security import current_user, login_required
from web.state import state
from web.uploads import stored_files
from workflows import FormDataError, UnknownProcess
from workflows.authority import may_start
from workflows.loader import LoadedProcess

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
            process = engine.process(process_id)
            if process.choice_starters:       # one entry per choice this person starts (the outside parties' pledges)
                found += [Startable(process_id, f"{process_title(process_id)}: {label}",
                                    f"{url_for('start.form', process_id=process_id)}?{urlencode(choice)}")
                          for choice, label in _choices(process_id, process)
                          if may_start(session, user, process, choice) is None]
            elif may_start(session, user, process) is None:
                url = url_for("hr.start", process_id=process_id) if process_id in HR_PROCESSES \
                    else url_for("start.form", process_id=process_id)
                found.append(Startable(process_id, process_title(process_id), url))
    return found


def _choices(process_id: str, process: LoadedProcess) -> list[tuple[dict[str, str], str]]:
    """The choices of the field that decides who starts (``agreement``), each as start data and in words."""
    name = next(iter(process.choice_starters))[0]
    form = state().engine.start_form(process_id)
    field = next((f for f in fields_of(state().engine.forms.schema(form) if form else None) if f.name == name), None)
    return [({name: str(c)}, field.label(c)) for c in field.choices] if field else []


def _chosen(process: LoadedProcess) -> dict[str, str]:
    """The choice asked for in the address (``?agreement=meeting_pledge``), if the process has one."""
    names = {name for name, _ in process.choice_starters}
    return {k: v for k, v in request.args.items() if k in names}


def _case(schema: dict[str, Any], chosen: dict[str, str], fields: list[Field]) -> tuple[dict[str, Any], list[Field]]:
    """For a chosen case: the values it fixes (``then: {external_role: {const: …}}``) and the form without the
    fields only other cases need."""
    fixed: dict[str, Any] = dict(chosen)
    for rule in schema.get("allOf", []):
        test = (rule.get("if") or {}).get("properties") or {}
        if any(name in chosen and test.get(name, {}).get("const") == value for name, value in chosen.items()):
            fixed |= {k: v["const"] for k, v in (rule.get("then") or {}).get("properties", {}).items() if "const" in v}
    others = [f for f in fields if f.required_when and all(name in chosen and chosen[name] not in values
                                                           for name, values in f.required_when)]
    return fixed, [f for f in fields if f not in others]


@bp.get("")
@login_required
def index() -> str:
    return render_template("start/index.html", startable=_startable())


def _schema(process_id: str) -> dict[str, Any] | None:
    """The process's start form, if this person may start it here (the choice asked for, too); else "not found"
    (not "not yours")."""
    user = current_user()
    assert user is not None
    try:
        process = state().engine.process(process_id)
    except UnknownProcess:
        abort(404)
    with state().sessions() as session:
        if process_id in HR_PROCESSES or may_start(session, user, process, _chosen(process)) is not None:
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
    chosen = _chosen(state().engine.process(process_id))
    fixed, fields = _case(schema or {}, chosen, fields) if chosen else ({}, fields)
    # The starter is who the form is about where it asks: the host of a visit, the liaison's own department, the
    # department head's own area.
    values: dict[str, object] = {f.name: user.id for f in fields if f.name == "host_user"} | fixed
    if user.department and any(f.name == "department" for f in fields):
        values["department"] = user.department
    if user.department and "department_head" in (user.roles or []) and any(f.name == "area_department"
                                                                          for f in fields):
        values["area_department"] = user.department
    with state().sessions() as session:
        people = staff(session)
    items = pickable_items() if any(f.kind == "items" for f in fields) else []
    return render_template("start/form.html", process_id=process_id, schema=schema, fields=fields, values=values,
                           people=people, items=items)


@bp.post("/<process_id>")
@login_required
def start(process_id: str) -> Response:
    user = current_user()
    assert user is not None
    schema = _schema(process_id)
    data, problems = coerce(schema, request.form)
    files, failed = stored_files(state(), schema, request.files)    # a start form may take a file (x-upload)
    data, problems = data | files, problems + failed
    if problems:
        raise FormDataError(_("the start form"), problems)
    with transaction(state().sessions) as session:     # the register entries it names are decided, and recorded
        refused = may_start(session, user, state().engine.process(process_id), data,
                            now=state().engine.clock.now())
    if refused:
        raise FormDataError(_("the start form"), [refused])
    view = state().engine.start(process_id, data, actor=user.id)
    flash(_("Started: %(process)s #%(id)s. Its next step is in the inbox of whoever does it.",
            process=process_title(process_id), id=view.id), "success")
    return redirect(url_for("inbox.index"))
