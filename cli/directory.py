"""``mibao directory``: the company directory (LDAP / Active Directory) of records/directory.py. Settings come from
the MIBAO_LDAP_* variables (docs/identity.md), as for the web app."""

from __future__ import annotations

import getpass
import os
import sys

import click

from cli import context
from records.db import transaction
from records.directory import (
    DEFAULT_ROLES,
    DirectoryPerson,
    DirectorySettings,
    DirectoryUnavailable,
    authenticate,
    sync,
)
from records.directory_ldap import find
from records.models import utcnow

__all__ = ["directory"]


def _settings() -> DirectorySettings:
    try:
        settings = DirectorySettings.from_env(os.environ)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if settings is None:
        raise click.ClickException("no directory is configured: set MIBAO_LDAP_URL and MIBAO_LDAP_USER_BASE "
                                   "(docs/identity.md)")
    return settings


@click.group()
def directory() -> None:
    """The company directory (LDAP / Active Directory): sync its people here, test a sign-in."""


@directory.command("sync")
@click.option("--as", "actor", default="directory", show_default=True,
              help="Who makes the changes (recorded in the organisation's history and the audit log).")
def directory_sync(actor: str) -> None:
    """Create, update and mark as left the directory's people here (run it from cron).

    Entries that cannot be written are listed and the others are written; the exit code is 1 when any failed."""
    settings = _settings()
    try:
        with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
            report = sync(session, settings, actor=actor, now=utcnow())
    except DirectoryUnavailable as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from None
    for outcome in ("created", "updated", "disabled"):
        if getattr(report, outcome):
            click.echo(f"{outcome}: {', '.join(getattr(report, outcome))}")
    for problem in report.errors:
        click.echo(f"error: {problem.entry}: {problem.reason}", err=True)
    click.echo("directory sync: " + ", ".join(f"{n} {outcome}" for outcome, n in report.counts().items()))
    if not report.ok:
        raise click.ClickException(f"{len(report.errors)} entries could not be synced (listed above); the others "
                                   "were")


@directory.command("test")
@click.argument("username")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of stdin (scripts); otherwise it is asked, not echoed.")
def directory_test(username: str, password_stdin: bool) -> None:
    """Check that USERNAME can sign in through the directory and show the account it would give. Changes
    nothing here."""
    settings = _settings()
    try:
        person = find(settings, username.strip())
        if person is None:
            raise click.ClickException(f"the directory has no single entry for {username!r} (filter "
                                       f"{settings.user_filter} under {settings.user_base})")
        _show(person)
        password = (sys.stdin.readline().rstrip("\r\n") if password_stdin
                    else getpass.getpass(f"directory password of {person.username}: "))
        accepted = authenticate(settings, username, password)
    except DirectoryUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if accepted is None:
        raise click.ClickException("the directory did not accept this password (wrong, expired or locked, or "
                                   "empty)")
    click.echo("password: accepted by the directory")


def _show(person: DirectoryPerson) -> None:
    click.echo(f"found: {person.dn}")
    click.echo(f"  {person.username}: {person.name}; mail {person.email or '—'}; department "
               f"{person.department or '—'}; employee number {person.identifier or '—'}")
    click.echo(f"  groups: {'; '.join(person.groups) or '—'}")
    roles = ", ".join(person.roles) if person.roles else f"none (a new account gets {', '.join(DEFAULT_ROLES)})"
    click.echo(f"  roles from the groups: {roles}")
