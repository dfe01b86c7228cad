"""Fill data is checked against the manifest before anything is rendered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from documents import DataError, validate_data
from documents.manifest import Manifest


def test_valid_data_is_typed_and_defaults_apply(probe: Manifest, probe_data: dict[str, object]) -> None:
    ctx = validate_data(probe, probe_data)
    assert ctx["start_date"] == dt.date(2026, 3, 1)
    assert ctx["wage"] == Decimal("12345.5")
    assert ctx["months"] == 24
    assert ctx["core_staff"] is False
    assert ctx["secret_level"] == "important"          # the manifest's default_level
    assert ctx["items"] == [{"name": "图纸", "qty": 2}]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"employee_name": None}, "employee_name: is required"),
        ({"employee_name": 42}, "employee_name: expected text"),
        ({"employee_name": "a\x00b"}, "control character U+0000"),
        ({"employee_name": "x" * 201}, "is 201 characters long, at most 200"),
        ({"start_date": "2026-02-30"}, "start_date: '2026-02-30' is not a calendar date"),
        ({"start_date": "21.11.2026"}, "expected a date as YYYY-MM-DD"),
        ({"wage": "lots"}, "wage: expected a number"),
        ({"wage": "NaN"}, "wage: expected a number"),
        ({"wage": -1}, "below the minimum"),
        ({"months": 25}, "months: 25 is above the maximum 24"),
        ({"months": "24"}, "months: expected a whole number"),
        ({"core_staff": "yes"}, "core_staff: expected true or false"),
        ({"items": [{"name": "盘", "qty": 0}]}, "items[0].qty: 0 is below the minimum 1"),
        ({"items": [{"qty": 1}]}, "items[0].name: is required"),
        ({"items": "none"}, "items: expected a list of rows"),
        ({"surprise": 1}, "surprise: unknown field"),
        ({"document_id": "MB-forged"}, "document_id: unknown field"),
        ({"secret_level": "top"}, "secret_level: 'top' is not one of core, important, general"),
    ],
)
def test_each_problem_names_the_field(probe: Manifest, probe_data: dict[str, object],
                                      change: dict[str, object], message: str) -> None:
    with pytest.raises(DataError) as err:
        validate_data(probe, {**probe_data, **change})
    assert message in str(err.value)
    assert "Correct these fields" in str(err.value)


def test_all_problems_are_reported_at_once(probe: Manifest) -> None:
    with pytest.raises(DataError) as err:
        validate_data(probe, {"wage": "x"})
    assert {p.split(":")[0] for p in err.value.problems} == {"employee_name", "start_date", "wage"}


def test_not_an_object(probe: Manifest) -> None:
    with pytest.raises(DataError, match="expected a JSON object"):
        validate_data(probe, ["employee_name"])
