"""The demo organisation's posts: who heads which department, the liaison, the committee and its chair."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from records.models import OrgPost, utcnow
from records.organisation import add_department, appoint
from records.people import DEMO_PEOPLE, OUTSIDE_PARTY_ROLE, ensure_people

__all__ = ["DEMO_POSTS", "ensure_demo"]

DEMO_POSTS: tuple[tuple[OrgPost, str | None, str], ...] = (
    (OrgPost.COMMITTEE_CHAIR, None, "gm01"),
    (OrgPost.COMMITTEE_MEMBER, None, "cm02"),
    (OrgPost.COMMITTEE_MEMBER, None, "cm03"),
    (OrgPost.DEPARTMENT_HEAD, "总经理办公室", "gm01"),
    (OrgPost.DEPARTMENT_HEAD, "技术研发部", "head01"),
    (OrgPost.LIAISON, "技术研发部", "liaison01"),
)


def ensure_demo(session: Session, now: dt.datetime | None = None) -> None:
    """The demo people, their departments and posts (idempotent)."""
    moment = now or utcnow()
    ensure_people(session, DEMO_PEOPLE)
    for name in sorted({p.department for p in DEMO_PEOPLE if p.department and OUTSIDE_PARTY_ROLE not in p.roles}):
        add_department(session, actor="demo", name=name, now=moment)
    for post, department, user_id in DEMO_POSTS:
        appoint(session, actor="demo", post=post, user_id=user_id, department=department, now=moment)
