"""``mibao org``: the organisation processes read their deciders from (records/organisation.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli import context
from records import organisation
from records.db import transaction
from records.models import Department, OrgPost, PersonStatus, User, utcnow
from records.org_import import import_people

__all__ = ["org"]

_ACTOR = click.option("--as", "actor", default="cli", show_default=True,
                      help="Who makes the change (recorded in the organisation's history and the audit log).")


def _run(action: Callable[[Session], object]) -> None:
    """Run ``action(session)`` in one transaction; an OrganisationError is a clear message, nothing changed."""
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        try:
            action(session)
        except organisation.OrganisationError as exc:
            raise click.ClickException(str(exc)) from None   # leaving the block rolls back


class _NothingWritten(Exception):
    """Raised inside the transaction to roll it back (a dry run, or a file with bad rows)."""


@click.group()
def org() -> None:
    """Departments, heads, liaisons, the secrecy committee and its rules."""


@org.command("show")
def org_show() -> None:
    """Who holds which post now, and the committee's voting rules."""
    with context.engine(context.instance()) as engine, engine.sessions() as session:
        body = organisation.committee(session)
        chair = f"{body.chair.name} ({body.chair.id})" if body.chair else "— (none: appoint the general manager)"
        click.echo(f"secrecy committee: chair {chair}; members "
                   + (", ".join(f"{u.name} ({u.id})" for u in body.members) or "none")
                   + f"; quorum {body.quorum:.4g}, majority > {body.majority:.4g}")
        for department in session.scalars(select(Department).order_by(Department.name)):
            head = organisation.department_head(session, department.name)
            liaisons = organisation.liaisons(session, department.name)
            people = session.scalar(select(User.id).where(User.department == department.name).limit(1))
            click.echo(f"{department.name}: head {f'{head.name} ({head.id})' if head else '—'}; liaisons "
                       + (", ".join(f"{u.name} ({u.id})" for u in liaisons) or "—")
                       + ("" if people else "; nobody in it"))


@org.command("department")
@click.argument("name")
@_ACTOR
def org_department(name: str, actor: str) -> None:
    """Add the department NAME."""
    _run(lambda s: organisation.add_department(s, actor=actor, name=name, now=utcnow()))
    click.echo(f"department {name}")


_POSTS = click.Choice([p.value for p in OrgPost])


@org.command("appoint")
@click.argument("post", type=_POSTS)
@click.argument("user_id")
@click.option("--department", help="For department_head and liaison: the department.")
@_ACTOR
def org_appoint(post: str, user_id: str, department: str | None, actor: str) -> None:
    """Give USER_ID the POST (a new head or chair ends the previous one's term)."""
    _run(lambda s: organisation.appoint(s, actor=actor, post=OrgPost(post), user_id=user_id,
                                        department=department, now=utcnow()))
    click.echo(f"{user_id}: {post}{f' of {department}' if department else ''}")


@org.command("dismiss")
@click.argument("post", type=_POSTS)
@click.argument("user_id")
@click.option("--department", help="For department_head and liaison: the department.")
@_ACTOR
def org_dismiss(post: str, user_id: str, department: str | None, actor: str) -> None:
    """End USER_ID's term in POST (kept in the history)."""
    _run(lambda s: organisation.dismiss(s, actor=actor, post=OrgPost(post), user_id=user_id,
                                        department=department, now=utcnow()))
    click.echo(f"{user_id}: no longer {post}{f' of {department}' if department else ''}")


@org.command("set")
@click.argument("key", type=click.Choice(sorted(organisation.DEFAULT_SETTINGS)))
@click.argument("value", type=float)
@_ACTOR
def org_set(key: str, value: float, actor: str) -> None:
    """Set the committee's quorum (share of members who must vote) or majority (share of votes cast that
    must be exceeded)."""
    _run(lambda s: organisation.set_setting(s, actor=actor, key=key, value=value, now=utcnow()))
    click.echo(f"{key} = {value:g}")


@org.command("status")
@click.argument("user_id")
@click.argument("status", type=click.Choice([s.value for s in PersonStatus]))
@_ACTOR
def org_status(user_id: str, status: str, actor: str) -> None:
    """Mark USER_ID active, leaving or left (left ends every post they hold)."""
    _run(lambda s: organisation.set_status(s, actor=actor, user_id=user_id, status=PersonStatus(status),
                                           now=utcnow()))
    click.echo(f"{user_id}: {status}")


@org.command("history")
@click.option("--limit", type=int, default=50, show_default=True)
def org_history(limit: int) -> None:
    """The latest changes to the organisation, newest first."""
    with context.engine(context.instance()) as engine, engine.sessions() as session:
        for change in organisation.history(session, limit=limit):
            click.echo(f"{change.at:%Y-%m-%d %H:%M} {change.actor:10} {change.action:10} {change.subject}  "
                       f"{change.detail}")


@org.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@_ACTOR
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
def org_import(csv_file: Path, actor: str, dry_run: bool) -> None:
    """Import people, departments and posts from CSV_FILE (UTF-8, "-" for stdin).

    Columns: id, name, department (required); post, personnel_level, status, roles, email, identifier,
    head (yes), liaison (yes), committee (chair/member). Every row is checked first; one bad row means nothing
    is imported. Posts held today and not in the file end."""
    raw = sys.stdin.buffer.read() if str(csv_file) == "-" else csv_file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{csv_file} is not UTF-8 (byte {exc.start}): save it as \"CSV UTF-8\"") \
            from None
    try:
        with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
            report = import_people(session, text, actor=actor, now=utcnow())
            if not report.ok or dry_run:
                raise _NothingWritten
    except _NothingWritten:
        pass
    for problem in report.problems:
        click.echo(f"file: {problem}", err=True)
    for row in report.rows:
        if row.outcome == "error":
            click.echo(f"line {row.line} ({row.id or 'no id'}): {row.reason}", err=True)
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(report.counts().items()))
    if not report.ok:
        raise click.ClickException(f"nothing imported: fix the rows above and import the whole file again "
                                   f"({counts or 'no rows'})")
    click.echo(f"{'checked (dry run, nothing written)' if dry_run else 'imported'}: {counts}; "
               f"posts ended: {report.posts_ended}")
