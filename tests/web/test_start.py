"""Each role starts, from its menu, the processes that are theirs (issue 15, item 1): who starts what is the
process's own declaration (its start event's ``starters``), read against the roles the organisation gives; a
process that is not yours to start is "not found"; a liaison files for their own department only."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from records.models import ProcessInstance
from web.state import WebState

Login = Callable[[str], FlaskClient]


def _offered(client: FlaskClient) -> set[str]:
    return set(re.findall(r'href="/(?:hr/)?start/([a-z_]+)(?:\?[^"]*)?"', client.get("/start").text))


def test_each_role_is_offered_what_it_starts(login: Login) -> None:
    assert _offered(login("liaison01")) == {"classification", "declassification", "level_change", "external_nda",
                                            "leak_incident", "publication_review"}
    # anyone reports a suspected leak, and asks for a review before publishing
    assert _offered(login("eng01")) == {"external_nda", "leak_incident", "publication_review"}
    assert {"onboarding", "offboarding", "annual_pledge", "external_nda"} <= _offered(login("hr01"))
    assert {"log_review", "permission_review", "declassification"} <= _offered(login("sec01"))
    assert 'href="/start"' in login("eng02").get("/inbox").text                 # in everyone's menu


def test_a_liaison_files_a_classification_for_their_department(login: Login, web: WebState) -> None:
    client = login("liaison01")
    form = client.get("/start/classification")
    assert form.status_code == 200 and 'value="技术研发部"' in form.text          # their own department
    started = client.post("/start/classification", data={"department": "技术研发部"})
    assert started.status_code == 302 and started.headers["Location"] == "/inbox"
    with web.sessions() as session:
        row = session.scalars(select(ProcessInstance).where(ProcessInstance.process_id == "classification")).one()
        assert row.started_by == "liaison01"
    assert "填报商业秘密识别清单条目" in client.get("/inbox").text                   # the next step is theirs
    other = client.post("/start/classification", data={"department": "生产部"})
    assert other.status_code == 422 and "own department" in other.text


def test_what_is_not_yours_to_start_is_not_found(login: Login) -> None:
    eng = login("eng01")
    for process_id in ("classification", "log_review", "onboarding", "no_such_process"):
        assert eng.get(f"/start/{process_id}").status_code == 404
        assert eng.post(f"/start/{process_id}", data={"department": "技术研发部"}).status_code == 404
    assert eng.get("/start/external_nda").status_code == 200
    assert 'name="host_user" value="eng01"' in eng.get("/start/external_nda").text


def test_fields_required_only_in_some_cases_say_when(login: Login) -> None:
    """The non-compete's fields are required for core personnel only (the schema's if/then): each says so in
    words, carries a * that the page shows when the case holds, and the server refuses core without them."""
    page = login("hr01").get("/hr/start/onboarding").text
    bank = re.search(r"<label data-required-when='([^']+)'>收款开户银行.*?</label>\s*<p class=\"hint\">(.*?)</p>",
                     page, re.S)
    assert bank, "the bank field says when it is required"
    assert bank.group(1) == '[["personnel_level", ["core"]]]'
    assert "核心涉密人员" in bank.group(2) and "personnel_level" not in bank.group(2)
    assert 'src="/static/forms.js"' in page
    hr = login("hr01")
    hr.post("/lang/en", data={"next": "/inbox"})
    english = hr.get("/hr/start/onboarding").text
    assert "Required when “Secret-involved staff category" in english and "is core personnel." in english
    # Outside parties: a field several agreements need names them all.
    hr.post("/lang/zh", data={"next": "/inbox"})
    nda = hr.get("/start/external_nda").text
    visitor = re.search(r"参观人姓名.*?</label>\s*<p class=\"hint\">(.*?)</p>", nda, re.S)
    assert visitor and "参观保密承诺书 或 临时保密承诺书" in visitor.group(1)


def test_without_conditional_fields_no_script_is_loaded(login: Login) -> None:
    assert "forms.js" not in login("liaison01").get("/start/classification").text
