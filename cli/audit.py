"""The audit log: verify the chain and its anchors, anchor it now, show the newest records."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from cli import context
from records.audit import AnchorError, AuditReport, anchor, verify_chain
from records.db import transaction
from records.models import AuditRecord, utcnow


@click.group()
def audit() -> None:
    """The tamper-evident audit log (who saw, fetched, signed or decided what, and when)."""


@audit.command("verify")
@click.option("--trust-root", "trust_roots", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Also trust this root (PEM or DER), e.g. an external TSA's. Repeatable.")
def audit_verify(trust_roots: tuple[Path, ...]) -> None:
    """Recompute the chain and check every anchor; exit 0 only when all is well, else name the first broken link."""
    inst = context.instance()
    roots = [context.pki(inst).root_certificate_pem(), *(p.read_bytes() for p in trust_roots)]
    with context.engine(inst) as engine, engine.sessions() as session:
        report = verify_chain(session, roots)
    _print(report)
    if not report.ok:
        raise click.exceptions.Exit(1)


def _print(report: AuditReport) -> None:
    good = sum(a.ok for a in report.anchors)
    click.echo(f"{report.records} records checked (head {report.head_seq}), "
               f"{len(report.anchors)} anchors checked, {good} good")
    first = report.first_broken
    if first is not None:
        click.echo(f"BROKEN at record {first.seq} ({first.what}): {first.message}")
        for link in report.broken[1:]:
            click.echo(f"  also record {link.seq} ({link.what}): {link.message}")
    for checked in report.anchors:
        if not checked.ok:
            click.echo(f"anchor {checked.id} at record {checked.seq} ({checked.at:%Y-%m-%d %H:%M}): "
                       + "; ".join(checked.problems))
    click.echo("ok" if report.ok else "NOT OK")


@audit.command("anchor")
def audit_anchor() -> None:
    """Timestamp the chain's head now (RFC 3161, the instance's TSA)."""
    inst = context.instance()
    try:
        with context.engine(inst) as engine, transaction(engine.sessions) as session:
            row = anchor(session, context.pki(inst), utcnow())
            message = (f"anchored record {row.seq} ({row.head_hash[:16]}…)" if row is not None
                       else "nothing new to anchor")
    except AnchorError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(message)


@audit.command("show")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many records.")
def audit_show(limit: int) -> None:
    """The newest records, oldest first."""
    with context.engine(context.instance()) as engine, engine.sessions() as session:
        rows = list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)))
    for row in reversed(rows):
        click.echo(f"{row.seq:6} {row.at:%Y-%m-%d %H:%M:%S} {row.actor:12} {row.action:10} {row.result:7} "
                   f"{row.target_type}:{row.target_id}" + (f" [{row.level}]" if row.level else "")
                   + (f" from {row.source}" if row.source else ""))
