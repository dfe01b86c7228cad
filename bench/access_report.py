"""Benchmark: the weekly access-log report (``records.access_report``) over a large audit log.

Usage: ``.venv/bin/python bench/access_report.py [--records 100000] [--db sqlite|postgresql]``

Writes ``--records`` chained audit records (views, downloads, page images and process steps over the four
levels, about 3 % denied, 300 actors) spread over one week, anchored hourly, plus a tenth as many in the week
before (so the query selects), then times ``weekly_access_report`` over that week:

- ``report_ms``      the whole report: figures per level and action, denials, anomalies, chain check of the week
- ``figures_ms``     the same without the chain check (what the SQL aggregation costs)
- ``chain_ms``       the chain check alone (recomputes every hash of the week, checks its anchors' tokens)

Prints a table, then one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from records.access_report import weekly_access_report
from records.audit import GENESIS, chain_hash, verify_chain
from records.audit_tokens import request_token
from records.db import make_session_factory, transaction
from records.levels import LEVELS as SECRET_LEVELS
from records.models import AuditAnchor, AuditHead, AuditRecord
from signing import Pki
from tests.db import database

CST = dt.timezone(dt.timedelta(hours=8))
WEEK = dt.datetime(2026, 11, 9, tzinfo=CST)
ACTIONS = ("view", "download", "page_image", "complete", "service")
LEVELS = (*SECRET_LEVELS, None)


def _rows(count: int, start: dt.datetime, span: dt.timedelta, first_seq: int, prev: str,
          rng: random.Random) -> list[dict[str, object]]:
    step = span / count
    rows = []
    for n in range(count):
        values: dict[str, object] = {
            "seq": first_seq + n, "at": (start + step * n).astimezone(dt.UTC), "actor": f"u{rng.randrange(300):03d}",
            "role": "employee", "action": rng.choice(ACTIONS), "target_type": "document",
            "target_id": f"MB-20261101-{rng.randrange(5000):08X}", "level": rng.choice(LEVELS),
            "content_sha256": None, "result": "denied" if rng.random() < 0.03 else "allowed",
            "source": "10.0.0.1", "session_hash": None, "detail": {}, "prev_hash": prev}
        prev = chain_hash(values)
        rows.append({**values, "hash": prev})
    return rows


def fill(session: Session, pki: Pki, records: int) -> None:
    rng = random.Random(7)
    before = _rows(records // 10, WEEK - dt.timedelta(days=7), dt.timedelta(days=7), 1, GENESIS, rng)
    week = _rows(records, WEEK, dt.timedelta(days=7), len(before) + 1, str(before[-1]["hash"]), rng)
    rows = before + week
    for chunk in range(0, len(rows), 5000):
        session.execute(insert(AuditRecord), rows[chunk:chunk + 5000])
    per_hour = max(1, len(rows) // (14 * 24))
    anchors = [{"seq": r["seq"], "head_hash": r["hash"], "at": r["at"], "token": request_token(pki.timestamper(),
                                                                                                 str(r["hash"]))}
               for r in rows[per_hour - 1::per_hour]]
    session.execute(insert(AuditAnchor), anchors)
    session.execute(update(AuditHead).values(seq=rows[-1]["seq"], hash=rows[-1]["hash"]))


def _median_ms(runs: int, call) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000, help="records in the week (default 100,000)")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    end = WEEK + dt.timedelta(days=7)
    with tempfile.TemporaryDirectory() as tmp, database(args.db, Path(tmp)) as db:
        pki = Pki.open(Path(tmp) / "pki")
        sessions = make_session_factory(db)
        with transaction(sessions) as session:
            fill(session, pki, args.records)
        with sessions() as session:
            report = weekly_access_report(session, WEEK, end, trust=pki)
            assert report.records == args.records and report.chain.ok, report.chain.problems
            total = _median_ms(args.runs, lambda: weekly_access_report(session, WEEK, end, trust=pki))
            first, last = report.chain.first_seq, report.chain.last_seq
            chain = _median_ms(args.runs, lambda: verify_chain(session, pki, first_seq=first or 1, last_seq=last))
    result = {"records": args.records, "denials": report.denial_count, "anomalies": len(report.anomalies),
              "report_ms": round(total, 1), "chain_ms": round(chain, 1), "figures_ms": round(total - chain, 1)}
    print(f"access report benchmark ({args.db}, {args.records:,} records in the week, median of {args.runs})")
    for key, value in result.items():
        print(f"  {key:12} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
