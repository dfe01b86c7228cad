"""Operations of the publication review (seed 000 art. 5(5), seed 003 §6.1.3): the material's facts from the register
and the uploaded file, the decision, and the signed opinion."""

from __future__ import annotations

from typing import Any

from records.levels import SecretLevel, highest
from records.models import User
from workflows.agreements import agreement_job, render_agreement
from workflows.clock import SHANGHAI
from workflows.errors import OperationFailed
from workflows.operations.agreements import record_prepared
from workflows.operations.register import named_items
from workflows.publication import TEMPLATE, decide, opinion_data, opinion_title
from workflows.registry import OPERATIONS, OperationContext
from workflows.uploads import stored_upload


@OPERATIONS.operation("publication_facts")
def publication_facts(ctx: OperationContext) -> dict[str, Any]:
    """The requester (who started it), the uploaded file re-hashed (the opinion binds to these bytes) and the items
    named, read from the register; ``publication_level`` is the highest level among them, and a core item takes
    the material to the committee."""
    data = ctx.data
    items = named_items(ctx)
    name, digest = stored_upload(ctx.services.instance.root, data, "material_file", "the material")
    data["items"] = [{"id": i.id, "name": i.name, "level": i.level} for i in items]
    level = highest(i.level for i in items)
    data["publication_level"] = str(level) if level else None
    data["requester_user"] = ctx.instance.started_by
    requester = ctx.session.get(User, str(ctx.instance.started_by))
    return {"number": ctx.instance.id, "submitted_on": ctx.now.astimezone(SHANGHAI).date().isoformat(),
            "department": requester.department if requester else None, "file": name, "sha256": digest,
            "committee": level == SecretLevel.CORE}


@OPERATIONS.operation("publication_outcome")
def publication_outcome(ctx: OperationContext) -> dict[str, Any]:
    """The decision: the office's, unless the committee (core material) did not approve it."""
    try:
        return decide(ctx.data)
    except ValueError as exc:
        raise OperationFailed(str(exc)) from None


@OPERATIONS.job("prepare_publication_opinion", queue="documents",
                title="正在生成对外发布保密审查意见书 / preparing the publication review opinion",
                work=render_agreement, apply=record_prepared)
def prepare_publication_opinion(ctx: OperationContext) -> dict[str, Any]:
    """《对外发布保密审查意见书》 from the review, rendered on a worker; the result is the document id."""
    requester = str(ctx.data.get("requester_user"))
    user = ctx.session.get(User, requester)
    data = opinion_data(ctx.data, names={requester: user.name if user else requester},
                        today=ctx.now.astimezone(SHANGHAI).date())
    job = agreement_job(ctx.services, template_id=TEMPLATE, data=data, instance_id=ctx.instance.id,
                        subject_user=None, now=ctx.now)
    return {**job, "title": opinion_title(int(ctx.data["publication"]["number"]))}
