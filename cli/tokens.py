"""API tokens: create one for a user (printed once, stored as SHA-256) with a scope and an expiry, list them,
revoke one. The same rules as the account page (``records.api_tokens``)."""

from __future__ import annotations

import click

from cli import context
from records import api_tokens
from records.db import transaction
from records.models import TokenScope


@click.group()
def token() -> None:
    """Bearer tokens for the JSON API (/api/v1): each acts as one user."""


@token.command("create")
@click.argument("user_id")
@click.option("--label", required=True, help="What the token is for, e.g. the HR system's name.")
@click.option("--scope", type=click.Choice([s.value for s in TokenScope]), default=TokenScope.ACT.value,
              show_default=True, help="read: GET only; act: also start processes and complete tasks.")
@click.option("--days", type=int, default=90, show_default=True,
              help=f"How long the token lives (1–{api_tokens.MAX_DAYS} days).")
def token_create(user_id: str, label: str, scope: str, days: int) -> None:
    """Create a token for USER_ID and print it (only this once)."""
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        try:
            row, secret = api_tokens.create(session, user_id=user_id, label=label, scope=TokenScope(scope),
                                            days=days, now=engine.clock.now())
        except api_tokens.TokenError as error:
            raise click.ClickException(f"{error} (see `mibao user list`)") from error
        expires = row.expires_at
    click.echo(secret)
    click.echo(f"API token for {user_id} ({label}, {scope}) until {expires:%Y-%m-%d %H:%M} UTC; "
               "it is not shown again.", err=True)


@token.command("list")
def token_list() -> None:
    with context.engine(context.instance()) as engine, engine.sessions() as session:
        now = engine.clock.now()
        for row in reversed(api_tokens.owned(session)):
            state = (f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else
                     f"expired {row.expires_at:%Y-%m-%d}" if row.expires_at and row.expires_at <= now else
                     f"until {row.expires_at:%Y-%m-%d}" if row.expires_at else "no expiry")
            used = f"last used {row.last_used_at:%Y-%m-%d}" if row.last_used_at else "never used"
            click.echo(f"{row.id:4} {row.user_id:12} {row.label}  [{row.scope}, {state}, {used}]  "
                       f"created {row.created_at:%Y-%m-%d}")


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke the token with id TOKEN_ID (see `mibao token list`)."""
    with context.engine(context.instance()) as engine, transaction(engine.sessions) as session:
        if not api_tokens.revoke(session, token_id, now=engine.clock.now()):
            raise click.ClickException(f"there is no live token {token_id} (see `mibao token list`)")
    click.echo(f"token {token_id} revoked")
