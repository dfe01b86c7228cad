"""``mibao serve`` as a company runs it: a fresh instance, no ``--demo``, the default worker count.

Before the migration lock, workers migrating the empty database at once made one of them fail to boot, and
gunicorn then shut the whole server down (2 of 6 starts).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_support import MIBAO


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _login_status(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
            return int(response.status)
    except OSError:
        return None


def _wait_for_login(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _login_status(port) == 200:
            return True
        time.sleep(0.5)
    return False


def _workers(server_pid: int) -> list[int]:
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return [int(pid) for pid in children]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = _free_port()
    env = {**os.environ, "MIBAO_INSTANCE": str(tmp_path / "fresh")}
    env.pop("MIBAO_DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([*MIBAO, "serve", "--port", str(port)], env=env, cwd=tmp_path, text=True,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc, port
    finally:
        log.close()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_a_fresh_instance_serves_with_the_default_workers_and_survives_a_killed_worker(server) -> None:  # type: ignore[no-untyped-def]
    proc, port = server
    assert _wait_for_login(port, 60), "no /login within 60 s"
    time.sleep(20)
    assert proc.poll() is None and _login_status(port) == 200, "the server died after starting"
    workers = _workers(proc.pid)
    assert len(workers) == min(os.cpu_count() or 1, 4)

    os.kill(workers[0], signal.SIGKILL)
    time.sleep(2)
    assert _wait_for_login(port, 30), "no /login after a worker was killed"
    deadline = time.monotonic() + 30
    while len(_workers(proc.pid)) < len(workers) and time.monotonic() < deadline:
        time.sleep(0.5)
    replaced = _workers(proc.pid)
    assert len(replaced) == len(workers) and workers[0] not in replaced
    for _ in range(10):      # every worker answers, the replacement too
        assert _login_status(port) == 200
    assert proc.poll() is None
