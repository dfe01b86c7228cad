"""The company's own versions of agreement templates: checked, kept, and the newest one used for new documents.

Version 1 is the packaged ``contract_templates/<id>/template.docx``; each accepted upload is the next number,
its DOCX a blob named by its hash (``records.blobs``), so an agreement prepared earlier keeps pointing at the
version it was made from (``Document.template_sha256``) and nothing already prepared or signed changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from documents import Manifest, TemplateCatalog
from documents.template_check import CheckedTemplate, check_template
from records.models import TemplateVersion
from workflows.errors import NotFound, OperationFailed

if TYPE_CHECKING:
    from workflows.services import Services

__all__ = ["TemplateSource", "accept_version", "active_source", "find_version", "packaged_source", "source_bytes",
           "versions"]


@dataclass(frozen=True)
class TemplateSource:
    """One version of a template: its number, hash, and blob name (``None`` for the packaged file)."""

    template_id: str
    number: int
    sha256: str
    blob: str | None = None
    uploaded_by: str | None = None
    uploaded_at: dt.datetime | None = None
    filename: str = "template.docx"


def packaged_source(manifest: Manifest) -> TemplateSource:
    return TemplateSource(template_id=manifest.id, number=1,
                          sha256=hashlib.sha256(manifest.docx_path.read_bytes()).hexdigest())


def _source(row: TemplateVersion) -> TemplateSource:
    return TemplateSource(template_id=row.template_id, number=row.number, sha256=row.sha256, blob=row.blob,
                          uploaded_by=row.uploaded_by, uploaded_at=row.uploaded_at, filename=row.filename)


def versions(session: Session, catalog: TemplateCatalog, template_id: str) -> list[TemplateSource]:
    """Every version of ``template_id``, oldest first (the packaged one first); the last is the active one."""
    rows = session.scalars(select(TemplateVersion).where(TemplateVersion.template_id == template_id)
                           .order_by(TemplateVersion.number))
    return [packaged_source(catalog.get(template_id)), *map(_source, rows)]


def active_source(session: Session, catalog: TemplateCatalog, template_id: str) -> TemplateSource:
    row = session.scalars(select(TemplateVersion).where(TemplateVersion.template_id == template_id)
                          .order_by(TemplateVersion.number.desc()).limit(1)).first()
    return _source(row) if row is not None else packaged_source(catalog.get(template_id))


def source_bytes(services: Services, source: TemplateSource) -> bytes:
    """The DOCX of ``source``, refused when the stored file no longer matches its recorded hash."""
    if source.blob is None:
        data = services.catalog.get(source.template_id).docx_path.read_bytes()
    else:
        data = services.blobs.get(source.blob)
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise OperationFailed(f"version {source.number} of template {source.template_id} does not match its "
                              "recorded hash; it was changed outside mibao — restore it from backup")
    return data


def find_version(session: Session, catalog: TemplateCatalog, template_id: str, number: int) -> TemplateSource:
    for source in versions(session, catalog, template_id):
        if source.number == number:
            return source
    raise NotFound(f"template {template_id} has no version {number}")


def accept_version(session: Session, services: Services, *, template_id: str, data: bytes, filename: str,
                   actor: str, now: dt.datetime) -> tuple[TemplateSource, CheckedTemplate]:
    """Check ``data`` as the next version of ``template_id`` and keep it (flushed, not committed).

    Raises :class:`documents.template_check.TemplateRejected` naming every problem; then nothing is stored."""
    manifest = services.catalog.get(template_id)
    checked = check_template(manifest, data, services.converter)
    number = (session.scalar(select(func.max(TemplateVersion.number))
                             .where(TemplateVersion.template_id == template_id)) or 1) + 1
    digest = hashlib.sha256(data).hexdigest()
    blob = f"templates/{template_id}/{number}-{digest[:16]}.docx"
    services.blobs.put(blob, data, session)
    row = TemplateVersion(template_id=template_id, number=number, sha256=digest, size=len(data), blob=blob,
                          filename=filename[:200] or "template.docx", uploaded_by=actor, uploaded_at=now)
    session.add(row)
    session.flush()
    return _source(row), checked
