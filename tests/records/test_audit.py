"""The audit chain: one unbroken chain under concurrent writers, and every kind of tampering named by its seq."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from records.audit import GENESIS, anchor, chain_hash, record, verify_chain
from records.db import make_session_factory, transaction
from records.models import AuditAnchor, AuditRecord
from signing import Pki
from tests.db import BACKENDS, database

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database(str(request.param), tmp_path) as engine:
        yield engine


@pytest.fixture
def sessions(db: Engine) -> sessionmaker[Session]:
    return make_session_factory(db)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.open(tmp_path_factory.mktemp("audit-pki"))


def _append(sessions: sessionmaker[Session], count: int, actor: str = "hr1") -> None:
    for n in range(count):
        with transaction(sessions) as session:
            record(session, actor=actor, action="view", target_type="document", target_id=f"MB-{n}",
                   level="core", content_sha256="ab" * 32, source="10.0.0.1", detail={"n": n, "当事人": "张伟"})


def _rows(sessions: sessionmaker[Session]) -> list[AuditRecord]:
    with sessions() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))


def test_sixteen_threads_append_one_unbroken_chain(sessions: sessionmaker[Session], pki: Pki) -> None:
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            _append(sessions, 50, actor=f"user{index}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = _rows(sessions)
    assert [r.seq for r in rows] == list(range(1, 801))
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert len({r.actor for r in rows}) == 16
    with sessions() as session:
        report = verify_chain(session, pki)
    assert report.ok and report.records == 800 and report.head_seq == 800, report.broken


def test_records_of_one_transaction_are_chained_at_commit_and_dropped_on_rollback(
        sessions: sessionmaker[Session], pki: Pki) -> None:
    with transaction(sessions) as session:
        for n in range(3):
            record(session, actor="hr1", action="start", target_type="instance", target_id=n, at=NOW)
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        record(session, actor="hr1", action="complete", target_type="instance", target_id=9)
        raise RuntimeError("the operation failed")
    _append(sessions, 1)
    rows = _rows(sessions)
    assert [(r.seq, r.action) for r in rows] == [(1, "start"), (2, "start"), (3, "start"), (4, "view")]
    assert rows[0].at == NOW and rows[0].hash == chain_hash({f: getattr(rows[0], f) for f in
                                                             ("seq", "at", "actor", "role", "action", "target_type",
                                                              "target_id", "level", "content_sha256", "result",
                                                              "source", "session_hash", "detail", "prev_hash")})
    with sessions() as session:
        assert verify_chain(session, pki).ok


def _verify(sessions: sessionmaker[Session], pki: Pki):  # type: ignore[no-untyped-def]
    with sessions() as session:
        return verify_chain(session, pki)


def test_an_edited_record_is_named(sessions: sessionmaker[Session], pki: Pki) -> None:
    _append(sessions, 10)
    with sessions.begin() as session:
        session.execute(text("UPDATE audit_records SET detail = :d WHERE seq = 6"), {"d": '{"n": 99}'})
    report = _verify(sessions, pki)
    assert not report.ok and report.first_broken.seq == 6 and report.first_broken.what == "edited"
    assert [b.seq for b in report.broken] == [6]


def test_a_deleted_record_is_named_as_a_gap(sessions: sessionmaker[Session], pki: Pki) -> None:
    _append(sessions, 10)
    with sessions.begin() as session:
        session.execute(text("DELETE FROM audit_records WHERE seq = 4"))
    report = _verify(sessions, pki)
    assert (report.first_broken.seq, report.first_broken.what) == (4, "deleted")
    assert "missing" in report.first_broken.message and report.records == 9


def test_a_deleted_tail_is_named(sessions: sessionmaker[Session], pki: Pki) -> None:
    _append(sessions, 10)
    with sessions.begin() as session:
        session.execute(text("DELETE FROM audit_records WHERE seq >= 9"))
    report = _verify(sessions, pki)
    assert (report.first_broken.seq, report.first_broken.what) == (9, "truncated")


def test_a_forged_record_with_a_wrong_prev_hash_is_named(sessions: sessionmaker[Session], pki: Pki) -> None:
    _append(sessions, 10)
    rows = _rows(sessions)
    forged = {"seq": 11, "at": NOW, "actor": "sec01", "role": None, "action": "download", "target_type": "document",
              "target_id": "MB-1", "level": "core", "content_sha256": None, "result": "allowed", "source": None,
              "session_hash": None, "detail": {}, "prev_hash": rows[4].hash}   # a self-consistent forgery
    with sessions.begin() as session:
        session.add(AuditRecord(**forged, hash=chain_hash(forged)))
    report = _verify(sessions, pki)
    assert (report.first_broken.seq, report.first_broken.what) == (11, "inserted")
    assert [b.what for b in report.broken] == ["inserted", "inserted"]   # and the head does not end there


def test_anchors_verify_and_tampered_anchors_are_reported(sessions: sessionmaker[Session], pki: Pki) -> None:
    _append(sessions, 5)
    with transaction(sessions) as session:
        first = anchor(session, pki, NOW)
        assert first is not None and first.seq == 5
        assert anchor(session, pki, NOW) is None                 # nothing new since
    _append(sessions, 3)
    with transaction(sessions) as session:
        record(session, actor="eng01", action="sign", target_type="document", target_id="MB-1")
        second = anchor(session, pki, NOW)                        # chains the queued record first
        assert second is not None and second.seq == 9
    report = _verify(sessions, pki)
    assert report.ok and [a.seq for a in report.anchors] == [5, 9] and all(a.tsa_time for a in report.anchors)

    other = Pki.open(Path(pki.directory).parent / "other-pki")
    assert not _verify(sessions, other).ok                        # a TSA outside our root is not trusted

    with sessions.begin() as session:
        row = session.scalars(select(AuditAnchor).where(AuditAnchor.seq == 5)).one()
        token = bytearray(row.token)
        token[-10] ^= 0xFF                                        # inside the TSA's signature value
        row.token = bytes(token)
    report = _verify(sessions, pki)
    assert [a.ok for a in report.anchors] == [False, True] and not report.ok
    assert any("signature" in p for p in report.anchors[0].problems)

    with sessions.begin() as session:
        row = session.scalars(select(AuditAnchor).where(AuditAnchor.seq == 9)).one()
        row.head_hash = "00" * 32
    problems = _verify(sessions, pki).anchors[1].problems
    assert any("imprint" in p for p in problems) and any("differs from the chain" in p for p in problems)


def test_a_consistently_rewritten_chain_fails_at_its_anchor(sessions: sessionmaker[Session], pki: Pki) -> None:
    _append(sessions, 4)
    with transaction(sessions) as session:
        anchor(session, pki, NOW)
    rows = _rows(sessions)
    prev = GENESIS
    with sessions.begin() as session:            # edit record 2 and recompute every later hash
        for row in rows:
            values = {f: getattr(row, f) for f in ("seq", "at", "actor", "role", "action", "target_type",
                                                   "target_id", "level", "content_sha256", "result", "source",
                                                   "session_hash", "detail")}
            if row.seq == 2:
                values["actor"] = "nobody"
            values["prev_hash"] = prev
            prev = chain_hash(values)
            session.execute(text("UPDATE audit_records SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"),
                            {"a": values["actor"], "p": values["prev_hash"], "h": prev, "s": row.seq})
        session.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    report = _verify(sessions, pki)
    assert report.broken == [] and not report.ok
    assert any("differs from the chain" in p for p in report.anchors[0].problems)
