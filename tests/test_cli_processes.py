"""The process commands as outside scripts use them: start, list, complete, tick, show — and their refusals."""

from __future__ import annotations

import json
from pathlib import Path

from workflows import BPMN_DIR


def test_permission_review_through_the_cli(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("user", "demo")
    assert "permission_review" in run("process", "list").stdout
    assert "schedule_check" in run("process", "operations").stdout
    # One clock for the whole story: start, complete and tick all name their moment (the suite runs on any date).
    started = run("process", "start", "permission_review", "--data", BPMN_DIR / "examples" / "permission_review.json",
                  "--as", "hr01", "--now", "2026-01-05T09:00:00+08:00").stdout
    assert "instance 1 of permission_review: running" in started
    tasks = json.loads(run("task", "list", "--user", "head01", "--json").stdout)
    assert [t["title"] for t in tasks] == ["核查涉密人员访问权限"]
    assert json.loads(run("task", "list", "--user", "hr01", "--json").stdout) == []

    (tmp_path / "keep.json").write_text('{"permission_decision": "keep", "permission_note": "相符"}', "utf-8")
    (tmp_path / "bad.json").write_text('{"permission_decision": "maybe"}', "utf-8")
    refused = run("task", "complete", tasks[0]["id"], "--as", "hr01", "--data", "keep.json", ok=False)
    assert refused.returncode == 2 and "assigned to head01" in refused.stderr
    invalid = run("task", "complete", tasks[0]["id"], "--as", "head01", "--data", "bad.json", ok=False)
    assert invalid.returncode == 2 and "'maybe' is not one of" in invalid.stderr
    assert "waiting" in run("task", "complete", tasks[0]["id"], "--as", "head01", "--data", "keep.json",
                            "--now", "2026-01-06T10:00:00+08:00").stdout
    again = run("task", "complete", tasks[0]["id"], "--as", "head01", "--data", "keep.json", ok=False)
    assert again.returncode == 2 and "already completed by head01" in again.stderr

    assert "0 due" in run("tick", "--now", "2026-06-01T00:00:00+08:00").stdout
    assert "1 due, 1 advanced" in run("tick", "--now", "2026-07-07T00:00:00+08:00").stdout
    shown = json.loads(run("instance", "show", "1").stdout)
    assert shown["status"] == "running" and shown["data"]["permission_decision"] == "keep"
    assert [h["action"] for h in shown["history"]][:3] == ["started", "ran", "completed"]   # ran: its deadline


def test_refusals_are_one_clear_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty.json").write_text("{}", "utf-8")
    proc = run("process", "start", "payroll", "--data", "empty.json", ok=False)
    assert proc.returncode == 2 and "there is no process 'payroll'" in proc.stderr
    proc = run("process", "start", "permission_review", "--data", "empty.json", ok=False)
    assert "is a required property" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("tick", "--now", "2027-01-01T00:00:00", ok=False)
    assert "needs a UTC offset" in proc.stderr
    proc = run("instance", "show", "99", ok=False)
    assert "there is no process instance 99" in proc.stderr
