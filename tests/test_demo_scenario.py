"""The demo scenario on SQLite: every PDF it writes verifies, and the story happened as told."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from cli.scenario import START, run_demo
from records.db import make_engine, make_session_factory, transaction
from records.demo_org import ensure_demo
from records.instance import Instance
from records.migrate import upgrade
from records.models import NonCompeteCheck, SecretItem
from signing import Converter, verify_pdf
from workflows import BPMN_DIR, Engine, FixedClock, Services


def test_demo_scenario_writes_verifiable_agreements(tmp_path: Path, converter: Converter) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(db)
    factory = make_session_factory(db)
    with transaction(factory) as session:
        ensure_demo(session)
    clock = FixedClock(START)
    engine = Engine(factory, Services(Instance.from_env(tmp_path / "instance"), _converter=converter), clock=clock,
                    bpmn_dir=BPMN_DIR)
    lines: list[str] = []
    written = run_demo(engine, tmp_path / "out", clock, lines.append)
    root = engine.services.pki.root_certificate_pem()
    names = sorted(p.name.rsplit("-MB-", 1)[0] for p in written)
    assert names == sorted(["onboarding-legacy_secret_pledge", "onboarding-confidentiality_notice", "onboarding-nda",
                            "onboarding-non_compete", "classification-classification_form",
                            "external_nda-visitor_pledge", "offboarding-exit_reminder",
                            "offboarding-carrier_handover"])
    for path in written:
        verdict = verify_pdf(path.read_bytes(), trust_roots=[root])
        assert verdict.ok, (path.name, verdict.problems)
    with factory() as session:
        checks = list(session.scalars(select(NonCompeteCheck).order_by(NonCompeteCheck.month)))
        items = list(session.scalars(select(SecretItem)))
    assert [c.month for c in checks] == list(range(1, 25)) and all(c.status == "paid" for c in checks)
    # Paid what eng01 signed in onboarding: 30 % of 14,260.00 a month, each on time (the late proof moved its day).
    assert {(c.agreed_fen, c.paid_fen, c.days_late) for c in checks} == {(427800, 427800, 0)}
    assert [(i.level, i.approval["tally"]["yes"], i.approval["chair_approved"]) for i in items] == [("core", 3, True)]
    summary = "\n".join(lines)
    assert "24 months monitored" in summary and "1 suspension(s)" in summary
    db.dispose()
