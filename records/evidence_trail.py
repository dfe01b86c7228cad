"""An agreement's audit trail as a self-contained file (``MB-….audit.json``), to hand over with the signed PDF.

The PDF carries what existed before its first signature (evidence page, source DOCX, fill data, preparation
record; :mod:`signing.evidence`). What happened afterwards — each view, download, signature and the process
steps — cannot go inside it: the first signature certifies the document (DocMDP, form filling only), so an
embedded file added later would make every validator report a modified document. The trail therefore travels
beside the PDF:

* every audit record about the document and its process instance, with all the fields its hash covers, its
  ``hash`` and ``prev_hash`` (recompute with :func:`records.audit.chain_hash`: SHA-256 over the canonical JSON
  of the fields, sorted keys, no spaces, UTF-8, UTC times to the microsecond);
* the first TSA anchor at or after the last of them (RFC 3161 token over the chain's head hash then), and the
  hash links (``seq``, ``prev_hash``, ``hash`` only) of the records in between, which belong to other matters
  and are not disclosed — the full chain is checked with ``mibao audit verify``;
* the PDF's SHA-256, so the trail names the file it belongs to.

:func:`check_trail` re-checks a trail on its own: each record's hash, the links up to the anchor, the token.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from records.audit import FIELDS, chain_hash
from records.audit_tokens import load_roots, validate_token
from records.models import AuditAnchor, AuditRecord, Document

__all__ = ["FORMAT", "agreement_trail", "check_trail"]

FORMAT = "mibao-audit-trail/1"
# The links between the agreement's last record and the anchor are listed; past this many, the anchor is too far
# (the hourly anchor has not run yet) and the trail says so rather than growing without bound.
MAX_LINKS = 50_000


def agreement_trail(session: Session, document: Document, now: dt.datetime) -> dict[str, Any]:
    about = [(AuditRecord.target_type == "document") & (AuditRecord.target_id == document.id)]
    if document.instance_id is not None:
        about.append((AuditRecord.target_type == "instance") & (AuditRecord.target_id == str(document.instance_id)))
    rows = list(session.scalars(select(AuditRecord).where(or_(*about)).order_by(AuditRecord.seq)))
    newest = session.scalar(select(func.max(AuditAnchor.seq))) or 0
    covered, pending = [r for r in rows if r.seq <= newest], [r for r in rows if r.seq > newest]
    last = covered[-1].seq if covered else 0
    # The first anchor at or after the last covered record: the fewest links to list.
    anchor = session.scalars(select(AuditAnchor).where(AuditAnchor.seq >= last)
                             .order_by(AuditAnchor.seq, AuditAnchor.id).limit(1)).first() if covered else None
    links: list[dict[str, Any]] = []
    if anchor is not None and anchor.seq - last <= MAX_LINKS:
        links = [{"seq": s, "prev_hash": p, "hash": h} for s, p, h in session.execute(
            select(AuditRecord.seq, AuditRecord.prev_hash, AuditRecord.hash)
            .where(AuditRecord.seq > last, AuditRecord.seq <= anchor.seq).order_by(AuditRecord.seq))]
    elif anchor is not None:
        anchor, pending = None, rows
    return {
        "format": FORMAT,
        "document": {"id": document.id, "title": document.title, "level": document.level,
                     "sha256": document.sha256, "status": str(document.status)},
        "exported_at": now.astimezone(dt.UTC).isoformat(),
        "records": [_entry(r) for r in (rows if anchor is None else covered)],
        # Newer than the last timestamp (this export's own download among them): each hashes on its own; the
        # next hourly anchor covers them, and a later export lists them above.
        "not_yet_timestamped": [_entry(r) for r in pending] if anchor is not None else [],
        "links": links,
        "anchor": None if anchor is None else {
            "seq": anchor.seq, "head_hash": anchor.head_hash, "at": anchor.at.isoformat(),
            "token": base64.b64encode(anchor.token).decode("ascii")},
        "note": None if anchor is not None else "no timestamp covers these records yet: export again after "
                                                 "the next hourly anchor",
    }


def check_trail(trail: dict[str, Any], roots: Sequence[bytes]) -> list[str]:
    """What is wrong with ``trail`` (empty: every record hashes right, and the links from the last timestamped
    record reach a valid timestamp over the chain's head)."""
    if trail.get("format") != FORMAT:
        return [f"not a {FORMAT} file"]
    try:
        return _check(trail, roots)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return [f"the trail is malformed ({type(exc).__name__}: {exc}); export it again"]


def _check(trail: dict[str, Any], roots: Sequence[bytes]) -> list[str]:
    problems = []
    links: dict[int, tuple[str, str]] = {}
    for entry in [*trail["records"], *trail.get("not_yet_timestamped", [])]:
        values = {**entry, "at": dt.datetime.fromisoformat(entry["at"])}
        if chain_hash(values) != entry["hash"]:
            problems.append(f"record {entry['seq']} does not match its hash: it was changed")
    for entry in [*trail["records"], *trail["links"]]:
        links[int(entry["seq"])] = (entry["prev_hash"], entry["hash"])
    anchor = trail.get("anchor")
    if anchor is None:
        return [*problems, "no timestamp covers these records yet"]
    start = int(trail["records"][-1]["seq"]) if trail["records"] else int(anchor["seq"])
    for seq in range(start + 1, int(anchor["seq"]) + 1):
        if seq not in links or links[seq][0] != links.get(seq - 1, ("", ""))[1]:
            problems.append(f"the links after record {start} are broken at record {seq}")
            break
    if links.get(int(anchor["seq"]), ("", ""))[1] != anchor["head_hash"]:
        problems.append("the timestamp does not cover these records")
    token = validate_token(base64.b64decode(anchor["token"]), anchor["head_hash"], load_roots(list(roots)))
    problems.extend(f"timestamp: {p}" for p in token.problems)
    return problems


def _entry(row: AuditRecord) -> dict[str, Any]:
    return {**{name: _plain(getattr(row, name)) for name in FIELDS}, "hash": row.hash}


def _plain(value: Any) -> Any:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds") if isinstance(value, dt.datetime) else value
