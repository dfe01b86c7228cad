"""Review before publication (对外发布保密审查; seed 000 art. 5(5), seed 003 §6.1.3): the decision on a paper, an
exhibition, a patent filing or a press release, and its opinion (《对外发布保密审查意见书》, template
``publication_review_opinion``).

The secrecy office decides — approve, approve with the redactions it lists, or refuse with its reasons. When the
material may touch a core secret the committee decides as well (seed 003 §4.2.1: core secrets are the committee's;
§6.1.3: a patent filing must not disclose a core secret): the material goes out only when both agree, so an office's
refusal stands without a vote and a vote that does not pass refuses, giving the members' own comments as reasons.

The opinion carries the level of the most secret item it names (it lists them); general when it names none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from records.levels import LEVEL_NAMES, SecretLevel, highest

__all__ = ["DECISION_NAMES", "KIND_NAMES", "SECTION", "TEMPLATE", "decide", "opinion_data", "opinion_level",
           "opinion_title"]

TEMPLATE = "publication_review_opinion"
SECTION = "seed 000 第五条（五）、seed 003 §6.1.3"
KIND_NAMES = {"paper": "论文发表", "exhibition": "展会展览", "patent": "专利申请", "press": "新闻宣传",
              "other": "其他对外发布"}
DECISION_NAMES = {"approve": "同意发布", "approve_redacted": "删改后同意发布", "refuse": "不同意发布"}


def decide(data: dict[str, Any]) -> dict[str, Any]:
    """The decision from the office's review and, where it voted, the committee's tally."""
    office = str(data["publication_decision"])
    if office not in DECISION_NAMES:
        raise ValueError(f"publication_decision: {office!r} is not one of {sorted(DECISION_NAMES)}")
    needs_committee = bool((data.get("publication") or {}).get("committee")) and office != "refuse"
    tally = data.get("tally") if needs_committee else None
    if needs_committee and not tally:
        raise ValueError("the material may touch a core secret: the committee must vote before it is decided")
    decision, reasons = office, str(data.get("refusal_reasons") or "") if office == "refuse" else ""
    if tally is not None and not tally.get("approved"):
        decision = "refuse"
        comments = "；".join(f"{v['name']}：{v['comment']}" for v in tally.get("voters", []) if v.get("comment"))
        reasons = "保密委员会表决未通过" + (f"（{comments}）" if comments else "") + "。"
    if tally is not None:
        committee = (f"涉及核心秘密，报保密委员会表决：同意 {tally.get('yes', 0)} 票、反对 {tally.get('no', 0)} 票、"
                     f"弃权 {tally.get('abstain', 0)} 票，{'通过' if tally.get('approved') else '未通过'}；"
                     f"表决委员：{data.get('voter_names') or '无'}。")
    elif (data.get("publication") or {}).get("committee"):
        committee = "涉及核心秘密；保密管理部不同意发布，未再报保密委员会表决。"
    else:
        committee = "不涉及核心秘密，由保密管理部审查决定。"
    return {"decision": decision, "decision_name": DECISION_NAMES[decision],
            "redactions": str(data.get("redactions") or "") if decision == "approve_redacted" else "",
            "reasons": reasons, "committee_review": committee, "section": SECTION}


def opinion_level(publication_level: str | None) -> SecretLevel:
    """The opinion names the items the material touches: the highest of their levels, general when none."""
    found = highest([publication_level, SecretLevel.GENERAL])
    assert found is not None
    return found


def opinion_title(number: int) -> str:
    return f"对外发布保密审查意见书（审查 #{number}）"


def opinion_data(data: dict[str, Any], *, names: dict[str, str], today: dt.date) -> dict[str, Any]:
    """The template's fill data from the instance data (``names``: user id → name)."""
    publication, outcome = data["publication"], data["outcome"]
    requester = str(data.get("requester_user"))
    return {
        "review_number": str(publication["number"]), "submitted_on": str(publication["submitted_on"]),
        "requester_name": names.get(requester, requester),
        "requester_department": str(publication.get("department") or "—"),
        "material_title": data["material_title"], "material_kind": KIND_NAMES[str(data["material_kind"])],
        "venue": data["venue"], "planned_date": data["planned_date"], "material_summary": data["material_summary"],
        "material_sha256": str(publication["sha256"]),
        "items": [{"name": i["name"], "level": LEVEL_NAMES.get(i["level"], i["level"])} for i in data.get("items", [])]
        or [{"name": "（申请人未选择）", "level": "—"}],
        "review_opinion": data["review_opinion"], "decision_name": outcome["decision_name"],
        "redactions": outcome["redactions"] or "无", "reasons": outcome["reasons"] or "无",
        "committee_review": outcome["committee_review"], "decision_date": today.isoformat(),
        "secret_level": str(opinion_level(data.get("publication_level"))),
    }
