"""Scenario 3 in a real browser: a committee of three votes a core item into the secret register.

liaison01 files the item (the instance started from bpmn/examples/classification.json), the secrecy office does
the cross-review, novelty check, value assessment and proposal, gm01, cm02 and cm03 each vote approve (and then see
the ballots cast so far), the secrecy office records the resolution, the chair approves; the item is in the
register at level core, where the secrecy office opens it once with the general manager's approval; the three
signatures of the approval form complete the process."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Browser, expect

from tests.browser.support import PHONE, Desk, Server, requires_chromium
from workflows import BPMN_DIR

pytestmark = requires_chromium()

ITEM = "风电主轴轴承套圈热处理工艺参数"
MEMBERS = ("gm01", "cm02", "cm03")
FILE = "填报商业秘密识别清单条目"
OFFICE_STEPS: list[tuple[str, dict[str, Any]]] = [
    ("交叉审核（排除已公开信息）", {
        "review_decision": "keep", "cross_review_opinion": "经研发、生产、法务人员交叉审核，不属于已公开信息。",
        "cross_reviewers": "研发部刘振国、生产部李长青、法务部宋佳", "secrecy_office_name": "周明",
        "review_date": "2026-11-21"}),
    ("秘密性验证（委托查新）", {"novelty_check": "委托山东省科学技术情报研究院查新，结论为“不为公众所知悉”。",
                              "novelty_agency": "山东省科学技术情报研究院", "novelty_confirmed": True}),
    ("价值评估", {"include_in_protection": True, "value_assessment": "年节约成本约 680 万元。"}),
    ("提出定密建议（密级、期限、知悉范围）", {
        "recommended_level": "core", "secrecy_period": "长期", "knowers": "技术研发部王志强；热处理车间生产主管",
        "office_opinion": "建议定为核心秘密，保密期限长期，知悉范围限于上列人员。"}),
]
VOTE = "保密委员会委员投票"
RESOLUTION = "记录委员会决议"
CHAIR = "保密委员会主任审批（核心秘密）"
# Each signer's inbox names the document signed (issue 15, item 4), whichever step of theirs it is.
SIGNATURES = [("liaison01", "签署《商业秘密定密审批表》"), ("sec01", "签署《商业秘密定密审批表》"),
              ("gm01", "签署《商业秘密定密审批表》")]


def test_committee_votes_a_core_item_into_the_register(browser: Browser, server: Server) -> None:
    started = server.cli("process", "start", "classification", "--data",
                         str(BPMN_DIR / "examples" / "classification.json"), "--as", "liaison01")
    assert started.returncode == 0, started.stderr
    found = re.search(r"instance (\d+) of classification", started.stdout)
    assert found, started.stdout
    instance_id = int(found.group(1))

    with Desk(browser, server, "liaison01") as liaison:
        liaison.complete_task(instance_id, FILE, {
            "item_name": ITEM, "item_category": "技术信息—制造工艺", "proposed_level": "core",
            "item_summary": "3.0MW 风电主轴轴承套圈淬火、回火工艺的全套参数及其调整规则。",
            "carrier_form": "电子文档、纸质工艺卡", "secrecy_period": "长期", "knowers": "技术研发部王志强",
            "declassification_condition": "技术公开、替代工艺启用或产品退市",
            "protection_measures": "纸质工艺卡存放于双人双锁保密柜；电子文档存储于离线服务器。",
            "self_check_summary": "经部门自查，未在论文、专利、展会资料中公开。", "apply_date": "2026-11-21"})

    with Desk(browser, server, "sec01") as office:
        for title, values in OFFICE_STEPS:
            office.complete_task(instance_id, title, values)

    # Each member votes; afterwards they see the ballots cast so far (their own included).
    for count, member in enumerate(MEMBERS, start=1):
        with Desk(browser, server, member) as desk:
            page = desk.page
            desk.open_task(instance_id, VOTE)
            assert re.search(r"/tasks/[^/]+/vote$", page.url), page.url
            expect(page.locator("main dl.data")).to_contain_text(ITEM)
            if count == 1:
                desk.shot("11-vote-page")
            page.locator("main input[name=vote][value=approve]").check()
            page.locator("main textarea[name=comment]").fill("同意定为核心秘密。")
            desk.submit(page.locator("main form button[type=submit]"),
                        re.compile(rf"/committee/instances/{instance_id}/votes$"))
            ballots = page.locator("main table.list tbody tr")
            expect(ballots).to_have_count(count)
            expect(ballots.locator(".vote-approve")).to_have_count(count)
            if count == len(MEMBERS):
                desk.shot("12-votes-cast")
                with Desk(browser, server, member, PHONE) as phone:
                    phone.page.goto(page.url)
                    expect(phone.page.locator("main table.list tbody tr")).to_have_count(count)
                    phone.shot("12-votes-cast-phone", full_page=True)
    with Desk(browser, server, "gm01") as chair:        # the first voter now sees all three ballots
        chair.page.goto(f"/committee/instances/{instance_id}/votes")
        expect(chair.page.locator("main table.list tbody tr .vote-approve")).to_have_count(len(MEMBERS))

    with Desk(browser, server, "sec01") as office:
        office.complete_task(instance_id, RESOLUTION, {
            "meeting_date": "2026-11-21", "decision_note": "同意保密管理部建议。"})
    with Desk(browser, server, "gm01") as chair:
        chair.complete_task(instance_id, CHAIR, {"chair_approved": True, "chair_note": "同意。"})

    # The item is in the register at level core. Even the secrecy office sees a core entry only with the
    # general manager's approval, one access per approval: it asks, gm01 approves, it opens the entry once.
    with Desk(browser, server, "sec01") as office:
        page = office.page
        page.goto("/register")
        row = page.locator("main table.list tbody tr.withheld").filter(has=page.locator(".level-core"))
        expect(row).to_have_count(1)
        expect(page.locator("main")).not_to_contain_text(ITEM)
        office.shot("13-register-withheld")
        with page.expect_navigation():
            row.get_by_role("link").click()
        page.locator("main textarea[name=purpose]").fill("登记核心秘密载体，核对条目名称与知悉范围。")
        office.submit(page.locator("main form button[type=submit]"), "/access")
        expect(page.locator("main")).to_contain_text("登记核心秘密载体")
    with Desk(browser, server, "gm01") as gm:
        page = gm.page
        page.goto("/access")
        pending = page.locator("main table.list tbody tr").filter(has_text="登记核心秘密载体")
        expect(pending).to_have_count(1)
        gm.shot("13-access-approval")
        gm.submit(pending.locator("button[value=approve]"), "/access")
    with Desk(browser, server, "sec01") as office:
        page = office.page
        page.goto("/register")
        row = page.locator("main table.list tbody tr").filter(has_text=ITEM)
        expect(row).to_have_count(1)
        expect(row.locator(".level-core")).to_have_text(re.compile("核心秘密|core secret"))
        with page.expect_navigation():
            row.get_by_role("link", name=ITEM).click()
        expect(page.locator("main h1")).to_have_text(ITEM)
        expect(page.locator("main dl.data .level-core")).to_have_count(1)
        expect(page.locator("main li .vote-approve")).to_have_count(len(MEMBERS))     # the ballots on record
        office.shot("14-register-item", full_page=True)
        assert page.reload() is not None and page.locator("main h1").inner_text() != ITEM   # used up

    # The approval form is signed by the liaison, the secrecy office and the chair: the process is complete.
    for user, title in SIGNATURES:
        with Desk(browser, server, user) as desk:
            desk.open_task(instance_id, title)
            desk.sign_open_document()
    shown = server.cli("instance", "show", str(instance_id))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["status"] == "completed"
