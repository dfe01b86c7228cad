"""The shared domain model: people, process instances and their tasks and history, agreements, the secret
register, revocations, non-compete checks and the outbox. SQLAlchemy 2.x typed models."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AccessGrant",
    "ApiToken",
    "Appointment",
    "AuditAnchor",
    "AuditHead",
    "AuditRecord",
    "Base",
    "Blob",
    "Carrier",
    "CarrierMovement",
    "CarrierStatus",
    "CheckStatus",
    "Department",
    "Destruction",
    "DestructionStatus",
    "DestructionWitness",
    "Document",
    "DocumentStatus",
    "ExternalLink",
    "GrantStatus",
    "HistoryEntry",
    "IdentitySource",
    "InstanceStatus",
    "ItemStatus",
    "Job",
    "JobStatus",
    "Lease",
    "LoginThrottle",
    "MovementKind",
    "NonCompeteCheck",
    "Notification",
    "OrgChange",
    "OrgPost",
    "OrgSetting",
    "PasswordLink",
    "PasswordLinkPurpose",
    "PersonStatus",
    "ProcessDefinition",
    "ProcessInstance",
    "RecoveryCode",
    "Revocation",
    "SecretItem",
    "SecurityKey",
    "SignIn",
    "Task",
    "TaskState",
    "TokenScope",
    "TwoFactor",
    "User",
    "utcnow",
]

# Constraint names that are the same on every database, so migrations can refer to them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every database.

    SQLite has no time zones: without this, a value written aware comes back naive and comparisons with
    the clock fail. Naive input is refused rather than guessed (PITFALLS: offsets matter for timers).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON,
                                                     list[Any]: JSON}


class InstanceStatus(StrEnum):
    RUNNING = "running"        # has ready tasks or is between steps
    WAITING = "waiting"        # only timers or outside events can move it
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"            # a service task failed; retry after fixing the cause


class TaskState(StrEnum):
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DocumentStatus(StrEnum):
    AWAITING_SIGNATURES = "awaiting_signatures"
    COMPLETED = "completed"
    DECLINED = "declined"


class CheckStatus(StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"     # proof missing after the due day: compensation withheld
    PROVEN = "proven"
    PAID = "paid"


class JobStatus(StrEnum):
    """A heavy step's job (``Job``): waiting for a worker, being worked, its result kept, resumed, or given up."""

    QUEUED = "queued"
    RUNNING = "running"         # claimed by a worker until ``lease_until``; a dead worker's lease runs out
    DONE = "done"               # worked; the result waits to be applied to the instance
    APPLIED = "applied"         # the instance took the result and moved on
    FAILED = "failed"           # out of attempts; the instance shows the error
    CANCELLED = "cancelled"     # its instance was cancelled (declined, withdrawn): nobody waits for it


class LaunchRowStatus(StrEnum):
    """One row of a bulk launch (``LaunchRow``): waiting for a worker, its process started, or refused."""

    QUEUED = "queued"
    STARTED = "started"
    FAILED = "failed"


class PersonStatus(StrEnum):
    """Where a person is in their employment: offboarding marks them leaving, its account step marks them left."""

    ACTIVE = "active"
    LEAVING = "leaving"
    LEFT = "left"


class IdentitySource(StrEnum):
    """Where a person's sign-in is checked: our own password (None on the row), the company's directory (LDAP /
    Active Directory) or an OpenID provider. A person from a directory keeps its id in ``User.external_id``."""

    LDAP = "ldap"
    OIDC = "oidc"


class OrgPost(StrEnum):
    """The posts that carry authority in a process (seed 000, seed 001): who decides is read from these."""

    DEPARTMENT_HEAD = "department_head"     # 部门负责人: one per department
    LIAISON = "liaison"                     # 部门保密员: one or more per department
    COMMITTEE_CHAIR = "committee_chair"     # 保密委员会主任 = the general manager (seed 001 §3); one
    COMMITTEE_MEMBER = "committee_member"   # 委员 (vice-chairs, heads, counsel, experts)


class ItemStatus(StrEnum):
    """Where a secret register entry stands (seed 003 §4.3.2)."""

    ACTIVE = "active"
    DECLASSIFIED = "declassified"


class GrantStatus(StrEnum):
    """An access request's decision and use (``records.access_grants``)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    USED = "used"              # a core approval, used up by its one access
    EXPIRED = "expired"
    REVOKED = "revoked"        # ended because its holder left (offboarding's revocation)


class CarrierStatus(StrEnum):
    IN_STORE = "in_store"
    ISSUED = "issued"          # ``Carrier.holder`` has it
    DESTROYED = "destroyed"


class MovementKind(StrEnum):
    """The kinds of line in the carrier ledger (涉密载体收发台账)."""

    REGISTER = "register"
    ISSUE = "issue"
    RETURN = "return"
    DESTROY = "destroy"


class DestructionStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"      # witnesses may confirm, then the secrecy office destroys
    DONE = "done"
    REJECTED = "rejected"      # a new request may be made


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("identity_source", "external_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[Any]] = mapped_column(default=list)
    department: Mapped[str | None] = mapped_column(String(100))
    personnel_level: Mapped[str | None] = mapped_column(String(20))   # core / important / general
    post: Mapped[str | None] = mapped_column(String(100))              # 岗位: what "post authorisation" names
    identifier: Mapped[str | None] = mapped_column(String(64))        # employee number or ID number
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))      # argon2id; None = cannot log in
    status: Mapped[PersonStatus] = mapped_column(String(20), default=PersonStatus.ACTIVE,
                                                 server_default=PersonStatus.ACTIVE.value)
    language: Mapped[str | None] = mapped_column(String(10))            # the UI language the person chose
    identity_source: Mapped[IdentitySource | None] = mapped_column(String(10))  # None = our own password
    external_id: Mapped[str | None] = mapped_column(String(300))        # the DN / OIDC subject at that source
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Department(Base):
    """A department of the organisation; people name it in ``User.department``."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Appointment(Base):
    """One person holding one post (in one department, for heads and liaisons) from ``starts_at`` until
    ``ends_at``. Rows are never deleted: ended ones are the history of who held authority when."""

    __tablename__ = "org_appointments"
    __table_args__ = (Index("ix_org_appointments_current", "post", "department", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post: Mapped[OrgPost] = mapped_column(String(30))
    department: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime | None]
    appointed_by: Mapped[str] = mapped_column(String(64))
    ended_by: Mapped[str | None] = mapped_column(String(64))


class OrgSetting(Base):
    """A setting of the organisation (the committee's quorum and majority); absent = the seeds' default."""

    __tablename__ = "org_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[dict[str, Any]]                                          # {"value": ...}
    changed_at: Mapped[dt.datetime]
    changed_by: Mapped[str] = mapped_column(String(64))


class OrgChange(Base):
    """The organisation's history: every appointment, ending, setting, status change and import, in order."""

    __tablename__ = "org_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TokenScope(StrEnum):
    """What an API token may do: read (GET only) or act (also start processes and complete tasks)."""

    READ = "read"
    ACT = "act"


class ApiToken(Base):
    """A bearer token for the JSON API (HR systems); only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    # Tokens made before scopes act, as they always did; new ones say what they may do.
    scope: Mapped[TokenScope] = mapped_column(String(10), default=TokenScope.ACT, server_default=TokenScope.ACT.value)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]                              # None only for tokens made before expiry
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class SignIn(Base):
    """A signed-in browser session, held on the server: the cookie carries only a random token whose SHA-256 is
    here, so signing out, an administrator's ending it or the account being disabled ends it at once, and each
    person can see and end their own."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]                                     # the absolute limit, whatever the activity
    ended_at: Mapped[dt.datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(30))        # signed_out / ended / idle / expired / …
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginThrottle(Base):
    """Failed password sign-ins per account name, for the per-account lockout. Keyed by the name as typed
    (normalised), whether or not such an account exists, so a lockout says nothing about which names are real."""

    __tablename__ = "login_throttles"

    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[dt.datetime]
    locked_until: Mapped[dt.datetime | None]


class TwoFactor(Base):
    """A person's authenticator (TOTP, RFC 6238): confirmed once they typed a first code from it."""

    __tablename__ = "two_factors"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))                     # base32, as the authenticator app holds it
    created_at: Mapped[dt.datetime]
    confirmed_at: Mapped[dt.datetime | None]
    last_step: Mapped[int | None] = mapped_column(BigInteger)           # the last accepted 30 s step: codes are one-use


class RecoveryCode(Base):
    """One of a person's one-time recovery codes (for a lost phone); only its SHA-256 is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class SecurityKey(Base):
    """A person's security key or passkey (WebAuthn) for the second sign-in step: the credential the
    authenticator made for this site, its public key (COSE) and the signature counter it last reported."""

    __tablename__ = "security_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)   # base64url of up to 1023 bytes
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger)                     # must grow once non-zero: clones
    transports: Mapped[list[Any]] = mapped_column(default=list)              # "usb", "nfc", "internal", …
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]


class PasswordLinkPurpose(StrEnum):
    INVITE = "invite"       # a new account: the person sets their first password
    RESET = "reset"         # a forgotten password


class PasswordLink(Base):
    """A one-time link, sent by mail, to set a password: an invitation or a reset. Only its SHA-256 is kept; it
    expires, and is spent by its use or by a newer link for the same person."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[PasswordLinkPurpose] = mapped_column(String(10))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]


class ExternalLink(Base):
    """A link for an outside party, bound to one task: expiring, single use, plus a one-time code by mail."""

    __tablename__ = "external_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    # A former employee's personal link acts as their own account (their name on the signature); an outside
    # party's acts as the account made for the link (``ext-<id>``).
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    email: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    code_sha256: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[dt.datetime | None]
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProcessDefinition(Base):
    """A parsed BPMN file, stored once per content hash; instance state refers to it instead of embedding it."""

    __tablename__ = "process_definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    spec: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ProcessInstance(Base):
    __tablename__ = "process_instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    status: Mapped[InstanceStatus] = mapped_column(String(20), default=InstanceStatus.RUNNING)
    state: Mapped[dict[str, Any]]
    format_version: Mapped[int] = mapped_column(Integer)
    # Optimistic lock: SQLAlchemy writes UPDATE … WHERE version = :read_version and raises StaleDataError
    # when another writer got there first (see __mapper_args__).
    version: Mapped[int] = mapped_column(Integer, default=1)
    next_timer_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    subject_user: Mapped[str | None] = mapped_column(String(64), index=True)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class Task(Base):
    """A ready or finished user task, kept beside the workflow state so inboxes are plain indexed queries."""

    __tablename__ = "tasks"
    # The two inbox queries (mine by assignee; my roles' unassigned ones by lane), each read in order from its
    # index so an inbox costs the same with a thousand or a million open tasks.
    __table_args__ = (Index("ix_tasks_inbox_assignee", "state", "assignee", "created_at"),
                      Index("ix_tasks_inbox_lane", "state", "lane", "assignee", "created_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)          # SpiffWorkflow's task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    spec_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(40))
    assignee: Mapped[str | None] = mapped_column(String(64))
    # The post that decides the task and the department it decides for, when the organisation assigned it: an
    # open approval follows the post when its holder leaves or is replaced.
    decider: Mapped[OrgPost | None] = mapped_column(String(30))
    decider_department: Mapped[str | None] = mapped_column(String(100))
    form: Mapped[str | None] = mapped_column(String(100))
    sign_document: Mapped[str | None] = mapped_column(String(64))
    sign_party: Mapped[str | None] = mapped_column(String(40))
    due_at: Mapped[dt.datetime | None]
    state: Mapped[TaskState] = mapped_column(String(20), default=TaskState.READY)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(64))
    reminded_at: Mapped[dt.datetime | None]                              # the reminder before due_at was sent


class HistoryEntry(Base):
    """Who did what, when, with which data — our own record, independent of SpiffWorkflow's task tree."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)         # MB-20261121-9F3A61C2
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    template_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(String(500))                         # relative to the instance folder
    sha256: Mapped[str] = mapped_column(String(64))
    parties: Mapped[list[Any]] = mapped_column(default=list)               # roles in signing order
    signatures: Mapped[list[Any]] = mapped_column(default=list)            # [{party, signer, user, at}]
    status: Mapped[DocumentStatus] = mapped_column(String(30), default=DocumentStatus.AWAITING_SIGNATURES)
    subject_user: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # SHA-256 of the template DOCX it was made from (the packaged file or a company version, ``template_versions``)
    template_sha256: Mapped[str | None] = mapped_column(String(64))


class Revocation(Base):
    __tablename__ = "revocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    person: Mapped[str] = mapped_column(String(64))
    system: Mapped[str] = mapped_column(String(40))                        # door / accounts / files
    revoked_at: Mapped[dt.datetime]
    revoked_by: Mapped[str] = mapped_column(String(64))


class NonCompeteCheck(Base):
    __tablename__ = "noncompete_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    person: Mapped[str] = mapped_column(String(64))
    month: Mapped[int] = mapped_column(Integer)
    proof_due: Mapped[dt.datetime]
    # Moved when the proof comes late: payment follows the proof (appendix 6 art. 2.3).
    payment_due: Mapped[dt.datetime]
    status: Mapped[CheckStatus] = mapped_column(String(20), default=CheckStatus.OPEN)
    # Money in fen (分), exact on every database: what the signed agreement says is due, what was paid.
    agreed_fen: Mapped[int | None] = mapped_column(Integer)
    paid_fen: Mapped[int | None] = mapped_column(Integer)
    paid_on: Mapped[dt.date | None]
    proof_at: Mapped[dt.datetime | None]
    days_late: Mapped[int | None] = mapped_column(Integer)
    # When HR and the secrecy office were told the payment is late beyond the agreed days (art. 4.2).
    escalated_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Job(Base):
    """A heavy step (rendering and converting an agreement…) run by a worker outside the request and outside the
    instance's lock. Written in the same transaction as the instance state that waits for it; one per waiting
    service task. Claimed with a lease, so a worker that dies leaves a job another worker picks up; its work is
    idempotent and its result is applied under the instance's lock exactly once."""

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("instance_id", "task_id", name="uq_jobs_instance_task"),
                      Index("ix_jobs_due", "status", "run_after"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # The waiting instance and SpiffWorkflow service task; none for a job of its own (a row of a bulk launch),
    # which ``key`` names once so that asking twice queues it once.
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"),
                                                    index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    operation: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(30))                      # documents / signing / mail
    title: Mapped[str] = mapped_column(String(200))                     # what the instance is waiting for
    args: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[JobStatus] = mapped_column(String(20), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[dt.datetime]                                      # not before (backoff after a failure)
    lease_until: Mapped[dt.datetime | None]
    worker: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class Blob(Base):
    """A stored file (a prepared or signed PDF) when the database is the blob store every node sees (PostgreSQL
    deployments, ``records.blobs``): named as the document's path, written in the same transaction as its row."""

    __tablename__ = "blobs"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LaunchBatch(Base):
    """A CSV of people HR handed in at once (``workflows.bulk_launch``): accepted in one request, each row then
    started by a worker, its progress shown live."""

    __tablename__ = "launch_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64))
    started_by: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LaunchRow(Base):
    """One person of a bulk launch: the start data read from the row, and what became of it."""

    __tablename__ = "launch_rows"
    __table_args__ = (UniqueConstraint("batch_id", "number", name="uq_launch_rows_batch_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("launch_batches.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)                        # 1-based data row (the header is row 0)
    label: Mapped[str] = mapped_column(String(200))                     # a name to recognise the row by
    data: Mapped[dict[str, Any]]
    status: Mapped[LaunchRowStatus] = mapped_column(String(20), default=LaunchRowStatus.QUEUED)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id", ondelete="SET NULL"))
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    finished_at: Mapped[dt.datetime | None]


class PkiFile(Base):
    """A file of the signing PKI (certificates, CRLs, private keys encrypted under ``MIBAO_PKI_PASSPHRASE``) when
    the database is where every signing worker finds the keys (PostgreSQL deployments, ``records.key_store``).
    Kept apart from documents' blobs: a different secret, a different backup policy."""

    __tablename__ = "pki_files"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Lease(Base):
    """A duty only one process may do at a time across all nodes (the timer scan, the outbox, anchors): held by
    ``holder`` until ``until``, renewed while it runs; a dead holder's lease simply runs out."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    until: Mapped[dt.datetime]


class Notification(Base):
    """The outbox: every message the system sends, kept; mailed when SMTP is configured."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), index=True)
    to_role: Mapped[str | None] = mapped_column(String(40))
    to_user: Mapped[str | None] = mapped_column(String(64))
    to_email: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[str | None] = mapped_column(String(64))          # attached PDF, if any
    # The secret level of what the message is about (a register item's), when it is one: the outbox shows it
    # only to those cleared for it, and mail never carries it.
    level: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class SecretItem(Base):
    """An entry of the secret register (商业秘密清单, seed 003 appendix 4)."""

    __tablename__ = "secret_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20), index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    carrier: Mapped[str | None] = mapped_column(String(200))
    knowers: Mapped[str | None] = mapped_column(Text)
    period: Mapped[str | None] = mapped_column(String(100))
    declassification_condition: Mapped[str | None] = mapped_column(Text)
    classified_on: Mapped[dt.date | None]
    approver: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ItemStatus] = mapped_column(String(20), default=ItemStatus.ACTIVE)
    approval: Mapped[dict[str, Any]] = mapped_column(default=dict)         # votes, decision, who and when
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))


class AuditRecord(Base):
    """One link of the tamper-evident audit chain (``records.audit``): append-only, never updated.

    ``hash`` is SHA-256 over a canonical JSON of every other column and ``prev_hash``, so an edit, a deletion
    or an insertion anywhere breaks the chain at that ``seq``.
    """

    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(20))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(10))                       # allowed / denied
    source: Mapped[str | None] = mapped_column(String(64))                # client IP
    session_hash: Mapped[str | None] = mapped_column(String(64))          # opaque: a hash of the session
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    # By target (an agreement's trail), by time (the weekly review).
    __table_args__ = (Index("ix_audit_records_target", "target_type", "target_id"),
                      Index("ix_audit_records_at", "at"))


class AuditHead(Base):
    """The chain's newest link, one row (id 1): appenders lock it, so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    """An RFC 3161 timestamp token over the chain's head hash at ``seq``: the chain up to there existed then."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    token: Mapped[bytes] = mapped_column(LargeBinary)                       # DER ContentInfo (SignedData)
    at: Mapped[dt.datetime]


class AccessGrant(Base):
    """An approval to access one document, register item or carrier (``records.need_to_know``): requested with a
    purpose, decided by the approver the level asks for (core: the general manager; important: the department
    head). A core grant is good for one access (seed 003 §4.2: 每次访问); an important one until ``expires_at``."""

    __tablename__ = "access_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    target_type: Mapped[str] = mapped_column(String(30))                  # document / register_item / carrier
    target_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(20))                        # the target's level when requested
    operation: Mapped[str] = mapped_column(String(20))                    # view / download / print / copy
    purpose: Mapped[str] = mapped_column(Text)                            # 用途
    status: Mapped[GrantStatus] = mapped_column(String(20), default=GrantStatus.PENDING)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approver: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None]
    used_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_access_grants_lookup", "user_id", "target_type", "target_id", "status"),
                      Index("ix_access_grants_status", "status", "level"))


class Carrier(Base):
    """A secret carrier (涉密载体: paper, electronic medium, sample) in the carrier register (seed 003 §5.2)."""

    __tablename__ = "carriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)          # 编号, as marked on the carrier
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20), index=True)
    form: Mapped[str] = mapped_column(String(20))                         # paper / electronic / physical
    copies: Mapped[int] = mapped_column(Integer, default=1)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("secret_items.id"))
    department: Mapped[str | None] = mapped_column(String(100))
    holder: Mapped[str | None] = mapped_column(String(64))                # who has it now; None = in the store
    status: Mapped[CarrierStatus] = mapped_column(String(20), default=CarrierStatus.IN_STORE)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class CarrierMovement(Base):
    """One line of the 涉密载体收发台账: who handed what to whom, when, for what; the receiver confirms."""

    __tablename__ = "carrier_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"), index=True)
    kind: Mapped[MovementKind] = mapped_column(String(20))
    from_user: Mapped[str | None] = mapped_column(String(64))
    to_user: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(64))
    confirmed_by: Mapped[str | None] = mapped_column(String(64))          # 收发人签字确认
    confirmed_at: Mapped[dt.datetime | None]


class Destruction(Base):
    """The destruction record of one carrier (seed 003 §4.2, §5.2.4): requested, approved by the secrecy office,
    witnessed (two secrecy officers besides the performer for core carriers), then done."""

    __tablename__ = "destructions"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id"), unique=True)
    level: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(40))                       # shred / wipe / physical / incinerate
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[DestructionStatus] = mapped_column(String(20), default=DestructionStatus.REQUESTED)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[dt.datetime | None]
    performed_by: Mapped[str | None] = mapped_column(String(64))
    performed_at: Mapped[dt.datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)


class DestructionWitness(Base):
    """A witness's own confirmation, from their own account: the two-person rule cannot be met by one person."""

    __tablename__ = "destruction_witnesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    destruction_id: Mapped[int] = mapped_column(ForeignKey("destructions.id"), index=True)
    witness: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("destruction_id", "witness"),)


class TemplateVersion(Base):
    """A company's own version of an agreement template, accepted after its checks (``documents.template_check``).

    The packaged file in ``contract_templates/<id>/`` is version 1 and has no row; the newest row is the active
    version, which documents prepared afterwards use. The DOCX is a blob (``records.blobs``) named by its hash."""

    __tablename__ = "template_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    blob: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("template_id", "number"),)
