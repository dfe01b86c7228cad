"""Operations on people's access and messages: revocation records (seed 003 §5.1.3) and the outbox."""

from __future__ import annotations

from records.models import Notification, Revocation
from workflows.authority import resolve_decider
from workflows.registry import OPERATIONS, OperationContext

SYSTEMS = ("door", "accounts", "files")


@OPERATIONS.operation("revoke_access")
def revoke_access(ctx: OperationContext, system: str) -> dict[str, str]:
    """Record the immediate revocation of SYSTEM (door / accounts / files) for the instance's person."""
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; use one of {', '.join(SYSTEMS)}")
    person = ctx.instance.subject_user or str(ctx.data.get("employee_user", "unknown"))
    ctx.session.add(Revocation(instance_id=ctx.instance.id, person=person, system=system,
                               revoked_at=ctx.now, revoked_by=ctx.actor))
    ctx.session.flush()
    return {"system": system, "at": ctx.now.isoformat(), "by": ctx.actor}


@OPERATIONS.operation("notify")
def notify(ctx: OperationContext, role: str, subject: str, user: str | None = None, decider: str | None = None
           ) -> bool:
    """Put a message for ROLE (or one USER, or the holder of the post DECIDER, e.g. the department's liaison)
    in the outbox."""
    if decider is not None:
        user = resolve_decider(ctx.session, ctx.instance, decider, ctx.data).id
    ctx.session.add(Notification(instance_id=ctx.instance.id, to_role=role, to_user=user, subject=subject,
                                 created_at=ctx.now))
    ctx.session.flush()
    return True
