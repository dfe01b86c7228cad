"""Operations of the publication review (seed 000 art. 5(5), seed 003 §6.1.3): the material's facts from the register
and the uploaded file, the decision, and the signed opinion."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from records.levels import SecretLevel, highest
from records.models import SecretItem, User
from workflows.agreements import agreement_job, render_agreement
from workflows.clock import SHANGHAI
from workflows.errors import OperationFailed
from workflows.operations.agreements import record_prepared
from workflows.publication import TEMPLATE, decide, opinion_data, opinion_title
from workflows.registry import OPERATIONS, OperationContext

UPLOAD = "upload:"


@OPERATIONS.operation("publication_facts")
def publication_facts(ctx: OperationContext) -> dict[str, Any]:
    """The requester (who started it), the uploaded file re-hashed (the opinion binds to these bytes) and the items
    named, read from the register; ``publication_level`` is the highest level among them, and a core item takes
    the material to the committee."""
    data = ctx.data
    ids = [int(i) for i in data.get("item_ids") or []]
    items = {i.id: i for i in ctx.session.scalars(select(SecretItem).where(SecretItem.id.in_(ids)))} if ids else {}
    unknown = [i for i in ids if i not in items]
    if unknown:
        raise OperationFailed(f"item_ids: the register has no entry {unknown}; pick items from the register")
    ref = str(data.get("material_file") or "")
    name = ref.removeprefix(UPLOAD)
    path = ctx.services.instance.root / "uploads" / name
    if not ref.startswith(UPLOAD) or "/" in name or not path.is_file():
        raise OperationFailed(f"material_file: {ref!r} is no uploaded file; upload the material in the form")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if not name.startswith(digest):
        raise OperationFailed(f"material_file: the stored file {name} no longer matches its hash; it was changed")
    data["items"] = [{"id": i.id, "name": i.name, "level": i.level} for i in (items[n] for n in ids)]
    level = highest(i.level for i in items.values())
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
