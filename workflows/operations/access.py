"""Operations on people's access and messages: revocation records (seed 003 §5.1.3) and the outbox."""

from __future__ import annotations

from records.access_grants import revoke_all
from records.api_tokens import owned
from records.models import Notification, PersonStatus, Revocation, User
from records.organisation import set_status
from workflows.authority import content_level, decision_department, resolve_decider
from workflows.registry import OPERATIONS, OperationContext

SYSTEMS = ("door", "accounts", "files")


@OPERATIONS.operation("revoke_access")
def revoke_access(ctx: OperationContext, system: str) -> dict[str, str | int]:
    """Revoke SYSTEM (door / accounts / files) for the instance's person at once, and record it.

    ``accounts``: the person has left — their account is disabled (sign-in refused, held sessions end on the next
    request), their API tokens are revoked, their posts end and the approvals waiting on them move to whoever holds
    the post now. ``files``: their access requests and approvals end. ``door`` is outside mibao: recorded only.
    What they still have to do (a hand-over signature, the monthly non-compete proof) reaches them by a personal
    link with a one-time code."""
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; use one of {', '.join(SYSTEMS)}")
    person = ctx.instance.subject_user or str(ctx.data.get("employee_user", "unknown"))
    user = ctx.session.get(User, person)
    done: dict[str, int] = {}
    if user is not None and system == "accounts":
        done["api_tokens"] = len([t for t in owned(ctx.session, person) if t.revoked_at is None])
        # Ends the account's posts, sign-ins and API tokens at once (records.organisation.set_status).
        set_status(ctx.session, actor=ctx.actor, user_id=person, status=PersonStatus.LEFT, now=ctx.now)
    if user is not None and system == "files":
        done["access_grants"] = revoke_all(ctx.session, person, actor=ctx.actor, now=ctx.now)
    ctx.session.add(Revocation(instance_id=ctx.instance.id, person=person, system=system,
                               revoked_at=ctx.now, revoked_by=ctx.actor))
    ctx.session.flush()
    return {"system": system, "at": ctx.now.isoformat(), "by": ctx.actor, **done}


@OPERATIONS.operation("notify")
def notify(ctx: OperationContext, role: str, subject: str, user: str | None = None, decider: str | None = None
           ) -> bool:
    """Put a message for ROLE (or one USER, or the holder of the post DECIDER, e.g. the department's liaison)
    in the outbox, marked with the level of the secret the process is about (the outbox withholds it from the
    uncleared; mail never carries it)."""
    if decider is not None:
        department = decision_department(ctx.session, ctx.instance, ctx.data)
        user = resolve_decider(ctx.session, ctx.instance, decider, department).id
    ctx.session.add(Notification(instance_id=ctx.instance.id, to_role=role, to_user=user, subject=subject,
                                 level=content_level(ctx.data), created_at=ctx.now))
    ctx.session.flush()
    return True
