"""Leases in the database: a duty that must run once across every node (firing timers, sending the outbox,
anchoring the audit log, sweeping jobs) is done by whoever holds its lease. Taking one is a single conditional
write, so two nodes never both hold it; a holder that dies stops renewing and the lease runs out."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from records.db import transaction
from records.models import Lease

__all__ = ["hold"]


def hold(sessions: sessionmaker[Session], name: str, holder: str, now: dt.datetime, duration: dt.timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder`` until ``now + duration``; False while another holds it."""
    until = now + duration
    with transaction(sessions) as session:
        taken = session.execute(update(Lease).where(Lease.name == name, (Lease.holder == holder) | (Lease.until < now))
                                .values(holder=holder, until=until))
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return True
        if session.get(Lease, name) is not None:
            return False
    try:
        with transaction(sessions) as session:
            session.add(Lease(name=name, holder=holder, until=until))
        return True
    except IntegrityError:     # another node created it first
        return False
