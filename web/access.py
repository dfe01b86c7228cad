"""Who may see what, for the web and the API: every page, download, preview, list and search that shows a
document, a register entry or a carrier asks here, and nowhere else.

The rule is :mod:`records.need_to_know`; :mod:`records.access_grants` adds the approvals on record and writes
each decision (allowed or denied) to the audit chain. This module only supplies the request's user, clock,
address and session hash. A denied single access ends in 404, so an id gives no hint of what it names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import abort, g, request
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from records.access_grants import (
    AccessContext,
    authorize,
    resource_of_carrier,
    resource_of_document,
    resource_of_item,
    subject_of,
)
from records.audit import record
from records.db import transaction
from records.levels import SecretLevel
from records.models import Carrier, Document, SecretItem, User
from records.need_to_know import Decision, Resource
from web.audit_log import register_item_sha256, session_hash
from web.security import current_user
from web.state import state
from workflows import InstanceView
from workflows.authority import content_level

__all__ = ["REGISTER_ROLES", "Listed", "access_context", "check", "check_document", "filter_visible",
           "instance_content_visible", "pickable_items", "register_items", "visible_carrier", "visible_document",
           "visible_item", "withheld_instance"]

# Roles that open the secret register at all; which entries each sees is the rule's.
REGISTER_ROLES = ("secrecy_office", "committee", "department_head", "liaison", "general_manager")

T = TypeVar("T")


@dataclass(frozen=True)
class Listed(Generic[T]):
    """A row of a list: the thing, whether the user may open it, and the approval that would let them."""

    row: T
    resource: Resource
    decision: Decision


def access_context() -> AccessContext:
    return AccessContext(source=request.remote_addr, session_hash=session_hash())


def _user() -> User:
    user: User | None = current_user() or g.get("api_user")
    if user is None:
        abort(404)
    return user


def check(session: Session, resource: Resource, operation: str, *, content_sha256: str | None = None,
          detail: dict[str, Any] | None = None, log: bool = True) -> Decision:
    """The signed-in user's decision on ``resource``, recorded in ``session``'s transaction."""
    return authorize(session, _user(), resource, operation, now=state().engine.clock.now(),
                     context=access_context(), content_sha256=content_sha256,
                     detail={"path": request.path, **(detail or {})}, log=log)


def check_document(user: User, document: Document, operation: str = "view",
                   detail: dict[str, Any] | None = None) -> bool:
    """May ``user`` do ``operation`` on ``document``? Recorded either way."""
    with transaction(state().sessions) as session:
        resource = resource_of_document(session, document, subject_of(user))
        return authorize(session, user, resource, operation, now=state().engine.clock.now(),
                         context=access_context(), content_sha256=document.sha256,
                         detail={"path": request.path, **(detail or {})}).allowed


def visible_document(document_id: str, operation: str = "view", detail: dict[str, Any] | None = None) -> Document:
    """The document, if the signed-in user may ``operation`` it (recorded); 404 otherwise."""
    user = _user()
    with state().sessions() as session:
        document = session.get(Document, document_id)
        if document is not None:
            session.expunge(document)
    if document is None or not check_document(user, document, operation, detail):
        abort(404)
    return document


def instance_content_visible(user: User, view: InstanceView) -> bool:
    """May ``user`` read what a process instance holds (its data, the details of its history)? An instance about a
    secret (``content_level``) is read like a document of that level whose parties are the people who had a task
    in it and its subject: a core item's classification is for the general manager and its deciders, not for the
    HR clerk who started it. Processes about people carry no level and follow the page's own rule. Recorded."""
    level = content_level(view.data)
    if level is None or level == SecretLevel.GENERAL:
        return True
    parties = {t.assignee for t in view.tasks} | {t.completed_by for t in view.tasks} | {view.subject_user}
    resource = Resource("document", f"instance-{view.id}", level, parties=frozenset(p for p in parties if p))
    with transaction(state().sessions) as session:
        return check(session, resource, "view", detail={"instance": view.id}).allowed


def withheld_instance(view: InstanceView) -> dict[str, Any]:
    """The instance as shown to someone not cleared for its content: progress without data or history details."""
    body = view.to_json()
    body["data"] = {}
    body["withheld"] = {"level": str(content_level(view.data)),
                        "reason": "you are not cleared for what this process holds; its deciders read it"}
    body["history"] = [{**h, "detail": {}} for h in body["history"]]
    return body


def visible_item(item_id: int, operation: str = "view") -> SecretItem:
    """The register entry, if the signed-in user may ``operation`` it (recorded); 404 otherwise."""
    found: SecretItem = _visible(SecretItem, item_id, operation, resource_of_item, register_item_sha256)
    return found


def visible_carrier(carrier_id: int, operation: str = "view") -> Carrier:
    """The carrier, if the signed-in user may ``operation`` it (recorded); 404 otherwise."""
    found: Carrier = _visible(Carrier, carrier_id, operation, resource_of_carrier, None)
    return found


def _visible(model: type[Any], row_id: int, operation: str, to_resource: Callable[[Any], Resource],
             digest: Callable[[Any], str] | None) -> Any:
    _user()
    with transaction(state().sessions) as session:
        row = session.get(model, row_id)
        if row is None:
            abort(404)
        decision = check(session, to_resource(row), operation, content_sha256=digest(row) if digest else None)
        session.expunge(row)
    if not decision.allowed:
        abort(404)
    return row


def filter_visible(session: Session, rows: Iterable[T], to_resource: Callable[[T], Resource],
                   operation: str = "view", *, what: str) -> list[Listed[T]]:
    """Decide every row of a list for the signed-in user; one audit record names the list and what it showed
    and withheld. Withheld rows are shown redacted (id and level) with the approval that would open them."""
    user = _user()
    subject = subject_of(user)
    listed = []
    for row in rows:
        resource = to_resource(row)
        if resource.kind == "document" and isinstance(row, Document):
            resource = resource_of_document(session, row, subject)
        listed.append(Listed(row, resource, authorize(session, user, resource, operation,
                                                      now=state().engine.clock.now(), log=False,
                                                      consume=False)))
    record(session, actor=user.id, role=",".join(user.roles), action="list", target_type=what, target_id="list",
           source=request.remote_addr, session_hash=session_hash(), at=state().engine.clock.now(),
           detail={"path": request.path, "shown": [x.resource.id for x in listed if x.decision.allowed],
                   "withheld": [x.resource.id for x in listed if not x.decision.allowed]})
    return listed


def register_items(session: Session, query: Select[Any] | None = None) -> Sequence[SecretItem]:
    """All register entries (optionally a narrowed ``select(SecretItem)``); pass them to :func:`filter_visible`."""
    chosen = select(SecretItem) if query is None else query
    return session.scalars(chosen.order_by(SecretItem.id)).all()


def pickable_items() -> list[dict[str, Any]]:
    """The register entries the signed-in user may see (id, name, level), for a form that picks items by name;
    the list is recorded like any other."""
    with transaction(state().sessions) as session:
        listed = filter_visible(session, register_items(session), resource_of_item, what="register")
        return [{"id": x.row.id, "name": x.row.name, "level": x.row.level} for x in listed if x.decision.allowed]
