"""Operations that produce agreements: render one for the instance, seal it as the company."""

from __future__ import annotations

from records.levels import LEVELS
from workflows.agreements import create_agreement, sign_agreement
from workflows.registry import OPERATIONS, OperationContext


@OPERATIONS.operation("prepare_agreement")
def prepare_agreement(ctx: OperationContext, template: str, level: str | None = None) -> str:
    """Render TEMPLATE from the instance data and the company profile; returns the document id.

    LEVEL is the secret level of what the document holds (a core item's approval form is core); without it the
    template's default applies. Never taken from typed data: start forms refuse ``secret_level``."""
    data = {k: v for k, v in ctx.data.items() if k != "secret_level"}
    if level is not None:
        if level not in LEVELS:
            raise ValueError(f"level {level!r} is not a secret level ({', '.join(LEVELS)})")
        data["secret_level"] = level
    return create_agreement(ctx.session, ctx.services, template_id=template, data=data,
                            instance_id=ctx.instance.id, subject_user=ctx.instance.subject_user, now=ctx.now)


@OPERATIONS.operation("company_sign")
def company_sign(ctx: OperationContext, document: str) -> bool:
    """Sign DOCUMENT with the company seal: the first, certifying signature."""
    company = ctx.services.company["company_name"]
    sign_agreement(ctx.session, ctx.services, document_id=document, party="company",
                   identity=ctx.services.pki.company(company), user_id="system", now=ctx.now)
    return True
