"""Agreements inside processes: prepare one from the instance data, store it, sign it party by party.

Every signed version is a new file (``documents/<id>/<n>-<party>.pdf``) and the database row points at the
newest committed one. A crash between writing a file and committing leaves an unreferenced file behind and
the row on the previous version, so a retry signs again from a consistent state: nothing is lost or doubled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from documents import DataError, new_document_id, prepare_agreement, validate_data
from records.audit import record
from records.models import Document, DocumentStatus
from signing import Identity, sign_document
from workflows.clock import SHANGHAI
from workflows.errors import ConflictError, NotFound, OperationFailed
from workflows.services import Services
from workflows.template_versions import TemplateSource, source_bytes

__all__ = ["agreement_job", "create_agreement", "document_bytes", "record_agreement", "record_seal",
           "render_agreement", "seal", "seal_job", "sign_agreement"]


def fill_data(services: Services, template_id: str, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The template's fields from the instance data over the company profile; ``sign_date`` defaults to today."""
    manifest = services.catalog.get(template_id)
    names = {v.name for v in manifest.variables} | {"secret_level"}
    merged = {k: v for k, v in services.company.items() if k in names}
    merged.update({k: v for k, v in data.items() if k in names})
    if "sign_date" in names and "sign_date" not in merged:
        merged["sign_date"] = today.isoformat()
    return merged


def agreement_job(services: Services, *, template_id: str, data: dict[str, Any], instance_id: int | None,
                  subject_user: str | None, now: dt.datetime) -> dict[str, Any]:
    """Everything an agreement's preparation needs, decided now: the filled fields (checked against the template,
    so bad data is refused in the request, not on a worker) and the document id, so a retried preparation makes
    the same document."""
    manifest = services.catalog.get(template_id)
    today = now.astimezone(SHANGHAI).date()
    fields = fill_data(services, template_id, data, today)
    try:
        validate_data(manifest, fields)
    except DataError as exc:
        raise OperationFailed(f"the agreement {manifest.title['zh']} cannot be prepared: {exc}") from exc
    source = services.template_source(template_id)
    job = {"template_id": template_id, "data": fields, "document_id": new_document_id(today),
           "prepared_at": now.isoformat(), "instance_id": instance_id, "subject_user": subject_user,
           "template": {"number": source.number, "sha256": source.sha256, "blob": source.blob}}
    plain: dict[str, Any] = json.loads(json.dumps(job, ensure_ascii=False, default=_plain))   # kept in a JSON column
    return plain


def _plain(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} cannot be kept in a job")


def render_agreement(services: Services, job: dict[str, Any]) -> dict[str, Any]:
    """The heavy part, with no database: render, convert (LibreOffice), add the evidence, mark; the PDF is stored
    under its own hash, so two runs of one job never overwrite each other's file."""
    manifest = services.catalog.get(job["template_id"])
    template = None
    if job.get("template"):     # jobs queued before template versions existed use the packaged file
        source = TemplateSource(template_id=manifest.id, **job["template"])
        template = source_bytes(services, source)
        manifest = replace(manifest, version=source.number)
    prepared = prepare_agreement(manifest, job["data"], converter=services.converter, template=template,
                                 document_id=job["document_id"],
                                 prepared_at=dt.datetime.fromisoformat(job["prepared_at"]),
                                 instance_id=job["instance_id"])
    digest = hashlib.sha256(prepared.pdf).hexdigest()
    relative = Path(prepared.document_id) / f"0-prepared-{digest[:16]}.pdf"
    services.blobs.put(str(relative), prepared.pdf)
    return {"path": str(relative), "sha256": digest, "level": prepared.level, "title": manifest.title["zh"],
            "parties": [p.role for p in manifest.parties]}


def record_agreement(session: Session, job: dict[str, Any], result: dict[str, Any], now: dt.datetime) -> str:
    """The prepared agreement's row (once: applying a job twice finds it there)."""
    document_id = str(job["document_id"])
    if session.get(Document, document_id) is None:
        session.add(Document(
            id=document_id, instance_id=job["instance_id"], template_id=job["template_id"],
            title=job.get("title") or result["title"],
            level=result["level"], path=result["path"], sha256=result["sha256"], parties=result["parties"],
            signatures=[], subject_user=job["subject_user"], created_at=now,
            template_sha256=(job.get("template") or {}).get("sha256")))
        session.flush()
    return document_id


def create_agreement(session: Session, services: Services, *, template_id: str, data: dict[str, Any],
                     instance_id: int | None, subject_user: str | None, now: dt.datetime) -> str:
    """Prepare and record an agreement in one go (inside the caller's transaction)."""
    job = agreement_job(services, template_id=template_id, data=data, instance_id=instance_id,
                        subject_user=subject_user, now=now)
    return record_agreement(session, job, render_agreement(services, job), now)


def document_bytes(services: Services, document: Document) -> bytes:
    data = services.blobs.get(document.path)
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise OperationFailed(f"the stored file of document {document.id} does not match its recorded hash; "
                              "it was changed outside mibao — restore it from backup")
    return data


def sign_agreement(session: Session, services: Services, *, document_id: str, party: str, identity: Identity,
                   user_id: str, now: dt.datetime) -> Document:
    document = _signable(session, document_id, party)
    signed = sign_document(document_bytes(services, document), pki=services.pki, identity=identity,
                           field_name=party, when=now)
    relative = Path(document.id) / f"{len(document.signatures) + 1}-{party}.pdf"
    services.blobs.put(str(relative), signed, session)
    return _record_signature(session, document, party=party, signer=identity.name, user_id=user_id,
                             path=str(relative), sha256=hashlib.sha256(signed).hexdigest(), now=now)


def _signable(session: Session, document_id: str, party: str) -> Document:
    """The document, locked, if ``party`` is one of its parties and has not signed yet."""
    document = session.get(Document, document_id, with_for_update=True)
    if document is None:
        raise NotFound(f"there is no document {document_id!r}")
    if party not in document.parties:
        raise OperationFailed(f"document {document_id} has no party {party!r}; its parties: {document.parties}")
    if any(s["party"] == party for s in document.signatures):
        raise ConflictError(f"{party} has already signed document {document_id}")
    return document


def _record_signature(session: Session, document: Document, *, party: str, signer: str, user_id: str, path: str,
                      sha256: str, now: dt.datetime) -> Document:
    document.path, document.sha256 = path, sha256
    document.signatures = [*document.signatures,
                           {"party": party, "signer": signer, "user": user_id, "at": now.isoformat()}]
    if len(document.signatures) == len(document.parties):
        document.status = DocumentStatus.COMPLETED
    session.flush()
    record(session, actor=user_id, action="sign", target_type="document", target_id=document.id, role=party,
           level=document.level, content_sha256=document.sha256, at=now,
           detail={"signer": signer, "signature": len(document.signatures), "status": str(document.status),
                   "instance": document.instance_id})
    return document


# -- the company's seal as a job (workflows.jobs): decided in the transaction, signed on a worker, recorded once --

def seal_job(session: Session, services: Services, *, document_id: str, now: dt.datetime) -> dict[str, Any]:
    """What sealing ``document_id`` as the company needs, fixed now: the version it seals and the signing time."""
    document = _signable(session, document_id, "company")
    return {"document_id": document.id, "from_path": document.path, "from_sha256": document.sha256,
            "at": now.isoformat(), "company": services.company["company_name"],
            "signature": len(document.signatures) + 1}


def seal(services: Services, job: dict[str, Any]) -> dict[str, Any]:
    """The company's signature on the version the job names (no database); stored under its own hash."""
    data = services.blobs.get(job["from_path"])
    if hashlib.sha256(data).hexdigest() != job["from_sha256"]:
        raise OperationFailed(f"the stored file of document {job['document_id']} does not match its recorded hash; "
                              "it was changed outside mibao — restore it from backup")
    identity = services.pki.company(job["company"])
    signed = sign_document(data, pki=services.pki, identity=identity, field_name="company",
                           when=dt.datetime.fromisoformat(job["at"]))
    digest = hashlib.sha256(signed).hexdigest()
    relative = Path(job["document_id"]) / f"{job['signature']}-company-{digest[:16]}.pdf"
    services.blobs.put(str(relative), signed)
    return {"path": str(relative), "sha256": digest, "signer": identity.name}


def record_seal(session: Session, job: dict[str, Any], result: dict[str, Any], now: dt.datetime) -> Document:
    """Record the seal on the document (once; a document that changed since the job was decided is refused)."""
    document = session.get(Document, job["document_id"], with_for_update=True)
    if document is None:
        raise NotFound(f"there is no document {job['document_id']!r}")
    if any(s["party"] == "company" for s in document.signatures):
        return document
    if document.sha256 != job["from_sha256"]:
        raise ConflictError(f"document {document.id} changed while the company's seal was being made; "
                            "nothing was recorded")
    return _record_signature(session, document, party="company", signer=result["signer"], user_id="system",
                             path=result["path"], sha256=result["sha256"], now=dt.datetime.fromisoformat(job["at"]))
