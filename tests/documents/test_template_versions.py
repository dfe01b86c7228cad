"""A company's own version of a template is checked before it is accepted; each refusal names its reason."""

from __future__ import annotations

import pytest

from documents.template_check import TemplateRejected, check_template
from signing import Converter
from tests.documents.template_edits import NDA, edited, with_macro


def _refusal(data: bytes, converter: Converter) -> str:
    with pytest.raises(TemplateRejected) as caught:
        check_template(NDA, data, converter)
    return " | ".join(caught.value.problems)


def test_a_good_edit_is_accepted_and_its_sample_prints(converter: Converter) -> None:
    checked = check_template(NDA, edited(), converter)
    assert {"employee_name", "document_id", "known_items"} <= checked.variables
    assert checked.sample_pdf.startswith(b"%PDF-")


def test_the_packaged_templates_pass_the_structural_checks() -> None:
    """Every shipped template would be accepted as its own new version, up to the sample's conversion."""
    from jinja2 import meta

    from documents import TemplateCatalog
    from documents.docx_guard import check_active_content
    from documents.template_check import _plain_problems, _variable_problems, placeholders

    for manifest in TemplateCatalog().all():
        data = manifest.docx_path.read_bytes()
        check_active_content(data)
        tree = placeholders(data)
        assert _plain_problems(tree) == [], manifest.id
        assert _variable_problems(manifest, set(meta.find_undeclared_variables(tree))) == [], manifest.id


def test_an_unknown_variable_is_named(converter: Converter) -> None:
    assert "“spouse_name” is not one of this template's fields" in _refusal(
        edited(extra="配偶：{{ spouse_name }}"), converter)


def test_a_missing_required_variable_is_named(converter: Converter) -> None:
    problems = _refusal(edited(drop="employee_phone"), converter)
    assert "required field “employee_phone” (Employee phone / 员工联系电话) is missing" in problems


@pytest.mark.parametrize("payload", ["{{ ''.__class__ }}", "{{ employee_name.__class__.__mro__ }}",
                                     "{{ cycler.__init__.__globals__ }}", "{{ lipsum() }}",
                                     "{% set x = 1 %}", "{{ employee_name|attr('__class__') }}"])
def test_jinja_beyond_plain_placeholders_is_refused(payload: str, converter: Converter) -> None:
    problems = _refusal(edited(extra=payload), converter)
    assert "attacks on the server" in problems or "may only hold placeholders" in problems \
        or "may not use" in problems or "not one of this template's fields" in problems


def test_a_file_that_is_not_a_docx_is_refused(converter: Converter) -> None:
    assert "is not a DOCX file" in _refusal(b"%PDF-1.7 not a word file", converter)


def test_a_macro_enabled_document_is_refused(converter: Converter) -> None:
    assert "contains macros" in _refusal(with_macro(edited()), converter)


def test_broken_placeholders_are_refused(converter: Converter) -> None:
    assert "not written correctly" in _refusal(edited(extra="{{ employee_name "), converter)


def test_a_hidden_sample_value_is_named(converter: Converter) -> None:
    """The placeholder is there, but inside a branch the sample never takes: its value is not printed."""
    hidden = edited(drop="employee_phone", extra="{% if false %}{{ employee_phone }}{% endif %}")
    assert "the sample value '13906358412' does not appear in the PDF" in _refusal(hidden, converter)
