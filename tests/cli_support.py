"""The `mibao` command as outside scripts run it: a real process on a throwaway instance folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

MIBAO = [sys.executable, "-c", "import cli; cli.main()"]

Runner = Callable[..., subprocess.CompletedProcess[str]]


def cli_runner(tmp_path: Path) -> Runner:
    """``run(*args, ok=True, stdin=None)``: run ``mibao`` in ``tmp_path`` on the instance ``tmp_path/instance``;
    with ``ok`` it must exit 0."""
    env = {**os.environ, "MIBAO_INSTANCE": str(tmp_path / "instance")}

    def run(*args: str | Path, ok: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([*MIBAO, *map(str, args)], input=stdin, capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=300)
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    return run
