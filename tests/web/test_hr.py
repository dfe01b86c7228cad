"""HR pages: the list, starting processes (form and CSV), an instance with its diagram, a person's agreements."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from cli.scenario import example
from records.models import ProcessInstance
from tests.web.flows import to_first_signature
from web.state import WebState
from workflows.jobs import ParkedJobs

Login = Callable[[str], FlaskClient]


def _form(data: dict[str, Any]) -> dict[str, str]:
    """What a browser posts for ``data``: ticked checkboxes as "on", unticked ones left out."""
    return {k: ("on" if v is True else str(v)) for k, v in data.items() if v is not False}


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows([{k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()} for row in rows])
    return out.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize("user", ["eng01", "sec01", "gm01", "liaison01"])
def test_only_hr_sees_the_hr_pages(login: Login, web: WebState, user: str) -> None:
    view = web.engine.start("annual_pledge", example("annual_pledge"), actor="hr01")
    client = login(user)
    for url in ("/hr", "/hr/start/onboarding", f"/hr/instances/{view.id}", f"/hr/instances/{view.id}/diagram.json",
                "/hr/people/eng01", "/hr/start/onboarding/template.csv"):
        assert client.get(url).status_code == 403, url
    assert client.post("/hr/start/annual_pledge", data=_form(example("annual_pledge"))).status_code == 403


def test_start_one_person_from_the_form(login: Login, web: WebState) -> None:
    client = login("hr01")
    form = client.get("/hr/start/offboarding")
    # Empty, not an example person one click from an agreement; people are offered by name; HR is the one told.
    assert form.status_code == 200 and 'name="employee_user" value=""' in form.text
    assert '<option value="eng01">王志强 · 技术研发部</option>' in form.text
    assert re.search(r'name="hr_user" value="hr01"', form.text)
    assert client.get("/hr/start/classification").status_code == 404  # not an HR process
    # No non-compete: eng01 has signed none in this app (starting with one is tested in tests/bpmn).
    response = client.post("/hr/start/offboarding", data=_form(example("offboarding", non_compete_applies=False)))
    assert response.status_code == 302
    instance_id = int(re.search(r"/hr/instances/(\d+)$", response.headers["Location"]).group(1))  # type: ignore[union-attr]
    assert web.engine.show(instance_id).process_id == "offboarding"
    listing = client.get("/hr")
    assert listing.status_code == 200 and f"/hr/instances/{instance_id}" in listing.text
    assert web.engine.show(instance_id).tasks[0].title in listing.text       # its open task


def test_start_with_bad_data_is_refused(login: Login, web: WebState) -> None:
    client = login("hr01")
    data = _form(example("annual_pledge"))
    del data["year"]
    assert client.post("/hr/start/annual_pledge", data=data).status_code == 422
    data = _form(example("annual_pledge", employee_user="nobody"))
    response = client.post("/hr/start/annual_pledge", data=data)
    assert response.status_code == 422 and "nobody" in response.text


def test_start_from_csv_reports_each_row(login: Login, web: WebState) -> None:
    client = login("hr01")
    template = client.get("/hr/start/annual_pledge/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert template.data.decode("utf-8-sig").splitlines()[0].startswith("employee_user,hr_user")
    rows = [example("annual_pledge"), example("annual_pledge", employee_user="eng02", employee_name="李娜", year=""),
            example("annual_pledge", employee_user="ghost", employee_name="无此人")]
    response = client.post("/hr/start/annual_pledge/csv", data={"people": (io.BytesIO(_csv(rows)), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302                     # accepted: the batch's page follows its rows
    page = client.get(response.location)
    assert page.status_code == 200 and "people.csv" in page.text
    assert "/static/launch.js" not in page.text              # finished (the test engine works jobs at once)
    assert "year" in page.text and "ghost" in page.text and "李娜" in page.text and "无此人" in page.text
    state = client.get(response.location + ".json").get_json()
    assert (state["total"], state["started"], state["failed"], state["finished"]) == (3, 1, 2, True)
    assert [(f["row"], f["label"]) for f in state["failures"]] == [(2, "李娜"), (3, "无此人")]
    with web.sessions() as session:
        started = session.scalars(select(ProcessInstance.subject_user)).all()
    assert started == ["eng01"]
    assert client.get("/hr/launches/999").status_code == 404
    empty = client.post("/hr/start/annual_pledge/csv", data={"people": (io.BytesIO(b"employee_user\n"), "x.csv")},
                        content_type="multipart/form-data")
    assert empty.status_code == 422
    too_many = "employee_user\n" + "eng01\n" * 2001
    refused = client.post("/hr/start/annual_pledge/csv", data={"people": (io.BytesIO(too_many.encode()), "x.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "2001" in refused.text
    assert login("eng01").get(response.location).status_code == 403        # HR's batches only


def test_a_batch_under_way_shows_its_progress(login: Login, web: WebState) -> None:
    """While workers start the rows, the page says so and polls (a static script; no inline code)."""
    web.engine.jobs = ParkedJobs()
    client = login("hr01")
    rows = [example("annual_pledge"), example("annual_pledge", employee_user="eng02", employee_name="李娜")]
    response = client.post("/hr/start/annual_pledge/csv", data={"people": (io.BytesIO(_csv(rows)), "people.csv")},
                           content_type="multipart/form-data")
    page = client.get(response.location)
    assert "/static/launch.js" in page.text and "<script>" not in page.text
    assert 'max="2" value="0"' in page.text
    state = client.get(response.location + ".json").get_json()
    assert (state["done"], state["finished"]) == (0, False)


def test_instance_page_and_diagram(login: Login, web: WebState) -> None:
    view = web.engine.start("onboarding", example("onboarding"), actor="hr01")
    other = web.engine.start("classification", example("classification"), actor="liaison01")
    client = login("hr01")
    page = client.get(f"/hr/instances/{view.id}")
    assert page.status_code == 200
    assert f"/hr/instances/{view.id}/diagram.json" in page.text and "bpmn-navigated-viewer" in page.text
    assert "<script>" not in page.text                                # CSP: no inline scripts
    diagram = client.get(f"/hr/instances/{view.id}/diagram.json").get_json()
    assert "<bpmn:definitions" in diagram["xml"]
    assert diagram["active"] == ["background_check"]
    assert diagram["completed"] and all(f'id="{i}"' in diagram["xml"] for i in diagram["completed"])
    assert client.get(f"/hr/instances/{other.id}").status_code == 404     # not a personnel process
    assert client.get("/hr/instances/999").status_code == 404


def test_person_page(login: Login, web: WebState) -> None:
    client = login("hr01")
    assert client.get("/hr/people/eng01").status_code == 200
    assert client.get("/hr/people/nobody").status_code == 404


@pytest.mark.slow
def test_person_page_lists_agreements_with_downloads(login: Login, web: WebState) -> None:
    task = to_first_signature(web.engine)
    page = login("hr01").get("/hr/people/eng01")
    assert page.status_code == 200 and f"/documents/{task.sign_document}.pdf" in page.text
    instance = login("hr01").get(f"/hr/instances/{task.instance_id}")
    assert f"/documents/{task.sign_document}.pdf" in instance.text


def test_the_pledge_coverage_page(login: Login, web: WebState) -> None:
    """HR and the secrecy office see who has and has not signed this year's pledge, by department."""
    page = login("sec01").get("/hr/pledges?year=2026")
    assert page.status_code == 200 and "技术研发部" in page.text and "王志强" in page.text
    assert login("hr01").get("/hr/pledges").status_code == 200
    assert login("eng01").get("/hr/pledges").status_code == 403
    assert login("hr01").get("/hr/pledges?year=1999").status_code == 404
