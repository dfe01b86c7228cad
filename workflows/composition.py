"""The composition root: the one place that builds the engine and attaches what must happen around it — the
"new task" and "signed by all parties" messages, outside parties' and leavers' links, the audit anchor when an
agreement completes. The web app, the CLI (``mibao tick`` from cron included) and the workers all call
:func:`build_engine`, so a timer fired anywhere tells the same people the same things.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from records.audit import anchor_committed
from records.blobs import DatabaseBlobs
from records.key_store import shared_keys
from records.models import Document
from workflows import launch, links, notices
from workflows.clock import Clock, SystemClock
from workflows.jobs import JobRunner, OwnJob
from workflows.mail import SEND_MAIL, MailSettings, send_mail_job
from workflows.runtime import Engine
from workflows.services import Services

__all__ = ["Settings", "build_engine"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """What the listeners need to know about the deployment, from the environment unless given."""

    public_url: str = "http://127.0.0.1:5000"    # where people open links (MIBAO_PUBLIC_URL)
    external_link_days: int = 7                  # how long an outside party's link stays open
    broker_url: str | None = None                # Celery's broker (MIBAO_BROKER_URL, redis://…): jobs go there
    mail: MailSettings = field(default_factory=MailSettings)  # SMTP (MIBAO_SMTP_*); no host: the outbox page only

    @classmethod
    def from_env(cls) -> Settings:
        return cls(public_url=os.environ.get("MIBAO_PUBLIC_URL", cls.public_url).rstrip("/"),
                   external_link_days=int(os.environ.get("MIBAO_EXTERNAL_LINK_DAYS", cls.external_link_days)),
                   broker_url=os.environ.get("MIBAO_BROKER_URL") or None, mail=MailSettings.from_env())


def build_engine(sessions: sessionmaker[Session], services: Services, settings: Settings | None = None, *,
                 clock: Clock | None = None, jobs: JobRunner | None = None) -> Engine:
    """The engine over ``sessions`` and ``services`` with every listener attached, in a fixed order: links
    before the task-ready mail (which skips those who get a link), the completion mail before the anchor (so
    the anchor covers it). ``jobs``: where heavy steps run — given, else the broker's workers when one is set,
    else at once in the caller's thread."""
    settings = settings or Settings.from_env()
    if jobs is None and settings.broker_url:
        from workflows.celery_jobs import CeleryJobs, make_celery

        jobs = CeleryJobs(make_celery(settings.broker_url))
    if sessions.kw["bind"].dialect.name == "postgresql":
        # Many machines share the database, not a folder: documents' files and the signing keys go where every
        # node sees them.
        services.use_blobs(DatabaseBlobs(sessions))
        services.use_keys(shared_keys(sessions, services.instance.pki_dir))
    services.use_template_versions(sessions)       # new documents from each template's active version
    engine = Engine(sessions, services, clock=clock or SystemClock(), jobs=jobs)
    public_url = settings.public_url.rstrip("/")
    engine.on_task_ready.append(links.on_task_ready(public_url, settings.external_link_days, services.catalog,
                                                    services.company.get("company_name")))
    engine.on_task_ready.append(notices.task_ready(public_url))
    engine.on_document_completed.append(notices.document_completed(public_url, engine.clock))
    engine.on_document_completed.append(_anchor_on_completion(engine))
    engine.own_jobs[launch.LAUNCH_ROW] = launch.launch_row_job()
    engine.own_jobs[ANCHOR] = _anchor_job(services)
    if settings.mail.host:
        engine.own_jobs[SEND_MAIL] = send_mail_job(settings.mail, public_url)
    return engine


ANCHOR = "anchor_audit"


def _anchor_on_completion(engine: Engine) -> Callable[[Session, Document], None]:
    def listener(session: Session, document: Document) -> None:
        # Written with the agreement's completion, anchored by a job after it commits: the anchor covers the
        # last signature's committed record, and the time-stamping authority's round trip (a network call with an
        # outside TSA) holds neither the request nor the instance's lock. Asked twice, it is queued once.
        job = engine.own_jobs[ANCHOR].job(ANCHOR, f"anchor:{document.id}", {"document": document.id},
                                          engine.clock.now())
        session.add(job)
        session.flush()
        engine.hand_over_after_commit(job.id)

    return listener


def _anchor_job(services: Services) -> OwnJob:
    def run(engine: Engine, args: dict[str, Any]) -> None:
        # Nothing new since the last anchor (another completion's job got there first): nothing to do. A TSA that
        # is down fails the job, which is retried with backoff; the hourly anchor catches up meanwhile.
        anchor_committed(engine.sessions, services.pki, engine.clock.now())

    return OwnJob(queue="signing", title="正在为审计日志加时间戳 / time-stamping the audit log", run=run)
