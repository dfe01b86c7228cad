"""Produce an agreement ready for signing: validate → render DOCX → convert → evidence → mark level and fields.

The evidence (a page listing what was prepared, and the source DOCX, the fill data and the preparation record
as embedded files) goes in before the marks, so the evidence page is numbered and marked like every other
page, and long before the first signature, which then covers it (see :mod:`signing.evidence`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from documents.data import validate_data
from documents.manifest import Manifest
from documents.render import render_docx
from signing import Converter, SignatureSlot, mark_document
from signing.evidence import EvidenceMeta, ExpectedSigner, attach_evidence

__all__ = ["PreparedAgreement", "evidence_meta", "new_document_id", "prepare_agreement"]


@dataclass(frozen=True)
class PreparedAgreement:
    template_id: str
    document_id: str
    level: str
    context: dict[str, Any]
    docx: bytes
    pdf: bytes          # evidence page and files, marked, one empty signature field per party; nothing signed yet


def new_document_id(today: dt.date | None = None) -> str:
    """``MB-20261121-9F3A61C2``: the date makes ids sortable, the random part makes them unguessable."""
    day = today or dt.date.today()
    return f"MB-{day:%Y%m%d}-{secrets.token_hex(4).upper()}"


def signature_slots(manifest: Manifest, *, evidence: bool = True) -> list[SignatureSlot]:
    """One field per party; a field whose anchor is not printed goes to the last agreement page, which is the
    second to last page when the evidence page follows it."""
    page = -2 if evidence else -1
    return [SignatureSlot(field_name=p.role, label=p.label.get("zh") or p.role, anchor=p.anchor, page=page)
            for p in manifest.parties]


def expected_signer(role: str, context: dict[str, Any]) -> str | None:
    """Who the fill data says signs as ``role``: the company by its name, a person by ``<role>_name``."""
    value = context.get("company_name" if role == "company" else f"{role}_name")
    return (value.strip() or None) if isinstance(value, str) else None


def evidence_meta(manifest: Manifest, context: dict[str, Any], *, prepared_at: dt.datetime,
                  instance_id: int | None = None) -> EvidenceMeta:
    return EvidenceMeta(
        document_id=context["document_id"], template_id=manifest.id, template_version=manifest.version,
        title=manifest.title.get("zh") or manifest.id, level=context["secret_level"], prepared_at=prepared_at,
        parties=[ExpectedSigner(role=p.role, label=p.label.get("zh") or p.role,
                                name=expected_signer(p.role, context)) for p in manifest.parties],
        instance_id=instance_id,
    )


def prepare_agreement(manifest: Manifest, data: Any, *, converter: Converter, document_id: str | None = None,
                      prepared_at: dt.datetime | None = None, instance_id: int | None = None,
                      template: bytes | None = None) -> PreparedAgreement:
    """``prepared_at`` (default now) and ``instance_id`` (the process instance, if any) go into the evidence;
    ``template``: the DOCX to fill (a company version of the template), else the packaged file."""
    context = validate_data(manifest, data)
    context["document_id"] = document_id or new_document_id()
    source = manifest.docx_path.read_bytes() if template is None else template
    docx = render_docx(source, context, name=f"{manifest.id}/template.docx")
    pdf = converter.convert(docx)
    meta = evidence_meta(manifest, context, prepared_at=prepared_at or dt.datetime.now(dt.UTC),
                         instance_id=instance_id)
    with_evidence = attach_evidence(pdf, docx=docx, data=context, meta=meta)
    marked = mark_document(with_evidence, document_id=context["document_id"], level=context["secret_level"],
                           slots=signature_slots(manifest))
    return PreparedAgreement(template_id=manifest.id, document_id=context["document_id"],
                             level=context["secret_level"], context=context, docx=docx, pdf=marked)
