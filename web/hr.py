"""HR: the personnel processes under way, starting them (one person or a CSV of people), an instance's
record with its diagram, and one person's agreements; with the secrecy office, the annual pledges' coverage and
the non-compete ledger."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from records.access_grants import resource_of_document
from records.db import transaction
from records.levels import LEVELS
from records.models import Document, InstanceStatus, User
from records.org_import import ROW_ROLES
from records.people import staff
from web.access import filter_visible
from web.diagram import diagram_state, shown_name
from web.forms import coerce, field_titles, fields_of
from web.launch import HR_PROCESSES, csv_template, example, read_csv, rows_in
from web.organisation import ROLE_NAMES
from web.overview import agreements_of, instance_rows
from web.security import current_user, roles_required
from web.state import state
from workflows import FormDataError, InstanceView
from workflows.clock import SHANGHAI
from workflows.launch import BatchProgress, accept, progress, start_one
from workflows.non_compete_ledger import agreements_of as non_compete_agreements
from workflows.non_compete_ledger import monitored_instances, non_compete_ledger
from workflows.schedules import pledge_coverage

bp = Blueprint("hr", __name__, url_prefix="/hr")

# The processes HR sees: the ones it starts, and the six-monthly permission review of its people.
PERSONNEL_PROCESSES = (*HR_PROCESSES, "permission_review")


def _launchable(process_id: str) -> dict[str, object] | None:
    if process_id not in HR_PROCESSES:
        abort(404)
    form = state().engine.start_form(process_id)
    return state().engine.forms.schema(form) if form else None


def _personnel_instance(instance_id: int) -> InstanceView:
    view = state().engine.show(instance_id)
    if view.process_id not in PERSONNEL_PROCESSES:
        abort(404)
    return view


@bp.route("")
@roles_required("hr")
def index() -> str:
    status = request.args.get("status") or None
    with state().sessions() as session:
        rows = instance_rows(session, PERSONNEL_PROCESSES, status=status)
    return render_template("hr/index.html", rows=rows, status=status, statuses=list(InstanceStatus),
                           processes=HR_PROCESSES)


@bp.route("/start/<process_id>")
@roles_required("hr")
def start(process_id: str) -> str:
    """The start form, empty (an example person in it would be one wrong click from an agreement for them): HR as
    the one notified, and a person just added (?employee_user=…, from the form's "add a person") already chosen."""
    schema, user = _launchable(process_id), current_user()
    assert user is not None
    fields = fields_of(schema)
    values = {f.name: request.args[f.name] for f in fields if f.kind == "person" and request.args.get(f.name)}
    if any(f.name == "hr_user" for f in fields):
        values.setdefault("hr_user", user.id)
    with state().sessions() as session:
        people = staff(session)
    return render_template("hr/start.html", process_id=process_id, schema=schema, fields=fields, values=values,
                           people=people, levels=LEVELS, row_roles=sorted(ROW_ROLES), role_names=ROLE_NAMES)


@bp.route("/start/<process_id>", methods=["POST"])
@roles_required("hr")
def start_person(process_id: str) -> BaseResponse:
    schema, user = _launchable(process_id), current_user()
    assert user is not None
    data, problems = coerce(schema, request.form)
    if problems:
        raise FormDataError(_("the start form"), problems)
    view = start_one(state().engine, process_id, data, actor=user.id)
    return redirect(url_for("hr.instance", instance_id=view.id))


@bp.route("/start/<process_id>/csv", methods=["POST"])
@roles_required("hr")
def start_csv(process_id: str) -> BaseResponse:
    """Accept the file in one short request — rows read and checked, written with a job each — and show the
    batch's progress while workers start the rows."""
    schema, user = _launchable(process_id), current_user()
    assert user is not None
    upload = request.files.get("people")
    rows = rows_in(schema, read_csv(upload.read() if upload else b""))
    batch_id = accept(state().engine, process_id, (upload.filename if upload else None) or "people.csv", rows,
                      actor=user.id)
    return redirect(url_for("hr.launch", batch_id=batch_id))


def _batch(batch_id: int) -> BatchProgress:
    with state().sessions() as session:
        batch = progress(session, batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/launches/<int:batch_id>")
@roles_required("hr")
def launch(batch_id: int) -> str:
    return render_template("hr/batch.html", batch=_batch(batch_id))


@bp.route("/launches/<int:batch_id>.json")
@roles_required("hr")
def launch_progress(batch_id: int) -> Response:
    """What the batch page polls: counts and the failed rows with their reasons."""
    batch = _batch(batch_id)
    return jsonify(total=batch.total, started=batch.started, failed=batch.failed, done=batch.done,
                   finished=batch.finished, failures=batch.failures)


@bp.route("/start/<process_id>/template.csv")
@roles_required("hr")
def csv_sample(process_id: str) -> Response:
    body = csv_template(_launchable(process_id), example(process_id))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={process_id}.csv"})


@bp.route("/pledges")
@roles_required("hr", "secrecy_office")
def pledges() -> str:
    """Who has and has not signed this year's pledge, by department (seed 003 §5.1.2)."""
    this_year = state().engine.clock.now().astimezone(SHANGHAI).year
    year = request.args.get("year", type=int) or this_year
    if not 2000 <= year <= this_year + 1:
        abort(404)
    with state().sessions() as session:
        coverage = pledge_coverage(session, year)
    return render_template("hr/pledges.html", coverage=coverage, year=year, this_year=this_year)


@bp.route("/non-compete")
@roles_required("hr", "secrecy_office")
def non_compete() -> str:
    """Every former employee's non-compete under monitoring: the agreed and paid money, the penalty base, late and
    short months, escalations, and the current month (seed 003 §5.1.3, appendix 6 art. 2 and 4)."""
    engine, user = state().engine, current_user()
    assert user is not None
    with state().sessions() as session:
        instance_ids = monitored_instances(session)
    data = {instance_id: engine.show(instance_id).data for instance_id in instance_ids}
    with transaction(state().sessions) as session:
        rows = non_compete_ledger(session, data, now=engine.clock.now())
        agreements = {x.row.id: x for x in filter_visible(
            session, non_compete_agreements(session, rows), lambda d: resource_of_document(session, d),
            what="agreements")}
    return render_template("hr/non_compete.html", rows=rows, agreements=agreements, is_hr="hr" in user.roles)


@bp.route("/instances/<int:instance_id>")
@roles_required("hr")
def instance(instance_id: int) -> str:
    view = _personnel_instance(instance_id)
    return render_template("hr/instance.html", view=view, titles=field_titles(state().engine, view.process_id))


@bp.route("/instances/<int:instance_id>/diagram.json")
@roles_required("hr")
def diagram(instance_id: int) -> Response:
    view = _personnel_instance(instance_id)
    xml = state().engine.process(view.process_id).path.read_text(encoding="utf-8")
    return jsonify(diagram_state(xml, view, rename=shown_name))


@bp.route("/people/<user_id>")
@roles_required("hr")
def person(user_id: str) -> str:
    with transaction(state().sessions) as session:
        user = session.get(User, user_id)
        if user is None:
            abort(404)
        agreements = agreements_of(session, user_id)
        documents = session.scalars(select(Document).where(Document.id.in_([a.id for a in agreements]))).all()
        decisions = {x.resource.id: x for x in filter_visible(
            session, documents, lambda d: resource_of_document(session, d), what="agreements")}
        return render_template("hr/person.html", person=user, agreements=agreements, decisions=decisions)
