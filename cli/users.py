"""Commands on accounts: list them, add one, or load the demo organisation."""

from __future__ import annotations

import click
from sqlalchemy import select

from cli import context
from records.db import transaction
from records.models import User
from records.need_to_know import GENERAL_MANAGER
from records.people import DEMO_PEOPLE, Person, ensure_people
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
@click.option("--level", "personnel_level", type=click.Choice(["core", "important", "general"]))
@click.option("--identifier", help="Employee number or ID number (goes into the person's certificate).")
@click.option("--post", help="The person's post (岗位), as register entries name it in who may know them.")
def user_add(user_id: str, name: str, roles: tuple[str, ...], department: str | None,
             personnel_level: str | None, identifier: str | None, post: str | None) -> None:
    """Add or update USER_ID."""
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        ensure_people(session, [Person(user_id, name, roles, department, personnel_level, identifier, post)])
    click.echo(f"{user_id}: {name} [{', '.join(roles)}]")


@user.command("demo")
def user_demo() -> None:
    """Load the demo organisation (HR, secrecy office, liaison, department head, committee, staff, a visitor)."""
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        ensure_people(session, DEMO_PEOPLE)
    click.echo(f"{len(DEMO_PEOPLE)} demo accounts: {', '.join(p.id for p in DEMO_PEOPLE)}")
