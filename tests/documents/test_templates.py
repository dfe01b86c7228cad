"""Every shipped template renders from its sample and from hostile values; the PDF text holds the exact values."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from documents import TemplateCatalog, render_docx, validate_data
from documents.manifest import Manifest, Variable
from signing import Converter
from tests.conftest import pdf_text, squeeze
from workflows.record_sources import RECORD_SOURCES

CATALOG = TemplateCatalog()
EXPECTED_IDS = {
    "nda", "non_compete", "legacy_secret_pledge", "confidentiality_notice", "carrier_handover", "exit_reminder",
    "annual_pledge", "cooperation_nda", "visitor_pledge", "area_entry_pledge", "audit_nda", "maintenance_nda",
    "classification_form", "secret_register", "access_log_review",
    "bid_evaluation_pledge", "inspection_nda", "meeting_pledge",
    "leak_incident_report",
    "publication_review_opinion",
}
HOSTILE = "<b>&{{7*7}}喆"
LONG_NAME = "欧阳" + "喆" * 198          # 200 characters


def _sample(m: Manifest) -> dict[str, Any]:
    return json.loads(m.sample_path.read_text(encoding="utf-8"))


def _render_pdf(m: Manifest, data: dict[str, Any], converter: Converter) -> bytes:
    ctx = validate_data(m, data) | {"document_id": f"MB-TEST-{m.id.upper()}"}
    return converter.convert(render_docx(m.docx_path.read_bytes(), ctx, name=m.id))


def _string_vars(variables: tuple[Variable, ...]) -> list[Variable]:
    return [v for v in variables if v.type in ("string", "text")]


def test_the_catalogue_is_complete() -> None:
    assert {m.id for m in CATALOG.all()} == EXPECTED_IDS


@pytest.mark.parametrize("manifest", CATALOG.all(), ids=lambda m: m.id)
def test_manifest_is_consistent(manifest: Manifest) -> None:
    assert manifest.parties[0].role == "company", "the company seal certifies first"
    assert manifest.docx_path.is_file() and manifest.sample_path.is_file()
    assert manifest.title.keys() >= {"zh", "en"}
    for party in manifest.parties:
        assert party.anchor and party.label.keys() >= {"zh", "en"}
    # What the system fills from its records names a source it has (workflows.record_sources).
    assert {v.from_records for v in manifest.variables if v.from_records} <= set(RECORD_SOURCES)
    validate_data(manifest, _sample(manifest))


@pytest.mark.parametrize("manifest", CATALOG.all(), ids=lambda m: m.id)
def test_sample_values_appear_in_the_pdf(manifest: Manifest, converter: Converter, tmp_path: Path) -> None:
    data = _sample(manifest)
    text = squeeze(pdf_text(_render_pdf(manifest, data, converter), tmp_path))
    assert f"MB-TEST-{manifest.id.upper()}" in text or manifest.id in ("secret_register",)
    for party in manifest.parties:
        assert squeeze(party.anchor or "") in text
    for var in _string_vars(manifest.variables):
        if isinstance(data.get(var.name), str) and data[var.name].strip():
            assert squeeze(data[var.name]) in text, f"{var.name} is not printed"


@pytest.mark.parametrize("manifest", CATALOG.all(), ids=lambda m: m.id)
def test_hostile_values_come_out_literally(manifest: Manifest, converter: Converter, tmp_path: Path) -> None:
    data = copy.deepcopy(_sample(manifest))
    expected: list[str] = []
    strings = _string_vars(manifest.variables)
    for i, var in enumerate(strings):
        value = LONG_NAME if var.name.endswith("name") and LONG_NAME not in expected else f"{HOSTILE}{i}"
        if var.length_limit is not None and len(value) > var.length_limit:
            value = f"{HOSTILE}{i}"
        data[var.name] = value
        expected.append(value)
    assert LONG_NAME in expected, "every template names someone; the name must take 200 characters"
    for var in manifest.variables:
        if var.type == "list" and data.get(var.name):
            row_fields = _string_vars(var.fields)
            for j, f in enumerate(row_fields):
                value = f"{HOSTILE}r{j}"
                data[var.name][0][f.name] = value
                expected.append(value)
    text = squeeze(pdf_text(_render_pdf(manifest, data, converter), tmp_path))
    for value in expected:
        assert squeeze(value) in text, f"{value!r} is missing from the PDF text"
