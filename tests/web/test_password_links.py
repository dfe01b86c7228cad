"""Accounts as a company opens them (issue 14, item 1): HR adds a person on the organisation page and an invitation
with a one-time link to set a password goes out (mail, or the outbox in the embedded default); a forgotten password
is reset by a link that works once, within an hour; a newer link spends the older ones; the answer to "forgot" is
the same whether or not the name exists."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from records import password_links
from records.db import transaction
from records.models import AuditRecord, Notification, PasswordLinkPurpose, SignIn, User
from tests.web.support import sign_in
from web.state import WebState
from workflows import FixedClock

GOOD = "walnut lantern quietly 1987"


def _link(web: WebState, user_id: str) -> str:
    """The path of the newest password link mailed to ``user_id``."""
    with web.sessions() as session:
        note = session.scalars(select(Notification).where(Notification.to_user == user_id)
                               .order_by(Notification.id.desc())).first()
        assert note is not None and note.body is not None
        found = re.search(r"https?://[^/\s]+(/password/[A-Za-z0-9_-]+)", note.body)
        assert found is not None, note.body
        return found.group(1)


def _add(hr: FlaskClient, **fields: str) -> str:
    data = {"id": "zhangwei", "name": "张伟", "department": "技术研发部", "email": "zhangwei@example.com",
            "personnel_level": "important", "roles": "employee", "invite": "1", **fields}
    response = hr.post("/organisation/people", data=data)
    assert response.status_code == 302
    return str(hr.get("/organisation").text)


def test_hr_adds_a_person_who_sets_a_password_from_the_invitation(app: Flask, web: WebState) -> None:
    hr = sign_in(app, "hr01")
    _add(hr)
    with web.sessions() as session:
        person = session.get(User, "zhangwei")
        assert person is not None and person.password_hash is None and person.personnel_level == "important"
        assert person.roles == ["employee"] and person.email == "zhangwei@example.com"
        mail = session.scalars(select(Notification).where(Notification.to_user == "zhangwei")).one()
        assert mail.to_email == "zhangwei@example.com" and "zhangwei" in (mail.body or "")
    path = _link(web, "zhangwei")
    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "张伟" in page.text and "zhangwei" in page.text
    weak = newcomer.post(path, data={"password": "zhangwei123", "again": "zhangwei123"})
    assert weak.status_code == 400
    differ = newcomer.post(path, data={"password": GOOD, "again": GOOD + "x"})
    assert differ.status_code == 400
    done = newcomer.post(path, data={"password": GOOD, "again": GOOD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert newcomer.post("/login", data={"username": "zhangwei", "password": GOOD}).status_code == 302
    assert newcomer.get("/account").status_code == 200
    # Once used, the link is worth nothing.
    assert app.test_client().get(path).status_code == 404
    assert app.test_client().post(path, data={"password": GOOD + "!", "again": GOOD + "!"}).status_code == 404


def test_a_bad_person_is_refused_with_the_reason_and_nothing_is_added(app: Flask, web: WebState) -> None:
    hr = sign_in(app, "hr01")
    page = _add(hr, id="bad id!", email="not-an-address")
    assert "bad id!" in page and "not an address" in page
    page = _add(hr, id="eng01")
    assert "already a person" in page
    with web.sessions() as session:
        assert session.get(User, "bad id!") is None
        assert session.scalars(select(Notification).where(Notification.to_user == "bad id!")).first() is None


def test_only_those_who_keep_the_organisation_add_people(app: Flask, web: WebState) -> None:
    for user in ("eng01", "liaison01", "cm02"):
        assert sign_in(app, user).post("/organisation/people", data={"id": "x1", "name": "x", "department": "d"}
                                       ).status_code == 403
    with web.sessions() as session:
        assert session.get(User, "x1") is None


def test_an_invitation_expires_and_a_newer_one_replaces_it(app: Flask, web: WebState, clock: FixedClock) -> None:
    hr = sign_in(app, "hr01")
    _add(hr)
    first = _link(web, "zhangwei")
    assert hr.post("/organisation/password-link", data={"user_id": "zhangwei"}).status_code == 302
    second = _link(web, "zhangwei")
    assert first != second
    assert app.test_client().get(first).status_code == 404                 # replaced
    assert app.test_client().get(second).status_code == 200
    clock.set(clock.now() + password_links.INVITE_VALID + dt.timedelta(seconds=1))
    expired = app.test_client().get(second)
    assert expired.status_code == 404 and "/login/forgot" in expired.text   # says how to get a new one


def test_a_forgotten_password_is_reset_once_within_the_hour(app: Flask, web: WebState, clock: FixedClock) -> None:
    with transaction(web.sessions) as session:
        user = session.get(User, "eng01")
        assert user is not None
        user.email = "wzq@example.com"
    elsewhere = sign_in(app, "eng01")                                     # a sign-in someone may have taken
    client = app.test_client()
    asked = client.post("/login/forgot", data={"username": "eng01"})
    unknown = client.post("/login/forgot", data={"username": "nobody"})
    assert asked.status_code == unknown.status_code == 302
    said = client.get("/login").text
    assert "nobody" in said                                               # the same words for a name that is not there
    path = _link(web, "eng01")
    with web.sessions() as session:
        mail = session.scalars(select(Notification).where(Notification.to_user == "eng01")).one()
        assert mail.to_email == "wzq@example.com"
        assert session.scalars(select(Notification).where(Notification.to_user == "nobody")).first() is None
    clock.set(clock.now() + dt.timedelta(minutes=59))
    assert client.post(path, data={"password": GOOD, "again": GOOD}).status_code == 302
    assert elsewhere.get("/account").status_code == 302                  # every earlier sign-in ended
    with web.sessions() as session:
        assert session.scalars(select(SignIn).where(SignIn.user_id == "eng01", SignIn.ended_at.is_(None))
                               ).first() is None
        actions = set(session.scalars(select(AuditRecord.action).where(AuditRecord.target_id == "eng01")))
        assert {"password_link.reset", "password.set"} <= actions
    assert client.post("/login", data={"username": "eng01", "password": GOOD}).status_code == 302


def test_a_reset_link_lasts_an_hour(app: Flask, web: WebState, clock: FixedClock) -> None:
    with transaction(web.sessions) as session:
        user = session.get(User, "eng02")
        assert user is not None
        user.email = "lina@example.com"
    app.test_client().post("/login/forgot", data={"username": "eng02"})
    path = _link(web, "eng02")
    clock.set(clock.now() + password_links.RESET_VALID)
    assert app.test_client().post(path, data={"password": GOOD, "again": GOOD}).status_code == 404


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "../../etc/passwd", "%00", "a" * 5000])
def test_forged_links_open_nothing(app: Flask, token: str) -> None:
    response = app.test_client().get(f"/password/{token}")
    assert response.status_code == 404


def test_no_link_for_those_who_may_not_sign_in(app: Flask, web: WebState, clock: FixedClock) -> None:
    with transaction(web.sessions) as session:
        visitor = session.get(User, "visitor01")
        assert visitor is not None
        with pytest.raises(password_links.LinkError, match="may not sign in"):
            password_links.issue(session, visitor, PasswordLinkPurpose.RESET, actor="hr01", now=clock.now(),
                                 public_url="http://x")
    hr = sign_in(app, "hr01")
    assert hr.post("/organisation/password-link", data={"user_id": "visitor01"}).status_code == 404


def test_hr_adds_the_new_hire_from_the_onboarding_form(app: Flask, web: WebState) -> None:
    """Issue 14, item 1: the new hire is added (and invited) without leaving the start form, then chosen in it."""
    hr = sign_in(app, "hr01")
    form = hr.get("/hr/start/onboarding").text
    assert 'action="/organisation/people?next=/hr/start/onboarding"' in form
    added = hr.post("/organisation/people?next=/hr/start/onboarding",
                    data={"id": "zhangwei", "name": "张伟", "department": "技术研发部", "roles": "employee",
                          "invite": "1", "email": "zhangwei@example.com"})
    assert added.headers["Location"] == "/hr/start/onboarding?employee_user=zhangwei"
    again = hr.get(added.headers["Location"]).text
    assert 'name="employee_user" value="zhangwei"' in again and '<option value="zhangwei">张伟 · 技术研发部' in again
    assert _link(web, "zhangwei").startswith("/password/")
    # Anywhere else than a start form, "next" is not followed.
    elsewhere = hr.post("/organisation/people?next=https://evil.example/", data={"id": "lisi", "name": "李四",
                                                                              "department": "技术研发部"})
    assert elsewhere.headers["Location"] == "/organisation"
