"""Who decides a task, and which facts a process reads instead of taking them from whoever starts it.

A user task names the post that decides it (``<spiffworkflow:property name="decider" value="department_head"/>``);
the engine asks the organisation for that post's holder when the task becomes ready. Start data names the
subject and the facts only: fields that would choose deciders, voting rules or what the system already knows
(an item's level, the vote counts) are refused with the place they come from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from records.levels import SecretLevel, highest
from records.models import OrgPost, ProcessInstance, User
from records.organisation import OrganisationError, decider
from workflows.errors import FormDataError, OperationFailed

__all__ = ["SYSTEM_FIELDS", "content_level", "decision_department", "refuse_system_fields", "resolve_decider"]

_FROM_ORG = "deciders come from the organisation (`mibao org show`, the Organisation page)"
_FROM_REGISTER = "read from the secret register by item_id"
_FROM_TALLY = "counted by the system from the members' own votes"
SYSTEM_FIELDS: dict[str, str] = {
    "committee_members": _FROM_ORG, "committee_chair": _FROM_ORG, "committee_chair_name": _FROM_ORG,
    "liaison_user": _FROM_ORG, "liaison_name": _FROM_ORG, "department_head_user": _FROM_ORG,
    "approver_name": _FROM_ORG, "quorum": "a setting of the organisation (`mibao org set committee.quorum`)",
    "majority": "a setting of the organisation (`mibao org set committee.majority`)",
    "current_level": _FROM_REGISTER, "item_name": _FROM_REGISTER,
    "votes": _FROM_TALLY, "tally": _FROM_TALLY, "votes_for": _FROM_TALLY, "votes_against": _FROM_TALLY,
    "votes_abstain": _FROM_TALLY, "decision": "the level the committee voted for", "secret_level":
    "set by the process from what the document holds",
}


# Where a process keeps the level of the secret it is about (proposed, recommended, voted, read from the register).
_LEVEL_FIELDS = ("proposed_level", "recommended_level", "decision", "current_level", "new_level")


def content_level(data: dict[str, Any]) -> SecretLevel | None:
    """The level of the secret a process instance holds, by its data: the highest level named for the item, and
    core for an NDA that discloses core secrets. None for processes about people rather than secrets."""
    return highest([*(data.get(f) for f in _LEVEL_FIELDS),
                    SecretLevel.CORE if data.get("core_disclosure") is True else None])


def refuse_system_fields(process_id: str, data: dict[str, Any]) -> None:
    typed = sorted(set(data) & set(SYSTEM_FIELDS))
    if typed:
        raise FormDataError(f"starting {process_id}",
                            [f"{name}: not part of the start data — {SYSTEM_FIELDS[name]}" for name in typed])


def decision_department(session: Session, row: ProcessInstance, data: dict[str, Any]) -> str | None:
    """The department a decision belongs to: the process's (item's, applicant's) department, else the host's
    or the subject's department as the organisation has it."""
    if data.get("department"):
        return str(data["department"])
    for user_id in (data.get("host_user"), row.subject_user):
        user = session.get(User, str(user_id)) if user_id else None
        if user is not None and user.department:
            return user.department
    return None


def resolve_decider(session: Session, row: ProcessInstance, post: str, data: dict[str, Any]) -> User:
    try:
        kind = OrgPost(post)
    except ValueError:
        raise OperationFailed(f"unknown decider {post!r}; use one of {', '.join(p.value for p in OrgPost)}") \
            from None
    try:
        return decider(session, kind, decision_department(session, row, data), prefer=row.started_by)
    except OrganisationError as exc:
        raise OperationFailed(str(exc)) from None
