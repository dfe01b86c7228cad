"""Turn the project's errors into one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys

import click

from documents.errors import DocumentError
from signing.errors import SigningError
from workflows.errors import WorkflowError

EXPECTED = (DocumentError, SigningError, WorkflowError)


def run_cli(group: click.Group) -> None:
    try:
        # Without standalone mode click returns the code of an `Exit` instead of exiting.
        code = group.main(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except EXPECTED as exc:
        click.echo(f"mibao: error: {exc}", err=True)
        sys.exit(2)
