"""Produce an agreement ready for signing: validate → render DOCX → convert to PDF → mark level and fields."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from documents.data import validate_data
from documents.manifest import Manifest
from documents.render import render_docx
from signing import Converter, SignatureSlot, mark_document

__all__ = ["PreparedAgreement", "new_document_id", "prepare_agreement"]


@dataclass(frozen=True)
class PreparedAgreement:
    template_id: str
    document_id: str
    level: str
    context: dict[str, Any]
    docx: bytes
    pdf: bytes          # marked, with one empty signature field per party; nothing signed yet


def new_document_id(today: dt.date | None = None) -> str:
    """``MB-20261121-9F3A61C2``: the date makes ids sortable, the random part makes them unguessable."""
    day = today or dt.date.today()
    return f"MB-{day:%Y%m%d}-{secrets.token_hex(4).upper()}"


def signature_slots(manifest: Manifest) -> list[SignatureSlot]:
    return [SignatureSlot(field_name=p.role, label=p.label.get("zh") or p.role, anchor=p.anchor)
            for p in manifest.parties]


def prepare_agreement(manifest: Manifest, data: Any, *, converter: Converter,
                      document_id: str | None = None) -> PreparedAgreement:
    context = validate_data(manifest, data)
    context["document_id"] = document_id or new_document_id()
    docx = render_docx(manifest.docx_path.read_bytes(), context, name=f"{manifest.id}/template.docx")
    pdf = converter.convert(docx)
    marked = mark_document(pdf, document_id=context["document_id"], level=context["secret_level"],
                           slots=signature_slots(manifest))
    return PreparedAgreement(template_id=manifest.id, document_id=context["document_id"],
                             level=context["secret_level"], context=context, docx=docx, pdf=marked)
