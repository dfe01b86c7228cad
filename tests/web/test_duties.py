"""The duty round (``web.background.run_duties``, once across all nodes) starts what the roster makes due: this
year's pledges and the six-monthly access reviews of every secret-involved person, and each department's
self-check — once, however many rounds run — with the reviewed person's authorisations as the system knows them."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from records.models import LaunchBatch, PersonStatus, ProcessInstance, Task, TaskState, User
from tests.web.support import fast_services  # noqa: F401 - fixture
from web.background import run_duties
from web.state import WebState


def test_the_roster_starts_pledges_and_access_reviews_once(app: Flask, fast_services: WebState) -> None:  # noqa: F811
    web = fast_services
    run_duties(web, app.config)
    run_duties(web, app.config)                                  # a second round (or another node) adds nothing
    with web.sessions() as session:
        involved = set(session.scalars(select(User.id).where(User.personnel_level.is_not(None),
                                                             User.status == PersonStatus.ACTIVE)))
        started = {(row.process_id, row.subject_user) for row in session.scalars(select(ProcessInstance))}
        batches = session.scalars(select(LaunchBatch.process_id).order_by(LaunchBatch.id)).all()
        reviews = list(session.scalars(select(Task).where(Task.spec_name == "review_permissions",
                                                          Task.state == TaskState.READY)))
    assert started == {(p, u) for p in ("annual_pledge", "permission_review") for u in involved} | {
        ("self_check", None)}                                    # the one department with a liaison
    assert batches == ["annual_pledge", "permission_review", "self_check"]
    assert {t.assignee for t in reviews} == {"head01"}           # each person's department head reviews
    view = web.engine.show(reviews[0].instance_id)
    assert view.started_by == "scheduler"
    with web.sessions() as session:
        row = session.get(ProcessInstance, reviews[0].instance_id)
        assert row is not None
    data = web.engine.show(row.id).history[0]["detail"]["data"]
    assert data["permissions_summary"].startswith("人员涉密等级：") and "持有载体：" in data["permissions_summary"]
