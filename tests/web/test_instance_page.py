"""The process instance page (issue 15, item 3): the diagram's lanes and steps named in the page's language (lanes
by the role's name, not its id), the steps waiting for a background job marked and listed, and the history
crediting automatic steps (the company's seal…) to the system, not to the person whose step set them off."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cli.scenario import example
from tests.web.flows import do, to_first_signature
from web.content_i18n import tr
from web.diagram import diagram_state
from web.state import WebState
from workflows.jobs import ParkedJobs

Login = Callable[[str], FlaskClient]
CJK = re.compile(r"[\u4e00-\u9fff]")
LANE = "{http://www.omg.org/spec/BPMN/20100524/MODEL}lane"
ENGINE = {"system", "timer", "worker"}


def _english(client: FlaskClient) -> FlaskClient:
    client.post("/lang/en", data={"next": "/inbox"})
    return client


def _names(diagram: dict[str, Any]) -> dict[str, str]:
    """Each named element's shown name, by id: the process, lanes, steps, gateways, events and branches."""
    root = ElementTree.fromstring(diagram["xml"])
    return {str(e.get("id")): str(e.get("name")) for e in root.iter() if e.get("id") and e.get("name")}


def _lanes(diagram: dict[str, Any]) -> list[str]:
    return [str(e.get("name")) for e in ElementTree.fromstring(diagram["xml"]).iter(LANE)]


def _waiting_for_the_first_agreement(web: WebState) -> int:
    """Onboarding of eng01 with HR's background check done: the first agreement is being prepared (a job no
    worker has taken yet)."""
    web.engine.jobs = ParkedJobs()
    view = web.engine.start("onboarding", example("onboarding"), actor="hr01")
    do(web.engine, view.id, "background_check", {"check_date": "2026-11-21", "background_passed": True,
                                                 "check_summary": "已核实。"})
    return view.id


def test_the_diagram_speaks_chinese_on_a_chinese_page(login: Login, web: WebState) -> None:
    view = web.engine.start("onboarding", example("onboarding"), actor="hr01")
    diagram = login("hr01").get(f"/hr/instances/{view.id}/diagram.json").get_json()
    names = _names(diagram)
    assert names["background_check"] == "知识产权背景调查" and names["start"] == "人力资源部发起入职"
    assert _lanes(diagram) == ["人力资源部", "员工", "保密管理部"]        # hr, employee, secrecy_office in words
    assert diagram["active"] == ["background_check"] and diagram["focus"] == "background_check"
    assert 'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"' in diagram["xml"]   # the rest as it was


def test_the_diagram_speaks_english_on_an_english_page(app: Flask, login: Login, web: WebState) -> None:
    view = web.engine.start("onboarding", example("onboarding"), actor="hr01")
    diagram = _english(login("hr01")).get(f"/hr/instances/{view.id}/diagram.json").get_json()
    names = _names(diagram)
    with app.test_request_context():
        from flask import session
        session["lang"] = "en"
        expected = tr("知识产权背景调查")
    assert names["background_check"] == expected and not CJK.search(expected)
    assert _lanes(diagram) == ["HR", "Employee", "Secrecy office"]
    assert [name for name in names.values() if CJK.search(name)] == []      # every lane, step, gateway, event
    assert diagram["active"] == ["background_check"]
    # An outside label is as wide as its English needs (bpmn-js wraps at its width), about the same centre.
    label = re.search(r'bpmnElement="gw_background".*?<bpmndi:BPMNLabel>\s*<dc:Bounds x="([\d.]+)" y="95" '
                      r'width="([\d.]+)"', diagram["xml"], re.S)
    assert label is not None and float(label.group(2)) > 88
    assert float(label.group(1)) + float(label.group(2)) / 2 == 551 + 88 / 2


@pytest.mark.parametrize("process_id", ["offboarding", "annual_pledge", "permission_review"])
def test_every_personnel_process_has_its_english_names(login: Login, web: WebState, process_id: str) -> None:
    starter = "sec01" if process_id == "permission_review" else "hr01"
    data = example(process_id, non_compete_applies=False) if process_id == "offboarding" else example(process_id)
    view = web.engine.start(process_id, data, actor=starter)
    web.engine.jobs = ParkedJobs()
    diagram = _english(login("hr01")).get(f"/hr/instances/{view.id}/diagram.json").get_json()
    assert [name for name in _names(diagram).values() if CJK.search(name)] == []
    assert all(lane and "_" not in lane and lane[0].isupper() for lane in _lanes(diagram)), _lanes(diagram)


def test_a_step_waiting_for_a_job_is_marked_and_listed(login: Login, web: WebState) -> None:
    instance_id = _waiting_for_the_first_agreement(web)
    client = login("hr01")
    diagram = client.get(f"/hr/instances/{instance_id}/diagram.json").get_json()
    assert diagram["waiting"] == ["prepare_legacy"] and diagram["focus"] == "prepare_legacy"
    assert diagram["active"] == [] and "prepare_legacy" not in diagram["completed"]
    assert "background_check" in diagram["completed"]
    page = client.get(f"/hr/instances/{instance_id}").text
    listed = re.search(r'<ul class="waiting-jobs">(.*?)</ul>', page, re.S)
    assert listed is not None and "正在生成协议…" in listed.group(1)
    assert 'class="key waiting"' in page and '<meta http-equiv="refresh"' in page    # follows it, as the inbox
    english = _english(client).get(f"/hr/instances/{instance_id}").text
    assert "Preparing the agreement…" in english
    # A job that gave up marks its step as failed, not as waiting.
    view = web.engine.show(instance_id)
    gave_up = replace(view, jobs=[{**j, "status": "failed"} for j in view.jobs])
    xml = web.engine.process("onboarding").path.read_text(encoding="utf-8")
    stopped = diagram_state(xml, gave_up)
    assert (stopped["waiting"], stopped["failed"], stopped["focus"]) == ([], ["prepare_legacy"], "prepare_legacy")


def test_automatic_steps_are_credited_to_the_system(login: Login, web: WebState) -> None:
    """HR's background check sets off the agreement's preparation: that is the system's, not HR's doing."""
    instance_id = _waiting_for_the_first_agreement(web)
    history = web.engine.show(instance_id).history
    automatic = [h for h in history if h["action"] in ("ran", "waiting")]
    assert automatic and {h["actor"] for h in automatic} <= ENGINE
    waiting = next(h for h in automatic if h["action"] == "waiting")
    assert (waiting["actor"], waiting["detail"]["after"]) == ("system", "hr01")      # the trail stays
    assert [h["actor"] for h in history if h["action"] == "completed"] == ["hr01"]
    client = login("hr01")
    entries = _history(client.get(f"/hr/instances/{instance_id}").text)
    assert ("hr01", "已完成") in entries and ("hr01", "等待后台处理") not in entries, entries
    assert ("System", "waiting for a worker") in _history(_english(client).get(f"/hr/instances/{instance_id}").text)


def _history(page: str) -> list[tuple[str, str]]:
    """The history list's (who, what) pairs."""
    return [(who.strip(), what.strip()) for who, what in
            re.findall(r'<li><span class="meta">[^<]*</span>\s*([^·<]+?) · ([^<:]+)', page)]


@pytest.mark.slow
def test_the_company_seal_is_credited_to_the_system(login: Login, web: WebState) -> None:
    task = to_first_signature(web.engine)
    history = web.engine.show(task.instance_id).history
    seals = [h for h in history if h["action"] == "ran" and h["title"] and "公司盖章" in h["title"]]
    assert seals and {h["actor"] for h in seals} <= ENGINE, seals
    english = _history(_english(login("hr01")).get(f"/hr/instances/{task.instance_id}").text)
    assert ("System", "automatic step") in english and ("hr01", "automatic step") not in english, english
