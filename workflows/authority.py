"""Who decides a task, and which facts a process reads instead of taking them from whoever starts it.

A user task names the post that decides it (``<spiffworkflow:property name="decider" value="department_head"/>``);
the engine asks the organisation for that post's holder when the task becomes ready. Start data names the
subject and the facts only: fields that would choose deciders, voting rules or what the system already knows
(an item's level, the vote counts) are refused with the place they come from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from records.access_grants import authorize, resource_of_item
from records.levels import SecretLevel, highest
from records.models import OrgPost, PersonStatus, ProcessInstance, SecretItem, User
from records.organisation import OrganisationError, decider, department_head, liaisons
from records.people import may_sign_in
from workflows.errors import FormDataError, OperationFailed
from workflows.loader import STAFF, LoadedProcess
from workflows.non_compete import signed_agreement

__all__ = [
    "OFFICE_LANES",
    "SYSTEM_FIELDS",
    "check_assignee",
    "check_known_facts",
    "content_level",
    "decision_department",
    "may_start",
    "refuse_system_fields",
    "resolve_decider",
    "with_host_facts",
]

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
    # A leak incident (seed 003 §8.2): the reporter is who starts it; the level and grade are the system's.
    "reporter_user": "who reports the incident (the person who starts it)",
    "incident_level": _FROM_REGISTER.replace("item_id", "item_ids"), "grading": "computed from the assessment",
    # A publication review (seed 000 art. 5(5)): the requester is who starts it; the level is the register's.
    "requester_user": "who asks for the review (the person who starts it)",
    "publication_level": _FROM_REGISTER.replace("item_id", "item_ids"),
}


# Where a process keeps the level of the secret it is about (proposed, recommended, voted, read from the register).
_LEVEL_FIELDS = ("proposed_level", "recommended_level", "decision", "current_level", "new_level",
                 "incident_level", "publication_level")


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


# Lanes that are offices: a task in one, assigned from the start data (``hr_user``, ``reviewer_user``), must go
# to someone who works there — a typed name cannot make an outsider the reviewer or HR's clerk.
OFFICE_LANES = frozenset({"hr", "secrecy_office"})


def check_assignee(session: Session, lane: str | None, assignee: str | None, field: str | None) -> None:
    """Refuse a task assigned from data to someone who is not there, has left, or is not in the task's office."""
    if assignee is None:
        return
    user = session.get(User, assignee)
    named = f"{field}: " if field else ""
    if user is None:
        raise OperationFailed(f"{named}there is no person {assignee!r}; name someone the organisation knows")
    if lane in OFFICE_LANES and (lane not in (user.roles or []) or user.status == PersonStatus.LEFT):
        raise OperationFailed(f"{named}{user.name} ({user.id}) does not work in {lane.replace('_', ' ')} "
                              f"(role {lane}); name someone who does")


def check_known_facts(session: Session, process_id: str, data: dict[str, Any]) -> None:
    """Facts about a person the organisation knows must agree with it: the employee's name and department in the
    start data are printed on agreements and choose deciders, so a typed department cannot route the decision
    to another department's head."""
    hosting = _host_problems(session, data)
    if hosting:
        raise FormDataError(f"starting {process_id}", hosting)
    person = session.get(User, str(data["employee_user"])) if data.get("employee_user") else None
    if person is None:
        return
    problems = [f"{field}: {person.id} is {known!r} in the organisation, not {data[field]!r} — correct it or "
                "update the organisation first" for field, known in (("employee_name", person.name),
                                                                      ("department", person.department))
                if known and data.get(field) not in (None, known)]
    if "non_compete_applies" in data:
        problems += _non_compete_problems(session, person, bool(data["non_compete_applies"]))
    if problems:
        raise FormDataError(f"starting {process_id}", problems)


def with_host_facts(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the host's (escort's, organiser's) name and department as the organisation has them, where
    not given: the starter picks the person, the agreement prints who they are."""
    host = session.get(User, str(data["host_user"])) if data.get("host_user") else None
    if host is None:
        return data
    return {"host_name": host.name, **({"host_department": host.department} if host.department else {}), **data}


def _host_problems(session: Session, data: dict[str, Any]) -> list[str]:
    """The host printed on an outside party's agreement is the person picked, and a secret area's department is
    one whose head the organisation knows (that head approves the entry)."""
    host = session.get(User, str(data["host_user"])) if data.get("host_user") else None
    problems = [f"{field}: {host.id} is {known!r} in the organisation, not {data[field]!r} — leave it empty or "
                "correct it" for field, known in (("host_name", host.name), ("host_department", host.department))
                if known and data.get(field) not in (None, known)] if host is not None else []
    area = data.get("area_department")
    if area and department_head(session, str(area)) is None:
        problems.append(f"area_department: the organisation has no department head of {area}, who approves entry "
                        "to its areas; name the area's department or appoint its head first")
    elif not area and host is not None and host.department and department_head(session, host.department) is None:
        # The host's department head approves the agreement: refused now, not when the approval comes up.
        problems.append(f"host_user: {host.department} has no department head in the organisation, who approves "
                        "this agreement; appoint one on the Organisation page, or name a host from another department")
    return problems


def _non_compete_problems(session: Session, person: User, applies: bool) -> list[str]:
    """Whether a non-compete binds the leaver is what they signed, not what is ticked: its monitoring and its
    money are read from the signed agreement (``workflows.non_compete``)."""
    signed = signed_agreement(session, person.id)
    if applies and signed is None:
        return [f"non_compete_applies: mibao holds no non-compete agreement signed by {person.name} ({person.id}); "
                "it is signed in onboarding for core staff — without one there is nothing to monitor or pay"]
    if not applies and signed is not None:
        return [f"non_compete_applies: {person.name} ({person.id}) signed the non-compete agreement {signed.id}; "
                "its monitoring runs from the leaving date (the company may release it early at a monthly "
                "payment)"]
    return []


def _choice(process: LoadedProcess, data: dict[str, Any]) -> str:
    return next((f"{name} {value}" for name, value in process.choice_starters if data.get(name) == value), "")


def decision_department(session: Session, row: ProcessInstance, data: dict[str, Any]) -> str | None:
    """The department a decision belongs to: the secret area's own department for an entry to it (seed 003 §5.3.2:
    the head of the department the area belongs to approves), else the subject's or the host's as the organisation
    has it, else the process's own (a register item's, named by the liaison who files it)."""
    if data.get("area_department"):
        return str(data["area_department"])
    for user_id in (row.subject_user, data.get("host_user")):
        user = session.get(User, str(user_id)) if user_id else None
        if user is not None and user.department:
            return user.department
    return str(data["department"]) if data.get("department") else None


def resolve_decider(session: Session, row: ProcessInstance, post: str, department: str | None) -> User:
    """The holder of ``post`` (for ``department``, see ``decision_department``) who decides now."""
    try:
        kind = OrgPost(post)
    except ValueError:
        raise OperationFailed(f"unknown decider {post!r}; use one of {', '.join(p.value for p in OrgPost)}") \
            from None
    try:
        return decider(session, kind, department, prefer=row.started_by)
    except OrganisationError as exc:
        raise OperationFailed(str(exc)) from None


_OFFICES = frozenset({"hr", "secrecy_office"})   # may start on another member of staff's behalf


def may_start(session: Session, user: User, process: LoadedProcess, data: dict[str, Any] | None = None, *,
              now: dt.datetime | None = None) -> str | None:
    """Why ``user`` may not start ``process`` from the web or the API (with ``data``, when given), or None.

    Who starts what is the process's own declaration (its start event's ``starters``: roles, or anyone on the
    staff), read against the roles the organisation gives: HR its personnel processes, a department's liaison the
    classification of that department's items — their own department only — the secrecy office its reviews, any
    member of staff a visitor's or partner's NDA as its host. The scheduler and the command line are not asked."""
    if not may_sign_in(user):
        return "this account cannot start processes"
    starters = process.starters_for(data or {})
    roles = set(user.roles or []) & starters
    if STAFF not in starters and not roles:
        what = process.name if starters is process.starters else f"{process.name} ({_choice(process, data or {})})"
        return (f"{what} is started by {', '.join(sorted(starters)) or 'the scheduler only'}, "
                "as the organisation gives those roles")
    host = (data or {}).get("host_user")
    if host and STAFF in starters and host != user.id and not set(user.roles or []) & _OFFICES:
        return "the host of a visit asks for it themselves: name yourself as the host"
    escort = session.get(User, str(host)) if host else None
    if host and (escort is None or not may_sign_in(escort)):
        return f"host_user: {host} is not on the staff; name the employee who receives and escorts them"
    department = (data or {}).get("department")
    if department and roles == {"liaison"} and STAFF not in process.starters \
            and user.id not in {u.id for u in liaisons(session, str(department))}:
        return f"a liaison files for their own department only; {department} has its own liaison"
    return _unseen_items(session, user, process, (data or {}).get("item_ids"), now)


def _unseen_items(session: Session, user: User, process: LoadedProcess, item_ids: Any,
                  now: dt.datetime | None) -> str | None:
    """Register entries a start names (a leak report's, a publication's) are ones the starter may see: the process
    copies their names and levels, so naming an entry one may not see would read it. Each decision is recorded;
    one not seen reads like one not there."""
    if not isinstance(item_ids, list):
        return None
    for item_id in item_ids:
        item = session.get(SecretItem, item_id) if isinstance(item_id, int) else None
        allowed = item is not None and now is not None and authorize(
            session, user, resource_of_item(item), "view", now=now, consume=False,
            detail={"starting": process.process_id}).allowed
        if not allowed:
            return (f"item_ids: register entry {item_id} is not one you may name; pick the entries from the list "
                    "the form offers")
    return None
