"""The audit log: verify the chain and its anchors, anchor it now, show the newest records."""

from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy import select

from cli import context
from records.audit import AnchorError, AuditReport, anchor, verify_chain
from records.db import transaction
from records.evidence_trail import agreement_trail, check_trail
from records.models import AuditRecord, Document, utcnow
from records.storage import write_atomic


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


@audit.command("trail")
@click.argument("document_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: stdout).")
def audit_trail(document_id: str, out: Path | None) -> None:
    """An agreement's audit trail (its records, the links to the next timestamp, the token) as JSON."""
    inst = context.instance()
    with context.engine(inst) as engine, engine.sessions() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise click.ClickException(f"there is no document {document_id}; `mibao audit show` lists recent ones")
        trail = agreement_trail(session, document, utcnow())
    text = json.dumps(trail, ensure_ascii=False, indent=1)
    if out is None:
        click.echo(text)
    else:
        write_atomic(out, text.encode("utf-8"))
        click.echo(f"{out}: {len(trail['records'])} records" + (f", timestamped at record {trail['anchor']['seq']}"
                                                                 if trail["anchor"] else f" ({trail['note']})"))


@audit.command("check-trail")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--trust-root", "trust_roots", multiple=True, type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Also trust this root (PEM or DER). Repeatable.")
def audit_check_trail(path: Path, trust_roots: tuple[Path, ...]) -> None:
    """Check an exported trail on its own; exit 0 only when every record and the timestamp check out."""
    inst = context.instance()
    roots = [context.pki(inst).root_certificate_pem(), *(p.read_bytes() for p in trust_roots)]
    try:
        trail = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path} is not an audit trail (JSON): {exc}") from exc
    problems = check_trail(trail, roots) if isinstance(trail, dict) else ["not an audit trail"]
    for problem in problems:
        click.echo(f"✗ {problem}")
    if problems:
        raise SystemExit(1)
    click.echo(f"✓ {len(trail['records'])} records intact, timestamped at record {trail['anchor']['seq']}")
