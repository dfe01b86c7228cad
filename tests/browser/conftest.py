"""Real browser tests: the real server (``mibao serve``) as a subprocess on a throwaway instance folder, driven by
Playwright with Debian's Chromium (headless; never a downloaded browser).

Skipped only when /usr/bin/chromium is missing and this is not CI; under ``CI=true`` a missing Chromium fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.support import CHROMIUM, LAUNCH_ARGS, Server

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(instance: Path) -> None:
    """The demo people with the demo password (and mail addresses), straight into the instance's SQLite file."""
    from records.db import make_engine, make_session_factory, transaction
    from records.demo_org import ensure_demo
    from records.migrate import upgrade
    from records.models import User
    from records.people import DEMO_PEOPLE
    from web.demo import DEMO_PASSWORD
    from web.passwords import hash_password

    db = make_engine(f"sqlite:///{instance / 'mibao.db'}")
    try:
        upgrade(db)
        password = hash_password(DEMO_PASSWORD)
        with transaction(make_session_factory(db)) as session:
            ensure_demo(session)
            for person in DEMO_PEOPLE:
                user = session.get(User, person.id)
                assert user is not None
                user.password_hash, user.email = password, f"{person.id}@demo.mibao.local"
    finally:
        db.dispose()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /login within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``mibao serve`` on a free port over a fresh instance (SQLite) with the demo people; stopped at the end."""
    yield from serve(tmp_path_factory.mktemp("browser-instance"), "127.0.0.1")


@pytest.fixture(scope="package")
def localhost_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The same on http://localhost:PORT (its PUBLIC_URL too), over an instance of its own: WebAuthn needs a
    domain as the relying party's ID, and browsers take localhost, not 127.0.0.1, as one (and as secure)."""
    yield from serve(tmp_path_factory.mktemp("browser-localhost"), "localhost")


def serve(instance: Path, host: str, *options: str) -> Iterator[Server]:
    """``mibao serve [OPTIONS]`` over ``instance`` with the demo people (``--demo`` adds its processes)."""
    _seed(instance)
    env = {k: v for k, v in os.environ.items() if k not in ("MIBAO_DATABASE_URL", "MIBAO_SMTP_HOST")}
    port = _free_port()
    url = f"http://{host}:{port}"
    env.update(MIBAO_INSTANCE=str(instance), MIBAO_LOGIN_RATE_LIMIT="1000 per minute", PYTHONUNBUFFERED="1",
               MIBAO_PUBLIC_URL=url)
    log = instance / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", "serve", "--host", host,
                                    "--port", str(port), *options],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, process, log)
        yield Server(url=url, instance=instance, env=env, log=log)
    finally:
        _stop(process, instance)


def _stop(process: subprocess.Popen[bytes], instance: Path) -> None:
    """Stop the server as Ctrl+C does, so it closes its LibreOffice (a session of its own, which a plain SIGTERM
    of the server would leave running); then end whatever of that LibreOffice is still there."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for leftover in _processes_using(instance):
        if leftover != os.getpgrp():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(leftover, signal.SIGKILL)


def _processes_using(instance: Path) -> list[int]:
    """Process groups whose command line names the instance folder (the server's unoserver and soffice)."""
    groups = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            if str(instance).encode() in cmdline:
                groups.add(os.getpgid(int(proc.name)))
        except (OSError, ProcessLookupError):
            continue
    return sorted(groups)


# Package scope, not session: Playwright's sync API keeps an event loop running in this thread while it is
# open, and pyHanko's asyncio.run() in the other packages' tests fails inside a running loop.
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (CI=true: the browser tests must run; apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
