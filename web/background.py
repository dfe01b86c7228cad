"""Work the web app does on its own, every minute: fire due timers, anchor the audit log (hourly), remind before
due dates, send the outbox, and hand over jobs a crash left behind.

Any number of server processes on any number of machines may serve one database: the one holding the database
lease ``background`` (``records.leases``) does the work, renewing it each round; when it dies the lease runs out
and another takes over. ``mibao scheduler`` runs the same loop without serving pages."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from records.leases import hold
from web.audit_log import anchor_if_due
from web.mailer import send_reminders
from web.state import WebState
from workflows.jobs import sweep, worker_name
from workflows.mail import queue_outbox
from workflows.schedules import (
    launch_annual_pledges,
    launch_declassification_reviews,
    launch_permission_reviews,
    launch_self_checks,
)

__all__ = ["run_duties", "start_background"]

log = logging.getLogger(__name__)


def run_duties(web: WebState, config: dict[str, Any]) -> None:
    """One round of the duties (the caller holds the lease)."""
    report = web.engine.tick()
    if report.due:
        log.info("tick: %d due, %d advanced, %d errors", report.due, len(report.advanced), len(report.errors))
    now = web.engine.clock.now()
    launch_annual_pledges(web.engine, now)
    launch_permission_reviews(web.engine, now)
    launch_self_checks(web.engine, now)
    launch_declassification_reviews(web.engine, now)
    anchor_if_due(web, now)
    send_reminders(web, now)
    queue_outbox(web.engine)
    engine = web.engine
    sweep(engine, lambda job_id: engine.jobs.submit(engine, [job_id]))


def start_background(web: WebState, config: dict[str, Any], stop: threading.Event | None = None, *,
                     daemon: bool = True) -> threading.Event:
    """Run the duty loop in a daemon thread, or here (``daemon=False``, ``mibao scheduler``) until ``stop`` is
    set; returns the event that stops it."""
    stop = stop or threading.Event()
    every = float(config.get("BACKGROUND_TICK_SECONDS", 60))
    me = worker_name()

    def loop() -> None:
        while not stop.wait(every):
            try:
                # Held for three rounds: a holder that misses one keeps it, a dead one loses it in three minutes.
                if hold(web.sessions, "background", me, web.engine.clock.now(), dt.timedelta(seconds=3 * every)):
                    run_duties(web, config)
            except Exception:  # the loop must survive a bad minute; the next one retries
                log.exception("background round failed")

    if daemon:
        threading.Thread(target=loop, name="mibao-background", daemon=True).start()
    else:
        loop()
    return stop
