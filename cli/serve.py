"""``mibao serve``: the web app on an instance folder, with the timer tick and warm converter in the background."""

from __future__ import annotations

import logging
import signal
import sys

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Create the demo accounts and start a few processes (empty database).")
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, demo: bool, threads: int) -> None:
    """Serve the web app (waitress) on HOST:PORT."""
    from waitress import serve as waitress_serve

    from web import create_app
    from web.background import start_background
    from web.demo import DEMO_PASSWORD, seed_demo

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("spiff").setLevel(logging.WARNING)  # one line per task state change otherwise
    app = create_app({"PUBLIC_URL": f"http://{host}:{port}"})
    web = app.extensions["mibao"]
    if demo:
        click.echo("preparing demo data (the first LibreOffice start takes a few seconds) …")
        logins = seed_demo(web)
        click.echo(f"demo accounts (password: {DEMO_PASSWORD}):")
        for user_id, name, roles in logins:
            click.echo(f"  {user_id:10} {name}  [{roles}]")
    # SIGTERM (systemd, a container stop) must run the cleanup below like Ctrl+C does, or LibreOffice,
    # which runs in a session of its own, outlives the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    start_background(web, app.config)
    click.echo(f"mibao is running at http://{host}:{port}  (instance: {web.instance.root}; Ctrl+C stops it)")
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="mibao")
    finally:
        web.close()
