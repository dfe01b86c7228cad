"""Need-to-know: who may do what with a document, a register entry or a carrier, by its secret level.

This module is the rule, in one place and on plain data (seed 003 §2.3, §4.2, §5.2; DOMAIN.md "Secret levels").
:mod:`records.access_grants` feeds it the approvals on record and writes the audit trail; the web, the API and
the CLI only ask. The rule, per level, for reading (view / download / print / copy):

* **general** (一般秘密) — post authorisation: the keepers of that kind of record, the department the item
  belongs to, the people or posts named as knowers, or an approval;
* **important** (重要秘密) — department-head approval: the keepers (whose post is to hold these records), the
  head of the owning department, or an approval by that head (valid until it expires);
* **core** (核心秘密) — approval by the general manager **per access**: an approval is used up by one access.
  Nobody has standing access except the general manager.

Whatever the level, the parties to an agreement may view, download and print it (it is their contract), the
holder of a carrier may view and print its record (it was issued to them with the approval its level needs), and
the general manager may read everything. Someone who has left has nothing but their own agreements. A
declassified register entry is open to everyone (seed 003 §4.3.2).
Signed documents are never modified; register entries change only through the committee's processes. Destroying
a carrier is the secrecy office's, and a core carrier needs two witnesses besides the person destroying it (the
two-person rule, enforced by :mod:`records.carriers`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from records.levels import LEVELS, SecretLevel

__all__ = [
    "KINDS",
    "LEVELS",
    "OPERATIONS",
    "READ_OPERATIONS",
    "Decision",
    "Grant",
    "Resource",
    "Subject",
    "approver_may_decide",
    "decide",
]

KINDS = ("document", "register_item", "carrier")
READ_OPERATIONS = ("view", "download", "print", "copy")
OPERATIONS = (*READ_OPERATIONS, "modify", "sign", "approve", "destroy")

# Whose post is to hold which records: standing access up to "important", never to "core".
KEEPERS = {
    "document": frozenset({"hr", "secrecy_office"}),          # personnel files; the agreements' owner
    "register_item": frozenset({"secrecy_office", "committee"}),  # the register's owner; who decides on it
    "carrier": frozenset({"secrecy_office"}),                 # the carrier register's owner
}
GENERAL_MANAGER = "general_manager"
# Two secrecy officers watch a core carrier's destruction (seed 003 §4.2: 2 名以上保密员现场监督).
CORE_DESTRUCTION_WITNESSES = 2
WITNESS_ROLES = frozenset({"secrecy_office", "liaison"})

_TOKENS = re.compile(r"[\s,，、;；/|]+")


@dataclass(frozen=True)
class Subject:
    """Who asks: a user's id, roles, department and post."""

    id: str
    roles: frozenset[str]
    department: str | None = None
    post: str | None = None
    name: str | None = None
    active: bool = True            # False once they have left: no standing authority, no approvals, no posts


@dataclass(frozen=True)
class Resource:
    """What is asked for. ``parties`` are the people an agreement binds (subject, signers, assigned signers);
    ``knowers`` the people or posts a register entry names as allowed to know it (知悉范围)."""

    kind: str
    id: str
    level: str
    department: str | None = None
    knowers: frozenset[str] = frozenset()
    parties: frozenset[str] = frozenset()
    declassified: bool = False     # a register entry the committee declassified: no longer a secret


@dataclass(frozen=True)
class Grant:
    """An approved, still usable approval for ``user`` to do ``operation`` on one resource."""

    id: int
    user: str
    kind: str
    target_id: str
    operation: str
    approver: str
    single_use: bool


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or not, on what basis (a short code the audit log keeps), and, when refused, whose
    approval would allow it (``needs``: general_manager / department_head / None when nothing can)."""

    allowed: bool
    basis: str
    needs: str | None = None
    grant: Grant | None = None
    witnesses: int = 0
    detail: dict[str, object] = field(default_factory=dict)


def knower_tokens(text: str | None) -> frozenset[str]:
    """The people or posts in a register entry's free-text 知悉范围 ("王志强、工艺工程师, eng02")."""
    return frozenset(t for t in _TOKENS.split(text or "") if t)


def decide(subject: Subject, resource: Resource, operation: str, grants: Iterable[Grant] = ()) -> Decision:
    """May ``subject`` do ``operation`` on ``resource``? ``grants`` are the subject's usable approvals for it."""
    if resource.level not in LEVELS:
        return Decision(False, "unknown_level", detail={"level": resource.level})
    if operation not in OPERATIONS or resource.kind not in KINDS:
        return Decision(False, "unknown_operation", detail={"operation": operation, "kind": resource.kind})
    if not subject.active and not (resource.kind == "document" and subject.id in resource.parties
                                   and operation in ("view", "download", "print", "sign")):
        # Someone who left keeps only their own agreements (a late hand-over signature by their personal link).
        return Decision(False, "left")
    if operation in READ_OPERATIONS:
        return _read(subject, resource, operation, grants)
    if operation == "sign":
        party = resource.kind == "document" and subject.id in resource.parties
        return Decision(party, "party" if party else "not_a_party")
    if operation == "modify":
        if resource.kind == "document":
            return Decision(False, "signed_documents_are_immutable")
        if resource.kind == "register_item":
            return Decision(False, "register_changes_go_through_the_committee")
        keeper = "secrecy_office" in subject.roles
        return Decision(keeper, "keeper" if keeper else "not_the_keeper")
    if operation == "destroy":
        if resource.kind != "carrier":
            return Decision(False, "only_carriers_are_destroyed")
        if "secrecy_office" not in subject.roles:
            return Decision(False, "not_the_keeper")
        witnesses = CORE_DESTRUCTION_WITNESSES if resource.level == SecretLevel.CORE else 0
        return Decision(True, "keeper", witnesses=witnesses)
    # approve: deciding on somebody's request for this resource
    allowed = approver_may_decide(subject, resource)
    return Decision(allowed, "approver" if allowed else "not_the_approver", needs=_approver_of(resource.level))


def approver_may_decide(subject: Subject, resource: Resource) -> bool:
    """Who approves access at each level: core — the general manager; important — the head of the owning
    department (or the general manager); general — that head, the secrecy office or the general manager."""
    if GENERAL_MANAGER in subject.roles:
        return True
    if resource.level == SecretLevel.CORE:
        return False
    head = "department_head" in subject.roles and subject.department is not None \
        and subject.department == resource.department
    if resource.level == SecretLevel.IMPORTANT:
        return head
    return head or "secrecy_office" in subject.roles


def _approver_of(level: str) -> str:
    return GENERAL_MANAGER if level == SecretLevel.CORE else "department_head"


def _read(subject: Subject, resource: Resource, operation: str, grants: Iterable[Grant]) -> Decision:
    if GENERAL_MANAGER in subject.roles:
        return Decision(True, "general_manager")
    if resource.declassified:
        return Decision(True, "declassified")     # seed 003 §4.3.2: once declassified, the restriction is lifted
    if resource.kind == "document" and subject.id in resource.parties and operation != "copy":
        return Decision(True, "party")
    if resource.kind == "carrier" and subject.id in resource.parties and operation in ("view", "print"):
        return Decision(True, "holder")   # issued to them with the approval its level needed
    if resource.level != SecretLevel.CORE:
        standing = _standing(subject, resource)
        if standing:
            return Decision(True, standing)
    for grant in grants:
        if (grant.user, grant.kind, grant.target_id, grant.operation) != \
                (subject.id, resource.kind, resource.id, operation):
            continue
        if resource.level == SecretLevel.CORE and not grant.single_use:
            continue   # a core access needs its own approval, used once
        return Decision(True, "grant", grant=grant, detail={"grant": grant.id, "approver": grant.approver})
    return Decision(False, "approval_required" if resource.level != SecretLevel.GENERAL else "no_post_authorisation",
                    needs=_approver_of(resource.level))


def _standing(subject: Subject, resource: Resource) -> str | None:
    """Standing (post) authorisation below core, or None."""
    if KEEPERS[resource.kind] & subject.roles:
        return "keeper"
    same_department = subject.department is not None and subject.department == resource.department
    if same_department and "department_head" in subject.roles:
        return "department_head"
    if resource.level == SecretLevel.GENERAL:
        if same_department:
            return "post"
        names = {subject.id, subject.post, subject.name} - {None}
        if names & resource.knowers:
            return "knower"
    return None
