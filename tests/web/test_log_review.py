"""The secrecy office's weekly access-log review: a week's figures, denials and anomalies, the report as PDF (a
draft until the ``log_review`` process has signed that week); everyone else is refused, and the refusal logged."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from records.audit import record
from records.db import transaction
from records.models import AuditRecord
from signing import verify_pdf
from tests.bpmn.driver import example
from tests.conftest import pdf_text, squeeze
from web.demo import seed_demo
from web.state import WebState

Login = Callable[[str], FlaskClient]
CST = dt.timezone(dt.timedelta(hours=8))
WEEK = "2026-W46"           # 9–15 November 2026; the app's clock stands on Saturday 21 November (2026-W47)
DOC = "MB-20261102-4C1D77A0"


@pytest.fixture
def week46(web: WebState) -> None:
    """Two refused downloads of a core document by eng02 (an anomaly) and a view by eng01, in the week."""
    with transaction(web.sessions) as session:
        for minute, actor, action, allowed in ((42, "eng02", "download", False), (43, "eng02", "download", False),
                                               (50, "eng01", "view", True)):
            record(session, actor=actor, action=action, target_type="document", target_id=DOC, level="core",
                   allowed=allowed, source="10.12.3.41", at=dt.datetime(2026, 11, 10, 10, minute, tzinfo=CST))


def _log(web: WebState, actor: str) -> list[tuple[str, str, str, str | None, str]]:
    with web.sessions() as session:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.actor == actor).order_by(AuditRecord.seq))
        return [(r.action, r.target_type, r.target_id, r.level, r.result) for r in rows
                if r.target_type in ("access_report", "document")]


def test_the_secrecy_office_sees_the_weeks_figures(login: Login, web: WebState, week46: None) -> None:
    page = login("sec01").get(f"/audit/review?week={WEEK}")
    assert page.status_code == 200
    for expected in (WEEK, "李娜", "(eng02)", DOC, "10.12.3.41", "2026-W45", "2026-W47"):
        assert expected in page.text, expected
    assert _log(web, "sec01") == [("view", "access_report", WEEK, "important", "allowed")]


def test_the_current_week_by_default_and_unknown_weeks_are_404(login: Login) -> None:
    client = login("sec01")
    page = client.get("/audit/review")
    assert page.status_code == 200 and "2026-W47" in page.text
    for bad in ("2026-W99", "2026-47", "<script>"):
        assert client.get(f"/audit/review?week={bad}").status_code == 404


@pytest.mark.parametrize("user", ["hr01", "eng02", "head01", "gm01"])
def test_other_roles_are_refused_and_the_refusal_logged(login: Login, web: WebState, user: str) -> None:
    client = login(user)
    assert client.get(f"/audit/review?week={WEEK}").status_code == 403
    assert client.get(f"/audit/review/report.pdf?week={WEEK}").status_code == 403
    assert _log(web, user) == [("view", "access_report", WEEK, "important", "denied"),
                               ("export", "access_report", WEEK, "important", "denied")]
    assert "/audit/review" not in client.get("/inbox").text


def test_the_menu_shows_the_review_to_the_secrecy_office(login: Login) -> None:
    assert 'href="/audit/review"' in login("sec01").get("/inbox").text


def test_the_export_is_a_draft_until_the_process_has_signed_the_week(login: Login, web: WebState, week46: None,
                                                                      fast_services: WebState,
                                                                      tmp_path: Path) -> None:
    client = login("sec01")
    draft = client.get(f"/audit/review/report.pdf?week={WEEK}")
    assert draft.status_code == 200 and draft.mimetype == "application/pdf"
    assert f"access-log-review-{WEEK}-draft.pdf" in draft.headers["Content-Disposition"]
    text = squeeze(pdf_text(draft.data, tmp_path))
    for expected in ("涉密信息访问日志周审计报告（草稿）", "本周访问日志共3条，其中允许1条、拒绝2条", "李娜（eng02）",
                     "核心秘密被拒绝访问", "周明", "密级：重要秘密"):
        assert expected in text, expected
    assert _log(web, "sec01")[-1] == ("export", "access_report", WEEK, "important", "allowed")

    engine = web.engine        # the process reviews 2026-W46 at once: its Monday 09:00 has passed
    view = engine.start("log_review", example("log_review"), actor="sec01")
    (review,) = [t for t in engine.tasks(user="sec01") if t.instance_id == view.id]
    engine.complete(review.id, actor="sec01", data={"findings": "误点检索结果，已核实。", "measures": "提醒谈话。",
                                                     "anomalies_investigated": True, "stop_review": False})
    (sign,) = [t for t in engine.tasks(user="sec01") if t.instance_id == view.id]
    engine.complete(sign.id, actor="sec01", data={"agree": True})

    signed = client.get(f"/audit/review/report.pdf?week={WEEK}")
    assert signed.status_code == 200 and "-draft" not in signed.headers["Content-Disposition"]
    verdict = verify_pdf(signed.data, trust_roots=[fast_services.services.pki.root_certificate_pem()])
    assert verdict.ok and [s.signer for s in verdict.signatures if s.kind == "signature"] == ["聊城示例轴承有限公司",
                                                                                             "周明"]
    text = squeeze(pdf_text(signed.data, tmp_path))
    assert "草稿" not in text and "误点检索结果，已核实。" in text
    action, kind, document_id, level, result = _log(web, "sec01")[-1]
    assert (action, kind, level, result) == ("download", "document", "important", "allowed")
    assert document_id in client.get(f"/audit/review?week={WEEK}").text
    assert hashlib.sha256(signed.data).hexdigest() != hashlib.sha256(draft.data).hexdigest()


def test_the_demo_gives_the_secrecy_office_a_review_task(web: WebState, fast_services: WebState) -> None:
    seed_demo(web)
    reviews = [t for t in web.engine.tasks(user="sec01") if t.process_id == "log_review"]
    assert [(t.name, t.assignee) for t in reviews] == [("review_access_log", "sec01")]
