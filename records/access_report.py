"""The weekly review of the access log (seed 003 §7.2.2): what the week's audit records say, per secret level.

:func:`weekly_access_report` summarises one week (Monday 00:00 to the next Monday, Shanghai time) of the
audit chain (:mod:`records.audit`): allowed and denied records per level and action, the denials, the
anomalies worth investigating, and whether the week's stretch of the chain is intact and anchored. Every
figure is an aggregate query; only the denials listed and the chain check read rows.

Anomalies (simple rules, each one row per actor):

* ``core_denied`` — any denied record on a core item;
* ``repeated_denials`` — an actor with at least ``repeated_denials`` (default 3) denied records in the week;
* ``off_hours_core`` — an allowed record on a core item outside 08:00–20:00 Shanghai time, by a person (the
  engine's own steps, actor ``system`` or ``timer``, are not people).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from records.audit import HasRoot, verify_chain
from records.levels import LEVELS as SECRET_LEVELS
from records.levels import SecretLevel
from records.models import AuditRecord

__all__ = [
    "LEVELS",
    "SHANGHAI",
    "AccessReport",
    "ActionCount",
    "Anomaly",
    "ChainStatus",
    "Denial",
    "LevelSummary",
    "current_week",
    "parse_week",
    "weekly_access_report",
]

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
# "none": records about no secret item (process steps …)
LEVELS: tuple[str, ...] = (*SECRET_LEVELS, "none")
REPEATED_DENIALS = 3
WORK_HOURS = (8, 20)
MAX_DENIALS = 200                                     # listed; the count covers all of them
ENGINE_ACTORS = ("system", "timer")


@dataclass(frozen=True)
class ActionCount:
    action: str
    allowed: int
    denied: int


@dataclass(frozen=True)
class LevelSummary:
    level: str
    actions: tuple[ActionCount, ...]

    @property
    def allowed(self) -> int:
        return sum(a.allowed for a in self.actions)

    @property
    def denied(self) -> int:
        return sum(a.denied for a in self.actions)


@dataclass(frozen=True)
class Denial:
    seq: int
    at: dt.datetime
    actor: str
    role: str | None
    action: str
    target_type: str
    target_id: str
    level: str
    source: str | None


@dataclass(frozen=True)
class Anomaly:
    rule: str               # core_denied / repeated_denials / off_hours_core
    actor: str
    count: int
    first_at: dt.datetime
    last_at: dt.datetime


@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    first_seq: int | None        # the week's records
    last_seq: int | None
    checked: int                 # records recomputed (the week's, up to the anchor that pins them)
    anchor_seq: int | None       # the first anchor at or after the week's last record
    anchor_time: dt.datetime | None
    problems: tuple[str, ...]

    @property
    def anchored(self) -> bool:
        return self.anchor_seq is not None


@dataclass(frozen=True)
class AccessReport:
    week_start: dt.datetime
    week_end: dt.datetime
    levels: tuple[LevelSummary, ...]
    denials: tuple[Denial, ...]        # the first MAX_DENIALS, oldest first
    denial_count: int
    anomalies: tuple[Anomaly, ...]
    chain: ChainStatus

    @property
    def week(self) -> str:
        return week_label(self.week_start)

    @property
    def records(self) -> int:
        return sum(level.allowed + level.denied for level in self.levels)


def week_label(moment: dt.datetime) -> str:
    """The ISO week (Shanghai time) that holds ``moment``, e.g. ``2026-W47``."""
    year, week, _ = moment.astimezone(SHANGHAI).isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(label: str) -> tuple[dt.datetime, dt.datetime]:
    """``2026-W47`` → (Monday 00:00, next Monday 00:00) in Shanghai time; ``ValueError`` when it is no week."""
    year, sep, week = label.partition("-W")
    if not sep or not (year.isdigit() and len(year) == 4 and week.isdigit() and len(week) == 2):
        raise ValueError(f"{label!r} is not an ISO week such as 2026-W47")
    monday = dt.date.fromisocalendar(int(year), int(week), 1)
    if not 1900 <= monday.year <= 9000:
        raise ValueError(f"{label!r} is too far from now")
    start = dt.datetime(monday.year, monday.month, monday.day, tzinfo=SHANGHAI)
    return start, start + dt.timedelta(days=7)


def current_week(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The week (Shanghai time) that holds ``now``."""
    day = now.astimezone(SHANGHAI).date()
    monday = day - dt.timedelta(days=day.weekday())
    start = dt.datetime(monday.year, monday.month, monday.day, tzinfo=SHANGHAI)
    return start, start + dt.timedelta(days=7)


def weekly_access_report(session: Session, week_start: dt.datetime, week_end: dt.datetime, *,
                         trust: HasRoot | Sequence[bytes],
                         repeated_denials: int = REPEATED_DENIALS) -> AccessReport:
    """The audit records of ``[week_start, week_end)`` summarised; ``trust`` checks the anchors' tokens."""
    week = and_(AuditRecord.at >= week_start, AuditRecord.at < week_end)
    denied = and_(week, AuditRecord.result == "denied")
    denials = session.execute(select(AuditRecord.seq, AuditRecord.at, AuditRecord.actor, AuditRecord.role,
                                     AuditRecord.action, AuditRecord.target_type, AuditRecord.target_id,
                                     AuditRecord.level, AuditRecord.source)
                              .where(denied).order_by(AuditRecord.seq).limit(MAX_DENIALS)).all()
    return AccessReport(
        week_start=week_start, week_end=week_end, levels=_levels(session, week),
        denials=tuple(Denial(**{**row._asdict(), "level": row.level or "none"}) for row in denials),
        denial_count=session.scalar(select(func.count()).where(denied)) or 0,
        anomalies=_anomalies(session, week, week_start, week_end, repeated_denials),
        chain=_chain(session, week, trust))


def _levels(session: Session, week: ColumnElement[bool]) -> tuple[LevelSummary, ...]:
    counts: dict[str, dict[str, dict[str, int]]] = {level: {} for level in LEVELS}
    for level, action, result, count in session.execute(
            select(AuditRecord.level, AuditRecord.action, AuditRecord.result, func.count())
            .where(week).group_by(AuditRecord.level, AuditRecord.action, AuditRecord.result)):
        bucket = level if level is not None and level in LEVELS else "none"
        per_action = counts.setdefault(bucket, {}).setdefault(action, {})
        per_action[result] = per_action.get(result, 0) + count
    return tuple(LevelSummary(level, tuple(ActionCount(action, c.get("allowed", 0), c.get("denied", 0))
                                           for action, c in sorted(counts[level].items())))
                 for level in LEVELS)


def _anomalies(session: Session, week: ColumnElement[bool], start: dt.datetime, end: dt.datetime,
               repeated_denials: int) -> tuple[Anomaly, ...]:
    """The three rules in one pass over the week's denials and core accesses, grouped by actor."""
    denied = AuditRecord.result == "denied"
    rules = {"core_denied": (and_(denied, AuditRecord.level == SecretLevel.CORE.value), 1),
             "repeated_denials": (denied, repeated_denials),
             "off_hours_core": (and_(AuditRecord.result == "allowed", AuditRecord.level == SecretLevel.CORE.value,
                                     AuditRecord.actor.not_in(ENGINE_ACTORS), _off_hours(start, end)), 1)}
    columns, wanted = [], []
    for condition, at_least in rules.values():
        count = func.count(case((condition, 1)))
        columns += [count, func.min(case((condition, AuditRecord.at))), func.max(case((condition, AuditRecord.at)))]
        wanted.append(count >= at_least)
    found = []
    for actor, *figures in session.execute(select(AuditRecord.actor, *columns)
                                           .where(week, or_(*(c for c, _ in rules.values())))
                                           .group_by(AuditRecord.actor).having(or_(*wanted))):
        for i, (rule, (_, at_least)) in enumerate(rules.items()):
            count, first, last = figures[3 * i:3 * i + 3]
            if count >= at_least:
                found.append(Anomaly(rule, actor, count, _aware(first), _aware(last)))
    order = list(rules)
    return tuple(sorted(found, key=lambda a: (order.index(a.rule), -a.count, a.actor)))


def _off_hours(start: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    """Outside working hours as time ranges (one per night), so the database needs no time-zone functions."""
    begin, close = WORK_HOURS
    nights, day = [], start.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    night_start = start
    while day < end:
        nights.append((night_start, day.replace(hour=begin)))
        night_start, day = day.replace(hour=close), day + dt.timedelta(days=1)
    nights.append((night_start, end))
    return or_(*(and_(AuditRecord.at >= a, AuditRecord.at < b) for a, b in nights))


def _chain(session: Session, week: ColumnElement[bool], trust: HasRoot | Sequence[bytes]) -> ChainStatus:
    first, last = session.execute(select(func.min(AuditRecord.seq), func.max(AuditRecord.seq)).where(week)).one()
    if first is None:
        return ChainStatus(True, None, None, 0, None, None, ())
    report = verify_chain(session, trust, first_seq=first, last_seq=last)
    pin = next((a for a in report.anchors if a.seq >= last), None)
    problems = [b.message for b in sorted(report.broken, key=lambda b: b.seq)]
    problems += [f"anchor at record {a.seq}: {p}" for a in report.anchors for p in a.problems]
    return ChainStatus(report.ok, first, last, report.records, pin.seq if pin else None,
                       pin.tsa_time if pin else None, tuple(problems))


def _aware(value: Any) -> dt.datetime:
    """``min``/``max`` of a date column skip the column type on SQLite and come back as text or naive."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, dt.datetime)
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
