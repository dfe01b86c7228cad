"""Commands on processes: list and start them, list and complete tasks, fire timers, show an instance."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from cli import context
from cli.files import read_json
from records.models import TaskState
from workflows import FixedClock
from workflows.registry import OPERATIONS

_existing = click.Path(path_type=Path, dir_okay=False, exists=True)


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _clock(now: str | None) -> FixedClock | None:
    """``--now`` as the clock a command runs on (tests, back-filling); None: the system clock."""
    if not now:
        return None
    try:
        moment = dt.datetime.fromisoformat(now)
    except ValueError:
        raise click.ClickException(f"--now {now!r} is not an ISO date-time") from None
    if moment.tzinfo is None:
        raise click.ClickException("--now needs a UTC offset, e.g. +08:00 or Z")
    return FixedClock(moment)


_now_option = click.option("--now", help="Run as of this ISO time (with offset), e.g. 2027-01-10T23:00:00+08:00; "
                                         "default: the system clock.")


def _object(path: Path) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise click.ClickException(f"{path} must hold a JSON object of fields")
    return data


@click.group()
def process() -> None:
    """BPMN processes."""


@process.command("list")
def process_list() -> None:
    """List the processes (one BPMN file each)."""
    with context.engine(context.instance()) as engine:
        for process_id in engine.process_ids():
            proc = engine.process(process_id)
            click.echo(f"{process_id:20} {proc.name}  ({len(proc.user_tasks)} user tasks)")


@process.command("operations")
def process_operations() -> None:
    """List the operations service tasks may name, with their parameters."""
    import workflows.operations  # noqa: F401 - registers them

    for op in OPERATIONS.all():
        params = ", ".join(f"{name}{'' if required else '?'}" for name, required in op.params.items())
        click.echo(f"{op.name:22} ({params})  {op.summary}")


@process.command("start")
@click.argument("process_id")
@click.option("--data", "data_file", type=_existing, required=True, help="JSON file with the start data.")
@click.option("--as", "actor", default="cli", show_default=True, help="Who starts it (recorded in the history).")
@_now_option
def process_start(process_id: str, data_file: Path, actor: str, now: str | None) -> None:
    """Start PROCESS_ID with the data; prints the instance id and its open tasks."""
    with context.engine(context.instance(), clock=_clock(now)) as engine:
        view = engine.start(process_id, _object(data_file), actor=actor)
    click.echo(f"instance {view.id} of {process_id}: {view.status}")
    for task in view.tasks:
        if task.state == TaskState.READY:
            click.echo(f"  task {task.id}  {task.title}  [{task.lane}{' → ' + task.assignee if task.assignee else ''}]")


@click.group()
def task() -> None:
    """User tasks."""


@task.command("list")
@click.option("--role", help="Only tasks of this role (lane).")
@click.option("--user", help="Only tasks this user may do (assigned to them, or open to their roles).")
@click.option("--json", "as_json", is_flag=True)
def task_list(role: str | None, user: str | None, as_json: bool) -> None:
    """List open tasks."""
    with context.engine(context.instance()) as engine:
        tasks = engine.tasks(role=role, user=user)
    if as_json:
        _echo_json([t.to_json() for t in tasks])
        return
    for t in tasks:
        who = t.assignee or f"any {t.lane}"
        click.echo(f"{t.id}  #{t.instance_id} {t.process_id:16} {t.title}  [{who}]")


@task.command("complete")
@click.argument("task_id")
@click.option("--as", "actor", required=True, help="The user completing it.")
@click.option("--data", "data_file", type=_existing, help="JSON file with the form data.")
@_now_option
def task_complete(task_id: str, actor: str, data_file: Path | None, now: str | None) -> None:
    """Complete TASK_ID as a user, with the form data."""
    data = _object(data_file) if data_file else {}
    with context.engine(context.instance(), clock=_clock(now)) as engine:
        view = engine.complete(task_id, actor=actor, data=data)
    click.echo(f"instance {view.id}: {view.status}")


@click.command()
@_now_option
def tick(now: str | None) -> None:
    """Fire due timers; only instances whose next timer is due are touched."""
    with context.engine(context.instance(), clock=_clock(now)) as engine:
        report = engine.tick()          # as of the engine's clock
    click.echo(f"{report.now.isoformat()}: {report.due} due, {len(report.advanced)} advanced, "
               f"{len(report.errors)} errors")
    for instance_id, error in report.errors.items():
        click.echo(f"  instance {instance_id}: {error}", err=True)


@click.group()
def instance() -> None:
    """Process instances."""


@instance.command("show")
@click.argument("instance_id", type=int)
def instance_show(instance_id: int) -> None:
    """Show an instance: status, data, tasks, documents and history (JSON)."""
    with context.engine(context.instance()) as engine:
        _echo_json(engine.show(instance_id).to_json())
