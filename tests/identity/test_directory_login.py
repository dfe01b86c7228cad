"""The login page with the company directory (issue 14, item 4): a directory person signs in with their directory
password (checked by a real slapd), their account is made or brought up to date from their entry at that moment,
roles from their groups; the second step and the lockout apply as to anyone; local accounts keep their own
passwords; a directory that cannot be reached says so instead of "wrong password"."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from records.directory import DirectorySettings
from records.models import IdentitySource, LoginThrottle, User
from tests.identity.conftest import PASSWORDS, free_port
from tests.web.conftest import START, demo_app
from web.demo import DEMO_PASSWORD
from web.state import WebState
from workflows import FixedClock


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock, settings: DirectorySettings) -> Iterator[Flask]:
    yield from demo_app(tmp_path, clock, {"DIRECTORY": settings})


def _login(app: Flask, user: str, password: str) -> tuple[int, str]:
    response = app.test_client().post("/login", data={"username": user, "password": password})
    return response.status_code, response.headers.get("Location", "") or response.text


def test_a_directory_person_signs_in_and_gets_an_account(app: Flask) -> None:
    web: WebState = app.extensions["mibao"]
    assert _login(app, "lina", PASSWORDS["lina"]) == (302, "/inbox")
    with web.sessions() as session:
        user = session.get(User, "lina")
        assert user is not None and user.name == "李娜" and user.identity_source == IdentitySource.LDAP
        assert user.password_hash is None and user.external_id and user.external_id.startswith("uid=lina,")
    # HR's group gives the hr role, through the login page as through the sync.
    assert _login(app, "zhangwei", PASSWORDS["zhangwei"]) == (302, "/inbox")
    with web.sessions() as session:
        zhang = session.get(User, "zhangwei")
        assert zhang is not None and {"hr", "secrecy_office"} <= set(zhang.roles)


def test_wrong_directory_passwords_are_refused_and_counted(app: Flask) -> None:
    web: WebState = app.extensions["mibao"]
    status, _page = _login(app, "lina", "not-her-password")
    assert status == 200
    with web.sessions() as session:
        assert session.get(User, "lina") is None                     # no account for a wrong password
        throttle = session.get(LoginThrottle, "lina")
        assert throttle is not None and throttle.failures == 1
    assert _login(app, "lina", "")[0] == 200                           # never an unauthenticated bind


def test_local_accounts_keep_their_passwords(app: Flask) -> None:
    assert _login(app, "eng01", DEMO_PASSWORD) == (302, "/inbox")
    # The directory's wangzq is not eng01: a directory password does not open a local account.
    assert _login(app, "eng01", PASSWORDS["wangzq"])[0] == 200


def test_the_second_step_applies_to_directory_people(tmp_path: Path, clock: FixedClock,
                                                     settings: DirectorySettings) -> None:
    for app in demo_app(tmp_path, clock, {"DIRECTORY": settings, "TWO_FACTOR_ROLES": frozenset({"hr"})}):
        assert _login(app, "zhangwei", PASSWORDS["zhangwei"]) == (302, "/login/enrol")


def test_a_directory_that_cannot_be_reached_says_so(tmp_path: Path, clock: FixedClock,
                                                   settings: DirectorySettings) -> None:
    down = dataclasses.replace(settings, url=f"ldap://127.0.0.1:{free_port()}")
    for app in demo_app(tmp_path, clock, {"DIRECTORY": down}):
        status, page = _login(app, "lina", PASSWORDS["lina"])
        assert status == 503 and ("directory" in page or "目录" in page)
        assert _login(app, "eng01", DEMO_PASSWORD) == (302, "/inbox")  # local accounts still sign in
