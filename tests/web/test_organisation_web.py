"""The Organisation page (web/organisation.py): who may see it, each form's change and refusal, and the CSV import
with its dry run, bad rows and encodings — on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from records.db import transaction
from records.models import Appointment, OrgChange, OrgPost, OrgSetting, PersonStatus, User
from records.people import DEMO_PEOPLE
from tests.db import BACKENDS, postgresql_schema, schema_url
from tests.web.conftest import demo_app
from web.organisation import PEOPLE_PAGE
from web.state import WebState
from web.uploads import MAX_UPLOAD_BYTES
from workflows import FixedClock

Login = Callable[[str], FlaskClient]
RND = "技术研发部"
STAFF = [p for p in DEMO_PEOPLE if "external" not in p.roles]
# The demo's posts as import columns (records/demo_org.py).
POSTS = {"gm01": {"head": "yes", "committee": "chair"}, "head01": {"head": "yes"}, "liaison01": {"liaison": "yes"},
         "cm02": {"committee": "member"}, "cm03": {"committee": "member"}}


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock) -> Iterator[Flask]:
    """conftest's app (demo organisation, demo passwords) on SQLite, or on a private PostgreSQL schema."""
    if request.param == "sqlite":
        yield from demo_app(tmp_path, clock)
        return
    with postgresql_schema() as (schema, _engine):
        yield from demo_app(tmp_path, clock, {"DATABASE_URL": schema_url(schema)})


def _as(login: Login, user_id: str) -> FlaskClient:
    """Signed in as ``user_id``, with the English interface (the messages below are the msgids)."""
    client = login(user_id)
    client.post("/lang/en")
    return client


def _flash(response_text: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash [a-z]+" role="status">(.*?)</p>', response_text)]


def _changes(web: WebState) -> int:
    with web.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(OrgChange)) or 0)


def _holders(web: WebState, post: OrgPost, department: str | None = None) -> list[str]:
    where = Appointment.department == department if department else Appointment.department.is_(None)
    with web.sessions() as session:
        return list(session.scalars(select(Appointment.user_id).where(Appointment.post == post, where,
                                                                      Appointment.ends_at.is_(None))
                                    .order_by(Appointment.id)))


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["id", "name", "department", "head", "liaison", "committee", "status",
                                             "roles"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _demo_rows() -> list[dict[str, str]]:
    """The demo staff as the import file names them, with their posts (so an import keeps them)."""
    return [{"id": p.id, "name": p.name, "department": p.department or "",
             "roles": " ".join(r for r in p.roles if r in {"hr", "secrecy_office", "employee", "general_manager"}),
             **POSTS.get(p.id, {})} for p in STAFF]


def _upload(client: FlaskClient, data: bytes, *, dry_run: bool = False) -> str:
    form: dict[str, object] = {"people": (io.BytesIO(data), "people.csv")}
    if dry_run:
        form["dry_run"] = "1"
    response = client.post("/organisation/import", data=form, content_type="multipart/form-data",
                           follow_redirects=True)
    assert response.status_code == 200
    return html.unescape(response.text)


# -- who sees it ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["hr01", "sec01"])
def test_maintainers_see_the_demo_organisation(login: Login, user: str) -> None:
    client = _as(login, user)
    assert 'href="/organisation"' in client.get("/inbox").text           # in the menu
    page = client.get("/organisation")
    assert page.status_code == 200
    text = html.unescape(page.text)
    row = re.search(rf"<tr>\s*<td><strong>{RND}</strong>.*?</tr>", text, re.S)
    assert row and "钱伟" in row.group(0) and "head01" in row.group(0) and "孙丽" in row.group(0)   # head, liaison
    committee = text[text.index('id="committee"'):text.index('id="appoint"')]
    assert all(name in committee for name in ("陈建华", "吴强", "郑洁"))
    assert 'value="66.67"' in committee and 'value="50"' in committee     # quorum 2/3, majority 1/2 in percent
    assert "王志强" in text and "eng01" in text                              # the people
    assert "appointed" in text[text.index('id="history"'):]                 # the demo's appointments
    # Every form that changes something carries the CSRF token.
    forms = re.findall(r'<form method="post".*?</form>', text, re.S)
    assert len(forms) > 8 and all('name="csrf_token"' in f for f in forms)


def test_people_filter_and_pages(login: Login, web: WebState) -> None:
    with transaction(web.sessions) as session:
        session.add_all(User(id=f"p{n:04d}", name=f"员工{n}", department="生产部", roles=["employee"])
                        for n in range(230))
    client = _as(login, "hr01")
    pages = -(-231 // PEOPLE_PAGE)
    first = client.get("/organisation?department=生产部").text
    assert "(231)" in first and f"Page 1 of {pages}" in first
    assert f"p{PEOPLE_PAGE - 2:04d}" in first and f"p{PEOPLE_PAGE - 1:04d}" not in first     # after cm02
    last = client.get(f"/organisation?department=生产部&page={pages}").text
    assert "p0229" in last and "p0000" not in last
    assert client.get("/organisation?page=999").status_code == 200
    assert "王志强" not in first and "visitor01" not in client.get("/organisation").text   # no outside parties
    assert "王志强" not in client.get("/organisation?status=left").text


@pytest.mark.parametrize("user", ["eng02", "cm02", "liaison01", "head01", "gm01"])
def test_others_are_refused(login: Login, web: WebState, user: str) -> None:
    client = _as(login, user)
    assert 'href="/organisation"' not in client.get("/inbox").text
    for url in ("/organisation", "/organisation/import"):
        assert client.get(url).status_code == 403, url
    before = _changes(web)
    response = client.post("/organisation/appoint", data={"post": "liaison", "user_id": "eng01", "department": RND})
    assert response.status_code == 403
    assert client.post("/organisation/committee", data={"quorum": "10", "majority": "10"}).status_code == 403
    assert _changes(web) == before and _holders(web, OrgPost.LIAISON, RND) == ["liaison01"]


# -- changes -------------------------------------------------------------------------------------------------------

def test_appoint_and_dismiss_a_liaison(login: Login, web: WebState) -> None:
    client = _as(login, "hr01")
    response = client.post("/organisation/appoint", data={"post": "liaison", "department": RND, "user_id": "eng02"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert _flash(response.text) == [f"eng02 now holds the post Department secrecy liaison ({RND})."]
    assert _holders(web, OrgPost.LIAISON, RND) == ["liaison01", "eng02"]
    with web.sessions() as session:
        change = session.scalars(select(OrgChange).order_by(OrgChange.id.desc())).first()
        assert change is not None
        assert (change.actor, change.action, change.subject) == ("hr01", "appoint", "eng02")
        assert change.detail["post"] == "liaison" and change.detail["department"] == RND
        user = session.get(User, "eng02")
        assert user is not None and "liaison" in user.roles
    row = re.search(rf"<tr>\s*<td><strong>{RND}</strong>.*?</tr>", response.text, re.S)
    assert row and "李娜" in row.group(0)

    response = client.post("/organisation/dismiss", data={"post": "liaison", "department": RND, "user_id": "eng02"},
                           follow_redirects=True)
    assert "eng02 no longer holds the post" in _flash(response.text)[0]
    assert _holders(web, OrgPost.LIAISON, RND) == ["liaison01"]
    with web.sessions() as session:
        ended = session.scalars(select(Appointment).where(Appointment.user_id == "eng02")).one()
        assert ended.ends_at is not None and ended.ended_by == "hr01"
        user = session.get(User, "eng02")
        assert user is not None and "liaison" not in user.roles


def test_a_chair_who_is_not_the_general_manager_is_refused(login: Login, web: WebState) -> None:
    client = _as(login, "sec01")
    before = _changes(web)
    response = client.post("/organisation/appoint", data={"post": "committee_chair", "user_id": "cm02"},
                           follow_redirects=True)
    (message,) = _flash(response.text)
    assert message.startswith("Nothing was changed:") and "general manager" in message and "cm02" in message
    assert _holders(web, OrgPost.COMMITTEE_CHAIR) == ["gm01"] and _changes(web) == before
    with web.sessions() as session:
        user = session.get(User, "cm02")
        assert user is not None and user.roles == ["committee"]


def test_refusals_name_what_to_do(login: Login, web: WebState) -> None:
    client = _as(login, "hr01")
    before = _changes(web)
    for data, expected in (({"post": "liaison", "user_id": "nobody", "department": RND}, "there is no person"),
                           ({"post": "liaison", "user_id": "eng02"}, "belongs to a department"),
                           ({"post": "department_head", "user_id": "eng02", "department": "无此部门"}, "add it first"),
                           ({"post": "liaison", "user_id": "visitor01", "department": RND}, "outside party")):
        (message,) = _flash(client.post("/organisation/appoint", data=data, follow_redirects=True).text)
        assert expected in message, (data, message)
    assert client.post("/organisation/appoint", data={"post": "king", "user_id": "eng02"}).status_code == 400
    (message,) = _flash(client.post("/organisation/dismiss", data={"post": "committee_member", "user_id": "eng02"},
                                    follow_redirects=True).text)
    assert "does not hold the post" in message
    assert _changes(web) == before


def test_committee_rules_in_percent(login: Login, web: WebState) -> None:
    client = _as(login, "sec01")
    before = _changes(web)
    for quorum in ("150", "0", "-5"):
        response = client.post("/organisation/committee", data={"quorum": quorum, "majority": "50"},
                               follow_redirects=True)
        assert _flash(response.text) == ["The quorum and the majority are percentages: more than 0 and at most 100. "
                                         "Nothing was changed."]
    (message,) = _flash(client.post("/organisation/committee", data={"quorum": "two thirds", "majority": "50"},
                                    follow_redirects=True).text)
    assert "as percentages" in message
    assert _changes(web) == before
    with web.sessions() as session:
        assert session.scalars(select(OrgSetting)).all() == []

    response = client.post("/organisation/committee", data={"quorum": "75", "majority": "50"}, follow_redirects=True)
    assert _flash(response.text) == ["The committee's rules are saved."]
    assert 'value="75"' in response.text
    with web.sessions() as session:
        row = session.get(OrgSetting, "committee.quorum")
        assert row is not None and row.value == {"value": 0.75} and row.changed_by == "sec01"
        assert session.get(OrgSetting, "committee.majority") is None      # unchanged field: not written
    assert _changes(web) == before + 1


def test_status_left_ends_the_posts(login: Login, web: WebState) -> None:
    client = _as(login, "hr01")
    response = client.post("/organisation/status", data={"user_id": "liaison01", "status": "left"},
                           follow_redirects=True)
    assert _flash(response.text) == ["liaison01 is now marked as left."]
    assert _holders(web, OrgPost.LIAISON, RND) == []
    with web.sessions() as session:
        user = session.get(User, "liaison01")
        assert user is not None and user.status == PersonStatus.LEFT
    (message,) = _flash(client.post("/organisation/status", data={"user_id": "ghost", "status": "leaving"},
                                    follow_redirects=True).text)
    assert "there is no person 'ghost'" in message
    assert client.post("/organisation/status", data={"user_id": "eng01", "status": "fired"}).status_code == 400


def test_add_a_department(login: Login, web: WebState) -> None:
    client = _as(login, "hr01")
    response = client.post("/organisation/departments", data={"name": "质量部"}, follow_redirects=True)
    assert _flash(response.text) == ["The department 质量部 is in the organisation."]
    assert "<strong>质量部</strong>" in response.text
    (message,) = _flash(client.post("/organisation/departments", data={"name": "x" * 101},
                                    follow_redirects=True).text)
    assert "1 to 100 characters" in message


# -- import --------------------------------------------------------------------------------------------------------

def test_import_dry_run_reports_and_writes_nothing(login: Login, web: WebState) -> None:
    client = _as(login, "hr01")
    before = _changes(web)
    rows = [*_demo_rows(), {"id": "eng03", "name": "高磊", "department": RND, "liaison": "yes"}]
    text = _upload(client, _csv(rows), dry_run=True)
    assert "The file is good (check only: nothing was written)" in text
    assert re.search(rf"<td>{len(rows) + 1}</td>\s*<td>eng03</td>\s*<td><span class=\"ok\">✓</span> added</td>", text)
    assert re.search(r"<td>2</td>\s*<td>hr01</td>\s*<td><span class=\"ok\">✓</span> updated</td>", text)
    with web.sessions() as session:
        assert session.get(User, "eng03") is None
    assert _changes(web) == before and _holders(web, OrgPost.LIAISON, RND) == ["liaison01"]


def test_one_bad_row_imports_nothing(login: Login, web: WebState) -> None:
    client = _as(login, "hr01")
    before = _changes(web)
    rows = [{"id": "eng03", "name": "高磊", "department": RND},
            {"id": "eng04", "name": "方园", "department": RND, "status": "retired"}]
    text = _upload(client, _csv(rows))
    assert "Nothing was imported" in text and "Rows with problems: 1." in text
    row = re.search(r"<tr>\s*<td>3</td>\s*<td>eng04</td>.*?</tr>", text, re.S)
    assert row and "status 'retired'" in row.group(0)
    assert "eng03" not in text.split('id="report"')[1].split("</section>")[0]     # only the bad rows are listed
    with web.sessions() as session:
        assert session.get(User, "eng03") is None and session.get(User, "eng04") is None
    assert _changes(web) == before


def test_a_good_file_imports(login: Login, web: WebState) -> None:
    client = _as(login, "sec01")
    rows = [*_demo_rows(), {"id": "eng03", "name": "高磊", "department": "质量部", "liaison": "yes"}]
    text = _upload(client, _csv(rows))
    assert "Imported" in text and "Nothing was imported" not in text
    assert "Posts ended because the file no longer names their holder: 0." in text
    with web.sessions() as session:
        user = session.get(User, "eng03")
        assert user is not None and user.department == "质量部" and "liaison" in user.roles
        change = session.scalars(select(OrgChange).where(OrgChange.action == "import")).one()
        assert change.actor == "sec01" and change.detail["added"] == 1
    assert _holders(web, OrgPost.LIAISON, "质量部") == ["eng03"]
    assert _holders(web, OrgPost.COMMITTEE_CHAIR) == ["gm01"]                 # the demo's posts are kept
    page = html.unescape(client.get("/organisation").text)
    assert "<strong>质量部</strong>" in page and "CSV import" in page


def test_a_gbk_file_is_refused_clearly(login: Login, web: WebState) -> None:
    client = _as(login, "hr01")
    before = _changes(web)
    text = _upload(client, "id,name,department\neng03,高磊,技术研发部\n".encode("gbk"))
    assert _flash(text) == ["The file is not UTF-8 (Excel often saves CSV as GBK): save it as “CSV UTF-8” and "
                            "upload it again. Nothing was imported."]
    assert _changes(web) == before


def test_empty_and_oversized_files_are_refused(login: Login, web: WebState) -> None:
    client = _as(login, "hr01")
    assert "Choose a CSV file" in _flash(_upload(client, b""))[0]
    big = b"id,name,department\n" + b"x" * MAX_UPLOAD_BYTES
    assert _flash(_upload(client, big)) == ["The file is larger than 10 MB."]
    text = _upload(client, b"name,department,salary\n")
    assert "Nothing was imported" in text and "unknown columns salary" in text
