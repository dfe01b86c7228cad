"""The organisation the system knows: departments, who holds which post of authority, the committee's rules.

Processes read their deciders from here when a task becomes ready (``decider``), never from start data: the
department head and liaisons of a department, the secrecy committee (chair = the general manager, seed 001 §3)
and its quorum and majority. Every change is kept: appointments end instead of being deleted, and each change
is a row of ``org_changes`` and a link of the audit chain.

The roles ``department_head``, ``liaison`` and ``committee`` on an account follow its current appointments (they
drive inboxes and pages); HR and the secrecy office change them here, not by editing roles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records import api_tokens, sign_ins
from records.audit import record
from records.models import (
    Appointment,
    Department,
    HistoryEntry,
    Notification,
    OrgChange,
    OrgPost,
    OrgSetting,
    PersonStatus,
    Task,
    TaskState,
    User,
)
from records.people import OUTSIDE_PARTY_ROLE

__all__ = [
    "DEFAULT_SETTINGS",
    "GENERAL_MANAGER_ROLE",
    "MAINTAINERS",
    "POST_ROLES",
    "Committee",
    "OrganisationError",
    "add_department",
    "appoint",
    "committee",
    "current",
    "decider",
    "department_head",
    "dismiss",
    "end_all",
    "follow_posts",
    "history",
    "liaisons",
    "log_change",
    "set_setting",
    "set_status",
    "setting",
]

GENERAL_MANAGER_ROLE = "general_manager"
# Who maintains the organisation: HR (people, departments) and the secrecy office (posts, committee rules).
MAINTAINERS = frozenset({"hr", "secrecy_office"})
# The role each post gives while it is held.
POST_ROLES = {OrgPost.DEPARTMENT_HEAD: "department_head", OrgPost.LIAISON: "liaison",
               OrgPost.COMMITTEE_CHAIR: "committee", OrgPost.COMMITTEE_MEMBER: "committee"}
_PER_DEPARTMENT = frozenset({OrgPost.DEPARTMENT_HEAD, OrgPost.LIAISON})
# Posts with one holder: appointing a new one ends the old one's term.
_SINGLE = frozenset({OrgPost.DEPARTMENT_HEAD, OrgPost.COMMITTEE_CHAIR})
# The committee's voting rules unless set otherwise: at least two thirds of the members take part, and more
# than half of the votes cast (for + against) approve.
DEFAULT_SETTINGS: dict[str, float] = {"committee.quorum": 2 / 3, "committee.majority": 0.5}


class OrganisationError(ValueError):
    """A change or a lookup the organisation cannot answer; the message says what to do."""


@dataclass(frozen=True)
class Committee:
    chair: User | None
    members: list[User]          # every voting member, the chair first
    quorum: float
    majority: float


def current(session: Session, post: OrgPost, department: str | None = None) -> list[Appointment]:
    """The appointments to ``post`` in force now, oldest first."""
    query = select(Appointment).where(Appointment.post == post, Appointment.ends_at.is_(None))
    if post in _PER_DEPARTMENT:
        query = query.where(Appointment.department == department)
    return list(session.scalars(query.order_by(Appointment.starts_at, Appointment.id)))


def _holders(session: Session, post: OrgPost, department: str | None = None) -> list[User]:
    users = [session.get(User, a.user_id) for a in current(session, post, department)]
    return [u for u in users if u is not None]


def department_head(session: Session, department: str) -> User | None:
    heads = _holders(session, OrgPost.DEPARTMENT_HEAD, department)
    return heads[0] if heads else None


def liaisons(session: Session, department: str) -> list[User]:
    return _holders(session, OrgPost.LIAISON, department)


def setting(session: Session, key: str) -> float:
    row = session.get(OrgSetting, key)
    return float(row.value["value"]) if row is not None else DEFAULT_SETTINGS[key]


def committee(session: Session) -> Committee:
    chair = _holders(session, OrgPost.COMMITTEE_CHAIR)
    members = [*chair, *(u for u in _holders(session, OrgPost.COMMITTEE_MEMBER) if u not in chair)]
    return Committee(chair=chair[0] if chair else None, members=members,
                     quorum=setting(session, "committee.quorum"), majority=setting(session, "committee.majority"))


def decider(session: Session, post: OrgPost, department: str | None, *, prefer: str | None = None) -> User:
    """The one person who decides as ``post`` (for ``department``) now; ``prefer`` wins among several liaisons.

    Raises ``OrganisationError`` naming the missing post, so the step that needs it is refused with nothing
    changed until HR or the secrecy office appoints someone."""
    if post in _PER_DEPARTMENT and not department:
        raise OrganisationError(f"the {post.value} is chosen by department, and this process names none")
    holders = _holders(session, post, department)
    if not holders:
        where = f" of {department}" if post in _PER_DEPARTMENT else ""
        raise OrganisationError(f"there is no {post.value.replace('_', ' ')}{where}: appoint one "
                                f"(`mibao org appoint {post.value} USER"
                                f"{' --department ' + str(department) if post in _PER_DEPARTMENT else ''}`"
                                " or the Organisation page), then try again")
    return next((u for u in holders if u.id == prefer), holders[0])


# -- changes ---------------------------------------------------------------------------------------------------

def log_change(session: Session, *, actor: str, action: str, subject: str, detail: dict[str, Any],
               now: dt.datetime) -> None:
    session.add(OrgChange(at=now, actor=actor, action=action, subject=subject[:200], detail=detail))
    record(session, actor=actor, action=f"org_{action}"[:40], target_type="organisation", target_id=subject[:64],
           detail=detail, at=now)


def add_department(session: Session, *, actor: str, name: str, now: dt.datetime) -> Department:
    name = name.strip()
    if not name or len(name) > 100:
        raise OrganisationError("a department's name is 1 to 100 characters")
    found = session.scalars(select(Department).where(Department.name == name)).first()
    if found is not None:
        return found
    department = Department(name=name, created_at=now)
    session.add(department)
    session.flush()
    log_change(session, actor=actor, action="department", subject=name, detail={"name": name}, now=now)
    return department


def _person(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise OrganisationError(f"there is no person {user_id!r}; add them first (`mibao user add` or the import)")
    return user


def appoint(session: Session, *, actor: str, post: OrgPost, user_id: str, department: str | None = None,
            now: dt.datetime) -> Appointment:
    """Give ``user_id`` the post (ending the previous holder's term for single posts)."""
    user = _person(session, user_id)
    if user.status != PersonStatus.ACTIVE or OUTSIDE_PARTY_ROLE in (user.roles or []):
        raise OrganisationError(f"{user.name} ({user.id}) is {user.status}"
                                f"{' and an outside party' if OUTSIDE_PARTY_ROLE in (user.roles or []) else ''}"
                                ": only active staff hold posts")
    if post in _PER_DEPARTMENT:
        if not department:
            raise OrganisationError(f"a {post.value.replace('_', ' ')} belongs to a department: name it")
        if session.scalars(select(Department).where(Department.name == department)).first() is None:
            raise OrganisationError(f"there is no department {department!r}; add it first")
    else:
        department = None
    if post == OrgPost.COMMITTEE_CHAIR and GENERAL_MANAGER_ROLE not in (user.roles or []):
        raise OrganisationError(f"the committee's chair is the general manager (seed 001 §3); {user.name} "
                                f"({user.id}) is not — give the general manager the post instead")
    held = [a for a in current(session, post, department) if a.user_id == user_id]
    if held:
        return held[0]
    if post in _SINGLE:
        for previous in current(session, post, department):
            _end(session, previous, actor=actor, now=now)
    appointment = Appointment(post=post, department=department, user_id=user_id, starts_at=now,
                              appointed_by=actor)
    session.add(appointment)
    session.flush()
    _sync_roles(session, user)
    log_change(session, actor=actor, action="appoint", subject=user_id,
               detail={"post": post.value, "department": department, "name": user.name}, now=now)
    follow_posts(session, actor=actor, now=now)
    return appointment


def dismiss(session: Session, *, actor: str, post: OrgPost, user_id: str, department: str | None = None,
            now: dt.datetime) -> Appointment:
    """End ``user_id``'s term in the post."""
    found = [a for a in current(session, post, department if post in _PER_DEPARTMENT else None)
             if a.user_id == user_id]
    if not found:
        where = f" of {department}" if post in _PER_DEPARTMENT else ""
        raise OrganisationError(f"{user_id} does not hold the post {post.value}{where}; "
                                "`mibao org show` lists who holds what")
    ended = _end(session, found[0], actor=actor, now=now)
    follow_posts(session, actor=actor, now=now)
    return ended


def _end(session: Session, appointment: Appointment, *, actor: str, now: dt.datetime) -> Appointment:
    appointment.ends_at, appointment.ended_by = now, actor
    session.flush()
    user = session.get(User, appointment.user_id)
    if user is not None:
        _sync_roles(session, user)
    log_change(session, actor=actor, action="dismiss", subject=appointment.user_id,
               detail={"post": appointment.post, "department": appointment.department}, now=now)
    # The callers move open approvals once the change is whole (appoint: after the successor is in post, so a
    # replaced head's tasks go straight to the new one instead of first raising "nobody holds the post").
    return appointment


def end_all(session: Session, *, actor: str, user_id: str, now: dt.datetime) -> list[Appointment]:
    """End every post ``user_id`` holds (they are leaving)."""
    held = session.scalars(select(Appointment).where(Appointment.user_id == user_id,
                                                     Appointment.ends_at.is_(None))).all()
    ended = [_end(session, a, actor=actor, now=now) for a in held]
    follow_posts(session, actor=actor, now=now)
    return ended


def follow_posts(session: Session, *, actor: str, now: dt.datetime) -> list[Task]:
    """Open approvals follow the post: a ready task the organisation assigned (``Task.decider``) whose assignee
    no longer holds that post moves to the one who holds it now. With nobody in the post it waits, and the
    secrecy office is told what to appoint. Returns the tasks moved."""
    moved = []
    for task in session.scalars(select(Task).where(Task.state == TaskState.READY, Task.decider.is_not(None))
                                .order_by(Task.created_at)):
        post = OrgPost(str(task.decider))
        holders = _holders(session, post, task.decider_department if post in _PER_DEPARTMENT else None)
        if any(u.id == task.assignee for u in holders):
            continue
        before = task.assignee
        where = f"（{task.decider_department}）" if post in _PER_DEPARTMENT and task.decider_department else ""
        if not holders:
            if not session.scalars(select(Notification.id).where(
                    Notification.instance_id == task.instance_id, Notification.to_role == "secrecy_office",
                    Notification.subject.like(f"%{task.id}%"))).first():
                session.add(Notification(
                    instance_id=task.instance_id, to_role="secrecy_office", created_at=now,
                    subject=f"待任命：{post.value}{where} — 任务 {task.id}《{task.title}》无人审批",
                    body=f"{before} 已不再担任 {post.value}{where}。请任命继任者（组织页面或 `mibao org appoint`），"
                         "任务将自动转交。\nNobody holds this post now: appoint someone and the task moves to them."))
            continue
        task.assignee = holders[0].id
        session.add(HistoryEntry(instance_id=task.instance_id, task_id=task.id, at=now, actor=actor,
                                 action="reassigned", title=task.title,
                                 detail={"from": before, "to": task.assignee, "post": post.value,
                                         "department": task.decider_department}))
        record(session, actor=actor, action="task_reassigned", target_type="instance", target_id=task.instance_id,
               at=now, detail={"task": task.id, "from": before, "to": task.assignee, "post": post.value})
        session.add(Notification(instance_id=task.instance_id, to_user=task.assignee, created_at=now,
                                 subject=f"待办转交 / Task handed to you: {task.title}"))
        moved.append(task)
    session.flush()
    return moved


def _sync_roles(session: Session, user: User) -> None:
    held = {POST_ROLES[OrgPost(a.post)] for a in session.scalars(
        select(Appointment).where(Appointment.user_id == user.id, Appointment.ends_at.is_(None)))}
    roles = [r for r in (user.roles or []) if r not in POST_ROLES.values() or r in held]
    user.roles = [*roles, *sorted(held - set(roles))]
    session.flush()


def set_setting(session: Session, *, actor: str, key: str, value: float, now: dt.datetime) -> None:
    if key not in DEFAULT_SETTINGS:
        raise OrganisationError(f"there is no setting {key!r}; the settings are {', '.join(DEFAULT_SETTINGS)}")
    if not 0 < value <= 1:
        raise OrganisationError(f"{key} is a share of the members or votes: more than 0, at most 1 (got {value})")
    row = session.get(OrgSetting, key)
    before = float(row.value["value"]) if row else DEFAULT_SETTINGS[key]
    if row is None:
        row = OrgSetting(key=key, value={"value": value}, changed_at=now, changed_by=actor)
        session.add(row)
    else:
        row.value, row.changed_at, row.changed_by = {"value": value}, now, actor
    session.flush()
    log_change(session, actor=actor, action="setting", subject=key, detail={"from": before, "to": value}, now=now)


def set_status(session: Session, *, actor: str, user_id: str, status: PersonStatus, now: dt.datetime) -> User:
    user = _person(session, user_id)
    if user.status == status:
        return user
    before, user.status = user.status, status
    if status == PersonStatus.LEFT:
        # Disabling an account ends everything it holds at once: posts, sign-ins, API tokens.
        end_all(session, actor=actor, user_id=user_id, now=now)
        sign_ins.end_all(session, user_id=user_id, now=now, reason="account_disabled")
        api_tokens.revoke_all(session, user_id, now=now)
    session.flush()
    log_change(session, actor=actor, action="status", subject=user_id,
               detail={"from": str(before), "to": status.value}, now=now)
    return user


def history(session: Session, *, limit: int = 200) -> list[OrgChange]:
    return list(session.scalars(select(OrgChange).order_by(OrgChange.id.desc()).limit(limit)))
