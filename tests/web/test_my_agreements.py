"""An employee's own agreements (issue 15, item 1): from their menu, every agreement they signed or must sign, its
level, its verification (the stored PDF checked like any other) and a download; the one waiting for them leads
to its signing page. Nobody else's agreements appear."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.web.flows import to_first_signature
from web.state import WebState

Login = Callable[[str], FlaskClient]


def test_the_employee_finds_and_checks_their_agreements(web: WebState, login: Login,
                                                        fast_services: WebState) -> None:
    task = to_first_signature(web.engine)
    client = login(str(task.assignee))
    assert 'href="/my/agreements"' in client.get("/inbox").text                  # in the menu
    page = client.get("/my/agreements").text
    assert f'href="/tasks/{task.id}/sign"' in page                              # the one waiting: "sign now"
    assert task.sign_document is not None and task.sign_document in page
    done = web.engine.complete(task.id, actor=str(task.assignee), data={"agree": True})
    page = client.get("/my/agreements").text
    signed = next(d for d in done.documents if d["id"] == task.sign_document)
    row = page[page.index(task.sign_document):]
    row = row[:row.index("</tr>")]
    assert "✓" in row and f'/documents/{task.sign_document}.pdf' in page
    assert signed["status"] == "completed"                                       # the company sealed it first
    assert re.search(r"✓ (valid|有效)", row), row                                # and it verifies
    # Another employee sees none of it.
    other = login("eng02").get("/my/agreements").text
    assert task.sign_document not in other


def test_a_person_without_agreements_is_told_so(login: Login) -> None:
    page = login("sec01").get("/my/agreements")
    assert page.status_code == 200 and ("You have no agreements yet." in page.text or "您还没有协议" in page.text)
