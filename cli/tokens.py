"""API tokens: create one for a user (printed once, stored as SHA-256), list them, revoke one."""

from __future__ import annotations

import hashlib
import secrets

import click
from sqlalchemy import select

from cli import context
from records.db import transaction
from records.models import ApiToken, User, utcnow


@click.group()
def token() -> None:
    """Bearer tokens for the JSON API (/api/v1): each acts as one user."""


@token.command("create")
@click.argument("user_id")
@click.option("--label", required=True, help="What the token is for, e.g. the HR system's name.")
def token_create(user_id: str, label: str) -> None:
    """Create a token for USER_ID and print it (only this once)."""
    secret = secrets.token_urlsafe(32)
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        if session.get(User, user_id) is None:
            raise click.ClickException(f"there is no user {user_id!r} (see `mibao user list`)")
        session.add(ApiToken(user_id=user_id, label=label, token_sha256=hashlib.sha256(secret.encode()).hexdigest()))
    click.echo(secret)
    click.echo(f"API token for {user_id} ({label}); it is not shown again.", err=True)


@token.command("list")
def token_list() -> None:
    with context.engine(context.instance()) as engine, engine.sessions() as session:
        for row in session.scalars(select(ApiToken).order_by(ApiToken.id)):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            click.echo(f"{row.id:4} {row.user_id:12} {row.label}  [{state}]  created {row.created_at:%Y-%m-%d}")


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke the token with id TOKEN_ID (see `mibao token list`)."""
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise click.ClickException(f"there is no token {token_id}")
        row.revoked_at = row.revoked_at or utcnow()
    click.echo(f"token {token_id} revoked")
