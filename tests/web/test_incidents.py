"""Leak incidents from the web (seed 003 §8.2, §8.1.3): anyone on the staff reports one from "Start", picking the
secrets involved by name among the register entries they may see; the ledger lists every incident for the secrecy
office, the committee and the general manager, and an incident that touches a core secret shows its content only
to those cleared for it (the general manager, the people who had a step in it)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from records.models import AuditRecord, ProcessInstance
from tests.web.support import CORE_ITEM, GENERAL_ITEM, add_register_items
from web.state import WebState

Login = Callable[[str], FlaskClient]
GENERAL, CORE = GENERAL_ITEM, CORE_ITEM
REPORT = {"incident_summary": "旧版设计图经个人邮箱外发。", "occurred_on": "2026-11-19", "location": "外部邮箱"}
CORE_SUMMARY = "热处理工艺参数表在展会上被拍照。"




def test_anyone_reports_picking_the_items_they_may_see(login: Login, web: WebState) -> None:
    items = add_register_items(web)
    client = login("eng01")
    assert 'href="/start/leak_incident"' in client.get("/start").text
    form = client.get("/start/leak_incident").text
    assert GENERAL in form and CORE not in form                       # only entries they may see, by name
    assert re.search(rf'<option value="{items[GENERAL]}"\s*>{re.escape(GENERAL)}', form)
    started = client.post("/start/leak_incident", data={**REPORT, "item_ids": [str(items[GENERAL])]})
    assert started.status_code == 302, started.text
    with web.sessions() as session:
        row = session.scalars(select(ProcessInstance).where(ProcessInstance.process_id == "leak_incident")).one()
        assert row.started_by == "eng01"
    view = web.engine.show(row.id)
    assert view.data["items"] == [{"id": items[GENERAL], "name": GENERAL, "level": "general",
                                   "department": "技术研发部"}]
    assert view.data["reporter_user"] == "eng01"
    refused = client.post("/start/leak_incident", data={**REPORT, "committee_members": "eng01",
                                                        "item_ids": ["x"]})
    assert refused.status_code == 422


def test_the_ledger_follows_need_to_know(login: Login, web: WebState) -> None:
    items = add_register_items(web)
    web.engine.start("leak_incident", {**REPORT, "item_ids": [items[GENERAL]]}, actor="eng02")
    core = web.engine.start("leak_incident", {**REPORT, "incident_summary": CORE_SUMMARY,
                                              "item_ids": [items[CORE]]}, actor="eng01")
    office = login("sec01").get("/incidents")
    assert office.status_code == 200
    assert REPORT["incident_summary"] in office.text and GENERAL in office.text
    assert CORE_SUMMARY not in office.text and CORE not in office.text   # withheld: a core secret
    assert office.text.count('class="withheld"') == 1
    manager = login("gm01").get("/incidents").text
    assert CORE_SUMMARY in manager and CORE in manager
    assert login("eng02").get("/incidents").status_code == 403
    triage = next(t for t in web.engine.tasks() if t.instance_id == core.id)
    web.engine.complete(triage.id, actor="sec01", data={"real_leak": True, "triage_note": "确有拍照。"})
    assert CORE_SUMMARY in login("sec01").get("/incidents").text        # a step in it: now one of its parties
    assert CORE_SUMMARY not in login("sec02").get("/incidents").text


def test_the_committee_member_sees_what_they_vote_on(login: Login, web: WebState) -> None:
    items = add_register_items(web)
    engine = web.engine
    view = engine.start("leak_incident", {**REPORT, "incident_summary": CORE_SUMMARY, "item_ids": [items[CORE]]},
                        actor="eng01")

    def do(name: str, actor: str, data: dict[str, object]) -> None:
        task = next(t for t in engine.tasks() if t.instance_id == view.id and t.name == name)
        engine.complete(task.id, actor=actor, data=data)

    do("triage_incident", "sec01", {"real_leak": True, "triage_note": "确有拍照。"})
    do("assess_loss", "sec01", {"leak_scope": "工艺参数表一页。", "leak_cause": "展会管理疏漏。", "estimated_loss": 0,
                                "competitiveness_harmed": False})
    do("plan_containment", "sec01", {"action": "要求对方删除照片", "owner_user": "head01", "due_date": "2026-11-30",
                                     "more_actions": False})
    do("carry_out_containment", "head01", {"containment_result": "已删除。"})
    digest = hashlib.sha256(b"%PDF-1.4 photo\n").hexdigest()
    (web.instance.root / "uploads").mkdir(parents=True, exist_ok=True)
    (web.instance.root / "uploads" / f"{digest}.pdf").write_bytes(b"%PDF-1.4 photo\n")
    do("preserve_evidence", "sec01", {"evidence_file": f"upload:{digest}.pdf", "evidence_description": "现场照片",
                                      "more_evidence": False})
    vote = next(t for t in engine.tasks(user="gm01") if t.instance_id == view.id and t.name == "committee_vote")
    page = login("gm01").get(f"/tasks/{vote.id}/vote").text
    for expected in (CORE_SUMMARY, CORE, "重大泄密", "泄露核心秘密", "要求对方删除照片", digest[:16]):
        assert expected in page, expected


def test_naming_an_entry_one_may_not_see_is_refused_like_one_not_there(login: Login, web: WebState) -> None:
    """The form offers only the entries one may see; a hand-made post naming another (or one that does not exist)
    is refused the same way before anything starts — the process would copy its name — and the decision is in
    the audit log."""
    items = add_register_items(web)
    client = login("eng02")                                  # important personnel: not cleared for a core entry
    answers = [client.post("/start/leak_incident", data={**REPORT, "item_ids": [str(item)]})
               for item in (items[CORE], 999_999)]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].text.count("not one you may name") == 1
    assert CORE not in answers[0].text
    assert answers[0].text.replace(f"entry {items[CORE]} ", "entry N ") == answers[1].text.replace(
        "entry 999999 ", "entry N ")
    with web.sessions() as session:
        assert session.scalars(select(ProcessInstance).where(
            ProcessInstance.process_id == "leak_incident")).first() is None
        logged = session.scalars(select(AuditRecord).where(AuditRecord.target_type == "register_item",
                                                           AuditRecord.target_id == str(items[CORE]))).all()
        assert [(r.actor, r.result, r.detail.get("starting")) for r in logged] == [("eng02", "denied",
                                                                                   "leak_incident")]
