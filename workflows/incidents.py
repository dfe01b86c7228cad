"""Leak incidents (泄密事件, seed 003 §8.2): how an incident is graded, and its report (《泄密事件调查报告》,
template ``leak_incident_report``).

Grading (§8.2.1) is the system's, from what the secrecy office entered — never typed as a grade:

* by the estimated loss: 500,000 yuan or more — serious (重大泄密, "50 万元以上"); 100,000 yuan or more — major
  (较大泄密, "10–50 万元"); less — general (一般泄密). "以上" includes the amount itself (Civil Code art. 1259),
  so exactly 100,000 is major and exactly 500,000 is serious;
* by the secret leaked: a core item makes it serious, an important item major (§8.2.1 names the level of each grade);
* a serious harm to the company's competitiveness makes it serious.

The highest of these is the grade; the rule that decided it is kept beside it. Major and serious incidents go to the
secrecy committee (§8.2.2: 较大泄密上报保密委员会; 重大泄密由保密委员会启动应急预案).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from records.levels import LEVEL_NAMES, SecretLevel, highest
from workflows.clock import SHANGHAI

__all__ = ["GRADE_NAMES", "MAJOR_LOSS", "SECTION", "SERIOUS_LOSS", "TEMPLATE", "Grading", "grade", "report_data",
           "report_level", "report_title"]

TEMPLATE = "leak_incident_report"
SECTION = "seed 003 §8.2.1"
MAJOR_LOSS = Decimal(100_000)
SERIOUS_LOSS = Decimal(500_000)
GRADES = ("general", "major", "serious")
GRADE_NAMES = {"general": "一般泄密", "major": "较大泄密", "serious": "重大泄密"}
RESPONSES = {   # §8.2.2
    "general": "由保密管理部牵头调查，制定整改措施，追究相关人员责任（如警告、罚款）。",
    "major": "保密管理部上报保密委员会，组织专项调查，采取数据补救、系统加固等措施，追究相关人员责任"
             "（如降职、解除劳动合同），必要时寻求律师帮助。",
    "serious": "保密委员会立即启动应急预案，成立应急小组：证据固定（必要时申请公证）；止损措施（停止相关技术使用、"
               "通知客户与合作方加强保密、向市场监管局或公安局报案）；维权准备（委托律师制定维权方案）。",
}


@dataclass(frozen=True)
class Grading:
    grade: str
    grade_name: str
    rule: str
    section: str
    loss: str
    committee: bool
    response: str

    def to_data(self) -> dict[str, Any]:
        return asdict(self)


def _wan(amount: Decimal) -> str:
    return f"{amount / 10_000:.2f} 万元"


def grade(loss: Decimal | float | int | str, levels: list[str], competitiveness_harmed: bool) -> Grading:
    """The grade of an incident with ``loss`` yuan estimated, items of ``levels`` leaked (§8.2.1)."""
    amount = Decimal(str(loss))
    if amount < 0:
        raise ValueError(f"the estimated loss cannot be negative: {loss}")
    if amount >= SERIOUS_LOSS:
        by_loss, why = "serious", f"估计损失 {_wan(amount)}，达到 50 万元（含本数）以上：重大泄密"
    elif amount >= MAJOR_LOSS:
        by_loss, why = "major", f"估计损失 {_wan(amount)}，在 10 万元（含）至 50 万元之间：较大泄密"
    elif amount > 0:
        by_loss, why = "general", f"估计损失 {_wan(amount)}，不足 10 万元：一般泄密"
    else:
        by_loss, why = "general", "未造成经济损失：一般泄密"
    reasons = [(by_loss, why)]
    top = highest(levels)
    if top == SecretLevel.CORE:
        reasons.append(("serious", "泄露核心秘密：重大泄密"))
    elif top == SecretLevel.IMPORTANT:
        reasons.append(("major", "泄露重要秘密：较大泄密"))
    if competitiveness_harmed:
        reasons.append(("serious", "严重影响企业竞争力：重大泄密"))
    decided = max(GRADES.index(g) for g, _ in reasons)
    name = GRADES[decided]
    rule = "；".join(text for g, text in reasons if g == name)
    others = [text for g, text in reasons if g != name]
    if others:
        rule += f"（另：{'；'.join(others)}）"
    return Grading(grade=name, grade_name=GRADE_NAMES[name], rule=f"{rule}（{SECTION}，取最高一级）",
                   section=SECTION, loss=f"{amount:.2f}", committee=name != "general", response=RESPONSES[name])


def report_level(incident_level: str | None) -> SecretLevel:
    """The report names people, items and measures: at least important, core when a core item leaked."""
    found = highest([incident_level, SecretLevel.IMPORTANT])
    assert found is not None
    return found


def report_title(number: int) -> str:
    return f"泄密事件调查报告（事件 #{number}）"


def report_data(data: dict[str, Any], *, names: dict[str, str], today: dt.date) -> dict[str, Any]:
    """The template's fill data from the instance data (``names``: user id → name)."""
    grading, incident = data["grading"], data["incident"]
    actions = list(data.get("containment_actions") or [])
    results = list(data.get("containment_results") or [])
    tally = data.get("tally") or {}
    committee = (f"保密委员会审议：同意 {tally.get('yes', 0)} 票、反对 {tally.get('no', 0)} 票、"
                 f"弃权 {tally.get('abstain', 0)} 票；表决委员：{data.get('voter_names') or '无'}。"
                 if grading.get("committee") and tally else "一般泄密，由保密管理部处置，未上报保密委员会（§8.2.2）。")
    return {
        "incident_number": str(incident["number"]), "reported_on": str(incident["reported_on"]),
        "reporter_name": names.get(str(data.get("reporter_user")), str(data.get("reporter_user"))),
        "occurred_on": data["occurred_on"], "location": data["location"],
        "incident_summary": data["incident_summary"],
        "items": [{"name": i["name"], "level": LEVEL_NAMES.get(i["level"], i["level"])} for i in data.get("items", [])]
        or [{"name": "（报告时未能确定）", "level": "—"}],
        "triage_note": data["triage_note"], "scope": data["leak_scope"], "cause": data["leak_cause"],
        "estimated_loss": f"{Decimal(grading['loss']):,.2f} 元", "grade_name": grading["grade_name"],
        "grade_rule": grading["rule"], "response": grading["response"],
        "containment": [{"action": a["action"], "owner": f"{a['owner_name']}（{a['owner_user']}）", "due": a["due"],
                         "result": str(results[i]) if i < len(results) else "（未报告）"}
                        for i, a in enumerate(actions)],
        "evidence": [{"description": e["description"], "sha256": e["sha256"], "received": e["custody"]}
                     for e in data.get("evidence", [])] or [{"description": "无", "sha256": "—", "received": "—"}],
        "committee_review": committee,
        "discipline": data["discipline"],
        "legal": data["legal_plan"] if data.get("legal_action") else "不追究法律责任",
        "partners": data["partners_notified"] if data.get("notify_partners") else "未通知合作方",
        "remediation": data["remediation"], "report_date": today.isoformat(),
        "secret_level": str(report_level(data.get("incident_level"))),
    }


def due_at(day: dt.date) -> str:
    """The end of a deadline day, China time."""
    return dt.datetime.combine(day, dt.time(23, 59), SHANGHAI).isoformat()
