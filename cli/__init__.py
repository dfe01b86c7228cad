"""The ``mibao`` command: thin calls into the same services the web app uses."""

from __future__ import annotations

import click

from cli.audit import audit
from cli.demo import demo
from cli.directory import directory
from cli.documents import ca, render, sign, templates, verify
from cli.errors import run_cli
from cli.jobs import job, scheduler, worker
from cli.org import org
from cli.processes import instance, process, task, tick
from cli.samples import samples
from cli.serve import serve
from cli.tokens import token
from cli.users import user

__all__ = ["main", "mibao"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def mibao() -> None:
    """mibao (密保): trade-secret agreements, workflows and e-signatures.

    State lives in the instance folder: ./instance, or the folder named by MIBAO_INSTANCE.
    """


for command in (templates, render, sign, verify, ca, samples, demo, process, task, tick, instance, user, serve, token,
                audit, org, directory, worker, scheduler, job):
    mibao.add_command(command)


def main() -> None:
    run_cli(mibao)
