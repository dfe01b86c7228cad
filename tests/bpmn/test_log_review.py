"""涉密信息访问日志周审计: the last complete week opens at once; the reviewer's findings go into the report, the
company seals it, the reviewer signs it; the next week waits for its Monday 09:00, and a late review catches up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from records.audit import anchor, record
from records.db import transaction
from tests.bpmn.driver import CST, Run, check_documents, check_outcome, example
from tests.conftest import pdf_text, squeeze
from workflows import Engine, FixedClock

FINDINGS = "李娜两次下载核心秘密文件被拒绝，系误点检索结果，已核实未获取内容。"
MEASURES = "对李娜进行知悉范围提醒谈话；部门保密员复核项目组权限。"


def _review(stop: bool = False) -> dict[str, object]:
    return {"findings": FINDINGS, "anomalies_investigated": True, "measures": MEASURES, "stop_review": stop}


def _week_46_records(engine: Engine) -> None:
    """Two denied downloads of a core document and one allowed view, in 2026-W46 (9–15 November)."""
    with transaction(engine.sessions) as session:
        for minute, allowed in ((42, False), (43, False), (50, True)):
            record(session, actor="eng02" if not allowed else "eng01", action="download" if not allowed else "view",
                   target_type="document", target_id="MB-20261102-4C1D77A0", level="core", allowed=allowed,
                   source="10.12.3.41", at=dt.datetime(2026, 11, 10, 10, minute, tzinfo=CST))
        anchor(session, engine.services.pki, dt.datetime(2026, 11, 10, 11, 0, tzinfo=CST))


def test_a_week_reviewed_sealed_signed_and_the_next_one_waiting(engine: Engine, clock: FixedClock,
                                                                 tmp_path: Path) -> None:
    _week_46_records(engine)
    run = Run(engine, clock, "log_review", example("log_review"), "sec01")   # Saturday 21 November 2026
    assert run.view.data["log_week"]["week"] == "2026-W46"
    task = run.task("review_access_log")
    assert (task.assignee, task.lane) == ("sec01", "secrecy_office")
    run.do("review_access_log", "sec01", _review())
    sign = run.task("sign_report")
    assert (sign.assignee, sign.sign_party) == ("sec01", "secrecy_office")
    view = run.sign("sign_report", "sec01")
    assert view.status == "waiting" and view.data["log_week"]["week"] == "2026-W47"
    assert view.next_timer_at == dt.datetime(2026, 11, 23, 9, 0, tzinfo=CST)

    (document,) = check_documents(engine, view, [("access_log_review", [("company", "system"),
                                                                        ("secrecy_office", "sec01")])])
    assert (document.title, document.level) == ("涉密信息访问日志周审计报告（2026-W46）", "important")
    text = squeeze(pdf_text(engine.services.blobs.get(document.path), tmp_path))
    for expected in ("2026-W46", "本周访问日志共3条，其中允许1条、拒绝2条", "李娜（eng02）", "核心秘密被拒绝访问",
                     "完好", squeeze(FINDINGS), squeeze(MEASURES), "周明"):
        assert expected in text, expected
    assert "草稿" not in text

    assert run.tick(dt.datetime(2026, 11, 23, 8, 59, tzinfo=CST)).status == "waiting"
    run.tick(dt.datetime(2026, 11, 23, 9, 1, tzinfo=CST))
    run.do("review_access_log", "sec01", _review(stop=True))
    view = run.sign("sign_report", "sec01")
    check_outcome(engine, view)
    titles = [d["title"] for d in view.documents]
    assert titles == ["涉密信息访问日志周审计报告（2026-W46）", "涉密信息访问日志周审计报告（2026-W47）"]


def test_a_late_review_catches_up_week_by_week(engine: Engine, clock: FixedClock) -> None:
    run = Run(engine, clock, "log_review", example("log_review"), "sec01")
    run.do("review_access_log", "sec01", _review())
    run.tick(dt.datetime(2026, 12, 9, 10, 0, tzinfo=CST))          # signed late: weeks 47 and 48 have ended
    view = run.sign("sign_report", "sec01")
    assert view.status == "running" and view.data["log_week"]["week"] == "2026-W47"
    run.do("review_access_log", "sec01", _review())
    view = run.sign("sign_report", "sec01")
    assert view.data["log_week"]["week"] == "2026-W48" and run.names() == ["review_access_log"]
