"""The carrier register (收发台账): registering, issuing under the need-to-know rule, receipts and returns; each
refusal says what to do and stays in the audit chain as denied."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from records.audit import verify_chain
from records.carriers import (
    CarrierConflict,
    CarrierError,
    CarrierNotFound,
    CarrierRefused,
    confirm_receipt,
    holdings,
    issue_carrier,
    ledger,
    register_carrier,
    return_carrier,
)
from records.db import transaction
from records.models import AccessGrant, Carrier, SecretItem
from tests.race import all_at_once
from tests.records.carrier_support import NOW, Act, audit, grant_view, register

pytestmark = pytest.mark.usefixtures("sessions")


def _carrier(sessions: sessionmaker[Session], carrier_id: int) -> Carrier:
    with sessions() as session:
        carrier = session.get(Carrier, carrier_id)
        assert carrier is not None
        return carrier


def test_registering_enters_the_store_with_a_register_line(act: Act, sessions: sessionmaker[Session]) -> None:
    carrier = register(act, "JS-2026-001", "important", copies=3)
    assert (carrier.status, carrier.holder, carrier.copies, carrier.created_by) == ("in_store", None, 3, "sec1")
    with sessions() as session:
        [line] = ledger(session, carrier.id)
    assert (line.kind, line.recorded_by, line.confirmed_by) == ("register", "sec1", "sec1")
    [entry] = audit(sessions, "register_carrier")
    assert (entry.result, entry.level, entry.target_id) == ("allowed", "important", str(carrier.id))


def test_a_liaison_registers_for_their_own_department_only(act: Act) -> None:
    carrier = register(act, "JS-2026-002", by="liaison1", department=None)
    assert carrier.department == "技术研发部"
    with pytest.raises(CarrierError, match="their own department"):
        register(act, "SC-2026-001", by="liaison1", department="生产部")


@pytest.mark.parametrize(("values", "error", "message"), [
    ({"level": "secret"}, CarrierError, "not one of core, important, general"),
    ({"form": "film"}, CarrierError, "not one of paper, electronic, physical"),
    ({"copies": 0}, CarrierError, "from 1 to 1000"),
    ({"serial": "  "}, CarrierError, "serial .* is missing"),
    ({"item_id": 999}, CarrierError, "no register entry #999"),
])
def test_registration_refuses_bad_values(act: Act, sessions: sessionmaker[Session], values: dict[str, object],
                                         error: type[Exception], message: str) -> None:
    fields: dict[str, object] = {"serial": "X-1", "name": "图纸", "level": "general", "form": "paper", **values}
    with pytest.raises(error, match=message):
        act(register_carrier, "sec1", **fields)
    [denied] = audit(sessions, "register_carrier", "denied")
    assert re.search(message, str(denied.detail["refused"]))
    with sessions() as session:
        assert session.scalar(select(Carrier.id)) is None


def test_duplicate_serial_and_non_registrar_are_refused_on_record(act: Act, sessions: sessionmaker[Session]) -> None:
    register(act, "JS-2026-003")
    with pytest.raises(CarrierConflict, match="JS-2026-003 is already in the register"):
        register(act, "JS-2026-003")
    with pytest.raises(CarrierRefused, match="only the secrecy office or a department secrecy liaison"):
        register(act, "JS-2026-004", by="eng1")
    denied = audit(sessions, "register_carrier", "denied")
    assert [d.actor for d in denied] == ["sec1", "eng1"]
    assert "already in the register" in str(denied[0].detail["refused"])


def test_a_carrier_is_not_below_the_item_it_carries(act: Act, sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        item = SecretItem(name="淬火介质配方", level="core", department="技术研发部")
        session.add(item)
        session.flush()
        item_id = item.id
    with pytest.raises(CarrierError, match="at least as secret as what it carries"):
        register(act, "HX-001", "important", item_id=item_id)
    assert register(act, "HX-001", "core", item_id=item_id, department=None).department == "技术研发部"


def test_issue_and_receipt(act: Act, sessions: sessionmaker[Session]) -> None:
    carrier = register(act, "JS-2026-010")
    movement = act(issue_carrier, "sec1", carrier.id, "eng1", "装配车间调试")
    assert (movement.kind, movement.from_user, movement.to_user, movement.confirmed_at) == \
        ("issue", "sec1", "eng1", None)
    assert (_carrier(sessions, carrier.id).status, _carrier(sessions, carrier.id).holder) == ("issued", "eng1")
    with sessions() as session:
        [(held, open_line)] = holdings(session, "eng1")
        assert held.id == carrier.id and open_line is not None and open_line.id == movement.id
    with pytest.raises(CarrierRefused, match="only the person a carrier was issued to"):
        act(confirm_receipt, "eng2", movement.id)
    confirmed = act(confirm_receipt, "eng1", movement.id)
    assert (confirmed.confirmed_by, confirmed.confirmed_at) == ("eng1", NOW)
    with pytest.raises(CarrierConflict, match="you already confirmed receiving carrier JS-2026-010"):
        act(confirm_receipt, "eng1", movement.id)
    assert [r.actor for r in audit(sessions, "confirm_receipt", "denied")] == ["eng2", "eng1"]


@pytest.mark.parametrize(("user", "to", "error", "message"), [
    ("liaison1", "eng1", CarrierRefused, "only the secrecy office issues"),
    ("sec1", "sec1", CarrierError, "issued to someone else"),
    ("sec1", "nobody", CarrierError, "there is no user 'nobody'"),
    ("sec1", "eng2", CarrierRefused, "李娜 \\(eng2\\) may not receive this general carrier"),
])
def test_issue_refusals(act: Act, sessions: sessionmaker[Session], user: str, to: str, error: type[Exception],
                        message: str) -> None:
    carrier = register(act, "JS-2026-011")
    with pytest.raises(error, match=message):
        act(issue_carrier, user, carrier.id, to, "调试")
    assert _carrier(sessions, carrier.id).status == "in_store"
    [denied] = audit(sessions, "issue_carrier", "denied")
    assert (denied.actor, denied.level, denied.target_id) == (user, "general", str(carrier.id))


def test_issue_needs_the_store_and_a_purpose(act: Act) -> None:
    carrier = register(act, "JS-2026-012")
    with pytest.raises(CarrierError, match="the purpose"):
        act(issue_carrier, "sec1", carrier.id, "eng1", " ")
    act(issue_carrier, "sec1", carrier.id, "eng1", "调试")
    with pytest.raises(CarrierConflict, match="not in the store \\(held by eng1\\)"):
        act(issue_carrier, "sec1", carrier.id, "liaison1", "调试")
    with pytest.raises(CarrierNotFound, match="no carrier #999"):
        act(issue_carrier, "sec1", 999, "eng1", "调试")


def test_an_important_carrier_needs_the_heads_approval(act: Act, sessions: sessionmaker[Session]) -> None:
    carrier = register(act, "JS-2026-013", "important")
    with pytest.raises(CarrierRefused, match="need the department head's approval"):
        act(issue_carrier, "sec1", carrier.id, "eng1", "磨削工艺验证")
    [view] = audit(sessions, "view", "denied")
    assert (view.actor, view.detail["step"], view.detail["issued_by"]) == ("eng1", "issue_carrier", "sec1")
    grant_view(sessions, "eng1", carrier.id, approver="head1")
    act(issue_carrier, "sec1", carrier.id, "eng1", "磨削工艺验证")
    assert _carrier(sessions, carrier.id).holder == "eng1"


def test_a_core_carrier_uses_up_the_general_managers_approval(act: Act, sessions: sessionmaker[Session]) -> None:
    carrier = register(act, "HX-2026-001", "core")
    with pytest.raises(CarrierRefused, match="general manager's approval \\(one per access\\)"):
        act(issue_carrier, "sec1", carrier.id, "eng1", "热处理试验")
    grant_view(sessions, "eng1", carrier.id)
    act(issue_carrier, "sec1", carrier.id, "eng1", "热处理试验")
    with sessions() as session:
        assert session.scalars(select(AccessGrant.status)).all() == ["used"]
    act(return_carrier, "sec1", carrier.id)
    with pytest.raises(CarrierRefused, match="general manager's approval"):   # the approval was for one access
        act(issue_carrier, "sec1", carrier.id, "eng1", "热处理试验")


def test_return(act: Act, sessions: sessionmaker[Session]) -> None:
    carrier = register(act, "JS-2026-014")
    with pytest.raises(CarrierConflict, match="nothing to take back"):
        act(return_carrier, "sec1", carrier.id)
    act(issue_carrier, "sec1", carrier.id, "eng1", "调试")
    with pytest.raises(CarrierRefused, match="only the secrecy office takes carriers back"):
        act(return_carrier, "eng1", carrier.id)
    back = act(return_carrier, "sec2", carrier.id, note="完好")
    assert (back.kind, back.from_user, back.to_user, back.confirmed_by) == ("return", "eng1", "sec2", "sec2")
    assert (_carrier(sessions, carrier.id).status, _carrier(sessions, carrier.id).holder) == ("in_store", None)
    with sessions() as session:
        assert [m.kind for m in ledger(session, carrier.id)] == ["register", "issue", "return"]
        assert verify_chain(session, []).ok


def test_eight_concurrent_confirmations_give_one(act: Act, sessions: sessionmaker[Session]) -> None:
    carrier = register(act, "JS-2026-015")
    movement = act(issue_carrier, "sec1", carrier.id, "eng1", "调试")

    def attempt(_: int) -> str:
        try:
            act(confirm_receipt, "eng1", movement.id)
        except CarrierConflict:
            return "conflict"
        return "confirmed"

    assert sorted(all_at_once(8, attempt)) == ["confirmed"] + ["conflict"] * 7
    assert len(audit(sessions, "confirm_receipt", "denied")) == 7
