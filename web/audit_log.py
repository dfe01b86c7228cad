"""The web's side of the audit log (``records.audit``): who saw or fetched what, from where, allowed or denied;
an anchor whenever an agreement completes, and at least hourly from the background loop.

``log_access`` takes the actor, the client address and a hash of the session cookie (or of the API token)
from the request, so a view adds one line. Each entry commits in its own short write transaction: a refusal
is kept even though the request then ends in a 404.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

from flask import g, request, session
from sqlalchemy import func, select

from records.audit import AnchorError, anchor_committed, record
from records.db import transaction
from records.models import AuditAnchor, SecretItem
from web.state import WebState, state

__all__ = ["anchor_if_due", "log_access", "register_item_sha256", "session_hash"]

log = logging.getLogger(__name__)

ANCHOR_EVERY = dt.timedelta(hours=1)


def log_access(action: str, target_type: str, target_id: str | int, level: str | None, sha256: str | None,
               allowed: bool, *, actor: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Record one access (view / download / page_image …) by the requesting user, allowed or denied."""
    user = g.get("user") or g.get("api_user")
    with transaction(state().sessions) as session:
        record(session, actor=actor or (user.id if user else "anonymous"), action=action, target_type=target_type,
               target_id=target_id, role=",".join(user.roles) if user and not actor else None, level=level,
               content_sha256=sha256, allowed=allowed, source=request.remote_addr, session_hash=session_hash(),
               detail={"path": request.path, **(detail or {})}, at=state().engine.clock.now())


def register_item_sha256(item: SecretItem) -> str:
    """What a register entry said when it was seen: SHA-256 over its fields as canonical JSON."""
    fields = {c.name: getattr(item, c.name) for c in SecretItem.__table__.columns}
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def session_hash() -> str | None:
    """Links the entries of one sign-in (or one API token) without storing anything that could replay it."""
    secret = session.get("sid") or request.headers.get("Authorization")
    return hashlib.sha256(str(secret).encode("utf-8")).hexdigest()[:32] if secret else None


def anchor_if_due(web: WebState, now: dt.datetime, every: dt.timedelta = ANCHOR_EVERY) -> AuditAnchor | None:
    """Anchor the chain when the last anchor is ``every`` old (and something was recorded since)."""
    with web.sessions() as session:
        last = session.scalar(select(func.max(AuditAnchor.at)))
    if last is not None and now - last < every:
        return None
    try:
        return anchor_committed(web.sessions, web.services.pki, now)
    except AnchorError:   # the TSA is down: the outbox still goes out; the next minute tries again
        log.warning("could not anchor the audit log", exc_info=True)
        return None
