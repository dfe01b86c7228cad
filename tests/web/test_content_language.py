"""The processes' own words follow the page's language (issue 14, item 7): process, task and form titles and hints,
written in Chinese in the .bpmn files and the forms, are shown in English on the English pages (the "content"
catalogue, web/content_i18n.py), agreement titles from their manifests; the Chinese pages show them as written."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from tests.web.flows import to_first_signature
from web.content_i18n import tr
from web.state import WebState

CJK = re.compile(r"[\u4e00-\u9fff]")
Login = Callable[[str], FlaskClient]


def _english(client: FlaskClient) -> FlaskClient:
    client.post("/lang/en", data={"next": "/inbox"})
    return client


def test_the_words_follow_the_language(app: Flask) -> None:
    with app.test_request_context():
        from flask import session
        session["lang"] = "en"
        name = tr("入职保密流程")
        assert name != "入职保密流程" and not CJK.search(name)
        assert tr("员工保密协议") == "Employee Non-Disclosure Agreement"          # from the template's manifest
        assert tr("一个不在目录里的标题") == "一个不在目录里的标题"                # shown as written
        assert tr("") == "" and tr(None) is None
    with app.test_request_context():
        assert tr("入职保密流程") == "入职保密流程"                                 # Chinese: as written


def test_the_english_start_form_is_english(login: Login) -> None:
    client = _english(login("hr01"))
    page = client.get("/hr/start/onboarding").text
    labels = [text.strip() for text in re.findall(r"<label>([^<*]+)", page)]
    assert len(labels) > 20
    assert [label for label in labels if CJK.search(label)] == []
    title = re.search(r"<h1>([^<]+)</h1>", page)
    assert title is not None and not CJK.search(title.group(1))


def test_the_inbox_names_the_task_in_the_readers_language(app: Flask, web: WebState, login: Login) -> None:
    """A signature is named by its document (issue 15, item 4), in the reader's language."""
    task = to_first_signature(web.engine)
    client = login(str(task.assignee))
    assert "签署《不侵犯原单位商业秘密承诺书》" in client.get("/inbox").text
    english = _english(client).get("/inbox").text
    assert "不侵犯" not in english
    assert str(escape("Sign “Pledge Not to Use a Former Employer's Trade Secrets”")) in english


def tr_en(app: Flask, text: str) -> str:
    with app.test_request_context():
        from flask import session
        session["lang"] = "en"
        return str(tr(text))
