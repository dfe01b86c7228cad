"""The carrier register in the browser: the list with redacted rows, carrier pages by need-to-know, the forms of
each step (with CSRF), refusals as pages with their message, and the demo register."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from records.carrier_demo import seed_carriers
from records.db import transaction
from records.models import AuditRecord, Carrier, CarrierMovement, Destruction
from web.state import WebState

Login = Callable[[str], FlaskClient]


@pytest.fixture
def ids(web: WebState) -> dict[str, int]:
    """The demo register (seeded as ``mibao serve --demo`` does): serial → carrier id."""
    with transaction(web.sessions) as session:
        assert seed_carriers(session, web.engine.clock.now())
        assert not seed_carriers(session, web.engine.clock.now())   # once only
        return {c.serial: c.id for c in session.scalars(select(Carrier))}


def _destruction(web: WebState, carrier_id: int) -> Destruction:
    with web.sessions() as session:
        found = session.scalars(select(Destruction).where(Destruction.carrier_id == carrier_id)).one()
        session.expunge(found)
        return found


def _denied(web: WebState, action: str, actor: str) -> list[AuditRecord]:
    with web.sessions() as session:
        return list(session.scalars(select(AuditRecord).where(
            AuditRecord.action == action, AuditRecord.actor == actor, AuditRecord.result == "denied")))


def test_the_list_redacts_what_the_rule_withholds(login: Login, ids: dict[str, int]) -> None:
    page = login("sec01").get("/carriers").text
    assert "精密磨削加工工艺参数表" in page and "常规零部件采购价格表" in page
    assert "HX-2026-001" in page and "热处理淬火介质配方" not in page       # core: the serial and level only
    assert f"/access/new?kind=carrier&amp;target={ids['HX-2026-001']}" in page
    assert f'href="/carriers/{ids["HX-2026-001"]}"' in page                 # the keeper opens its record
    everything = login("gm01").get("/carriers").text
    assert "热处理淬火介质配方" in everything and "风电轴承寿命试验原始数据" in everything


def test_the_list_filters(login: Login, ids: dict[str, int]) -> None:
    client = login("sec01")
    page = client.get("/carriers?level=general&status=issued").text
    assert "YB-2026-001" in page and "YB-2026-002" not in page and "ZY-2026-001" not in page
    assert "YB-2026-002" in client.get("/carriers?department=生产部").text
    assert "ZY-2026-001" not in client.get("/carriers?department=生产部").text


def test_a_department_head_sees_their_department(login: Login, ids: dict[str, int]) -> None:
    page = login("head01").get("/carriers").text
    assert "精密磨削加工工艺参数表" in page
    assert "未量产轴承样品" not in page and "YB-2026-002" in page            # 生产部's: withheld
    assert f'href="/carriers/{ids["YB-2026-002"]}"' not in page


def test_carrier_pages_follow_need_to_know(login: Login, web: WebState, ids: dict[str, int]) -> None:
    client = login("eng02")
    assert client.get("/carriers").status_code == 403
    assert client.get(f"/carriers/{ids['YB-2026-002']}").status_code == 404   # another department's
    assert client.get(f"/carriers/{ids['HX-2026-001']}").status_code == 404
    assert client.get("/carriers/99999").status_code == 404
    assert [r.target_id for r in _denied(web, "view", "eng02")] == [str(ids["YB-2026-002"]), str(ids["HX-2026-001"])]
    page = client.get(f"/carriers/{ids['YB-2026-001']}")                      # own department, general
    assert page.status_code == 200 and "常规零部件采购价格表" in page.text and "装配线调试参考" in page.text


def test_the_keeper_gets_a_core_carriers_record_without_its_secrets(login: Login, ids: dict[str, int]) -> None:
    page = login("sec01").get(f"/carriers/{ids['HX-2026-002']}").text
    assert "HX-2026-002" in page and "风电轴承寿命试验原始数据" not in page
    assert "试验数据已归档" not in page                                       # the reason is withheld too
    assert "孙丽" in page and "/witness" in page and "/perform" in page       # liaison01 witnessed; sec01 acts
    full = login("gm01").get(f"/carriers/{ids['HX-2026-002']}").text
    assert "风电轴承寿命试验原始数据" in full and "试验数据已归档" in full


def test_registration_form(login: Login, ids: dict[str, int]) -> None:
    client = login("liaison01")
    assert client.get("/carriers/new").status_code == 200
    response = client.post("/carriers/new", data={"serial": "JS-2026-100", "name": "装配图", "level": "general",
                                                  "form": "paper", "copies": "2"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "装配图" in page and "技术研发部" in page
    again = client.post("/carriers/new", data={"serial": "JS-2026-100", "name": "装配图", "level": "general",
                                               "form": "paper", "copies": "1"})
    assert again.status_code == 409 and "JS-2026-100 is already in the register" in again.text
    bad = client.post("/carriers/new", data={"serial": "JS-2026-101", "name": "装配图", "level": "general",
                                             "form": "paper", "copies": "many"})
    assert bad.status_code == 400 and "copies must be a whole number" in bad.text
    assert login("eng01").post("/carriers/new", data={"serial": "JS-2026-102", "name": "x", "level": "general",
                                                       "form": "paper", "copies": "1"}).status_code == 403


def test_issue_confirm_and_return(login: Login, web: WebState, ids: dict[str, int]) -> None:
    office = login("sec01")
    refused = office.post(f"/carriers/{ids['HX-2026-001']}/issue", data={"to_user": "eng01", "purpose": "试验"})
    assert refused.status_code == 403 and "general manager" in refused.text
    assert office.post(f"/carriers/{ids['YB-2026-001']}/issue",
                       data={"to_user": "eng02", "purpose": "调试"}).status_code == 409   # not in the store
    mine = login("eng01").get("/carriers/mine").text
    assert "YB-2026-001" in mine and "ZY-2026-001" in mine
    [line] = re.findall(r'action="/carriers/movements/(\d+)/confirm"', mine)
    client = login("eng01")
    assert client.post(f"/carriers/movements/{line}/confirm").status_code == 302
    second = client.post(f"/carriers/movements/{line}/confirm")
    assert second.status_code == 409 and "you already confirmed" in second.text
    assert login("eng02").post(f"/carriers/movements/{line}/confirm").status_code == 403
    office = login("sec01")
    assert office.post(f"/carriers/{ids['YB-2026-001']}/return", data={"note": "完好"}).status_code == 302
    with web.sessions() as session:
        kinds = session.scalars(select(CarrierMovement.kind).where(CarrierMovement.carrier_id == ids["YB-2026-001"])
                                .order_by(CarrierMovement.id)).all()
    assert kinds == ["register", "issue", "return"]


def test_core_destruction_through_the_forms(login: Login, web: WebState, ids: dict[str, int]) -> None:
    destruction = _destruction(web, ids["HX-2026-002"])
    refused = login("sec01").post(f"/carriers/destructions/{destruction.id}/perform")
    assert refused.status_code == 400 and "1 confirmed so far" in refused.text
    assert login("sec02").post(f"/carriers/destructions/{destruction.id}/witness").status_code == 302
    performer_witness = login("sec02").post(f"/carriers/destructions/{destruction.id}/perform")
    assert performer_witness.status_code == 403 and "cannot also destroy it" in performer_witness.text
    done = login("sec01").post(f"/carriers/destructions/{destruction.id}/perform", data={"notes": "硬盘粉碎"})
    assert done.status_code == 302
    page = login("sec01").get(done.headers["Location"]).text
    assert "冯敏" in page and "孙丽" in page and "/perform" not in page
    assert [r.actor for r in _denied(web, "destroy", "sec01")] == ["sec01"]
    assert _destruction(web, ids["HX-2026-002"]).status == "done"


def test_request_and_approve_a_destruction(login: Login, ids: dict[str, int], web: WebState) -> None:
    carrier = ids["ZY-2026-001"]
    assert login("sec01").post(f"/carriers/{carrier}/return").status_code == 302
    liaison = login("liaison01")
    wrong = liaison.post(f"/carriers/{carrier}/destruction", data={"method": "wipe", "reason": "作废"})
    assert wrong.status_code == 400 and "destroyed by shred or incinerate" in wrong.text
    assert liaison.post(f"/carriers/{carrier}/destruction",
                        data={"method": "shred", "reason": "工艺更新，旧版作废"}).status_code == 302
    destruction = _destruction(web, carrier)
    assert login("liaison01").post(f"/carriers/destructions/{destruction.id}/approve").status_code == 403
    assert login("sec01").post(f"/carriers/destructions/{destruction.id}/approve").status_code == 302
    assert login("sec02").post(f"/carriers/destructions/{destruction.id}/approve").status_code == 409


def test_forms_need_the_csrf_token(app: Flask, login: Login, ids: dict[str, int]) -> None:
    client = login("eng01")
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/carriers/mine").text
    line = re.search(r'action="/carriers/movements/(\d+)/confirm"', page)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert line is not None and token is not None
    assert client.post(f"/carriers/movements/{line.group(1)}/confirm").status_code == 400
    confirmed = client.post(f"/carriers/movements/{line.group(1)}/confirm", data={"csrf_token": token.group(1)})
    assert confirmed.status_code == 302
