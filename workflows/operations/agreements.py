"""Operations that produce agreements: render one for the instance, seal it as the company."""

from __future__ import annotations

from typing import Any

from records.levels import LEVELS, highest
from workflows.agreements import agreement_job, record_agreement, record_seal, render_agreement, seal, seal_job
from workflows.record_sources import RECORD_SOURCES
from workflows.registry import OPERATIONS, OperationContext


def record_prepared(ctx: OperationContext, job: dict[str, Any], result: dict[str, Any]) -> str:
    """A prepared agreement's job applied: its row; the service task's result is the document id."""
    return record_agreement(ctx.session, job, result, ctx.now)


@OPERATIONS.job("prepare_agreement", queue="documents", title="正在生成协议 / preparing the agreement",
                work=render_agreement, apply=record_prepared)
def prepare_agreement(ctx: OperationContext, template: str, level: str | None = None) -> dict[str, Any]:
    """Render TEMPLATE from the instance data and the company profile (on a worker); the result is the document id.

    LEVEL is the secret level of what the document holds (a core item's approval form is core); without it the
    template's default applies. Never taken from typed data: start forms refuse ``secret_level``."""
    data = {k: v for k, v in ctx.data.items() if k != "secret_level"}
    if level is not None:
        if level not in LEVELS:
            raise ValueError(f"level {level!r} is not a secret level ({', '.join(LEVELS)})")
        data["secret_level"] = level
    manifest = ctx.services.catalog.get(template)
    for variable in manifest.variables:
        if variable.from_records:
            # From the records at this moment, over anything of that name in the instance data.
            data[variable.name], revealed = RECORD_SOURCES[variable.from_records](ctx.session,
                                                                                  ctx.instance.subject_user)
            data["secret_level"] = highest([data.get("secret_level", manifest.default_level), revealed])
    return agreement_job(ctx.services, template_id=template, data=data, instance_id=ctx.instance.id,
                         subject_user=ctx.instance.subject_user, now=ctx.now)


def _record_seal(ctx: OperationContext, job: dict[str, Any], result: dict[str, Any]) -> bool:
    record_seal(ctx.session, job, result, ctx.now)
    return True


@OPERATIONS.job("company_sign", queue="signing", title="正在加盖公司签章 / sealing as the company",
                work=seal, apply=_record_seal)
def company_sign(ctx: OperationContext, document: str) -> dict[str, Any]:
    """Sign DOCUMENT with the company seal (on a worker): the first, certifying signature."""
    return seal_job(ctx.session, ctx.services, document_id=document, now=ctx.now)
