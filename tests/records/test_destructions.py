"""Destruction records: request, approval by another secrecy officer, witnesses, and the two-person rule for core
carriers (seed 003 §4.2.1: 2 名以上保密员现场监督); concurrent attempts destroy once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from records.carriers import CarrierConflict, CarrierError, CarrierRefused, issue_carrier, ledger, return_carrier
from records.destructions import (
    approve_destruction,
    available_steps,
    destruction_of,
    methods_for,
    perform_destruction,
    reject_destruction,
    request_destruction,
    witness_destruction,
    witnesses_of,
)
from records.models import Carrier, CarrierMovement, Destruction, User
from tests.race import all_at_once
from tests.records.carrier_support import NOW, Act, audit, register


def _approved(act: Act, serial: str, level: str = "core", form: str = "paper") -> Destruction:
    carrier = register(act, serial, level, form)
    method = methods_for(form, level)[0]
    requested = act(request_destruction, "liaison1", carrier.id, method, "项目结题，图纸作废")
    destruction: Destruction = act(approve_destruction, "sec1", requested.id)
    return destruction


def _status(sessions: sessionmaker[Session], destruction: Destruction) -> tuple[str, str]:
    with sessions() as session:
        carrier = session.get(Carrier, destruction.carrier_id)
        row = session.get(Destruction, destruction.id)
        assert carrier is not None and row is not None
        return row.status, carrier.status


def test_methods_follow_form_and_level() -> None:
    assert methods_for("paper", "general") == ("shred", "incinerate")
    assert methods_for("paper", "core") == ("shred",)
    assert methods_for("electronic", "important") == ("wipe", "physical")
    assert methods_for("electronic", "core") == ("physical",)
    assert methods_for("physical", "core") == ("physical",)


def test_request_refusals(act: Act, sessions: sessionmaker[Session]) -> None:
    carrier = register(act, "HX-100", "core", "electronic")
    with pytest.raises(CarrierRefused, match="the liaison of the carrier's department"):
        act(request_destruction, "eng1", carrier.id, "physical", "硬盘报废")
    with pytest.raises(CarrierRefused, match="the liaison of the carrier's department"):
        act(request_destruction, "liaison2", carrier.id, "physical", "硬盘报废")
    with pytest.raises(CarrierError, match="destroyed by physical, not 'wipe'"):
        act(request_destruction, "liaison1", carrier.id, "wipe", "硬盘报废")
    with pytest.raises(CarrierError, match="say why"):
        act(request_destruction, "liaison1", carrier.id, "physical", "  ")
    denied = audit(sessions, "request_destruction", "denied")
    assert [(d.actor, d.level) for d in denied] == [("eng1", "core"), ("liaison2", "core"), ("liaison1", "core"),
                                                     ("liaison1", "core")]
    act(request_destruction, "liaison1", carrier.id, "physical", "硬盘报废")
    with pytest.raises(CarrierConflict, match="already requested by liaison1"):
        act(request_destruction, "sec1", carrier.id, "physical", "硬盘报废")


def test_an_issued_carrier_is_taken_back_before_its_destruction(act: Act) -> None:
    carrier = register(act, "JS-100")
    act(issue_carrier, "sec1", carrier.id, "eng1", "调试")
    with pytest.raises(CarrierError, match="held by eng1; record its return"):
        act(request_destruction, "sec1", carrier.id, "shred", "作废")
    act(return_carrier, "sec1", carrier.id)
    destruction = act(request_destruction, "sec1", carrier.id, "shred", "作废")
    with pytest.raises(CarrierConflict, match="waiting for destruction"):
        act(issue_carrier, "sec1", carrier.id, "eng1", "调试")
    assert destruction.status == "requested"


def test_approval_is_another_secrecy_officers(act: Act, sessions: sessionmaker[Session]) -> None:
    carrier = register(act, "JS-101")
    destruction = act(request_destruction, "sec1", carrier.id, "incinerate", "旧版作废")
    with pytest.raises(CarrierRefused, match="you asked for this destruction"):
        act(approve_destruction, "sec1", destruction.id)
    with pytest.raises(CarrierRefused, match="only the secrecy office approves"):
        act(approve_destruction, "liaison1", destruction.id)
    with pytest.raises(CarrierError, match="not approved yet"):
        act(witness_destruction, "sec3", destruction.id)
    with pytest.raises(CarrierError, match="not approved yet"):
        act(perform_destruction, "sec2", destruction.id)
    act(approve_destruction, "sec2", destruction.id)
    with pytest.raises(CarrierConflict, match="already approved by sec2"):
        act(approve_destruction, "sec3", destruction.id)
    assert len(audit(sessions, "approve_destruction", "denied")) == 3


def test_one_witness_is_not_enough_for_a_core_carrier(act: Act, sessions: sessionmaker[Session]) -> None:
    destruction = _approved(act, "HX-101")
    act(witness_destruction, "liaison1", destruction.id)
    with pytest.raises(CarrierError, match=r"before 2 witnesses besides the person destroying it.*1 confirmed"):
        act(perform_destruction, "sec2", destruction.id)
    assert _status(sessions, destruction) == ("approved", "in_store")
    [denied] = audit(sessions, "destroy", "denied")
    assert (denied.actor, denied.level, denied.detail["witnesses"]) == ("sec2", "core", ["liaison1"])


def test_the_same_witness_twice_counts_once(act: Act, sessions: sessionmaker[Session]) -> None:
    destruction = _approved(act, "HX-102")
    act(witness_destruction, "liaison1", destruction.id)
    with pytest.raises(CarrierConflict, match="already confirmed as a witness"):
        act(witness_destruction, "liaison1", destruction.id)
    with pytest.raises(CarrierError, match="1 confirmed so far"):
        act(perform_destruction, "sec2", destruction.id)
    with sessions() as session:
        assert witnesses_of(session, destruction.id) == ["liaison1"]
    assert [r.actor for r in audit(sessions, "witness_destruction", "denied")] == ["liaison1"]


def test_the_performer_cannot_be_a_witness(act: Act, sessions: sessionmaker[Session]) -> None:
    destruction = _approved(act, "HX-103")
    act(witness_destruction, "liaison1", destruction.id)
    act(witness_destruction, "sec2", destruction.id)
    with pytest.raises(CarrierRefused, match="you confirmed as a witness, so you cannot also destroy it"):
        act(perform_destruction, "sec2", destruction.id)
    act(witness_destruction, "sec3", destruction.id)
    with pytest.raises(CarrierRefused, match="cannot also destroy it"):   # three witnesses, still one of them
        act(perform_destruction, "sec2", destruction.id)
    assert _status(sessions, destruction) == ("approved", "in_store")


def test_witnesses_are_secrecy_officers_or_liaisons(act: Act) -> None:
    destruction = _approved(act, "HX-104")
    for user in ("eng1", "head1", "gm"):
        with pytest.raises(CarrierRefused, match="witnesses are secrecy officers or department secrecy liaisons"):
            act(witness_destruction, user, destruction.id)


def test_two_distinct_witnesses_and_another_performer_destroy_it(act: Act, sessions: sessionmaker[Session]) -> None:
    destruction = _approved(act, "HX-105")
    act(witness_destruction, "liaison1", destruction.id)
    act(witness_destruction, "sec3", destruction.id)
    with pytest.raises(CarrierRefused, match="only the secrecy office destroys"):
        act(perform_destruction, "liaison2", destruction.id)
    done = act(perform_destruction, "sec2", destruction.id, notes="粉碎至 2mm 以下")
    assert (done.status, done.performed_by, done.notes) == ("done", "sec2", "粉碎至 2mm 以下")
    assert _status(sessions, destruction) == ("done", "destroyed")
    with sessions() as session:
        assert [m.kind for m in ledger(session, destruction.carrier_id)] == ["register", "destroy"]
    [entry] = audit(sessions, "destroy", "allowed")
    assert (entry.actor, entry.level, entry.detail["witnesses"], entry.detail["approved_by"]) == \
        ("sec2", "core", ["liaison1", "sec3"], "sec1")
    with pytest.raises(CarrierConflict, match="already been destroyed"):
        act(witness_destruction, "sec1", destruction.id)
    with pytest.raises(CarrierConflict, match="already destroyed by sec2"):
        act(perform_destruction, "sec1", destruction.id)
    with pytest.raises(CarrierConflict, match="was destroyed; it cannot be issued"):
        act(issue_carrier, "sec1", destruction.carrier_id, "eng1", "调试")


def test_below_core_no_witness_is_needed(act: Act, sessions: sessionmaker[Session]) -> None:
    destruction = _approved(act, "ZY-100", "important", "electronic")
    assert destruction.method == "wipe"
    act(perform_destruction, "sec1", destruction.id)
    assert _status(sessions, destruction) == ("done", "destroyed")


def test_eight_concurrent_destructions_destroy_once(act: Act, sessions: sessionmaker[Session]) -> None:
    destruction = _approved(act, "HX-106")
    act(witness_destruction, "liaison1", destruction.id)
    act(witness_destruction, "liaison2", destruction.id)

    def attempt(i: int) -> str:
        try:
            act(perform_destruction, ("sec2", "sec3")[i % 2], destruction.id)
        except CarrierConflict:
            return "conflict"
        return "done"

    assert sorted(all_at_once(8, attempt)) == ["conflict"] * 7 + ["done"]
    with sessions() as session:
        destroys = session.scalar(select(func.count()).select_from(CarrierMovement).where(
            CarrierMovement.carrier_id == destruction.carrier_id, CarrierMovement.kind == "destroy"))
        assert destroys == 1
    assert len(audit(sessions, "destroy", "allowed")) == 1
    assert len(audit(sessions, "destroy", "denied")) == 7


def test_available_steps_follow_state_and_role(act: Act, sessions: sessionmaker[Session]) -> None:
    destruction = _approved(act, "HX-107")
    act(witness_destruction, "liaison1", destruction.id)
    with sessions() as session:
        carrier, row = session.get(Carrier, destruction.carrier_id), destruction_of(session, destruction.carrier_id)
        assert carrier is not None
        witnesses = witnesses_of(session, destruction.id)

        def steps(user_id: str) -> frozenset[str]:
            user = session.get(User, user_id)
            assert user is not None
            return available_steps(user, carrier, row, witnesses)

        assert steps("sec2") == {"witness_destruction", "perform_destruction", "reject_destruction"}
        assert steps("liaison1") == frozenset()
        assert steps("liaison2") == {"witness_destruction"}
        assert steps("eng1") == frozenset()


def test_a_witness_confirms_on_the_day(act: Act, sessions: sessionmaker[Session]) -> None:
    destruction = _approved(act, "HX-110")
    act(witness_destruction, "liaison1", destruction.id)
    act(witness_destruction, "sec3", destruction.id)
    later = NOW + dt.timedelta(days=2)
    with pytest.raises(CarrierError, match=r"0 confirmed so far.*\(2 earlier confirmation\(s\) are older than 12 h"):
        act(perform_destruction, "sec2", destruction.id, now=later)
    act(witness_destruction, "liaison1", destruction.id, now=later)      # on site again: renewed, not refused
    act(witness_destruction, "sec3", destruction.id, now=later)
    assert act(perform_destruction, "sec2", destruction.id, now=later).status == "done"


def test_a_turned_down_destruction_can_be_asked_for_again(act: Act, sessions: sessionmaker[Session]) -> None:
    destruction = _approved(act, "HX-111")
    act(witness_destruction, "liaison1", destruction.id)
    with pytest.raises(CarrierRefused, match="only the secrecy office turns down"):
        act(reject_destruction, "liaison1", destruction.id, "不需要销毁")
    with pytest.raises(CarrierError, match="say why"):
        act(reject_destruction, "sec1", destruction.id, " ")
    rejected = act(reject_destruction, "sec1", destruction.id, "载体仍在项目中使用，暂缓销毁")
    assert rejected.status == "rejected" and _status(sessions, destruction) == ("rejected", "in_store")
    with sessions() as session:
        assert witnesses_of(session, destruction.id) == []                 # the confirmation lapsed
    with pytest.raises(CarrierConflict, match="only a requested or approved one"):
        act(reject_destruction, "sec1", destruction.id, "再次驳回")
    again = act(request_destruction, "liaison1", destruction.carrier_id, "shred", "项目已结题，图纸作废")
    assert (again.id, again.status, again.approved_by) == (destruction.id, "requested", None)
    assert [r.actor for r in audit(sessions, "reject_destruction", "allowed")] == ["sec1"]
