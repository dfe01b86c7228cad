"""Need-to-know on the database: the resources' levels, parties and knowers, the approvals (access grants) on
record, and one audit record per decision. The rule itself is :func:`records.need_to_know.decide`.

Every access to a document, a register entry or a carrier goes through :func:`authorize`, which writes the
decision to the audit chain (allowed or denied, with its basis) in the caller's transaction; a core approval is
used up there, under a conditional update, so two requests racing on one approval get one access between them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from records.audit import record
from records.levels import SecretLevel
from records.models import AccessGrant, Carrier, Document, GrantStatus, ItemStatus, PersonStatus, SecretItem, Task, User
from records.need_to_know import (
    READ_OPERATIONS,
    Decision,
    Grant,
    Resource,
    Subject,
    approver_may_decide,
    decide,
    knower_tokens,
)

__all__ = [
    "AccessContext",
    "AccessRequestError",
    "AccessRequestNotFound",
    "AlreadyDecided",
    "NotTheApprover",
    "approver_title",
    "authorize",
    "decide_request",
    "load_resource",
    "pending_for",
    "request_access",
    "requests_of",
    "resource_of_carrier",
    "resource_of_document",
    "resource_of_item",
    "revoke_all",
    "subject_of",
]

# An important-level approval lasts a week; a core one is for one access, to be made within a day.
IMPORTANT_VALIDITY = dt.timedelta(days=7)
CORE_VALIDITY = dt.timedelta(days=1)


class AccessRequestError(ValueError):
    """A request or a decision that cannot be taken; the message says why and what to do."""


class AccessRequestNotFound(AccessRequestError):
    """No such request, or what it asks for is gone."""


class NotTheApprover(AccessRequestError):
    """The user may not decide this request."""

    def __init__(self, message: str, resource: Resource) -> None:
        super().__init__(message)
        self.resource = resource


_APPROVER_TITLES: dict[str, str] = {SecretLevel.CORE: "general manager",
                                    SecretLevel.IMPORTANT: "head of the owning department"}


def approver_title(level: str) -> str:
    return _APPROVER_TITLES.get(level, "department head or the secrecy office")


class AlreadyDecided(AccessRequestError):
    """A second decision on the same request (a second click)."""


@dataclass(frozen=True)
class AccessContext:
    """Where a request came from, for the audit record: client address and an opaque session hash."""

    source: str | None = None
    session_hash: str | None = None


def subject_of(user: User) -> Subject:
    return Subject(id=user.id, roles=frozenset(user.roles or ()), department=user.department, post=user.post,
                   name=user.name, active=user.status != PersonStatus.LEFT)


def resource_of_document(session: Session, document: Document, subject: Subject | None = None) -> Resource:
    """The agreement's parties: the person it is about, whoever signed it, whoever has (or had) a task to sign
    it — by name, or through a lane that is one of ``subject``'s roles."""
    parties = {document.subject_user} | {s.get("user") for s in document.signatures}
    for assignee, lane in session.execute(select(Task.assignee, Task.lane)
                                          .where(Task.sign_document == document.id)).all():
        if assignee:
            parties.add(assignee)
        elif subject is not None and lane in subject.roles:
            parties.add(subject.id)
    return Resource("document", document.id, document.level, department=None,
                    parties=frozenset(p for p in parties if p))


def resource_of_item(item: SecretItem) -> Resource:
    return Resource("register_item", str(item.id), item.level, department=item.department,
                    knowers=knower_tokens(item.knowers), declassified=item.status == ItemStatus.DECLASSIFIED)


def resource_of_carrier(carrier: Carrier) -> Resource:
    return Resource("carrier", str(carrier.id), carrier.level, department=carrier.department,
                    parties=frozenset({carrier.holder}) if carrier.holder else frozenset())


def load_resource(session: Session, kind: str, target_id: str, subject: Subject | None = None) -> Resource | None:
    """The resource ``kind``/``target_id`` as the rule sees it, or None when there is none."""
    if kind == "document":
        document = session.get(Document, target_id)
        return resource_of_document(session, document, subject) if document else None
    if not target_id.isdigit():
        return None
    if kind == "register_item":
        item = session.get(SecretItem, int(target_id))
        return resource_of_item(item) if item else None
    if kind == "carrier":
        carrier = session.get(Carrier, int(target_id))
        return resource_of_carrier(carrier) if carrier else None
    return None


def usable_grants(session: Session, user_id: str, resource: Resource, operation: str,
                  now: dt.datetime) -> list[Grant]:
    rows = session.scalars(select(AccessGrant).where(
        AccessGrant.user_id == user_id, AccessGrant.target_type == resource.kind,
        AccessGrant.target_id == resource.id, AccessGrant.operation == operation,
        AccessGrant.status == GrantStatus.APPROVED,
        or_(AccessGrant.expires_at.is_(None), AccessGrant.expires_at > now)).order_by(AccessGrant.id)).all()
    return [Grant(g.id, g.user_id, g.target_type, g.target_id, g.operation, g.approver or "",
                  single_use=g.level == SecretLevel.CORE) for g in rows]


def authorize(session: Session, user: User, resource: Resource, operation: str, *, now: dt.datetime,
              context: AccessContext = AccessContext(), content_sha256: str | None = None, log: bool = True,
              detail: dict[str, Any] | None = None, consume: bool = True) -> Decision:
    """Decide, use up a core approval when that is what allows it (``consume``; a list only shows that it
    would), and record the decision (``log``)."""
    subject = subject_of(user)
    grants = usable_grants(session, user.id, resource, operation, now) if operation in READ_OPERATIONS else []
    decision = decide(subject, resource, operation, grants)
    if consume and decision.allowed and decision.grant is not None and decision.grant.single_use:
        used = session.execute(update(AccessGrant).where(AccessGrant.id == decision.grant.id,
                                                         AccessGrant.status == GrantStatus.APPROVED)
                               .values(status=GrantStatus.USED, used_at=now))
        if used.rowcount != 1:   # type: ignore[attr-defined]  # a racing request used it first
            decision = Decision(False, "approval_already_used", needs=decision.needs or "general_manager")
    if log:
        record(session, actor=user.id, role=",".join(user.roles), action=operation, target_type=resource.kind,
               target_id=resource.id, level=resource.level, content_sha256=content_sha256,
               allowed=decision.allowed, source=context.source, session_hash=context.session_hash, at=now,
               detail={"basis": decision.basis, **decision.detail, **(detail or {})})
    return decision


def request_access(session: Session, user: User, resource: Resource, operation: str, purpose: str, *,
                   now: dt.datetime, context: AccessContext = AccessContext()) -> AccessGrant:
    """Ask for approval to ``operation`` ``resource``, giving the purpose (用途). Asking twice returns the first
    request while it is pending."""
    purpose = purpose.strip()
    if operation not in READ_OPERATIONS:
        raise AccessRequestError(f"approval can be asked for {', '.join(READ_OPERATIONS)}, not {operation!r}")
    if len(purpose) < 4:
        raise AccessRequestError("say what the access is for (at least 4 characters): the approver decides on it")
    if len(purpose) > 2000:
        raise AccessRequestError("the purpose is longer than 2000 characters; shorten it")
    standing = decide(subject_of(user), resource, operation)
    if standing.allowed:
        raise AccessRequestError("you already have access to this; no approval is needed")
    if standing.needs is None:
        raise AccessRequestError("no approval can allow this operation")
    pending = session.scalars(select(AccessGrant).where(
        AccessGrant.user_id == user.id, AccessGrant.target_type == resource.kind,
        AccessGrant.target_id == resource.id, AccessGrant.operation == operation,
        AccessGrant.status == GrantStatus.PENDING)).first()
    if pending is not None:
        return pending
    grant = AccessGrant(user_id=user.id, target_type=resource.kind, target_id=resource.id, level=resource.level,
                        operation=operation, purpose=purpose, status=GrantStatus.PENDING, requested_at=now)
    session.add(grant)
    session.flush()
    record(session, actor=user.id, role=",".join(user.roles), action="request_access", target_type=resource.kind,
           target_id=resource.id, level=resource.level, source=context.source, session_hash=context.session_hash,
           at=now, detail={"grant": grant.id, "operation": operation, "purpose": purpose, "needs": standing.needs})
    return grant


def decide_request(session: Session, approver: User, grant_id: int, approve: bool, note: str = "", *,
                   now: dt.datetime, context: AccessContext = AccessContext()) -> AccessGrant:
    """Approve or reject a pending request. The approver must be the one the level asks for, and not the
    requester; a second decision on the same request is refused."""
    grant = session.get(AccessGrant, grant_id, with_for_update=True)
    if grant is None:
        raise AccessRequestNotFound(f"there is no access request {grant_id}")
    resource = load_resource(session, grant.target_type, grant.target_id)
    if resource is None:
        raise AccessRequestNotFound(f"what access request {grant_id} asks for no longer exists")
    if not approver_may_decide(subject_of(approver), resource) or approver.id == grant.user_id:
        # The caller's transaction rolls back with this error: the caller records the refusal (it has
        # ``resource``) in a transaction of its own, as it does for every other refusal.
        raise NotTheApprover(f"access request {grant_id} is not yours to decide: a {resource.level} access is "
                             f"approved by the {approver_title(resource.level)}", resource)
    if grant.status != GrantStatus.PENDING:
        raise AlreadyDecided(f"access request {grant_id} was already decided ({grant.status}) by "
                                 f"{grant.approver} at {grant.decided_at:%Y-%m-%d %H:%M} UTC")
    grant.status = GrantStatus.APPROVED if approve else GrantStatus.REJECTED
    grant.approver, grant.decided_at, grant.note = approver.id, now, note.strip()[:2000] or None
    if approve:
        grant.level = resource.level
        grant.expires_at = now + (CORE_VALIDITY if resource.level == SecretLevel.CORE else IMPORTANT_VALIDITY)
    record(session, actor=approver.id, role=",".join(approver.roles), action="approve" if approve else "reject",
           target_type=resource.kind, target_id=resource.id, level=resource.level, source=context.source,
           session_hash=context.session_hash, at=now,
           detail={"grant": grant.id, "requester": grant.user_id, "operation": grant.operation,
                   "expires_at": grant.expires_at.isoformat() if grant.expires_at else None})
    return grant


def revoke_all(session: Session, user_id: str, *, actor: str, now: dt.datetime) -> int:
    """End every request and approval ``user_id`` has that could still give access (they are leaving);
    each ended one is a link of the audit chain. Returns how many."""
    ended = 0
    for grant in session.scalars(select(AccessGrant).where(
            AccessGrant.user_id == user_id,
            AccessGrant.status.in_([GrantStatus.PENDING, GrantStatus.APPROVED])).order_by(AccessGrant.id)):
        before, grant.status = grant.status, GrantStatus.REVOKED
        record(session, actor=actor, action="access_revoked", target_type=grant.target_type,
               target_id=grant.target_id, level=grant.level, at=now,
               detail={"grant": grant.id, "user": user_id, "was": str(before), "operation": grant.operation})
        ended += 1
    session.flush()
    return ended


def pending_for(session: Session, approver: User) -> list[tuple[AccessGrant, Resource]]:
    """The pending requests ``approver`` may decide, oldest first."""
    subject = subject_of(approver)
    found = []
    for grant in session.scalars(select(AccessGrant).where(AccessGrant.status == GrantStatus.PENDING)
                                 .order_by(AccessGrant.id).limit(500)):
        resource = load_resource(session, grant.target_type, grant.target_id)
        if resource is not None and grant.user_id != approver.id and approver_may_decide(subject, resource):
            found.append((grant, resource))
    return found


def requests_of(session: Session, user_id: str, limit: int = 100) -> Sequence[AccessGrant]:
    return session.scalars(select(AccessGrant).where(AccessGrant.user_id == user_id)
                           .order_by(AccessGrant.id.desc()).limit(limit)).all()
