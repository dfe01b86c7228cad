"""The committee vote page: the item under vote, one ballot per member, others' ballots only after voting."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.web.flows import ready, to_committee_vote
from web.state import WebState
from workflows import TaskView

Login = Callable[[str], FlaskClient]


@pytest.fixture
def votes(web: WebState) -> dict[str, TaskView]:
    instance_id = to_committee_vote(web.engine)
    return {t.assignee or "": t for t in ready(web.engine, instance_id, "committee_vote")}


def test_the_inbox_sends_members_to_the_vote_page(login: Login, votes: dict[str, TaskView]) -> None:
    client = login("cm02")
    task = votes["cm02"]
    assert client.get(f"/tasks/{task.id}").headers["Location"].endswith(f"/tasks/{task.id}/vote")
    page = client.get(f"/tasks/{task.id}/vote")
    assert page.status_code == 200
    assert "风电主轴轴承套圈热处理工艺参数" in page.text and "建议定为核心秘密。" in page.text
    assert 'value="approve"' in page.text and 'value="abstain"' in page.text


@pytest.mark.parametrize("user", ["gm01", "cm03", "sec01", "hr01"])
def test_someone_elses_ballot_is_404(login: Login, votes: dict[str, TaskView], user: str) -> None:
    client = login(user)
    assert client.get(f"/tasks/{votes['cm02'].id}/vote").status_code == 404
    assert client.post(f"/tasks/{votes['cm02'].id}/vote", data={"vote": "approve"}).status_code == 404


def test_ballots_are_hidden_until_one_has_voted(login: Login, votes: dict[str, TaskView], web: WebState) -> None:
    instance_id = votes["gm01"].instance_id
    gm = login("gm01")
    assert gm.post(f"/tasks/{votes['gm01'].id}/vote", data={"vote": "approve", "comment": "同意定为核心秘密。"}
                   ).headers["Location"].endswith(f"/committee/instances/{instance_id}/votes")
    cm02 = login("cm02")
    assert cm02.get(f"/committee/instances/{instance_id}/votes").status_code == 404    # not voted yet
    assert "同意定为核心秘密。" not in cm02.get(f"/tasks/{votes['cm02'].id}/vote").text
    assert cm02.post(f"/tasks/{votes['cm02'].id}/vote", data={"vote": "maybe"}).status_code == 422
    assert cm02.post(f"/tasks/{votes['cm02'].id}/vote", data={"vote": "reject"}).status_code == 302
    assert cm02.post(f"/tasks/{votes['cm02'].id}/vote", data={"vote": "approve"}).status_code == 409
    results = cm02.get(f"/committee/instances/{instance_id}/votes")
    assert results.status_code == 200
    assert "同意定为核心秘密。" in results.text and "陈建华" in results.text
    assert 'class="vote vote-reject"' in results.text and 'class="vote vote-approve"' in results.text
    assert login("sec01").get(f"/committee/instances/{instance_id}/votes").status_code == 404
