"""The tamper-evident audit log (seed 003 §7.2.2, §4.4): who did what, when, to which document, item or process.

Each :class:`AuditRecord` carries ``hash`` = SHA-256 over a canonical JSON of all its fields and ``prev_hash``
(the previous record's hash; :data:`GENESIS` for the first), so editing a record breaks its own hash, deleting
one leaves a gap in ``seq``, inserting or reordering one breaks ``prev_hash``. Anchors (RFC 3161 tokens over
the head hash, :func:`anchor`) pin the chain in time: a rewrite of the whole chain no longer matches them.

:func:`record` only queues the entry on the session; it is chained when the caller's transaction commits
(or at :func:`anchor`), under a row lock on ``audit_head`` (SQLite: the write transaction already serialises
writers). Taking the lock last and holding it only until the commit keeps unrelated transactions from queueing
behind each other's slow work and cannot deadlock with their row locks. A transaction that rolls back records
nothing: the log says what happened, not what was attempted inside a failed transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from records.audit_tokens import load_roots, request_token, validate_token
from records.models import AuditAnchor, AuditHead, AuditRecord, utcnow

__all__ = ["GENESIS", "AnchorError", "AnchorReport", "AuditReport", "BrokenLink", "anchor", "anchor_committed",
           "chain_hash", "flush_audit", "record", "verify_chain"]

GENESIS = "0" * 64
_PENDING = "mibao_audit_pending"
_HEAD_ID = 1
FIELDS = ("seq", "at", "actor", "role", "action", "target_type", "target_id", "level", "content_sha256", "result",
          "source", "session_hash", "detail", "prev_hash")


class AnchorError(Exception):
    """The time-stamping authority gave no token; the chain is unchanged and can be anchored later."""


class HasTimestamper(Protocol):
    def timestamper(self) -> Any: ...


class HasRoot(Protocol):
    def root_certificate_pem(self) -> bytes: ...


def record(session: Session, *, actor: str, action: str, target_type: str, target_id: str | int,
           role: str | None = None, level: str | None = None, content_sha256: str | None = None,
           allowed: bool = True, source: str | None = None, session_hash: str | None = None,
           detail: dict[str, Any] | None = None, at: dt.datetime | None = None) -> None:
    """Queue one entry; it joins the chain when ``session``'s transaction commits."""
    entry = {
        "at": (at or utcnow()).astimezone(dt.UTC), "actor": actor[:64], "role": role[:100] if role else None,
        "action": action[:40], "target_type": target_type[:30], "target_id": str(target_id)[:64], "level": level,
        "content_sha256": content_sha256, "result": "allowed" if allowed else "denied",
        "source": source[:64] if source else None, "session_hash": session_hash,
        # Stored exactly as hashed: what the JSON column gives back must hash the same (no int keys, dates...).
        "detail": json.loads(json.dumps(detail or {}, default=str, ensure_ascii=False)),
    }
    session.info.setdefault(_PENDING, []).append(entry)


def chain_hash(values: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of ``FIELDS`` (sorted keys, no spaces, UTF-8, UTC microsecond times)."""
    canonical = {name: values[name] for name in FIELDS}
    canonical["at"] = values["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def flush_audit(session: Session) -> AuditHead:
    """Chain the queued entries now (locking the head until the transaction ends); the new head."""
    head = session.scalars(select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
                           .execution_options(populate_existing=True)).first()
    if head is None:   # the migration creates it; a database built otherwise starts here
        head = AuditHead(id=_HEAD_ID, seq=0, hash=GENESIS)
        session.add(head)
    for entry in session.info.pop(_PENDING, []):
        values = {**entry, "seq": head.seq + 1, "prev_hash": head.hash}
        row = AuditRecord(**values, hash=chain_hash(values))
        session.add(row)
        head.seq, head.hash = row.seq, row.hash
    session.flush()
    return head


@event.listens_for(Session, "before_commit")
def _chain_on_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        flush_audit(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_on_rollback(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


# -- anchors -------------------------------------------------------------------------------------


def anchor(session: Session, pki: HasTimestamper, now: dt.datetime | None = None) -> AuditAnchor | None:
    """Timestamp the current head hash (after chaining anything queued); ``None`` when there is nothing new."""
    head = flush_audit(session)
    latest = session.scalar(select(AuditAnchor.seq).order_by(AuditAnchor.seq.desc()).limit(1))
    if head.seq == 0 or latest == head.seq:
        return None
    try:
        token = request_token(pki.timestamper(), head.hash)
    except Exception as exc:  # network, TSA refusal, a bad response: pyHanko raises many types
        raise AnchorError(f"the time-stamping authority gave no token: {type(exc).__name__}: {exc}") from exc
    row = AuditAnchor(seq=head.seq, head_hash=head.hash, token=token, at=now or utcnow())
    session.add(row)
    session.flush()
    return row


def anchor_committed(sessions: sessionmaker[Session], pki: HasTimestamper,
                     now: dt.datetime | None = None) -> AuditAnchor | None:
    """Timestamp the committed head without holding the head's lock during the TSA round trip (the hourly
    anchor): a committed record never changes, so the head read in one short transaction can be anchored in
    another while writers go on appending. :func:`anchor` is for a caller that must cover its own queued
    records (an agreement that completes); it holds the lock, as chaining needs."""
    with sessions() as session:
        head = session.get(AuditHead, _HEAD_ID)
        latest = session.scalar(select(func.max(AuditAnchor.seq)))
    if head is None or head.seq == 0 or (latest is not None and latest >= head.seq):
        return None
    seq, head_hash = head.seq, head.hash
    try:
        token = request_token(pki.timestamper(), head_hash)
    except Exception as exc:  # network, TSA refusal, a bad response: pyHanko raises many types
        raise AnchorError(f"the time-stamping authority gave no token: {type(exc).__name__}: {exc}") from exc
    with sessions() as session, session.begin():
        row = AuditAnchor(seq=seq, head_hash=head_hash, token=token, at=now or utcnow())
        session.add(row)
    return row


# -- verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    what: str          # edited / deleted / inserted / truncated
    message: str


@dataclass(frozen=True)
class AnchorReport:
    id: int
    seq: int
    at: dt.datetime
    tsa_time: dt.datetime | None
    tsa: str | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class AuditReport:
    records: int = 0
    head_seq: int = 0
    broken: list[BrokenLink] = field(default_factory=list)
    anchors: list[AnchorReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken and all(a.ok for a in self.anchors)

    @property
    def first_broken(self) -> BrokenLink | None:
        return min(self.broken, key=lambda b: b.seq) if self.broken else None


def verify_chain(session: Session, trust: HasRoot | Sequence[bytes], *, first_seq: int = 1,
                 last_seq: int | None = None) -> AuditReport:
    """Recompute the whole chain and check every anchor's token against ``trust`` (a Pki, or PEM/DER roots).

    With ``first_seq``/``last_seq`` only that stretch is checked (a week's records, say): each record against its
    hash and the one before it (the first against the stored hash of record ``first_seq - 1``), continued up to
    the first anchor at or after ``last_seq``, which pins the stretch in time; then the anchors from
    ``first_seq`` to that one. The head is checked only when the stretch runs to the end of the chain.
    """
    end = None if last_seq is None else session.scalar(
        select(func.min(AuditAnchor.seq)).where(AuditAnchor.seq >= last_seq)) or last_seq
    anchors = list(session.scalars(_stretch(select(AuditAnchor), AuditAnchor.seq, first_seq, end)
                                   .order_by(AuditAnchor.seq, AuditAnchor.id)))
    wanted = {a.seq for a in anchors}
    report, recomputed = AuditReport(), {}
    prev = _hash_before(session, first_seq, report)
    expected_seq, running = first_seq, prev
    # Plain rows, not ORM objects: a week of 100,000 records is read once and never changed.
    columns = [getattr(AuditRecord, name) for name in (*FIELDS, "hash")]
    rows = _stretch(select(*columns), AuditRecord.seq, first_seq, end).order_by(AuditRecord.seq)
    for row in session.execute(rows.execution_options(yield_per=1000)):
        report.records += 1
        values = {name: getattr(row, name) for name in FIELDS}
        actual = chain_hash(values)
        # The chain as it should be from the first record on: an anchor pins this, so a chain rewritten
        # consistently after an edit (every later hash recomputed) still fails at the anchors. While the
        # record follows that chain, its own hash is that chain's next link: no second hash needed.
        running = actual if row.prev_hash == running else chain_hash({**values, "prev_hash": running})
        if row.seq != expected_seq:
            report.broken.append(BrokenLink(expected_seq, "deleted", f"records {expected_seq}–{row.seq - 1} are "
                                            "missing: deleted"))
        elif row.prev_hash != prev:
            report.broken.append(BrokenLink(row.seq, "inserted", f"record {row.seq} does not follow record "
                                            f"{row.seq - 1} (prev_hash differs): inserted or reordered"))
        if actual != row.hash:
            report.broken.append(BrokenLink(row.seq, "edited", f"record {row.seq} does not match its hash: edited"))
        if row.seq in wanted:
            recomputed[row.seq] = running
        expected_seq, prev = row.seq + 1, row.hash
    head = session.get(AuditHead, _HEAD_ID)
    report.head_seq = head.seq if head is not None else 0
    last = expected_seq - 1
    if end is None and head is not None and (head.seq, head.hash) != (last, prev):
        what = "truncated" if head.seq > last else "inserted"
        report.broken.append(BrokenLink(min(head.seq, last) + 1, what, f"the chain ends at record {last} but its "
                                        f"head is record {head.seq}: records were removed or added at the end"))
    roots = load_roots([trust.root_certificate_pem()] if hasattr(trust, "root_certificate_pem") else list(trust))
    report.anchors = [_check_anchor(a, recomputed.get(a.seq), roots) for a in anchors]
    return report


def _stretch(query: Select[Any], seq: Any, first: int, last: int | None) -> Select[Any]:
    query = query.where(seq >= first) if first > 1 else query
    return query.where(seq <= last) if last is not None else query


def _hash_before(session: Session, seq: int, report: AuditReport) -> str:
    """The stored hash the record ``seq`` must follow (:data:`GENESIS` for the first); a missing one is a gap."""
    if seq <= 1:
        return GENESIS
    found = session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == seq - 1))
    if found is None:
        report.broken.append(BrokenLink(seq - 1, "deleted", f"record {seq - 1}, which record {seq} follows, is "
                                        "missing: deleted"))
        return session.scalar(select(AuditRecord.prev_hash).where(AuditRecord.seq == seq)) or GENESIS
    return found


def _check_anchor(row: AuditAnchor, chain_at_seq: str | None, roots: list[Any]) -> AnchorReport:
    token = validate_token(row.token, row.head_hash, roots)
    problems = list(token.problems)
    if chain_at_seq is None:
        problems.append(f"the anchored record {row.seq} is not in the chain")
    elif chain_at_seq != row.head_hash:
        problems.append(f"the anchored head hash differs from the chain recomputed at record {row.seq}")
    return AnchorReport(row.id, row.seq, row.at, token.time, token.tsa, problems)
