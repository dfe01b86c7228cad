"""What the app holds for its lifetime: the database, the engine and its services."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine as DbEngine
from sqlalchemy.orm import Session, sessionmaker

from records.instance import Instance
from workflows import Engine, Services

__all__ = ["WebState", "state"]


@dataclass
class WebState:
    instance: Instance
    db: DbEngine
    sessions: sessionmaker[Session]
    services: Services
    engine: Engine

    def close(self) -> None:
        self.engine.jobs.close()
        self.services.close()
        self.db.dispose()


def state() -> WebState:
    found: WebState = current_app.extensions["mibao"]
    return found
