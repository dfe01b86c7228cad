"""Check a company's own version of an agreement template (a DOCX edited in Word) before it is accepted.

The checks run in order and each problem is named in words a secrecy officer can act on: the file is a safe
DOCX (``docx_guard``: sizes, XML entities, macros, external references); its placeholders are exactly the
manifest's variables and its Jinja is plain (names, loops, conditions, our filters — no calls, no ``_`` names);
and its sample data renders, converts to PDF with LibreOffice and prints every sample value in glyphs the fonts
have. Nothing is stored here: the caller keeps the version only when :func:`check_template` returns.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import meta, nodes
from pypdf import PdfReader

from documents.data import validate_data
from documents.docx_guard import check_active_content, check_docx
from documents.errors import DataError, DocumentError, TemplateInputError
from documents.manifest import Manifest
from documents.render import _SANDBOX, _Template, render_docx
from signing import ConversionError, Converter, FontCoverageError
from signing.fonts import check_coverage

__all__ = ["SYSTEM_VARIABLES", "TemplateRejected", "check_template", "placeholders"]

SYSTEM_VARIABLES = frozenset({"document_id", "secret_level"})    # filled by mibao, not by the manifest's data
SAMPLE_DOCUMENT_ID = "MB-00000000-TEMPLATE"
_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
# What a template's Jinja may contain; anything else (calls, macros, imports, assignments …) is refused.
_PLAIN = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.For, nodes.If,
          nodes.Filter, nodes.Test, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Concat,
          nodes.CondExpr, nodes.List, nodes.Tuple, nodes.Getattr, nodes.Getitem, nodes.Neg, nodes.Add,
          nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Keyword, nodes.Pos,
          nodes.Dict, nodes.Pair)
_FILTERS = frozenset({"cn_date", "money", "level_name", "yes_no", "default", "upper", "lower", "trim", "length",
                      "join", "first", "last", "string", "int", "round", "replace", "title", "capitalize", "sum",
                      "max", "min", "abs", "count", "list"})


class TemplateRejected(DocumentError):
    """The uploaded DOCX was refused; ``problems`` says each reason and what to do about it."""

    def __init__(self, template_id: str, problems: list[str]) -> None:
        self.template_id = template_id
        self.problems = problems
        super().__init__(f"the new version of template {template_id!r} was refused: " + "; ".join(problems))


@dataclass(frozen=True)
class CheckedTemplate:
    """A DOCX that passed every check, with the PDF its sample made (for the officer to look at)."""

    variables: frozenset[str]
    sample_pdf: bytes


def placeholders(data: bytes) -> nodes.Template:
    """The Jinja of the document's body, headers and footers as docxtpl sees it, parsed (not compiled)."""
    template = _Template(io.BytesIO(data))
    template.init_docx()
    source = template.patch_xml(template.get_xml())
    part = template.docx.part
    for rel in part.rels.values():
        if rel.reltype in (_HEADER, _FOOTER) and not rel.is_external:
            source += template.patch_xml(rel.target_part.blob.decode("utf-8"))
    return _SANDBOX.parse(source)


def _plain_problems(tree: nodes.Template) -> list[str]:
    problems: list[str] = []
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _PLAIN):
            what = "a function call" if isinstance(node, nodes.Call) else f"a {type(node).__name__} statement"
            problems.append(f"the document contains {what}; a template may only hold placeholders such as "
                            "{{ employee_name }}, {% for %} and {% if %} — remove it in Word")
        elif isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Keyword):
            key = node.attr if isinstance(node, nodes.Getattr) else getattr(
                node.arg if isinstance(node, nodes.Getitem) else node.value, "value", "")
            if isinstance(key, str) and key.startswith("_"):
                problems.append(f"the document reaches into “{key}”, which is how attacks on the server begin; "
                                "it was refused — keep to plain placeholders")
        elif isinstance(node, nodes.Filter) and node.name not in _FILTERS:
            problems.append(f"the document uses the filter “{node.name}”, which templates may not use; "
                            f"use one of {', '.join(sorted(_FILTERS))}")
    return sorted(set(problems))


def _variable_problems(manifest: Manifest, found: set[str]) -> list[str]:
    declared = {v.name for v in manifest.variables}
    problems = [f"the placeholder “{name}” is not one of this template's fields; correct its spelling or remove "
                f"it (the fields are: {', '.join(sorted(declared | SYSTEM_VARIABLES))})"
                for name in sorted(found - declared - SYSTEM_VARIABLES)]
    problems += [f"the required field “{v.name}” ({v.label.get('en', v.name)} / {v.label.get('zh', v.name)}) "
                 f"is missing from the document; put {{{{ {v.name} }}}} back where it belongs"
                 for v in manifest.variables if v.required and not v.has_default and v.name not in found]
    return problems


def _sample_context(manifest: Manifest) -> dict[str, Any]:
    raw = json.loads(manifest.sample_path.read_text(encoding="utf-8"))
    return validate_data(manifest, raw) | {"document_id": SAMPLE_DOCUMENT_ID}


def _printed_values(manifest: Manifest, context: dict[str, Any]) -> list[str]:
    """The sample's single values that must appear as they are: text fields and the document id."""
    values = [context["document_id"]]
    for var in manifest.variables:
        value = context.get(var.name)
        if var.type in ("string", "text") and isinstance(value, str) and value.strip():
            values.append(value)
    return values


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _sample_problems(manifest: Manifest, data: bytes, converter: Converter) -> tuple[list[str], bytes]:
    context = _sample_context(manifest)
    try:
        docx = render_docx(data, context, name=f"{manifest.id} (new version)")
        pdf = converter.convert(docx)
    except (DocumentError, DataError) as exc:
        return [f"the sample agreement could not be filled: {exc}"], b""
    except ConversionError as exc:
        return [f"LibreOffice could not turn the sample agreement into a PDF ({exc}); open the file in Word, "
                "save it again as .docx and upload that"], b""
    text = _squeeze("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))
    problems = []
    for value in _printed_values(manifest, context):
        try:
            check_coverage(value)
        except FontCoverageError as exc:
            problems.append(f"the fonts cannot print the sample value {value!r}: {exc}")
        if _squeeze(value) not in text:
            problems.append(f"the sample value {value!r} does not appear in the PDF; check that its placeholder "
                            "is not hidden (white text, a deleted paragraph, a text box) and upload again")
    return problems, pdf


def check_template(manifest: Manifest, data: bytes, converter: Converter) -> CheckedTemplate:
    """Return the checked template or raise :class:`TemplateRejected` naming every problem found."""
    try:
        check_docx(data, "the uploaded file")
        check_active_content(data, "the uploaded file")
        tree = placeholders(data)
    except TemplateInputError as exc:
        raise TemplateRejected(manifest.id, [str(exc)]) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateRejected(manifest.id, [f"a placeholder is not written correctly near line {exc.lineno} "
                                             f"({exc.message}); check the {{{{ }}}} and {{% %}} in Word"]) from None
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise TemplateRejected(manifest.id, [f"the Word document is damaged ({exc}); save it again and upload "
                                             "that"]) from None
    found = set(meta.find_undeclared_variables(tree))
    problems = _plain_problems(tree) + _variable_problems(manifest, found)
    if problems:
        raise TemplateRejected(manifest.id, problems)
    problems, pdf = _sample_problems(manifest, data, converter)
    if problems:
        raise TemplateRejected(manifest.id, problems)
    return CheckedTemplate(variables=frozenset(found), sample_pdf=pdf)
