"""Drive one process instance through the real engine as the demo organisation's users, and check its outcome."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from records.db import transaction
from records.models import Document, Notification, Task
from signing import verify_pdf
from workflows import BPMN_DIR, Engine, FixedClock, InstanceView, TaskView
from workflows.agreements import create_agreement, record_seal, seal, seal_job, sign_agreement

CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=CST)
COMPANY = "聊城示例轴承有限公司"
NAMES = {"hr01": "刘芳", "sec01": "周明", "liaison01": "孙丽", "head01": "钱伟", "gm01": "陈建华", "cm02": "吴强",
         "cm03": "郑洁", "eng01": "王志强", "eng02": "李娜", "visitor01": "赵晓东"}
AGREE = {"agree": True}


def example(process_id: str, **changes: Any) -> dict[str, Any]:
    """The start data of ``bpmn/examples/<process_id>.json``, with ``changes`` applied."""
    data: dict[str, Any] = json.loads((BPMN_DIR / "examples" / f"{process_id}.json").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def signed_non_compete(engine: Engine, clock: FixedClock, user: str = "eng01", **changes: Any) -> str:
    """A non-compete agreement of ``user`` signed by the company and by them, as onboarding leaves one (the
    template's sample data with ``changes``): what offboarding reads its monitoring and money from."""
    services = engine.services
    data = {**json.loads(services.catalog.get("non_compete").sample_path.read_text(encoding="utf-8")),
            "employee_name": NAMES[user], **changes}
    now = clock.now()
    with transaction(engine.sessions) as session:
        document_id = create_agreement(session, services, template_id="non_compete", data=data, instance_id=None,
                                       subject_user=user, now=now)
        job = seal_job(session, services, document_id=document_id, now=now)
        record_seal(session, job, seal(services, job), now)
        sign_agreement(session, services, document_id=document_id, party="employee",
                       identity=services.pki.person(NAMES[user], user), user_id=user, now=now)
    return document_id


def at(moment: dt.datetime, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(moment.year, moment.month, moment.day, hour, minute, tzinfo=CST)


class Run:
    """One instance: start it, then complete its tasks by name as the users who see them in their inbox."""

    def __init__(self, engine: Engine, clock: FixedClock, process_id: str, data: dict[str, Any], actor: str) -> None:
        self.engine, self.clock = engine, clock
        self.view = engine.start(process_id, data, actor=actor)
        self.id = self.view.id

    def ready(self) -> list[TaskView]:
        return [t for t in self.engine.tasks() if t.instance_id == self.id]

    def names(self) -> list[str]:
        return sorted(t.name for t in self.ready())

    def task(self, name: str, actor: str | None = None) -> TaskView:
        found = [t for t in self.ready() if t.name == name and (actor is None or t.assignee in (None, actor))]
        assert len(found) == 1, f"expected one ready task {name!r}, have {self.names()}"
        return found[0]

    def do(self, name: str, actor: str, data: dict[str, Any] | None = None) -> InstanceView:
        task = self.task(name, actor)
        inbox = {t.id for t in self.engine.tasks(user=actor) if t.instance_id == self.id}
        assert task.id in inbox, f"{actor} does not see {name!r} in their inbox"
        self.view = self.engine.complete(task.id, actor=actor, data=data or {})
        return self.view

    def sign(self, name: str, actor: str) -> InstanceView:
        return self.do(name, actor, AGREE)

    def tick(self, moment: dt.datetime) -> InstanceView:
        """Move the clock to ``moment`` and fire what is due, as the scheduler would."""
        self.clock.set(moment)
        report = self.engine.tick(moment)
        assert not report.errors, report.errors
        self.view = self.engine.show(self.id)
        return self.view

    def show(self) -> InstanceView:
        self.view = self.engine.show(self.id)
        return self.view

    def notifications(self) -> list[Notification]:
        with self.engine.sessions() as session:
            return list(session.scalars(select(Notification).where(Notification.instance_id == self.id)
                                        .order_by(Notification.id)))


def check_outcome(engine: Engine, view: InstanceView, status: str = "completed") -> None:
    """The instance's status, and a history entry by the right user for every completed user task."""
    assert view.status == status, (view.status, view.error)
    assert view.error is None
    completed = {(h["task_id"], h["actor"]) for h in view.history if h["action"] == "completed"}
    with engine.sessions() as session:
        tasks = list(session.scalars(select(Task).where(Task.instance_id == view.id, Task.state == "completed")))
    for task in tasks:
        assert (task.id, task.completed_by) in completed, f"no history for {task.spec_name}"
    assert len(completed) == len(tasks)


def check_documents(engine: Engine, view: InstanceView,
                    expected: list[tuple[str, list[tuple[str, str]]]]) -> list[Document]:
    """Every document of the instance: completed, its final PDF verifies, and it was signed as ``expected``:
    ``[(template_id, [(party, user id or "system"), ...]), ...]`` in creation order."""
    root = engine.services.pki.root_certificate_pem()
    with engine.sessions() as session:
        documents = list(session.scalars(select(Document).where(Document.instance_id == view.id)
                                         .order_by(Document.created_at, Document.template_id)))
    assert sorted(d.template_id for d in documents) == sorted(t for t, _ in expected)
    by_template = {d.template_id: d for d in documents}
    for template_id, signers in expected:
        document = by_template[template_id]
        assert document.status == "completed", (template_id, document.signatures)
        assert [(s["party"], s["user"]) for s in document.signatures] == signers
        assert [s["party"] for s in document.signatures] == document.parties
        pdf = engine.services.blobs.get(document.path)
        verdict = verify_pdf(pdf, trust_roots=[root])
        assert verdict.ok, (template_id, verdict.problems)
        names = [r.signer for r in verdict.signatures if r.kind == "signature"]
        assert names == [COMPANY if user == "system" else NAMES[user] for _, user in signers]
    return documents


def document(engine: Engine, document_id: str) -> Document:
    with engine.sessions() as session:
        found = session.get(Document, document_id)
        assert found is not None, document_id
        return found


def pdf_text(engine: Engine, document: Document) -> str:
    """The text of the document's current PDF, whitespace removed (table cells wrap at any character)."""
    reader = PdfReader(io.BytesIO(engine.services.blobs.get(document.path)))
    return "".join("".join(page.extract_text() or "" for page in reader.pages).split())
