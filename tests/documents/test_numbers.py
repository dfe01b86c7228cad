"""Every number the agreements carry (DOMAIN.md "Numbers the agreements carry"; issue 12 item 6): the boundary is
accepted, one step past it is refused — on HR's start form and again when the agreement is filled — with a
message that names the rule and the seed's section."""

from __future__ import annotations

import json
from typing import Any

import pytest

from documents import TemplateCatalog, validate_data
from documents.errors import DataError
from tests.bpmn.driver import example
from workflows import BPMN_DIR, FormDataError
from workflows.forms import FormCatalog

FORMS = FormCatalog(BPMN_DIR / "forms")
# (process whose start form sets it, agreement that carries it, field, the boundary, one step past, the rule's source)
NUMBERS = [
    ("onboarding", "non_compete", "duration_months", 24, 25, "appendix 6 art. 1"),
    ("onboarding", "non_compete", "compensation_ratio_percent", 30, 29, "appendix 6"),
    ("onboarding", "non_compete", "late_payment_days", 30, 31, "appendix 6"),
    ("onboarding", "nda", "penalty_min_multiple", 2, 1, "appendix 5"),
    ("onboarding", "nda", "penalty_max_multiple", 5, 6, "appendix 5"),
    ("offboarding", "exit_reminder", "cooldown_months", 6, 7, "seed 003 §5.1.3"),
]


def _start(process_id: str, **changes: Any) -> None:
    FORMS.validate(f"{process_id}_start", {**example(process_id), **changes}, f"starting {process_id}")


@pytest.mark.parametrize(("process_id", "template", "name", "boundary", "past", "source"), NUMBERS)
def test_the_start_form_takes_the_boundary_and_refuses_one_step_past(process_id: str, template: str, name: str,
                                                                     boundary: int, past: int, source: str) -> None:
    changes = {name: boundary}
    if name == "penalty_min_multiple":
        changes["penalty_max_multiple"] = 5
    _start(process_id, **changes)
    with pytest.raises(FormDataError) as refused:
        _start(process_id, **{name: past})
    (problem,) = refused.value.problems
    assert problem.startswith(f"{name}: {past} is ") and source in problem, problem


@pytest.mark.parametrize(("process_id", "template", "name", "boundary", "past", "source"), NUMBERS)
def test_the_agreement_takes_the_boundary_and_refuses_one_step_past(process_id: str, template: str, name: str,
                                                                    boundary: int, past: int, source: str) -> None:
    manifest = TemplateCatalog().get(template)
    data = json.loads(manifest.sample_path.read_text(encoding="utf-8"))
    if name == "penalty_min_multiple":
        data["penalty_max_multiple"] = 5
    assert validate_data(manifest, {**data, name: boundary})[name] == boundary
    with pytest.raises(DataError) as refused:
        validate_data(manifest, {**data, name: past})
    assert any(p.startswith(f"{name}: {past} is ") and source in p for p in refused.value.problems), \
        refused.value.problems


def test_a_range_runs_from_low_to_high() -> None:
    """Appendix 5's penalty of "2 to 5 months' wages": a lower bound above the upper one is refused, on the form
    and in the agreement; equal bounds are a range of one."""
    _start("onboarding", penalty_min_multiple=4, penalty_max_multiple=4)
    with pytest.raises(FormDataError) as refused:
        _start("onboarding", penalty_min_multiple=4, penalty_max_multiple=3)
    assert refused.value.problems == [
        "penalty_min_multiple: 4 is above penalty_max_multiple 3; the lower bound may not exceed the upper — 附录 5："
        "恶意泄露核心秘密的违约金为离职前 12 个月平均月工资的 2–5 倍 / appendix 5: a penalty of 2 to 5 × the average "
        "monthly wage of the last 12 months"]
    manifest = TemplateCatalog().get("nda")
    data = json.loads(manifest.sample_path.read_text(encoding="utf-8"))
    with pytest.raises(DataError, match="the lower bound may not exceed the upper"):
        validate_data(manifest, {**data, "penalty_min_multiple": 5, "penalty_max_multiple": 2})
