"""The engine: start an instance, complete a task, fire due timers — each one locked, checked and saved.

One call is one transaction owned by the caller's edge (we open it here because the engine is the edge for
the CLI and the web alike). An instance advances under its row lock (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite's ``BEGIN IMMEDIATE`` serialises writers) and is saved with an optimistic version check, so two
completions of one task give exactly one winner and a clear conflict for the other, with nothing changed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from records.audit import record
from records.db import transaction
from records.models import (
    Document,
    DocumentStatus,
    HistoryEntry,
    InstanceStatus,
    Job,
    JobStatus,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskState,
    User,
)
from workflows import serializer
from workflows.agreements import sign_agreement
from workflows.authority import (
    check_assignee,
    check_known_facts,
    decision_department,
    refuse_system_fields,
    resolve_decider,
    with_host_facts,
)
from workflows.clock import Clock, SystemClock, using_clock
from workflows.errors import ConflictError, Forbidden, FormDataError, NotFound, OperationFailed, UnknownProcess
from workflows.expressions import ExpressionError, evaluate
from workflows.forms import FormCatalog
from workflows.jobs import InlineJobs, JobPending, JobRunner, OwnJob
from workflows.loader import LoadedProcess, load_process
from workflows.registry import OPERATIONS, OperationContext, Registry
from workflows.script_engine import CURRENT_CONTEXT, MibaoScriptEngine
from workflows.services import Services
from workflows.views import InstanceView, TaskView, TickReport

__all__ = ["BPMN_DIR", "Engine"]

BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"
_MAX_STEPS = 10_000
# The jobs written during the current engine call (set by _collecting_jobs, filled by _advance).
_NEW_JOBS: ContextVar[list[int]] = ContextVar("mibao_new_jobs")
_TIMER_EVENTS = ("TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition")
# Who the history credits with an automatic step: the engine, not the person whose completed task set it off
# (the company's seal is not the employee's doing). "timer" and "worker" are the engine too, and say more.
SYSTEM = "system"
_ENGINE_ACTORS = frozenset({SYSTEM, "timer", "worker"})


class Engine:
    def __init__(self, session_factory: sessionmaker[Session], services: Services, *, clock: Clock | None = None,
                 bpmn_dir: Path = BPMN_DIR, registry: Registry = OPERATIONS, jobs: JobRunner | None = None) -> None:
        import workflows.operations  # noqa: F401 - registers the operations

        self.sessions = session_factory
        self.services = services
        self.clock: Clock = clock or SystemClock()
        self.bpmn_dir = bpmn_dir
        self.registry = registry
        self.forms = FormCatalog(bpmn_dir / "forms")
        self.script_engine = MibaoScriptEngine(registry)
        self._processes: dict[str, LoadedProcess] = {}
        # Called inside the transaction that creates the task / completes the document, so what they record
        # (a mail in the outbox, an outside party's link) commits or rolls back with it.
        self.on_task_ready: list[Callable[[Session, Task, dict[str, Any]], None]] = []
        self.on_document_completed: list[Callable[[Session, Document], None]] = []
        self._definitions: dict[int, dict[str, Any]] = {}   # definition id -> restored spec objects
        # Where heavy steps go once the transaction that wrote them commits (workflows.jobs).
        self.jobs: JobRunner = jobs or InlineJobs()
        self.own_jobs: dict[str, OwnJob] = {}       # jobs no instance waits for, by operation (the composition root)

    # -- definitions ---------------------------------------------------------------------------

    def process_ids(self) -> list[str]:
        return sorted(p.stem for p in self.bpmn_dir.glob("*.bpmn"))

    def process(self, process_id: str) -> LoadedProcess:
        if process_id not in self._processes:
            path = self.bpmn_dir / f"{process_id}.bpmn"
            if "/" in process_id or not path.is_file():
                raise UnknownProcess(f"there is no process {process_id!r}; the processes are: "
                                     f"{', '.join(self.process_ids()) or 'none'} (see `mibao process list`)")
            self._processes[process_id] = load_process(path, self.registry, self.forms)
        return self._processes[process_id]

    def start_form(self, process_id: str) -> str | None:
        name = f"{process_id}_start"
        return name if self.forms.exists(name) else None

    # -- commands ------------------------------------------------------------------------------

    def start(self, process_id: str, data: dict[str, Any], *, actor: str,
              within: Callable[[Session, ProcessInstance], None] | None = None) -> InstanceView:
        """Start ``process_id`` with ``data``. ``within`` is called in the same transaction once the instance has
        its id (a bulk launch marks its row started there); an exception from it undoes the start."""
        proc = self.process(process_id)
        refuse_system_fields(process_id, data)
        if data.get("host_user"):
            with self.sessions() as session:
                data = with_host_facts(session, data)
        self.forms.validate(self.start_form(process_id), data, f"starting {process_id}")
        with self._collecting_jobs() as new_jobs, transaction(self.sessions) as session:
            now = self.clock.now()
            check_known_facts(session, process_id, data)
            workflow = BpmnWorkflow(proc.spec, proc.subprocess_specs, script_engine=self.script_engine)
            for task in workflow.get_tasks(state=SpiffState.READY):
                task.data.update(data)
            row = ProcessInstance(
                process_id=process_id, definition_id=self._definition(session, proc, workflow).id, state={},
                format_version=serializer.FORMAT_VERSION, started_by=actor, started_at=now, updated_at=now,
                subject_user=data.get("employee_user") or data.get("subject_user"),
            )
            session.add(row)
            session.flush()
            if within is not None:
                within(session, row)
            self._history(session, row, actor, "started", proc.name, {"data": data}, now)
            self._advance(session, row, workflow, actor, now)
            self._save(session, row, workflow, now)
            view = self._view(session, row, workflow)
        return self._after_commit(view, new_jobs)

    def complete(self, task_id: str, *, actor: str, data: dict[str, Any]) -> InstanceView:
        with self._collecting_jobs() as new_jobs, transaction(self.sessions) as session:
            now = self.clock.now()
            task = self._ready_task(session, task_id)
            user = self._authorise(session, task, actor)
            self.forms.validate(task.form, data, f"task {task.title!r}")
            row = session.get(ProcessInstance, task.instance_id, with_for_update=True)
            if row is None:
                raise NotFound(f"the process instance of task {task_id} no longer exists")
            workflow = self._load(session, row)
            spiff_task = workflow.get_task_from_id(uuid.UUID(task.id))
            if spiff_task is None or spiff_task.state != SpiffState.READY:
                raise ConflictError(f"task {task.title!r} is no longer waiting for input; reload and try again")
            with self._operating(session, row, actor, now):
                if task.sign_document:
                    identity = self.services.pki.person(user.name, user.identifier or user.id)
                    document = sign_agreement(session, self.services, document_id=task.sign_document,
                                              party=task.sign_party or task.lane or "", identity=identity,
                                              user_id=user.id, now=now)
                    if document.status == DocumentStatus.COMPLETED:
                        for listener in self.on_document_completed:
                            listener(session, document)
                spiff_task.data.update(data)
                post = self._decider(row, task)
                if post:
                    # The decision carries the decider as the organisation knows them, not as typed.
                    spiff_task.data.update({"approver_name": user.name, "approver_department": user.department or "",
                                            f"{post}_name": user.name})
                self._run(spiff_task)
            task.state, task.completed_by, task.completed_at = TaskState.COMPLETED, actor, now
            self._history(session, row, actor, "completed", task.title, {"data": data}, now, task.id)
            self._advance(session, row, workflow, actor, now)
            self._save(session, row, workflow, now)
            view = self._view(session, row, workflow)
        return self._after_commit(view, new_jobs)

    def apply_job(self, job_id: int) -> InstanceView | None:
        """Apply a worked job's result to its waiting task under the instance's lock, and move the instance on.
        Once: a job already applied, or whose task no longer waits (the request was withdrawn), changes nothing.
        A failure leaves the result stored and the error on the instance; the sweep tries again."""
        try:
            with self._collecting_jobs() as new_jobs, transaction(self.sessions) as session:
                job = session.get(Job, job_id, with_for_update=True)
                if job is None or job.status != JobStatus.DONE:
                    return None
                now = self.clock.now()
                row = session.get(ProcessInstance, job.instance_id, with_for_update=True)
                if row is None:
                    job.status = JobStatus.APPLIED
                    return None
                workflow = self._load(session, row)
                spiff_task = workflow.get_task_from_id(uuid.UUID(job.task_id))
                operation = self.registry.get(job.operation)
                job.status, job.error = JobStatus.APPLIED, None
                if spiff_task is None or spiff_task.state != SpiffState.STARTED or operation is None \
                        or operation.job is None:
                    return None
                with self._operating(session, row, "worker", now):
                    ctx = CURRENT_CONTEXT.get()
                    assert ctx is not None
                    ctx.data = spiff_task.data
                    value = operation.job.apply(ctx, job.args, job.result or {})
                    spiff_task.data[spiff_task.task_spec.result_variable] = value
                    spiff_task.complete()
                self._history(session, row, "worker", "ran", spiff_task.task_spec.bpmn_name or job.title,
                              {"kind": "ServiceTask", "job": job.id}, now)
                self._advance(session, row, workflow, "worker", now)
                self._save(session, row, workflow, now)
                view = self._view(session, row, workflow)
        except (OperationFailed, ConflictError) as exc:
            self._job_error(job_id, str(exc))
            return None
        return self._after_commit(view, new_jobs)

    def decline(self, task_id: str, *, actor: str, reason: str) -> InstanceView:
        """Refuse to sign (or do) a task: the instance is cancelled, its open documents marked declined."""
        if not reason.strip():
            raise FormDataError("declining", ["reason: say why you decline"])
        with transaction(self.sessions) as session:
            now = self.clock.now()
            task = self._ready_task(session, task_id)
            self._authorise(session, task, actor)
            row = session.get(ProcessInstance, task.instance_id, with_for_update=True)
            assert row is not None
            workflow = self._load(session, row)
            workflow.cancel()
            task.state, task.completed_by, task.completed_at = TaskState.CANCELLED, actor, now
            for other in session.scalars(select(Task).where(Task.instance_id == row.id,
                                                            Task.state == TaskState.READY)):
                other.state, other.completed_at = TaskState.CANCELLED, now
            for document in session.scalars(select(Document).where(Document.instance_id == row.id,
                                                                   Document.status != DocumentStatus.COMPLETED)):
                document.status = DocumentStatus.DECLINED
            session.execute(update(Job).where(Job.instance_id == row.id, Job.status.in_(
                [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE])).values(status=JobStatus.CANCELLED))
            self._history(session, row, actor, "declined", task.title, {"reason": reason}, now, task.id)
            self._save(session, row, workflow, now)
            row.status = InstanceStatus.CANCELLED
            session.flush()
            return self._view(session, row, workflow)

    def tick(self, now: dt.datetime | None = None) -> TickReport:
        """Fire the timers due at ``now``; only instances whose next timer is due are loaded."""
        moment = now or self.clock.now()
        with transaction(self.sessions) as session:
            due = list(session.scalars(
                # Strictly before: SpiffWorkflow fires a timer only once its time has passed.
                select(ProcessInstance.id).where(ProcessInstance.next_timer_at < moment,
                                                 ProcessInstance.status.in_([InstanceStatus.RUNNING,
                                                                             InstanceStatus.WAITING]))
                .order_by(ProcessInstance.next_timer_at)))
        advanced, errors = [], {}
        for instance_id in due:
            try:
                self._tick_one(instance_id, moment)
                advanced.append(instance_id)
            except (OperationFailed, ConflictError, NotFound) as exc:
                errors[instance_id] = str(exc)
                self._record_error(instance_id, str(exc), moment)
        return TickReport(now=moment, due=len(due), advanced=advanced, errors=errors)

    # -- queries -------------------------------------------------------------------------------

    def show(self, instance_id: int) -> InstanceView:
        with self.sessions() as session:
            row = session.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"there is no process instance {instance_id}")
            return self._view(session, row, self._load(session, row))

    def _view(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow) -> InstanceView:
        last = workflow.last_task or workflow.task_tree
        tasks = list(session.scalars(select(Task).where(Task.instance_id == row.id).order_by(Task.created_at)))
        history = list(session.scalars(select(HistoryEntry).where(HistoryEntry.instance_id == row.id)
                                       .order_by(HistoryEntry.id)))
        documents = list(session.scalars(select(Document).where(Document.instance_id == row.id)
                                         .order_by(Document.created_at)))
        jobs = list(session.scalars(select(Job).where(Job.instance_id == row.id,
                                                      Job.status.not_in([JobStatus.APPLIED, JobStatus.CANCELLED]))
                                    .order_by(Job.id)))
        return InstanceView.of(row, dict(last.data), tasks, history, documents, jobs)

    def task(self, task_id: str) -> TaskView:
        with self.sessions() as session:
            row = session.execute(select(Task, ProcessInstance.process_id)
                                  .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
                                  .where(Task.id == task_id)).first()
            if row is None:
                raise NotFound(f"there is no task {task_id}")
            return TaskView.of(row[0], row[1])

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data a ready task sees (what its form and page show)."""
        with self.sessions() as session:
            task = session.get(Task, task_id)
            if task is None:
                raise NotFound(f"there is no task {task_id}")
            row = session.get(ProcessInstance, task.instance_id)
            assert row is not None
            spiff_task = self._load(session, row).get_task_from_id(uuid.UUID(task_id))
            return dict(spiff_task.data) if spiff_task is not None else {}

    def preparing_for(self, user_id: str) -> list[dict[str, Any]]:
        """Heavy steps under way in the processes about ``user_id`` or started by them (what their inbox shows
        while, say, their next agreement is being prepared)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Job.instance_id, Job.title, Job.status, ProcessInstance.process_id, Job.operation)
                .join(ProcessInstance, ProcessInstance.id == Job.instance_id)
                .where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE]),
                       or_(ProcessInstance.subject_user == user_id, ProcessInstance.started_by == user_id))
                .order_by(Job.id).limit(20)).all()
        return [{"instance_id": i, "title": t, "status": str(st), "process_id": p, "operation": o}
                for i, t, st, p, o in rows]

    @staticmethod
    def may_act(user_id: str, roles: list[str], task: TaskView) -> bool:
        """Whether this user may see and complete the task: its assignee, or any holder of its role."""
        return task.assignee == user_id if task.assignee else task.lane in roles

    def tasks(self, *, role: str | None = None, user: str | None = None, state: str = TaskState.READY,
              limit: int | None = None) -> list[TaskView]:
        """Tasks in ``state``, oldest first: of a role (lane), and/or those a user may do (assigned to them,
        or unassigned in one of their roles)."""
        with self.sessions() as session:
            base = (select(Task, ProcessInstance.process_id)
                    .join(ProcessInstance, ProcessInstance.id == Task.instance_id).where(Task.state == state))
            if role:
                base = base.where(Task.lane == role)
            order = (Task.created_at, Task.id)
            if not user:
                rows = list(session.execute(base.order_by(*order).limit(limit)).all())
            else:
                account = session.get(User, user)
                roles = list(account.roles) if account else []
                # Two index-ordered queries instead of one OR, which made SQLite sort every open task.
                mine = session.execute(base.where(Task.assignee == user).order_by(*order).limit(limit)).all()
                open_ = session.execute(base.where(Task.assignee.is_(None), Task.lane.in_(roles))
                                        .order_by(*order).limit(limit)).all() if roles else []
                rows = sorted([*mine, *open_], key=lambda r: (r[0].created_at, r[0].id))[:limit]
            return [TaskView.of(task, process_id) for task, process_id in rows]

    # -- internals -----------------------------------------------------------------------------

    def _tick_one(self, instance_id: int, now: dt.datetime) -> None:
        with self._collecting_jobs() as new_jobs, transaction(self.sessions) as session:
            row = session.get(ProcessInstance, instance_id, with_for_update=True)
            if row is None:
                raise NotFound(f"instance {instance_id} no longer exists; its timer was dropped")
            if row.next_timer_at is None or row.next_timer_at >= now:
                return  # another tick got there first
            workflow = self._load(session, row)
            self._advance(session, row, workflow, "timer", now)
            self._save(session, row, workflow, now)
        if new_jobs:
            self.jobs.submit(self, new_jobs)

    def hand_over_after_commit(self, job_id: int) -> None:
        """For a listener that wrote a job in the engine's transaction: hand it to the runner once that commits.
        Called outside an engine call (a script), the job waits in its table for the sweep."""
        found = _NEW_JOBS.get(None)
        if found is not None:
            found.append(job_id)

    @contextmanager
    def _collecting_jobs(self) -> Iterator[list[int]]:
        """The ids of the jobs written in this call's transaction, to hand over once it has committed."""
        found: list[int] = []
        token = _NEW_JOBS.set(found)
        try:
            yield found
        finally:
            _NEW_JOBS.reset(token)

    def _after_commit(self, view: InstanceView, new_jobs: list[int]) -> InstanceView:
        if not new_jobs:
            return view
        self.jobs.submit(self, new_jobs)
        return self.show(view.id)    # as it stands now: moved on (inline) or waiting for a worker

    def _job_error(self, job_id: int, message: str) -> None:
        with transaction(self.sessions) as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            job.error = message
            row = session.get(ProcessInstance, job.instance_id)
            if row is not None:
                row.error = f"{job.title}: {message}"
                self._history(session, row, "worker", "error", job.title, {"error": message, "job": job_id},
                              self.clock.now())

    def _record_error(self, instance_id: int, message: str, now: dt.datetime) -> None:
        with transaction(self.sessions) as session:
            row = session.get(ProcessInstance, instance_id)
            if row is not None:
                row.error = message
                self._history(session, row, "timer", "error", None, {"error": message}, now)

    def _definition(self, session: Session, proc: LoadedProcess, workflow: BpmnWorkflow) -> ProcessDefinition:
        query = select(ProcessDefinition).where(ProcessDefinition.sha256 == proc.sha256)
        found = session.scalars(query).first()
        if found is None:
            # Two first starts of a new definition at once (PostgreSQL; SQLite writes one at a time): the second
            # insert waits for the first and fails on the unique hash; its savepoint is undone and the row the
            # other transaction committed is used instead of failing the start.
            try:
                with session.begin_nested():
                    found = ProcessDefinition(process_id=proc.process_id, sha256=proc.sha256,
                                              spec=serializer.definition_dict(workflow))
                    session.add(found)
            except IntegrityError:
                found = session.scalars(query).one()
        return found

    def _load(self, session: Session, row: ProcessInstance) -> BpmnWorkflow:
        # Definitions never change once stored (a new BPMN version is a new row), so their restored specs
        # are cached: restoring them was about half of every load.
        specs = self._definitions.get(row.definition_id)
        if specs is None:
            definition = session.get(ProcessDefinition, row.definition_id)
            assert definition is not None
            specs = self._definitions[row.definition_id] = serializer.restore_definition(definition.spec)
        workflow = serializer.restore(row.state, specs, row.format_version)
        workflow.script_engine = self.script_engine
        return workflow

    def _ready_task(self, session: Session, task_id: str) -> Task:
        task = session.get(Task, task_id, with_for_update=True)
        if task is None:
            raise NotFound(f"there is no task {task_id}; list the open ones with `mibao task list`")
        if task.state != TaskState.READY:
            by = f" by {task.completed_by}" if task.completed_by else ""
            at = f" at {task.completed_at:%Y-%m-%d %H:%M}" if task.completed_at else ""
            raise ConflictError(f"task {task.title!r} was already {task.state}{by}{at}; nothing was changed")
        return task

    def _authorise(self, session: Session, task: Task, actor: str) -> User:
        user = session.get(User, actor)
        if user is None:
            raise Forbidden(f"there is no user {actor!r}")
        if task.assignee is not None and task.assignee != actor:
            raise Forbidden(f"task {task.title!r} is assigned to {task.assignee}, not to {actor}")
        if task.assignee is None and task.lane not in user.roles:
            raise Forbidden(f"task {task.title!r} is for the role {task.lane}; {actor} does not have it")
        return user

    @contextmanager
    def _operating(self, session: Session, row: ProcessInstance, actor: str, now: dt.datetime) -> Iterator[None]:
        ctx = OperationContext(session=session, instance=row, data={}, now=now, services=self.services, actor=actor)
        token = CURRENT_CONTEXT.set(ctx)
        try:
            with using_clock(_Frozen(now)):
                yield
        except OperationFailed:
            raise
        except (SpiffWorkflowException, ExpressionError) as exc:
            raise OperationFailed(_describe(exc)) from exc
        finally:
            CURRENT_CONTEXT.reset(token)

    def _run(self, task: Any) -> None:
        try:
            task.run()
        except OperationFailed:
            raise
        except (SpiffWorkflowException, ExpressionError) as exc:
            raise OperationFailed(_describe(exc)) from exc

    def _advance(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow, actor: str,
                 now: dt.datetime) -> None:
        engine = _engine_actor(actor)

        def did_run(task: Any) -> None:
            # Our own history of automatic steps: SpiffWorkflow's task tree forgets branches (PITFALLS).
            kind = type(task.task_spec).__name__
            event = type(getattr(task.task_spec, "event_definition", None)).__name__
            if "ServiceTask" in kind or event in _TIMER_EVENTS:
                self._history(session, row, engine, "ran", task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                              {"kind": kind, "event": event, **_set_off_by(actor)}, now)

        with self._operating(session, row, actor, now):
            for _ in range(_MAX_STEPS):
                try:
                    workflow.do_engine_steps(did_complete_task=did_run)
                except JobPending as pending:
                    # SpiffWorkflow marked the task ERROR on the way out; STARTED is its state for a task that
                    # runs elsewhere, and the job's result completes it (apply_job).
                    pending.task._set_state(SpiffState.STARTED)
                    _NEW_JOBS.get().append(pending.job.id)
                    self._history(session, row, engine, "waiting", pending.job.title,
                                  {"job": pending.job.id, "task": pending.task.task_spec.bpmn_id,
                                   **_set_off_by(actor)}, now)
                    continue
                if not workflow.get_tasks(state=SpiffState.READY, manual=False):
                    break
            else:
                raise OperationFailed(f"instance {row.id} did not settle after {_MAX_STEPS} steps (a loop?)")
            self._sync_tasks(session, row, workflow, now)

    def _sync_tasks(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow, now: dt.datetime) -> None:
        proc = self.process(row.process_id)
        ready = {str(t.id): t for t in workflow.get_tasks(state=SpiffState.READY, manual=True)}
        known = {t.id: t for t in session.scalars(select(Task).where(Task.instance_id == row.id,
                                                                     Task.state == TaskState.READY))}
        for task_id, stale in known.items():
            if task_id not in ready:
                stale.state, stale.completed_at = TaskState.CANCELLED, now
        for task_id, spiff_task in ready.items():
            if task_id in known:
                continue
            info = proc.user_tasks.get(spiff_task.task_spec.name)
            props = info.properties if info else {}
            data = dict(spiff_task.data)
            document = _optional(props.get("sign"), data)
            post = props.get("decider") or None
            department = decision_department(session, row, data) if post else None
            if post:
                assignee: str | None = resolve_decider(session, row, post, department).id
            else:
                assignee = _optional(props.get("assignee"), data)
                check_assignee(session, spiff_task.task_spec.lane, assignee, props.get("assignee"))
            row_task = Task(
                id=task_id, instance_id=row.id, spec_name=spiff_task.task_spec.bpmn_id or spiff_task.task_spec.name,
                title=spiff_task.task_spec.bpmn_name or spiff_task.task_spec.name, lane=spiff_task.task_spec.lane,
                assignee=assignee, form=props.get("form"),
                decider=post, decider_department=department,
                sign_document=document,
                sign_party=self._party(session, document, props.get("party"), spiff_task.task_spec.lane, data),
                due_at=_as_datetime(_optional(props.get("due"), data)), created_at=now,
            )
            session.add(row_task)
            session.flush()
            for listener in self.on_task_ready:
                listener(session, row_task, data)
        session.flush()

    def _decider(self, row: ProcessInstance, task: Task) -> str | None:
        info = self.process(row.process_id).user_tasks.get(task.spec_name)
        return info.properties.get("decider") if info else None

    @staticmethod
    def _party(session: Session, document_id: str | None, party: str | None, lane: str | None,
               data: dict[str, Any]) -> str | None:
        """The signature field a sign task fills: ``party`` when it names one of the document's parties,
        else ``party`` evaluated as an expression (``external_role``), else the task's lane."""
        if document_id is None:
            return None
        document = session.get(Document, document_id)
        parties = list(document.parties) if document else []
        if party in parties:
            return party
        if party:
            value = _optional(party, data)
            return value if value in parties else party
        return lane

    def _save(self, session: Session, row: ProcessInstance, workflow: BpmnWorkflow, now: dt.datetime) -> None:
        row.state = serializer.snapshot(workflow)
        row.updated_at = now
        row.error = None
        row.next_timer_at = _next_timer(workflow)
        if workflow.is_completed():
            row.status, row.completed_at = InstanceStatus.COMPLETED, now
        elif workflow.get_tasks(state=SpiffState.READY, manual=True):
            row.status = InstanceStatus.RUNNING
        else:
            row.status = InstanceStatus.WAITING
        try:
            session.flush()
        except StaleDataError:
            raise ConflictError(f"instance {row.id} was changed by someone else at the same time; "
                                "nothing was saved — reload and try again") from None

    def _history(self, session: Session, row: ProcessInstance, actor: str, action: str, title: str | None,
                 detail: dict[str, Any], now: dt.datetime, task_id: str | None = None) -> None:
        session.add(HistoryEntry(instance_id=row.id, task_id=task_id, at=now, actor=actor, action=action,
                                 title=title, detail=detail))
        task = session.get(Task, task_id) if task_id else None
        record(session, actor=actor, action=_audit_action(action, detail), target_type="instance", target_id=row.id,
               role=task.lane if task else None, at=now,
               detail={"process": row.process_id, "title": title, "task": task_id, **detail})


class _Frozen:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


def _optional(expression: str | None, data: dict[str, Any]) -> Any:
    if not expression:
        return None
    try:
        value = evaluate(expression, data)
    except ExpressionError:
        return None
    return None if value is None else str(value)


def _as_datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _next_timer(workflow: BpmnWorkflow) -> dt.datetime | None:
    due = []
    for event in workflow.waiting_events():
        if event.event_type in _TIMER_EVENTS and isinstance(event.value, str):
            moment = _as_datetime(event.value)
            if moment is not None:
                due.append(moment)
    return min(due) if due else None


def _engine_actor(actor: str) -> str:
    """Whom an automatic step set off by ``actor`` is credited to: the engine ("timer", "worker" as they are)."""
    return actor if actor in _ENGINE_ACTORS else SYSTEM


def _set_off_by(actor: str) -> dict[str, str]:
    """The person whose step set an automatic one off, kept in its detail (the audit's trail), if a person."""
    return {} if actor in _ENGINE_ACTORS else {"after": actor}


_AUDIT_ACTIONS = {"started": "start", "completed": "complete", "declined": "decline"}


def _audit_action(history_action: str, detail: dict[str, Any]) -> str:
    """The audit log's verb for a history entry: approvals and refusals by their decision, timers as such."""
    data = detail.get("data")
    data = data if isinstance(data, dict) else {}
    if history_action == "completed" and isinstance(data.get("approved"), bool):
        return "approve" if data["approved"] else "deny"
    if history_action == "ran":
        return "timer" if detail.get("event") in _TIMER_EVENTS else "service"
    return _AUDIT_ACTIONS.get(history_action, history_action)


def _describe(exc: Exception) -> str:
    text = str(exc)
    notes = getattr(exc, "__notes__", None)
    if notes:
        text += " (" + "; ".join(notes) + ")"
    return text
