"""Template variables the system fills from its records when an agreement is prepared (a manifest variable with
``from_records = "<source>"``): what the records say, never what a requester typed, and the secret level the
result carries, so the document is marked and guarded at least at that level."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from records.levels import SecretLevel, highest
from records.models import ItemStatus, SecretItem, User
from records.need_to_know import knower_tokens

__all__ = ["RECORD_SOURCES", "known_items"]

# (session, the person the agreement is about) -> (value, the highest secret level the value reveals, or None)
Source = Callable[[Session, str | None], tuple[Any, SecretLevel | None]]


def known_items(session: Session, person: str | None) -> tuple[list[dict[str, Any]], SecretLevel | None]:
    """The register entries whose 知悉范围 names the person (by account, name or post), still secret: the
    per-employee list appendix 5 attaches to the NDA (seed 003 §5.1.1). Their names are as secret as the entries,
    so the NDA takes the highest of their levels."""
    user = session.get(User, person) if person else None
    if user is None:
        return [], None
    names = {user.id, user.name, user.post} - {None, ""}
    candidates = session.scalars(select(SecretItem).where(
        SecretItem.status == ItemStatus.ACTIVE,
        or_(*(SecretItem.knowers.contains(str(n)) for n in names))).order_by(SecretItem.id))
    items = [item for item in candidates if names & knower_tokens(item.knowers)]
    rows = [{"number": item.id, "name": item.name, "level": item.level, "period": item.period or ""}
            for item in items]
    return rows, highest([item.level for item in items])


RECORD_SOURCES: dict[str, Source] = {"known_items": known_items}
