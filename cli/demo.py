"""``mibao demo``: the demo organisation's processes with simulated users and a simulated clock.

Runs on a throwaway instance folder inside the output's parent unless ``MIBAO_INSTANCE`` is set explicitly,
writes every completed agreement to ``--out`` and checks each one with the verifier before it reports.
"""

from __future__ import annotations

from pathlib import Path

import click

from cli import context
from cli.scenario import START, run_demo
from records.db import transaction
from records.demo_org import ensure_demo
from signing import verify_pdf
from workflows import FixedClock


@click.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the signed PDFs (default: <instance>/demo).")
def demo(out: Path | None) -> None:
    """Onboarding, classification, a visitor NDA and offboarding with 24 months of checks; every PDF verified."""
    inst = context.instance()
    out = out or inst.root / "demo"
    clock = FixedClock(START)
    with context.engine(inst, clock=clock, warm_converters=1) as engine:
        with transaction(engine.sessions) as session:
            ensure_demo(session)
        written = run_demo(engine, out, clock, echo=click.echo)
        root = engine.services.pki.root_certificate_pem()
    bad = [p.name for p in written if not verify_pdf(p.read_bytes(), trust_roots=[root]).ok]
    if bad:
        raise click.ClickException(f"{len(bad)} PDFs did not verify: {', '.join(bad)}")
    click.echo(f"all {len(written)} PDFs verify (mibao verify FILE.pdf); root certificate: mibao ca export-root")
