"""The committee vote: one member's ballot on the item under vote, and the ballots once the member has voted.

A vote task is an ordinary task (form ``committee_vote``, one per member); this page only presents it. The
other members' ballots stay hidden until one's own is cast, so nobody votes with the room.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from records.models import TaskState
from web.inbox import visible_task
from web.overview import user_names
from web.security import current_user, login_required
from web.state import state
from workflows import FormDataError, InstanceView, TaskView

bp = Blueprint("committee", __name__)

VOTE_FORM = "committee_vote"
CHOICES = ("approve", "reject", "abstain")


def _vote_task(task_id: str) -> TaskView:
    task = visible_task(task_id)
    if task.form != VOTE_FORM:
        abort(404)
    return task


def ballots(view: InstanceView) -> list[dict[str, object]]:
    """The cast ballots of the instance's vote: who, when, vote and comment (from the history)."""
    vote_tasks = {t.id for t in view.tasks if t.form == VOTE_FORM and t.state == TaskState.COMPLETED}
    return [{"actor": h["actor"], "at": h["at"], **(h["detail"].get("data", {}).get("ballot") or {})}
            for h in view.history if h["action"] == "completed" and h["task_id"] in vote_tasks]


@bp.route("/tasks/<task_id>/vote")
@login_required
def vote(task_id: str) -> str:
    task = _vote_task(task_id)
    return render_template("committee/vote.html", task=task, data=state().engine.task_data(task_id),
                           choices=CHOICES)


@bp.route("/tasks/<task_id>/vote", methods=["POST"])
@login_required
def cast(task_id: str) -> Response:
    task, user = _vote_task(task_id), current_user()
    assert user is not None
    choice, comment = request.form.get("vote", ""), request.form.get("comment", "").strip()
    if choice not in CHOICES:
        raise FormDataError(_("the vote"), [_("Choose approve, reject or abstain.")])
    ballot = {"vote": choice, **({"comment": comment} if comment else {})}
    state().engine.complete(task_id, actor=user.id, data={"ballot": ballot})
    flash(_("Your vote was recorded."), "success")
    return redirect(url_for("committee.votes", instance_id=task.instance_id))


@bp.route("/committee/instances/<int:instance_id>/votes")
@login_required
def votes(instance_id: int) -> str:
    user = current_user()
    assert user is not None
    view = state().engine.show(instance_id)
    mine = [t for t in view.tasks if t.form == VOTE_FORM and t.completed_by == user.id
            and t.state == TaskState.COMPLETED]
    if not mine:
        abort(404)      # only members who have voted see the ballots
    cast = ballots(view)
    with state().sessions() as session:
        names = user_names(session, [str(b["actor"]) for b in cast])
    return render_template("committee/votes.html", view=view, ballots=cast, names=names,
                           waiting=[t for t in view.tasks if t.form == VOTE_FORM and t.state == TaskState.READY])
