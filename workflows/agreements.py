"""Agreements inside processes: prepare one from the instance data, store it, sign it party by party.

Every signed version is a new file (``documents/<id>/<n>-<party>.pdf``) and the database row points at the
newest committed one. A crash between writing a file and committing leaves an unreferenced file behind and
the row on the previous version, so a retry signs again from a consistent state: nothing is lost or doubled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from documents import new_document_id, prepare_agreement
from records.audit import record
from records.models import Document, DocumentStatus
from records.storage import write_atomic
from signing import Identity, sign_document
from workflows.clock import SHANGHAI
from workflows.errors import ConflictError, NotFound, OperationFailed
from workflows.services import Services

__all__ = ["create_agreement", "document_bytes", "sign_agreement"]


def fill_data(services: Services, template_id: str, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The template's fields from the instance data over the company profile; ``sign_date`` defaults to today."""
    manifest = services.catalog.get(template_id)
    names = {v.name for v in manifest.variables} | {"secret_level"}
    merged = {k: v for k, v in services.company.items() if k in names}
    merged.update({k: v for k, v in data.items() if k in names})
    if "sign_date" in names and "sign_date" not in merged:
        merged["sign_date"] = today.isoformat()
    return merged


def create_agreement(session: Session, services: Services, *, template_id: str, data: dict[str, Any],
                     instance_id: int | None, subject_user: str | None, now: dt.datetime) -> str:
    manifest = services.catalog.get(template_id)
    today = now.astimezone(SHANGHAI).date()
    prepared = prepare_agreement(manifest, fill_data(services, template_id, data, today),
                                 converter=services.converter, document_id=new_document_id(today),
                                 prepared_at=now, instance_id=instance_id)
    relative = Path(prepared.document_id) / "0-prepared.pdf"
    write_atomic(services.documents_dir / relative, prepared.pdf)
    session.add(Document(
        id=prepared.document_id, instance_id=instance_id, template_id=template_id, title=manifest.title["zh"],
        level=prepared.level, path=str(relative), sha256=hashlib.sha256(prepared.pdf).hexdigest(),
        parties=[p.role for p in manifest.parties], signatures=[], subject_user=subject_user, created_at=now,
    ))
    session.flush()
    return prepared.document_id


def document_bytes(services: Services, document: Document) -> bytes:
    data = (services.documents_dir / document.path).read_bytes()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise OperationFailed(f"the stored file of document {document.id} does not match its recorded hash; "
                              "it was changed outside mibao — restore it from backup")
    return data


def sign_agreement(session: Session, services: Services, *, document_id: str, party: str, identity: Identity,
                   user_id: str, now: dt.datetime) -> Document:
    document = session.get(Document, document_id, with_for_update=True)
    if document is None:
        raise NotFound(f"there is no document {document_id!r}")
    if party not in document.parties:
        raise OperationFailed(f"document {document_id} has no party {party!r}; its parties: {document.parties}")
    if any(s["party"] == party for s in document.signatures):
        raise ConflictError(f"{party} has already signed document {document_id}")
    signed = sign_document(document_bytes(services, document), pki=services.pki, identity=identity,
                           field_name=party, when=now)
    relative = Path(document.id) / f"{len(document.signatures) + 1}-{party}.pdf"
    write_atomic(services.documents_dir / relative, signed)
    document.path = str(relative)
    document.sha256 = hashlib.sha256(signed).hexdigest()
    document.signatures = [*document.signatures,
                           {"party": party, "signer": identity.name, "user": user_id, "at": now.isoformat()}]
    if len(document.signatures) == len(document.parties):
        document.status = DocumentStatus.COMPLETED
    session.flush()
    record(session, actor=user_id, action="sign", target_type="document", target_id=document.id, role=party,
           level=document.level, content_sha256=document.sha256, at=now,
           detail={"signer": identity.name, "signature": len(document.signatures), "status": str(document.status),
                   "instance": document.instance_id})
    return document


