"""The secret register: who sees it, the filters, an entry's approval record."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from records.db import transaction
from records.models import SecretItem
from web.state import WebState

Login = Callable[[str], FlaskClient]


@pytest.fixture
def items(web: WebState) -> list[int]:
    approval = {"tally": {"approved": True, "yes": 2, "no": 0, "abstain": 1, "quorum_met": True},
                "votes": [{"vote": "approve", "comment": "同意。"}, {"vote": "approve"}, {"vote": "abstain"}],
                "chair_approved": True, "at": "2026-11-21T09:30:00+08:00"}
    with transaction(web.sessions) as session:
        rows = [
            SecretItem(name="风电主轴轴承套圈热处理工艺参数", level="core", department="技术研发部", period="长期",
                       classified_on=dt.date(2026, 11, 21), approver="gm01", approval=approval),
            SecretItem(name="6310 型轴承磨削进给量参数表", level="important", department="技术研发部", period="5年",
                       approval={}),
            SecretItem(name="主要客户名单及报价", level="important", department="销售部", period="3年", approval={}),
        ]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


# (user, entries shown in full, entries withheld): need-to-know by level (records.need_to_know).
SEEN = {
    "gm01": ({0, 1, 2}, set()),          # the general manager reads everything
    "sec01": ({1, 2}, {0}),              # the register's keeper: up to important; core needs the GM per access
    "head01": ({1}, {0, 2}),             # own department's important entry; another department's needs its head
    "liaison01": (set(), {0, 1, 2}),     # important entries need the head's approval
}
NAMES = ("风电主轴轴承套圈热处理工艺参数", "6310 型轴承磨削进给量参数表", "主要客户名单及报价")


@pytest.mark.parametrize("user", sorted(SEEN))
def test_register_roles_see_what_their_level_allows(login: Login, items: list[int], user: str) -> None:
    client = login(user)
    page = client.get("/register")
    assert page.status_code == 200
    shown, withheld = SEEN[user]
    for index, name in enumerate(NAMES):
        assert (name in page.text) == (index in shown), (user, name)
        assert client.get(f"/register/items/{items[index]}").status_code == (200 if index in shown else 404)
    assert page.text.count("/access/new?kind=register_item") == len(withheld)


def test_a_search_never_matches_a_withheld_entry(login: Login, items: list[int]) -> None:
    client = login("sec01")
    assert "风电主轴" not in client.get("/register?q=风电").text
    assert "/access/new" not in client.get("/register?q=风电").text     # not even as a withheld row
    assert "6310" in client.get("/register?q=6310").text


@pytest.mark.parametrize("user", ["hr01", "eng01"])
def test_others_do_not(login: Login, items: list[int], user: str) -> None:
    client = login(user)
    assert client.get("/register").status_code == 403
    assert client.get(f"/register/items/{items[0]}").status_code == 403


def test_filters(login: Login, items: list[int]) -> None:
    client = login("gm01")
    core = client.get("/register?level=core").text
    assert "风电主轴轴承套圈热处理工艺参数" in core and "主要客户名单及报价" not in core
    five = client.get("/register?period=5").text
    assert "6310 型轴承磨削进给量参数表" in five and "风电主轴" not in five
    sales = client.get("/register?department=销售部").text
    assert "主要客户名单及报价" in sales and "6310" not in sales
    percent = client.get("/register?period=%25").text          # "%" is a literal, not a wildcard
    assert not any(name in percent for name in ("风电主轴", "6310", "主要客户"))


def test_item_shows_its_approval_record(login: Login, items: list[int]) -> None:
    client = login("gm01")
    page = client.get(f"/register/items/{items[0]}")
    assert "陈建华" in page.text and "同意。" in page.text
    assert client.get("/register/items/999").status_code == 404


@pytest.mark.parametrize("user", ["eng02", "hr01"])
def test_asking_about_an_id_not_listed_to_you_looks_like_a_missing_one(login: Login, items: list[int],
                                                                       user: str) -> None:
    """Issue 10: /access/new told a general employee that item 1 exists and is core; a missing id differed."""
    client = login(user)
    answers = []
    for target in (items[0], items[1], 999_999):
        page = client.get(f"/access/new?kind=register_item&target={target}")
        posted = client.post("/access/requests", data={"kind": "register_item", "target": str(target),
                                                       "operation": "view", "purpose": "想看看"})
        answers.append((page.status_code, _comparable(page.text, target), posted.status_code,
                        _comparable(posted.text, target)))
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 404 and answers[0][2] == 404
    assert "核心" not in answers[0][1] and "core" not in answers[0][1]


def _comparable(page: str, target: int) -> str:
    # Pages echo their own address (the language switch's return path) and carry a CSRF token with a timestamp.
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page.replace(f"target={target}", "target=N"))


def test_keepers_still_ask_for_what_is_withheld_from_them(login: Login, items: list[int]) -> None:
    client = login("sec01")
    page = client.get(f"/access/new?kind=register_item&target={items[0]}")
    assert page.status_code == 200
