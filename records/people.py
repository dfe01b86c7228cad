"""People and their roles: add or update accounts; the demo organisation used by `mibao demo` and the web demo."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.levels import SecretLevel
from records.models import PersonStatus, User

__all__ = ["DEMO_PEOPLE", "OUTSIDE_PARTY_ROLE", "Person", "ensure_people", "may_sign_in", "staff"]

# Outside parties (partners, visitors, auditors) act only through their own signing link and one-time code
# (workflows/links.py), never with a password: an account with this role cannot sign in.
OUTSIDE_PARTY_ROLE = "external"


def may_sign_in(user: User) -> bool:
    """Whether ``user`` may have a sign-in or an API token at all: an active member of staff (outside parties work
    only through their own links). How they prove who they are is separate: a local password, checked at the
    password login, or the directory or identity provider, for accounts that have no local password.

    Checked on every request, so an account disabled when its person leaves ends their sessions at once."""
    return OUTSIDE_PARTY_ROLE not in (user.roles or []) and user.status != PersonStatus.LEFT


def staff(session: Session) -> list[User]:
    """Everyone on the staff who has not left (not outside parties), by name: whom a form may pick."""
    found = session.scalars(select(User).where(User.status != PersonStatus.LEFT).order_by(User.name, User.id))
    return [u for u in found if OUTSIDE_PARTY_ROLE not in (u.roles or [])]


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    roles: tuple[str, ...]
    department: str | None = None
    personnel_level: str | None = None
    identifier: str | None = None
    post: str | None = None           # 岗位, for post authorisation of general-level items


# A small bearing company (seed 003): HR, the secrecy office, a department with its head and liaison, the
# secrecy committee (chair = general manager, seed 001), engineers, and outside parties who sign by link.
DEMO_PEOPLE = (
    Person("hr01", "刘芳", ("hr",), "人力资源部", identifier="E0101"),
    Person("sec01", "周明", ("secrecy_office",), "保密管理部", identifier="E0201"),
    Person("sec02", "冯敏", ("secrecy_office",), "保密管理部", identifier="E0202"),   # two officers: two-person rules
    Person("liaison01", "孙丽", ("liaison",), "技术研发部", identifier="E0301"),
    Person("head01", "钱伟", ("department_head",), "技术研发部", identifier="E0302"),
    Person("gm01", "陈建华", ("committee", "department_head", "general_manager"), "总经理办公室", identifier="E0001",
           post="总经理"),
    Person("cm02", "吴强", ("committee",), "生产部", identifier="E0401"),
    Person("cm03", "郑洁", ("committee",), "财务部", identifier="E0501"),
    Person("eng01", "王志强", ("employee",), "技术研发部", SecretLevel.CORE, "E1001", post="工艺工程师"),
    Person("eng02", "李娜", ("employee",), "技术研发部", SecretLevel.IMPORTANT, "E1002", post="设计工程师"),
    Person("visitor01", "赵晓东", ("external",), "济南某检测技术有限公司", identifier="370102198805061234"),
)


def ensure_people(session: Session, people: Iterable[Person]) -> None:
    """Create or update each person's account (idempotent)."""
    for person in people:
        user = session.get(User, person.id) or User(id=person.id)
        user.name, user.roles = person.name, list(person.roles)
        user.post = person.post
        user.department, user.personnel_level, user.identifier = (person.department, person.personnel_level,
                                                                  person.identifier)
        session.add(user)
    session.flush()
