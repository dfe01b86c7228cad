"""Every route of the app, walked from the URL map: nobody gets in without the right credentials.

New routes are covered automatically; a route that should be public must be named in PUBLIC with a reason.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing.converters import NumberConverter

# endpoint → why anyone may open it
PUBLIC = {
    "static": "style sheets and scripts",
    "auth.login": "the sign-in page",
    "auth.logout": "signing out is harmless",
    "auth.language": "the language switch",
    "verify.index": "anyone may check a PDF",
    "verify.check": "anyone may check a PDF",
    "verify.report": "the report of such a check, from the signed ticket its result page carries",
    "inbox.home": "redirects to the inbox, which asks for a login",
    "api.openapi": "the API description itself",
    "auth.code": "the second step of a sign-in whose password was right (else back to the login)",
    "auth.enrol": "setting up the second step during such a sign-in (else back to the login)",
    "auth.key_options": "the security key's challenge for such a sign-in (else 401)",
    "auth.key_verify": "the security key's answer in such a sign-in (else back to the login)",
    "auth.forgot": "asking for a reset link says nothing about who exists",
    "auth.set_password": "opened by a one-time link, which is its own key",
}
DUMMY = {"task_id": "00000000-0000-0000-0000-000000000000", "document_id": "MB-20260101-00000000",
         "token": "forged-token", "n": 1, "id": 99999, "instance_id": 99999, "user_id": "nobody",
         "item_id": 99999, "process_id": "onboarding", "code": "en", "message_id": 99999, "filename": "x",
         "template_id": "nda"}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        converters = rule._converters  # which arguments are numbers (werkzeug keeps them private)
        values = {arg: DUMMY.get(arg, 99999 if isinstance(converters[arg], NumberConverter) else "x")
                  for arg in rule.arguments}
        path = rule.build(values, append_unknown=False)
        assert path is not None
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path[1]))
    return found


def test_no_route_is_open_by_accident(app: Flask, client: FlaskClient) -> None:
    routes = _routes(app)
    assert len(routes) > 30
    for endpoint, method, path in routes:
        response = client.open(path, method=method)
        if path.startswith("/api/"):
            assert response.status_code == 401, (endpoint, method, path, response.status_code)
        elif path.startswith("/x/"):
            assert response.status_code in (403, 404), (endpoint, method, path, response.status_code)
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], \
                (endpoint, method, path, response.status_code)


@pytest.mark.parametrize("user", ["eng02"])
def test_staff_without_roles_reach_nothing_else(app: Flask, login: Callable[[str], FlaskClient], user: str) -> None:
    """An employee without a role may see their inbox, their access requests, the carriers issued to them and
    their own account, and nothing that takes an id."""
    client = login(user)
    for endpoint, method, path in _routes(app):
        if endpoint in {"inbox.index", "access.index", "carriers.mine", "account.index", "account.end_others",
                        "account.create_token", "account.two_factor_setup", "account.new_recovery_codes",
                        "account.two_factor_off", "account.key_options", "account.add_key",
                        "sign.mine", "start.index"} or path.startswith(("/api/", "/x/")):
            continue
        response = client.open(path, method=method)
        assert response.status_code in (400, 403, 404, 405), (endpoint, method, path, response.status_code)
