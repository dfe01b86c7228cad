"""``mibao serve``: the web app on an instance folder, with the timer tick and warm converter in the background.

With ``--workers 1`` it runs in this process (waitress); with more, under gunicorn, one process per worker —
Python runs one thread at a time per process, so on two cores two workers serve about twice the requests.
Each worker keeps its own warm LibreOffice and works jobs (preparing agreements) on its own threads; exactly one
process across all nodes (holding the database lease ``background``) fires the timers and sends the outbox.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import click


def _app(public_url: str) -> Any:
    from web import create_app
    from web.background import start_background

    app = create_app({"PUBLIC_URL": public_url, "JOBS": "pool"})
    start_background(app.extensions["mibao"], app.config)
    return app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Create the demo accounts and start a few processes (empty database).")
@click.option("--workers", default=min(os.cpu_count() or 1, 4), show_default=True, type=int,
              help="Processes serving requests (1 = waitress in this process).")
@click.option("--threads", default=8, show_default=True, type=int, help="Threads per process.")
def serve(host: str, port: int, demo: bool, workers: int, threads: int) -> None:
    """Serve the web app on HOST:PORT."""
    from cli import context

    context.configure_logging()
    # Behind a proxy the address people open is another one (MIBAO_PUBLIC_URL): mailed links, the OpenID callback
    # and security keys' origin are built from it. Without it, where this server listens.
    public_url = os.environ.get("MIBAO_PUBLIC_URL", "").strip().rstrip("/") or f"http://{host}:{port}"

    context.prepare(context.instance())     # migrate and create the PKI once, before any worker starts
    if demo:
        # The demo's accounts sign in with the printed password alone, so anyone can try every role at once; a
        # real installation asks HR, the secrecy office and the committee for a second step (docs/identity.md).
        os.environ.setdefault("MIBAO_2FA_ROLES", "none")
        _seed_demo(public_url)
    click.echo(f"mibao is running at {public_url}  ({workers} worker(s); Ctrl+C stops it)")
    if workers <= 1:
        _serve_here(public_url, host, port, threads)
    else:
        _serve_gunicorn(public_url, host, port, workers, threads)


def _seed_demo(public_url: str) -> None:
    from web import create_app
    from web.demo import DEMO_PASSWORD, seed_demo

    click.echo("preparing demo data (the first LibreOffice start takes a few seconds) …")
    app = create_app({"PUBLIC_URL": public_url})
    web = app.extensions["mibao"]
    try:
        logins = seed_demo(web)
    finally:
        web.close()
    click.echo(f"demo accounts (password: {DEMO_PASSWORD}):")
    for user_id, name, roles in logins:
        click.echo(f"  {user_id:10} {name}  [{roles}]")


def _serve_here(public_url: str, host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    app = _app(public_url)
    # SIGTERM (systemd, a container stop) must run the cleanup below like Ctrl+C does, or LibreOffice,
    # which runs in a session of its own, outlives the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="mibao")
    finally:
        app.extensions["mibao"].close()


def _serve_gunicorn(public_url: str, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread", "timeout": 120, "graceful_timeout": 20,
                               "accesslog": None, "worker_exit": _worker_exit,
                               # gunicorn's control socket is one path per user (~/.gunicorn): a second
                               # instance on the machine would take it over. We do not use gunicornc.
                               "control_socket_disable": True}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return _app(public_url)       # in each worker, after the fork: its own database pool and LibreOffice

    Server().run()


def _worker_exit(server: Any, worker: Any) -> None:
    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "extensions"):
        app.extensions["mibao"].close()
