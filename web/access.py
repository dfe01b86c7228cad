"""Who may see what: documents and register items. Every page that shows either asks here, nowhere else.

The next step (need-to-know by secret level) tightens these functions; the pages do not change.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, select

from records.models import Document, SecretItem, Task, User
from web.audit_log import log_access
from web.security import current_user
from web.state import state

__all__ = ["DOCUMENT_ROLES", "REGISTER_ROLES", "can_see_document", "register_items", "visible_document"]

# Roles that see every agreement: HR keeps the personnel files, the secrecy office owns the agreements.
DOCUMENT_ROLES = frozenset({"hr", "secrecy_office"})
# Roles that see the secret register.
REGISTER_ROLES = ("secrecy_office", "committee", "department_head", "liaison")


def can_see_document(user: User, document: Document, action: str = "view") -> bool:
    """HR and the secrecy office; the person the agreement is about; whoever signed it or has a task to sign it.

    A refusal is written to the audit log as a denied ``action`` (the operation that was attempted)."""
    allowed = _may_see(user, document)
    if not allowed:
        log_access(action, "document", document.id, document.level, document.sha256, False, actor=user.id)
    return allowed


def _may_see(user: User, document: Document) -> bool:
    if DOCUMENT_ROLES & set(user.roles):
        return True
    if document.subject_user == user.id or any(s.get("user") == user.id for s in document.signatures):
        return True
    with state().sessions() as session:
        signers = session.execute(select(Task.assignee, Task.lane).where(Task.sign_document == document.id)).all()
    return any(assignee == user.id if assignee else lane in user.roles for assignee, lane in signers)


def visible_document(document_id: str, action: str = "view") -> Document:
    """The document, if the signed-in user may see it; 404 otherwise (no hint that it exists)."""
    user = current_user()
    with state().sessions() as session:
        document = session.get(Document, document_id)
        if document is not None:
            session.expunge(document)
    if user is None or document is None or not can_see_document(user, document, action):
        abort(404)
    return document


def register_items(user: User) -> Select[SecretItem]:
    """The register entries ``user`` may see, as a query to filter further. For now: all of them."""
    return select(SecretItem)
