"""Work the web app does on its own, every minute: fire due timers, anchor the audit log (hourly), remind before
due dates, send the outbox."""

from __future__ import annotations

import fcntl
import logging
import threading
from typing import Any

from web.audit_log import anchor_if_due
from web.mailer import send_pending, send_reminders
from web.state import WebState

__all__ = ["start_background"]

log = logging.getLogger(__name__)


def start_background(web: WebState, config: dict[str, Any]) -> threading.Event:
    """Start the daemon thread; set the returned event to stop it.

    Several server processes may serve one instance: the one holding ``background.lock`` does the work,
    the others wait for the lock, so a crashed worker's duty passes to another.
    """
    stop = threading.Event()
    every = float(config.get("BACKGROUND_TICK_SECONDS", 60))
    lock_path = web.instance.root / "background.lock"

    def loop() -> None:
        with open(lock_path, "a+b") as lock:
            while not stop.is_set():
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    stop.wait(every)
            while not stop.wait(every):
                try:
                    report = web.engine.tick()
                    if report.due:
                        log.info("tick: %d due, %d advanced, %d errors", report.due, len(report.advanced),
                                 len(report.errors))
                    anchor_if_due(web, web.engine.clock.now())
                    send_reminders(web, web.engine.clock.now())
                    send_pending(web, config)
                except Exception:  # the loop must survive a bad minute; the next one retries
                    log.exception("background tick failed")

    threading.Thread(target=loop, name="mibao-background", daemon=True).start()
    return stop
