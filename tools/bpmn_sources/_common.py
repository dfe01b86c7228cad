"""Pieces shared by the committee processes (classification, level change, declassification)."""

from __future__ import annotations

from tools.bpmn_layout import Process


def committee_vote(p: Process, lane: str = "committee", row: int = 0, level: str | None = None
                   ) -> tuple[str, str]:
    """``convene_committee`` (members, chair, quorum and majority read from the organisation at that moment)
    → a parallel multi-instance vote over ``committee_members`` (each instance assigned to its ``member``; each
    ``ballot`` — {"vote", "comment"} — collected into ``votes``) → ``tally_votes`` → ``tally``. ``level``: the
    expression naming the level voted on. Returns (first node, tally task).

    The convening empties ``votes`` each time, so a process may vote again (SpiffWorkflow 3.2 refuses to start a
    multi-instance whose output list already holds items)."""
    convene = p.service("convene", "召集保密委员会（委员与表决规则取自组织架构）", lane,
                        "convene_committee", result="committee", row=row)
    vote = p.user("committee_vote", "保密委员会委员投票", lane, form="committee_vote", assignee="member",
                  loop={"input": "committee_members", "item": "member", "output": "votes", "output_item": "ballot"},
                  row=row, doc="每位委员一个任务（assignee = member），表决票 ballot 汇总到 votes。")
    tally = p.service("count_votes", "计票（法定人数、多数）", lane, "tally_votes",
                      {"level": level} if level else None, result="tally", row=row)
    p.chain(convene, vote, tally)
    return convene, tally


def chair_approval(p: Process, row: int = 0) -> str:
    """The committee chair's (general manager's) own approval, required for core secrets (§4.2.1)."""
    return p.user("chair_approval", "保密委员会主任审批（核心秘密）", "committee", form="chair_approval",
                  decider="committee_chair", row=row)
