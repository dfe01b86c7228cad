"""The web app over a throwaway instance folder, the demo people with passwords, and signing in as one of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from records.db import transaction
from records.demo_org import ensure_demo
from records.instance import Instance
from records.models import User
from records.people import DEMO_PEOPLE
from tests.web.support import fast_services, probe, sealed_pdf, shared_pki  # noqa: F401 - fixtures
from web import create_app
from web.demo import DEMO_PASSWORD
from web.passwords import hash_password
from web.state import WebState
from workflows import FixedClock

START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def demo_app(tmp_path: Path, clock: FixedClock, extra: dict[str, Any] | None = None) -> Iterator[Flask]:
    """The app over ``tmp_path`` with the demo organisation and passwords (``extra``: more settings)."""
    app = create_app({"MIBAO_INSTANCE": Instance.from_env(tmp_path), "WARM_CONVERTERS": 0,
                      "WTF_CSRF_ENABLED": False, "TESTING": True, "MIBAO_RATE_LIMITS": False, **(extra or {})},
                     clock=clock)
    web: WebState = app.extensions["mibao"]
    password = hash_password(DEMO_PASSWORD)
    with transaction(web.sessions) as session:
        ensure_demo(session)
        for person in DEMO_PEOPLE:
            user = session.get(User, person.id)
            assert user is not None
            user.password_hash = password
    yield app
    web.close()


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock) -> Iterator[Flask]:
    yield from demo_app(tmp_path, clock)


@pytest.fixture
def web(app: Flask) -> WebState:
    state: WebState = app.extensions["mibao"]
    return state


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login(client: FlaskClient) -> Callable[[str], FlaskClient]:
    """Sign the test client in as ``user_id`` (through the real login form)."""

    def sign_in(user_id: str) -> FlaskClient:
        client.post("/logout")
        response = client.post("/login", data={"username": user_id, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.text
        return client

    return sign_in
