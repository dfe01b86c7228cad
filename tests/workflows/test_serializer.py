"""Stored state leaves out each task's id and default fields and reads both that and the full records back."""

from __future__ import annotations

from sqlalchemy import select

from records.models import ProcessDefinition, ProcessInstance
from workflows import Engine, serializer


def test_compact_state_round_trips_and_full_records_still_load(engine: Engine) -> None:
    inst = engine.start("probe", {"approver": "head1"}, actor="hr1")
    engine.complete(engine.tasks(role="hr")[0].id, actor="hr1", data={"amount": 50})
    with engine.sessions() as session:
        row = session.get(ProcessInstance, inst.id)
        assert row is not None
        definition = session.scalars(select(ProcessDefinition)).one().spec
        state = row.state
    records = list(state["tasks"].values())
    assert all("id" not in r and "typename" not in r for r in records)
    full = serializer._each_tasks(state, serializer._expand)          # as written before the compaction
    assert all(r["id"] == key and r["typename"] == "Task" for key, r in full["tasks"].items())
    for stored in (state, full):
        workflow = serializer.restore(stored, definition, serializer.FORMAT_VERSION)
        assert serializer.snapshot(workflow) == state
        assert workflow.last_task is not None and workflow.last_task.data["amount"] == 50
