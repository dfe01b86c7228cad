"""File helpers for commands: read inputs with clear errors (outputs go through records.storage.write_atomic)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text; save the JSON as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                   f"column {exc.colno}") from None


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
