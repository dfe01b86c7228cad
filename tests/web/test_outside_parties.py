"""Outside parties sign only through their own link: the task is the invited person's alone, and an outside
account never has a password session (issue 10: ``visitor01`` signed another visitor's NDA)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from records import sign_ins
from records.db import transaction
from records.models import User
from tests.web.support import link_row, start_probe
from web.demo import DEMO_PASSWORD
from web.state import WebState
from workflows.errors import Forbidden


def test_an_outside_account_cannot_sign_in_even_with_a_password(client: FlaskClient) -> None:
    # The web fixture gives every demo account, visitor01 included, the demo password.
    response = client.post("/login", data={"username": "visitor01", "password": DEMO_PASSWORD})
    assert response.status_code == 200 and "/login" not in response.headers.get("Location", "")
    assert "/login" in client.get("/inbox").headers["Location"]


def test_a_session_held_by_an_outside_account_counts_as_signed_out(client: FlaskClient) -> None:
    web: WebState = client.application.extensions["mibao"]
    with transaction(web.sessions) as db:                # e.g. a sign-in from before the rule
        visitor = db.get(User, "visitor01")
        assert visitor is not None
        token = sign_ins.begin(db, visitor, now=web.engine.clock.now(), limits=sign_ins.Limits())
    with client.session_transaction() as session:
        session["sid"] = token
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_outside_task_belongs_to_the_invited_person_only(probe: WebState) -> None:
    start_probe(probe)
    link = link_row(probe)
    task = probe.engine.task(link.task_id)
    assert task.assignee == f"ext-{link.id}"
    for other in ("visitor01", "eng01", "hr01"):
        assert all(t.id != task.id for t in probe.engine.tasks(user=other))
        with pytest.raises(Forbidden):
            probe.engine.complete(task.id, actor=other, data={"agree": True})
    assert probe.engine.task(task.id).state == "ready"
