"""Staff inbox: my open tasks, a task's page with its form, completing it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from records.models import Document, TaskState
from web.forms import field_titles, fields_of, uploaded_files
from web.security import current_user, login_required
from web.state import state
from web.uploads import posted_task_data
from workflows import ConflictError, TaskView

bp = Blueprint("inbox", __name__)
INBOX_PAGE = 50


def visible_task(task_id: str) -> TaskView:
    """The task, if the signed-in user may act on it; 404 otherwise (no hint that it exists).

    A task of theirs that is already done answers 409 with who did it and when: a second click, or a
    colleague who was faster.
    """
    engine, user = state().engine, current_user()
    task = engine.task(task_id)
    if user is None or not engine.may_act(user.id, list(user.roles), task):
        abort(404)
    if task.state != TaskState.READY:
        by = f" ({task.completed_by}, {task.completed_at:%Y-%m-%d %H:%M})" if task.completed_at else ""
        states: dict[str, str] = {TaskState.COMPLETED: _("completed"), TaskState.CANCELLED: _("cancelled")}
        raise ConflictError(_("This task is already %(state)s%(by)s.", state=states.get(task.state, task.state), by=by))
    return task


@bp.route("/")
def home() -> Response:
    return redirect(url_for("inbox.index"))


@bp.route("/inbox")
@login_required
def index() -> str:
    user = current_user()
    assert user is not None
    # The oldest first, a page at a time: an inbox of thousands must not cost thousands of rows per view.
    tasks = state().engine.tasks(user=user.id, limit=INBOX_PAGE)
    # A signature is named by the document signed ("签署《保密告知确认书》"), not by the workflow's step.
    wanted = [t.sign_document for t in tasks if t.sign_document]
    with state().sessions() as session:
        documents = {document_id: title for document_id, title in session.execute(
            select(Document.id, Document.title).where(Document.id.in_(wanted)))} if wanted else {}
    return render_template("inbox.html", tasks=tasks, documents=documents,
                           preparing=state().engine.preparing_for(user.id))


@bp.route("/tasks/<task_id>")
@login_required
def task(task_id: str) -> str | Response:
    found = visible_task(task_id)
    if found.sign_document:
        return redirect(url_for("sign.page", task_id=task_id))
    if found.form == "committee_vote":
        return redirect(url_for("committee.vote", task_id=task_id))
    schema = state().engine.forms.schema(found.form) if found.form else None
    data = state().engine.task_data(task_id)
    # The files the step is about (a publication's material, a leak's evidence), for those who may open them
    # (web/uploads.py: HR and the secrecy office, who check them); each download is recorded there.
    user = current_user()
    files = uploaded_files(data, field_titles(state().engine, found.process_id)) \
        if user is not None and set(user.roles or []) & {"hr", "secrecy_office"} else []
    return render_template("task.html", task=found, schema=schema, fields=fields_of(schema), data=data,
                           files=files)


@bp.route("/tasks/<task_id>", methods=["POST"])
@login_required
def complete(task_id: str) -> Response:
    found = visible_task(task_id)
    user = current_user()
    assert user is not None
    schema = state().engine.forms.schema(found.form) if found.form else None
    data = posted_task_data(state(), schema, request.form, request.files, found.title)
    state().engine.complete(task_id, actor=user.id, data=data)
    flash(_("Done: %(title)s", title=found.title), "success")
    return redirect(url_for("inbox.index"))
