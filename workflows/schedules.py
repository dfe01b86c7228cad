"""Schedules from the roster and the register, not from someone remembering (seed 003 §5.1.2, §4.3.2; seed 000
art. 5(3); issue 12 items 3 and 4).

Every department with a liaison keeps a self-check running (``self_check``: monthly, or weekly with
``MIBAO_SELF_CHECK=weekly``); overdue forms are reported to the secrecy office by the process itself.

Every secret-involved person — active, with a personnel level — has their access reviewed every six months by
their department head (``permission_review``: one instance per person, which waits six months between reviews
itself): the duty round starts one for each person who has none running, on the day they become secret-involved,
with their current authorisations as the system knows them.

Every entry of the secret register in force has its yearly declassification review (seed 003 §4.3.2:
``declassification`` with trigger ``yearly``, one instance per entry, which waits a year between reviews
itself): the duty round starts one for each entry that has none, the day it is registered. A review someone asks
for out of turn (``ad_hoc``) runs beside it.

Every year each secret-involved person signs the annual confidentiality
pledge. From the 1st of January (China time) the duty round (``web.background``, once across all nodes) hands the
year's pledges to the workers as one bulk launch (``workflows.launch``): HR follows it on the batch's page like a
CSV it handed in. A person who becomes secret-involved later in the year gets theirs on the next round. Nobody is
launched twice in a year: not if they have an instance of this year's pledge, not if a batch of this year already
has a row for them (started, queued or refused — a refused row waits for HR, who sees why on the batch page).

:func:`pledge_coverage` answers HR's and the secrecy office's question: who has and has not signed this year's
pledge, by department.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.levels import LEVEL_NAMES, LEVELS
from records.models import (
    AccessGrant,
    Carrier,
    CarrierStatus,
    Department,
    GrantStatus,
    InstanceStatus,
    ItemStatus,
    LaunchBatch,
    LaunchRow,
    LaunchRowStatus,
    PersonStatus,
    ProcessInstance,
    SecretItem,
    User,
)
from records.organisation import liaisons
from workflows.clock import SHANGHAI
from workflows.launch import RowIn, accept
from workflows.runtime import Engine

__all__ = ["DECLASSIFICATION", "PLEDGE", "REVIEW", "SELF_CHECK", "Coverage", "launch_annual_pledges",
           "launch_declassification_reviews", "launch_permission_reviews", "launch_self_checks", "pledge_coverage"]

PLEDGE = "annual_pledge"
REVIEW = "permission_review"
SELF_CHECK = "self_check"
DECLASSIFICATION = "declassification"
# Seed 000 art. 5(3): the liaison's self-check is monthly; seed 003 §10.1.1 has it weekly — the company chooses.
CADENCE_ENV = "MIBAO_SELF_CHECK"
SCHEDULER = "scheduler"


def _batch_name(year: int) -> str:
    return f"年度保密承诺 {year}（按花名册自动发起）/ annual pledges {year} (from the roster)"


def _year_start(year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=SHANGHAI)


def _involved(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.status == PersonStatus.ACTIVE,
                                                   User.personnel_level.in_(LEVELS)).order_by(User.id)))


def _pledged(session: Session, year: int) -> dict[str, ProcessInstance]:
    """This year's pledge instance per person (the latest; a cancelled one does not count)."""
    rows = session.scalars(select(ProcessInstance).where(
        ProcessInstance.process_id == PLEDGE, ProcessInstance.status != InstanceStatus.CANCELLED,
        ProcessInstance.started_at >= _year_start(year), ProcessInstance.started_at < _year_start(year + 1))
        .order_by(ProcessInstance.id))
    return {row.subject_user: row for row in rows if row.subject_user}


def launch_annual_pledges(engine: Engine, now: dt.datetime) -> int | None:
    """Launch this year's pledge for everyone who has none yet; the batch's id, or None when nobody was due."""
    year = now.astimezone(SHANGHAI).year
    name = _batch_name(year)
    with engine.sessions() as session:
        # Told when each is signed: HR as the organisation has it (the first active HR account).
        hr_user = next((u.id for u in session.scalars(select(User).where(User.status == PersonStatus.ACTIVE)
                                                        .order_by(User.id)) if "hr" in (u.roles or [])), None)
        pledged = _pledged(session, year)
        batched = {str(data.get("employee_user")) for data in session.scalars(
            select(LaunchRow.data).join(LaunchBatch, LaunchBatch.id == LaunchRow.batch_id)
            .where(LaunchBatch.process_id == PLEDGE, LaunchBatch.filename == name))}
        due = [u for u in _involved(session) if u.id not in pledged and u.id not in batched]
    if not due or hr_user is None:
        return None
    rows = [RowIn(number, person.name, {
        "employee_user": person.id, "hr_user": hr_user, "employee_name": person.name,
        "employee_number": person.identifier or person.id, "department": person.department or "",
        "position": person.post or "", "personnel_level": person.personnel_level, "year": year})
        for number, person in enumerate(due, start=1)]
    return accept(engine, PLEDGE, name, rows, actor=SCHEDULER)


def _summary(session: Session, person: User) -> str:
    """The person's authorisations as the system knows them — register entries by number and level, carriers by
    serial — for the head's review (the names of secrets are not repeated in the review's data)."""
    grants = session.scalars(select(AccessGrant).where(AccessGrant.user_id == person.id,
                                                       AccessGrant.status == GrantStatus.APPROVED)
                             .order_by(AccessGrant.id)).all()
    carriers = session.scalars(select(Carrier).where(Carrier.holder == person.id,
                                                     Carrier.status == CarrierStatus.ISSUED)
                               .order_by(Carrier.serial)).all()
    level = LEVEL_NAMES.get(person.personnel_level or "", person.personnel_level or "")
    parts = [f"人员涉密等级：{level}；岗位：{person.post or '—'}"]
    parts.append("访问授权：" + ("；".join(f"{g.target_type} #{g.target_id}（{LEVEL_NAMES.get(g.level, g.level)}，"
                                           f"{g.operation}）" for g in grants) or "无"))
    parts.append("持有载体：" + ("、".join(c.serial for c in carriers) or "无"))
    return "。".join(parts) + "。"


def launch_permission_reviews(engine: Engine, now: dt.datetime) -> int | None:
    """Start the six-monthly review for every secret-involved person who has none running; the batch's id, or None
    when everybody has one."""
    with engine.sessions() as session:
        running = set(session.scalars(select(ProcessInstance.subject_user).where(
            ProcessInstance.process_id == REVIEW,
            ProcessInstance.status.in_((InstanceStatus.RUNNING, InstanceStatus.WAITING)))))
        queued = {str(data.get("employee_user")) for data in session.scalars(
            select(LaunchRow.data).join(LaunchBatch, LaunchBatch.id == LaunchRow.batch_id)
            .where(LaunchBatch.process_id == REVIEW, LaunchRow.status == LaunchRowStatus.QUEUED))}
        due = [(u, _summary(session, u)) for u in _involved(session) if u.id not in running | queued]
    if not due:
        return None
    day = now.astimezone(SHANGHAI).date().isoformat()
    rows = [RowIn(number, person.name, {
        "employee_user": person.id, "employee_name": person.name, "employee_number": person.identifier or person.id,
        "department": person.department or "", "position": person.post or "",
        "personnel_level": person.personnel_level, "permissions_summary": summary})
        for number, (person, summary) in enumerate(due, start=1)]
    return accept(engine, REVIEW, f"涉密权限半年核查 {day}（按花名册自动发起）/ six-monthly access reviews {day} "
                                  "(from the roster)", rows, actor=SCHEDULER)


def _launched(session: Session, process_id: str, key: str) -> list[Any]:
    """``key`` of the start data of every bulk-launched ``process_id`` still running, waiting or queued (a
    refused row, or an instance that ended, covers nothing any more)."""
    return [data.get(key) for data, status in session.execute(
        select(LaunchRow.data, ProcessInstance.status)
        .join(LaunchBatch, LaunchBatch.id == LaunchRow.batch_id)
        .outerjoin(ProcessInstance, ProcessInstance.id == LaunchRow.instance_id)
        .where(LaunchBatch.process_id == process_id, LaunchRow.status != LaunchRowStatus.FAILED))
        if status in (None, InstanceStatus.RUNNING, InstanceStatus.WAITING)]


def launch_self_checks(engine: Engine, now: dt.datetime) -> int | None:
    """Start the self-check of every department that has a liaison and no self-check running (the instance loops
    period after period, and stops by itself when its department leaves the organisation)."""
    cadence = os.environ.get(CADENCE_ENV, "monthly")
    if cadence not in ("monthly", "weekly"):
        raise ValueError(f"{CADENCE_ENV} is {cadence!r}: use monthly or weekly")
    with engine.sessions() as session:
        covered = {str(value) for value in _launched(session, SELF_CHECK, "department")}
        due = [d for d in session.scalars(select(Department.name).order_by(Department.name))
               if d not in covered and liaisons(session, d)]
    if not due:
        return None
    day = now.astimezone(SHANGHAI).date().isoformat()
    rows = [RowIn(number, name, {"department": name, "cadence": cadence}) for number, name in enumerate(due, start=1)]
    return accept(engine, SELF_CHECK, f"部门保密自查 {day}（按组织架构自动建立）/ department self-checks {day} "
                                      "(from the organisation)", rows, actor=SCHEDULER)


def launch_declassification_reviews(engine: Engine, now: dt.datetime) -> int | None:
    """Start the yearly declassification review of every register entry in force that has none (running, waiting
    or queued); the batch's id, or None when every entry has one."""
    with engine.sessions() as session:
        covered = {int(value or 0) for value in _launched(session, DECLASSIFICATION, "item_id")}
        due = [(item.id, item.name) for item in session.scalars(
            select(SecretItem).where(SecretItem.status == ItemStatus.ACTIVE).order_by(SecretItem.id))
            if item.id not in covered]
    if not due:
        return None
    day = now.astimezone(SHANGHAI).date().isoformat()
    # The row's label is the entry's number, not its name: the batch page is HR's, and a name may be a secret.
    rows = [RowIn(number, f"#{item_id}", {"item_id": item_id, "trigger": "yearly"})
            for number, (item_id, _name) in enumerate(due, start=1)]
    return accept(engine, DECLASSIFICATION, f"年度解密评估 {day}（按商业秘密清单自动建立）/ yearly declassification "
                                            f"reviews {day} (from the register)", rows, actor=SCHEDULER)


@dataclass
class Coverage:
    """This year's pledges in one department."""

    department: str
    signed: list[str] = field(default_factory=list)        # names, in the order of the roster
    pending: list[str] = field(default_factory=list)       # launched, not signed yet
    missing: list[str] = field(default_factory=list)       # not launched (or refused: see the batch page)

    @property
    def total(self) -> int:
        return len(self.signed) + len(self.pending) + len(self.missing)


def pledge_coverage(session: Session, year: int) -> list[Coverage]:
    pledged = _pledged(session, year)
    by_department: dict[str, Coverage] = defaultdict(lambda: Coverage(""))
    for person in _involved(session):
        department = person.department or "—"
        entry = by_department[department]
        entry.department = department
        instance = pledged.get(person.id)
        if instance is None:
            entry.missing.append(person.name)
        elif instance.status == InstanceStatus.COMPLETED:
            entry.signed.append(person.name)
        else:
            entry.pending.append(person.name)
    return [by_department[d] for d in sorted(by_department)]
