"""Commands on accounts: list them, add one, or load the demo organisation."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli import context
from records import audit, two_factor
from records.db import transaction
from records.demo_org import ensure_demo
from records.levels import SecretLevel
from records.models import User
from records.need_to_know import GENERAL_MANAGER
from records.people import DEMO_PEOPLE, OUTSIDE_PARTY_ROLE, Person, ensure_people
from web.passwords import WeakPasswordError, check_password, hash_password
from workflows.loader import ROLES


@click.group()
def user() -> None:
    """People who use the system, with their roles."""


@user.command("list")
def user_list() -> None:
    with context.engine(context.instance()) as engine, engine.sessions() as session:
        for account in session.scalars(select(User).order_by(User.id)):
            click.echo(f"{account.id:12} {account.name}  [{', '.join(account.roles)}]  {account.department or ''}")


@user.command("add")
@click.argument("user_id")
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(sorted(ROLES | {GENERAL_MANAGER})))
@click.option("--department")
@click.option("--level", "personnel_level", type=click.Choice([level.value for level in SecretLevel]))
@click.option("--identifier", help="Employee number or ID number (goes into the person's certificate).")
@click.option("--post", help="The person's post (岗位), as register entries name it in who may know them.")
@click.option("--password-stdin", is_flag=True, help="Read the account's password from the first line of stdin.")
def user_add(user_id: str, name: str, roles: tuple[str, ...], department: str | None,
             personnel_level: str | None, identifier: str | None, post: str | None, password_stdin: bool) -> None:
    """Add or update USER_ID. Without a password the account exists but cannot sign in."""
    if password_stdin and OUTSIDE_PARTY_ROLE in roles:
        raise click.ClickException(_OUTSIDE_NO_PASSWORD.format(user_id=user_id))
    password = _checked(_stdin_line(), (user_id, name)) if password_stdin else None
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        ensure_people(session, [Person(user_id, name, roles, department, personnel_level, identifier, post)])
        if password is not None:
            account = session.get(User, user_id)
            assert account is not None          # ensure_people has just written it
            _set_password(session, account, password)
    click.echo(f"{user_id}: {name} [{', '.join(roles)}]{' with a password' if password else ''}")


@user.command("password")
@click.argument("user_id")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from the first line of stdin "
                                                         "(scripts); otherwise it is asked twice on the terminal.")
def user_password(user_id: str, from_stdin: bool) -> None:
    """Set USER_ID's password (how the first administrator gets in on a fresh instance)."""
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        account = session.get(User, user_id)
        if account is None:
            raise click.ClickException(f"there is no user {user_id!r}; add it first with "
                                       f"`mibao user add {user_id} --name … --role …`")
        if OUTSIDE_PARTY_ROLE in account.roles:
            raise click.ClickException(_OUTSIDE_NO_PASSWORD.format(user_id=user_id))
        if from_stdin:
            password = _stdin_line()
        elif sys.stdin.isatty():
            password = click.prompt(f"new password for {user_id}", hide_input=True, confirmation_prompt=True)
        else:
            raise click.ClickException("stdin is not a terminal: pass --stdin to read the password from it")
        _set_password(session, account, _checked(password, (user_id, account.name)))
    click.echo(f"{user_id}: password set")


_OUTSIDE_NO_PASSWORD = ("{user_id} is an outside party: outside parties sign through their own link and one-time "
                        "code, never with a password; nothing was changed")


def _stdin_line() -> str:
    return sys.stdin.readline().rstrip("\r\n")


def _checked(password: str, user_inputs: tuple[str, ...]) -> str:
    try:
        check_password(password, user_inputs=user_inputs)
    except WeakPasswordError as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from None
    return password


def _set_password(session: Session, account: User, password: str) -> None:
    account.password_hash = hash_password(password)
    audit.record(session, actor="cli", action="password_set", target_type="user", target_id=account.id)


@user.command("reset-2fa")
@click.argument("user_id")
def user_reset_two_factor(user_id: str) -> None:
    """Turn USER_ID's two-step sign-in off (a lost phone, with no recovery code left): they set it up again at
    their next sign-in where their roles require it. Check who is asking first."""
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        if session.get(User, user_id) is None:
            raise click.ClickException(f"there is no user {user_id!r}")
        if not two_factor.remove(session, user_id):
            click.echo(f"{user_id}: had no two-step sign-in; nothing was changed")
            return
        audit.record(session, actor="cli", action="two_factor_reset", target_type="user", target_id=user_id)
    click.echo(f"{user_id}: two-step sign-in is off; they set it up again at their next sign-in")


@user.command("demo")
def user_demo() -> None:
    """Load the demo organisation (HR, secrecy office, liaison, department head, committee, staff, a visitor)."""
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        ensure_demo(session)
    click.echo(f"{len(DEMO_PEOPLE)} demo accounts: {', '.join(p.id for p in DEMO_PEOPLE)}")
