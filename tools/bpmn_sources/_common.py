"""Pieces shared by the committee processes (classification, level change, declassification)."""

from __future__ import annotations

from tools.bpmn_layout import Process


def committee_vote(p: Process, lane: str = "committee", row: int = 0) -> tuple[str, str]:
    """A parallel multi-instance vote over ``committee_members`` (each instance assigned to its ``member``; each
    ``ballot`` — {"vote", "comment"} — collected into ``votes``, the list of dicts ``tally_votes`` counts) followed
    by ``tally_votes`` → ``tally``. Returns (vote task, tally task).

    Only for processes that vote once per instance: SpiffWorkflow 3.2 refuses to start a multi-instance task whose
    output list already holds items ("If the input is not being updated in place, the output must be empty or it
    must be a map (dict)"), so a loop back to the vote would fail on its second round."""
    vote = p.user("committee_vote", "保密委员会委员投票", lane, form="committee_vote", assignee="member",
                  loop={"input": "committee_members", "item": "member", "output": "votes", "output_item": "ballot"},
                  row=row, doc="每位委员一个任务（assignee = member），表决票 ballot 汇总到 votes。")
    tally = p.service("count_votes", "计票（法定人数、多数）", lane, "tally_votes", result="tally", row=row)
    p.flow(vote, tally)
    return vote, tally


def chair_approval(p: Process, row: int = 0) -> str:
    """The committee chair's (general manager's) own approval, required for core secrets (§4.2.1)."""
    return p.user("chair_approval", "保密委员会主任审批（核心秘密）", "committee", form="chair_approval",
                  assignee="committee_chair", row=row)
