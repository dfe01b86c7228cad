"""Import the organisation from one CSV file (UTF-8, a header row, one person per row).

Columns (header names as written here; order free, unknown columns refused):
  id, name, department            required
  post, personnel_level, status, roles, email, identifier        optional
  head       "yes" = this person heads their department
  liaison    "yes" = this person is a secrecy liaison of their department
  committee  "chair" or "member"

The file is the organisation's posts: a head, liaison or committee post held today and not in the file ends.
People are added or updated; nobody is deleted. Every row is checked before anything is written, and one bad row
means nothing is imported: the report names each bad row with its line and reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.levels import LEVELS
from records.models import Appointment, Department, OrgPost, PersonStatus, User
from records.organisation import (
    GENERAL_MANAGER_ROLE,
    POST_ROLES,
    OrganisationError,
    add_department,
    appoint,
    dismiss,
    log_change,
    set_status,
)
from records.people import OUTSIDE_PARTY_ROLE

__all__ = ["COLUMNS", "ImportReport", "RowResult", "add_person", "import_people"]

REQUIRED = ("id", "name", "department")
COLUMNS = (*REQUIRED, "post", "personnel_level", "status", "roles", "email", "identifier", "head", "liaison",
           "committee")
# Roles a row may give; the post roles (department_head, liaison, committee) come from the post columns.
ROW_ROLES = frozenset({"hr", "secrecy_office", "employee", GENERAL_MANAGER_ROLE})
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_YES = {"yes", "y", "true", "1", "是"}
_NO = {"", "no", "n", "false", "0", "否"}
MAX_ROWS = 50_000


@dataclass
class RowResult:
    line: int
    id: str
    outcome: str                     # added / updated / unchanged / error
    reason: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)   # about the file as a whole
    posts_ended: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.outcome != "error" for r in self.rows)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.outcome] = out.get(row.outcome, 0) + 1
        return out


@dataclass
class _Row:
    line: int
    id: str
    name: str
    department: str
    post: str | None
    level: str | None
    status: PersonStatus
    roles: list[str]
    email: str | None
    identifier: str | None
    head: bool
    liaison: bool
    committee: OrgPost | None


def _flag(value: str, column: str, problems: list[str]) -> bool:
    v = value.strip().lower()
    if v in _YES:
        return True
    if v not in _NO:
        problems.append(f"{column} is {value!r}: write yes or leave it empty")
    return False


def _parse(line: int, raw: dict[str, str]) -> tuple[_Row | None, list[str]]:
    get = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    problems = [f"{k} is empty" for k in REQUIRED if not get[k]]
    if get["id"] and not _ID.match(get["id"]):
        problems.append(f"id {get['id']!r}: letters, digits, '.', '_' or '-', at most 64, starting with a letter "
                        "or digit")
    if len(get["name"]) > 200 or len(get["department"]) > 100 or len(get["post"]) > 100:
        problems.append("name (200), department (100) or post (100) is too long")
    if get["personnel_level"] and get["personnel_level"] not in LEVELS:
        problems.append(f"personnel_level {get['personnel_level']!r}: use {', '.join(LEVELS)} or leave it empty")
    status = get["status"] or PersonStatus.ACTIVE.value
    if status not in {s.value for s in PersonStatus}:
        problems.append(f"status {status!r}: use {', '.join(s.value for s in PersonStatus)}")
    roles = [r for r in re.split(r"[;,\s]+", get["roles"]) if r] or ["employee"]
    bad = [r for r in roles if r not in ROW_ROLES]
    if bad:
        hint = (" (outside parties sign by link and are not imported)" if OUTSIDE_PARTY_ROLE in bad else
                " (heads, liaisons and the committee come from the head, liaison and committee columns)")
        problems.append(f"roles {', '.join(bad)} not allowed here; use {', '.join(sorted(ROW_ROLES))}{hint}")
    if get["email"] and not _EMAIL.match(get["email"]):
        problems.append(f"email {get['email']!r} is not an address")
    head = _flag(get["head"], "head", problems)
    liaison = _flag(get["liaison"], "liaison", problems)
    posts = {"": None, "chair": OrgPost.COMMITTEE_CHAIR, "member": OrgPost.COMMITTEE_MEMBER}
    committee = posts.get(get["committee"].lower())
    if get["committee"].lower() not in posts:
        problems.append(f"committee is {get['committee']!r}: write chair, member or leave it empty")
    if committee == OrgPost.COMMITTEE_CHAIR and GENERAL_MANAGER_ROLE not in roles:
        problems.append("the committee's chair is the general manager (seed 001 §3): give this row the role "
                        f"{GENERAL_MANAGER_ROLE} or make another person chair")
    if (head or liaison or committee) and status != PersonStatus.ACTIVE.value:
        problems.append(f"a person who is {status} holds no post")
    if problems:
        return None, problems
    return _Row(line=line, id=get["id"], name=get["name"], department=get["department"], post=get["post"] or None,
                level=get["personnel_level"] or None, status=PersonStatus(status), roles=roles,
                email=get["email"] or None, identifier=get["identifier"] or None, head=head, liaison=liaison,
                committee=committee), []


def _read(text: str, report: ImportReport) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        report.problems.append(
            (f"the header lacks {', '.join(missing)}; " if missing else "")
            + (f"unknown columns {', '.join(unknown)}; " if unknown else "")
            + f"the columns are: {', '.join(COLUMNS)}")
        return []
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    try:
        for raw in reader:
            line = reader.line_num
            if None in raw:
                report.rows.append(RowResult(line, raw.get("id") or "", "error",
                                             f"more cells than the header has columns ({len(header)})"))
                continue
            if not any((v or "").strip() for v in raw.values()):
                continue
            row, problems = _parse(line, raw)
            rid = (raw.get("id") or "").strip()
            if rid in seen:
                problems.append(f"id {rid} is also on line {seen[rid]}")
            seen.setdefault(rid, line)
            if row is None or problems:
                report.rows.append(RowResult(line, rid, "error", "; ".join(problems)))
                continue
            rows.append(row)
            if len(rows) > MAX_ROWS:
                report.problems.append(f"more than {MAX_ROWS} people: split the file")
                return []
    except csv.Error as exc:
        report.problems.append(f"line {reader.line_num}: not valid CSV ({exc}); save the file as CSV UTF-8")
    return rows


def _check_posts(rows: list[_Row], report: ImportReport) -> None:
    heads: dict[str, _Row] = {}
    chairs = [r for r in rows if r.committee == OrgPost.COMMITTEE_CHAIR]
    for row in rows:
        if row.head:
            if row.department in heads:
                report.rows.append(RowResult(row.line, row.id, "error",
                                             f"{row.department} already has a head on line "
                                             f"{heads[row.department].line}: one head per department"))
            heads.setdefault(row.department, row)
    for extra in chairs[1:]:
        report.rows.append(RowResult(extra.line, extra.id, "error",
                                     f"the committee already has a chair on line {chairs[0].line}"))


def import_people(session: Session, text: str, *, actor: str, now: dt.datetime) -> ImportReport:
    """Check every row of ``text``, then (only if all are good) write people, departments and posts.

    The caller owns the transaction: commit when ``report.ok``, roll back otherwise (nothing is written then
    anyway — checking comes first)."""
    report = ImportReport()
    rows = _read(text, report)
    _check_posts(rows, report)
    if not report.ok:
        report.rows.sort(key=lambda r: r.line)
        return report

    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([r.id for r in rows])))}
    outsiders = [r for r in rows if r.id in users and OUTSIDE_PARTY_ROLE in (users[r.id].roles or [])]
    if outsiders:
        report.rows = [RowResult(r.line, r.id, "error", "this id is an outside party's account; staff need "
                                 "their own id") for r in outsiders]
        return report
    known = set(session.scalars(select(Department.name)))
    for name in sorted({r.department for r in rows} - known):
        add_department(session, actor=actor, name=name, now=now)

    for row in rows:
        user = users.get(row.id)
        post_roles = [r for r in (user.roles if user else []) if r in POST_ROLES.values()]
        values = {"name": row.name, "department": row.department, "post": row.post, "personnel_level": row.level,
                  "email": row.email, "identifier": row.identifier, "roles": [*row.roles, *post_roles]}
        if user is None:
            user = User(id=row.id, created_at=now, **values)
            session.add(user)
            users[row.id] = user
            report.rows.append(RowResult(row.line, row.id, "added"))
        else:
            changed = {k for k, v in values.items() if getattr(user, k) != v}
            for k in changed:
                setattr(user, k, values[k])
            report.rows.append(RowResult(row.line, row.id, "updated" if changed or user.status != row.status
                                         else "unchanged"))
    session.flush()
    for row in rows:
        if users[row.id].status != row.status:
            set_status(session, actor=actor, user_id=row.id, status=row.status, now=now)

    wanted: dict[tuple[OrgPost, str | None, str], None] = {}   # in file order
    for row in rows:
        if row.head:
            wanted[(OrgPost.DEPARTMENT_HEAD, row.department, row.id)] = None
        if row.liaison:
            wanted[(OrgPost.LIAISON, row.department, row.id)] = None
        if row.committee:
            wanted[(row.committee, None, row.id)] = None
    held = {(OrgPost(a.post), a.department, a.user_id)
            for a in session.scalars(select(Appointment).where(Appointment.ends_at.is_(None)))}
    for post, department, user_id in sorted(held - set(wanted), key=str):
        dismiss(session, actor=actor, post=post, user_id=user_id, department=department, now=now)
        report.posts_ended += 1
    # The chair first (it heads the committee's list), then the others in the file's order.
    for post, department, user_id in sorted((w for w in wanted if w not in held),
                                            key=lambda w: w[0] != OrgPost.COMMITTEE_CHAIR):
        appoint(session, actor=actor, post=post, user_id=user_id, department=department, now=now)
    log_change(session, actor=actor, action="import", subject=f"{len(rows)} people",
               detail={**report.counts(), "posts_ended": report.posts_ended}, now=now)
    report.rows.sort(key=lambda r: r.line)
    return report


def add_person(session: Session, fields: dict[str, str], *, actor: str, now: dt.datetime) -> User:
    """One new person, from the organisation page (or the onboarding form): the same columns and checks as a row
    of the import, without posts (appoint them on the page). :class:`OrganisationError` names every problem."""
    row, problems = _parse(0, {k: v for k, v in fields.items() if k not in {"head", "liaison", "committee"}})
    if row is not None and session.get(User, row.id) is not None:
        problems.append(f"there is already a person with the id {row.id!r}: choose another id")
    if row is None or problems:
        raise OrganisationError("; ".join(problems))
    if session.scalars(select(Department.name).where(Department.name == row.department)).first() is None:
        add_department(session, actor=actor, name=row.department, now=now)
    user = User(id=row.id, name=row.name, department=row.department, post=row.post, personnel_level=row.level,
                email=row.email, identifier=row.identifier, roles=row.roles, status=row.status, created_at=now)
    session.add(user)
    session.flush()
    log_change(session, actor=actor, action="add", subject=row.id,
               detail={"name": row.name, "department": row.department, "roles": row.roles}, now=now)
    return user
