"""Benchmark: a bulk launch of new hires from one CSV file (issue 11, item 6).

Usage: ``.venv/bin/python bench/launch.py [--rows 1000] [--db sqlite|postgresql] [--runs 3]``

Each run starts from an empty database with the demo organisation and the web app as ``mibao serve`` wires it
(jobs on a pool of worker threads in the server process). HR hands in a CSV of ``--rows`` onboarding rows through
the real upload form (multipart POST, CSRF off); then the run follows the batch's progress page until every
row is started or refused, as the person watching it would.

- ``accept_s``   the upload request: read and check every row, write the batch, its rows and their jobs
- ``first_s``    until the progress page shows a first row done
- ``all_s``      until every row is done (started by the pool's threads while the request had long returned)
- ``started``, ``failed``  rows started and refused (all must start)

The issue asks ≤ 2 s to accept 1,000 rows. Prints a line per run, then one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from records.db import transaction
from records.demo_org import ensure_demo
from records.instance import Instance
from records.migrate import upgrade
from records.models import User
from tests.db import postgresql_schema
from web import create_app
from web.demo import DEMO_PASSWORD
from web.launch import example
from web.passwords import hash_password
from web.state import WebState

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


def people_csv(rows: int) -> bytes:
    """``rows`` new hires — all the demo's eng01 (start data must match what the organisation knows of the
    person): each row starts a real onboarding, up to its first task, the background check."""
    sample = example("onboarding")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(sample))
    writer.writeheader()
    row = {k: ("true" if v is True else "false" if v is False else v) for k, v in sample.items()}
    for _ in range(rows):
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def one_run(tmp: Path, body: bytes, db: str) -> dict[str, float]:
    settings: dict[str, object] = {"MIBAO_INSTANCE": Instance.from_env(tmp), "WARM_CONVERTERS": 0,
                                   "WTF_CSRF_ENABLED": False, "MIBAO_RATE_LIMITS": False, "JOBS": "pool"}
    schema = None
    if db == "postgresql":
        schema = postgresql_schema()
        _name, engine = schema.__enter__()
        upgrade(engine)
        settings["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    try:
        app = create_app(settings)
        web: WebState = app.extensions["mibao"]
        with transaction(web.sessions) as session:
            ensure_demo(session, NOW)
            hr = session.get(User, "hr01")
            assert hr is not None
            hr.password_hash = hash_password(DEMO_PASSWORD)
        client = app.test_client()
        assert client.post("/login", data={"username": "hr01", "password": DEMO_PASSWORD}).status_code == 302
        started = time.perf_counter()
        response = client.post("/hr/start/onboarding/csv", data={"people": (io.BytesIO(body), "new-hires.csv")},
                               content_type="multipart/form-data")
        accept_s = time.perf_counter() - started
        assert response.status_code == 302, response.text[:500]
        first_s = 0.0
        while True:
            state = client.get(response.location + ".json").get_json()
            if state["done"] and not first_s:
                first_s = time.perf_counter() - started
            if state["finished"]:
                break
            time.sleep(0.2)
        all_s = time.perf_counter() - started
        web.close()
        if state["failures"]:
            print("first refused row:", state["failures"][0])
        return {"accept_s": accept_s, "first_s": first_s, "all_s": all_s, "started": state["started"],
                "failed": state["failed"]}
    finally:
        if schema is not None:
            schema.__exit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    body = people_csv(args.rows)
    figures: dict[str, list[float]] = {"accept_s": [], "first_s": [], "all_s": [], "started": [], "failed": []}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            result = one_run(Path(tmp), body, args.db)
        for key, value in result.items():
            figures[key].append(value)
        print(f"run {run + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in result.items()))
        assert result["started"] == args.rows, "every row must start (see the batch page's reasons)"
    print(json.dumps({"benchmark": "launch", "db": args.db, "rows": args.rows,
                      **{k: round(statistics.median(v), 3) for k, v in figures.items()}}))


if __name__ == "__main__":
    main()
