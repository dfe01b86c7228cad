"""The weekly access report over hand-made audit records: figures per level, denials, anomalies, chain status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from records.access_report import (
    AccessReport,
    current_week,
    parse_week,
    week_label,
    weekly_access_report,
)
from records.audit import anchor, record
from records.db import make_session_factory, transaction
from signing import Pki
from tests.db import BACKENDS, database

CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 9, tzinfo=CST)            # 2026-W46
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Day 0 = Monday of the week, China time."""
    return MONDAY + dt.timedelta(days=day, hours=hour, minutes=minute)


# (at, actor, action, level, allowed, source)
RECORDS: list[tuple[dt.datetime, str, str, str | None, bool, str | None]] = [
    (MONDAY - dt.timedelta(seconds=1), "eng02", "download", "core", False, "10.0.0.9"),   # the week before
    (MONDAY, "eng01", "view", "core", True, "10.0.0.1"),                                  # first moment: in
    (_at(0, 10), "eng01", "download", "core", True, "10.0.0.1"),
    (_at(1, 22, 30), "eng01", "page_image", "core", True, "10.0.0.1"),                    # off hours
    (_at(2, 7, 59), "eng01", "view", "core", True, "10.0.0.1"),                           # off hours
    (_at(2, 8, 0), "eng01", "view", "core", True, "10.0.0.1"),                            # working hours
    (_at(2, 23, 0), "system", "sign", "core", True, None),                                # the engine: not a person
    (_at(1, 10, 42), "eng02", "download", "core", False, "10.0.0.2"),
    (_at(1, 10, 43), "eng02", "page_image", "core", False, "10.0.0.2"),
    (_at(3, 9, 0), "eng02", "download", "important", False, "10.0.0.2"),
    (_at(3, 9, 5), "visitor01", "download", "important", False, "192.168.1.7"),
    (_at(3, 9, 6), "visitor01", "download", "important", False, "192.168.1.7"),
    (_at(4, 15, 0), "hr01", "download", "important", True, "10.0.0.3"),
    (_at(5, 11, 0), "eng02", "view", "general", True, "10.0.0.2"),
    (_at(6, 23, 59), "hr01", "start", None, True, None),                                  # last moment: in
    (NEXT_MONDAY, "eng01", "view", "core", True, "10.0.0.1"),                             # the week after
]


@pytest.fixture(params=BACKENDS)
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database(str(request.param), tmp_path) as engine:
        yield make_session_factory(engine)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.open(tmp_path_factory.mktemp("report-pki"))


def _write(sessions: sessionmaker[Session], pki: Pki, anchored: bool = True) -> None:
    with transaction(sessions) as session:
        for n, (at, actor, action, level, allowed, source) in enumerate(RECORDS):
            record(session, actor=actor, action=action, target_type="document", target_id=f"MB-20261101-{n:08X}",
                   level=level, allowed=allowed, source=source, at=at)
        if anchored:
            anchor(session, pki, NEXT_MONDAY + dt.timedelta(hours=1))


def _report(sessions: sessionmaker[Session], pki: Pki, **kw: Any) -> AccessReport:
    with sessions() as session:
        return weekly_access_report(session, MONDAY, NEXT_MONDAY, trust=pki, **kw)


def test_the_weeks_figures_per_level_and_action(sessions: sessionmaker[Session], pki: Pki) -> None:
    _write(sessions, pki)
    report = _report(sessions, pki)
    assert report.week == "2026-W46" and report.records == 14
    figures = {s.level: {a.action: (a.allowed, a.denied) for a in s.actions} for s in report.levels}
    assert figures == {
        "core": {"download": (1, 1), "page_image": (1, 1), "sign": (1, 0), "view": (3, 0)},
        "important": {"download": (1, 3)},
        "general": {"view": (1, 0)},
        "none": {"start": (1, 0)},
    }
    assert [(s.level, s.allowed, s.denied) for s in report.levels] == [
        ("core", 6, 2), ("important", 1, 3), ("general", 1, 0), ("none", 1, 0)]


def test_denials_are_listed_oldest_first_with_who_what_and_where(sessions: sessionmaker[Session], pki: Pki) -> None:
    _write(sessions, pki)
    report = _report(sessions, pki)
    assert report.denial_count == 5
    assert [(d.actor, d.action, d.level, d.source) for d in report.denials] == [
        ("eng02", "download", "core", "10.0.0.2"), ("eng02", "page_image", "core", "10.0.0.2"),
        ("eng02", "download", "important", "10.0.0.2"), ("visitor01", "download", "important", "192.168.1.7"),
        ("visitor01", "download", "important", "192.168.1.7")]
    first = report.denials[0]
    assert first.at == _at(1, 10, 42) and first.target_type == "document" and first.target_id.startswith("MB-")


def test_anomalies_follow_the_three_rules(sessions: sessionmaker[Session], pki: Pki) -> None:
    _write(sessions, pki)
    found = {(a.rule, a.actor): (a.count, a.first_at, a.last_at) for a in _report(sessions, pki).anomalies}
    assert found == {
        ("core_denied", "eng02"): (2, _at(1, 10, 42), _at(1, 10, 43)),
        ("repeated_denials", "eng02"): (3, _at(1, 10, 42), _at(3, 9, 0)),
        # Monday 00:00, Tuesday 22:30 and Wednesday 07:59; not 08:00, not the engine's signature at 23:00.
        ("off_hours_core", "eng01"): (3, MONDAY, _at(2, 7, 59)),
    }
    stricter = {(a.rule, a.actor) for a in _report(sessions, pki, repeated_denials=2).anomalies}
    assert ("repeated_denials", "visitor01") in stricter


def test_an_intact_anchored_week(sessions: sessionmaker[Session], pki: Pki) -> None:
    _write(sessions, pki)
    chain = _report(sessions, pki).chain
    assert chain.ok and chain.anchored and chain.problems == ()
    assert (chain.first_seq, chain.last_seq, chain.anchor_seq) == (2, 15, 16)
    assert chain.checked == 15                     # the week's records, up to the anchored one after it
    assert chain.anchor_time is not None


def test_an_unanchored_week_is_intact_but_not_pinned(sessions: sessionmaker[Session], pki: Pki) -> None:
    _write(sessions, pki, anchored=False)
    chain = _report(sessions, pki).chain
    assert chain.ok and not chain.anchored and chain.checked == 14


def test_an_edit_or_a_deletion_inside_the_week_is_named(sessions: sessionmaker[Session], pki: Pki) -> None:
    _write(sessions, pki)
    with sessions.begin() as session:
        session.execute(text("UPDATE audit_records SET actor = 'nobody' WHERE seq = 5"))
    chain = _report(sessions, pki).chain
    assert not chain.ok and chain.problems == ("record 5 does not match its hash: edited",
                                               "anchor at record 16: the anchored head hash differs from the chain "
                                               "recomputed at record 16")
    with sessions.begin() as session:
        session.execute(text("DELETE FROM audit_records WHERE seq = 1"))   # the link into the week
        session.execute(text("DELETE FROM audit_records WHERE seq = 9"))
    problems = _report(sessions, pki).chain.problems
    assert any("record 1, which record 2 follows, is missing" in p for p in problems)
    assert any("records 9–9 are missing" in p for p in problems)


def test_an_edit_outside_the_week_does_not_concern_it(sessions: sessionmaker[Session], pki: Pki) -> None:
    _write(sessions, pki)
    with sessions.begin() as session:
        session.execute(text("UPDATE audit_records SET actor = 'nobody' WHERE seq = 1"))
    assert _report(sessions, pki).chain.ok


def test_an_empty_week(sessions: sessionmaker[Session], pki: Pki) -> None:
    report = _report(sessions, pki)
    assert report.records == 0 and report.denials == () and report.anomalies == ()
    assert report.chain.ok and report.chain.first_seq is None
    assert [s.level for s in report.levels] == ["core", "important", "general", "none"]


def test_weeks_are_iso_weeks_in_china_time() -> None:
    assert parse_week("2026-W46") == (MONDAY, NEXT_MONDAY)
    assert current_week(dt.datetime(2026, 11, 15, 16, 0, tzinfo=dt.UTC)) == (NEXT_MONDAY, NEXT_MONDAY +
                                                                              dt.timedelta(days=7))
    assert week_label(dt.datetime(2026, 11, 15, 15, 59, tzinfo=dt.UTC)) == "2026-W46"   # Sunday 23:59 in Shanghai
    assert week_label(dt.datetime(2027, 1, 1, tzinfo=CST)) == "2026-W53"
    for bad in ("2026-46", "2026-W4", "2026-W54", "W46", "2026-W4x", "9999-W52", "0001-W01"):
        with pytest.raises(ValueError):
            parse_week(bad)
