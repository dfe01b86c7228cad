"""Benchmark: importing the organisation from one CSV file (``records.org_import``).

Usage: ``.venv/bin/python bench/org_import.py [--people 2000] [--db sqlite|postgresql] [--runs 3]``

Each run starts from an empty database with the demo organisation and imports a company of ``--people``
people in 20 departments (each with a head and a liaison) and a committee of 7, in one transaction, then
imports the same file again (nothing changes: every row "unchanged"):

- ``import_s``     the first import: check every row, write people, departments, posts, history and audit
- ``reimport_s``   the same file again
- ``check_s``      a file with one bad last row: checked whole, nothing written

The issue asks ≤ 10 s for 2,000 people. Prints a line per run, then one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from records.db import make_session_factory, transaction
from records.demo_org import ensure_demo
from records.org_import import import_people
from tests.db import database
from tests.records.test_organisation import company

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text = company(args.people)
    bad = text + "x1,某人,生产部,,secret,,,,,,,\n"
    figures: dict[str, list[float]] = {"import_s": [], "reimport_s": [], "check_s": []}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp, database(args.db, Path(tmp)) as db:
            sessions = make_session_factory(db)
            with transaction(sessions) as session:
                ensure_demo(session, NOW)
            for key, body, ok in (("import_s", text, True), ("reimport_s", text, True), ("check_s", bad, False)):
                started = time.perf_counter()
                with transaction(sessions) as session:
                    report = import_people(session, body, actor="bench", now=NOW)
                figures[key].append(time.perf_counter() - started)
                assert report.ok is ok, report.rows[-1:]
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in figures.items()))
    print(json.dumps({"benchmark": "org_import", "db": args.db, "people": args.people,
                      **{k: round(statistics.median(v), 3) for k, v in figures.items()}}))


if __name__ == "__main__":
    main()
