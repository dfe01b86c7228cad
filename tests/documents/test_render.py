"""Rendering is sandboxed, escapes values and refuses unsafe or broken DOCX input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from documents import RenderError, TemplateInputError, render_docx, validate_data
from documents.manifest import Manifest
from signing import Converter
from tests.conftest import pdf_text, squeeze
from tests.documents.conftest import build_probe_docx

HOSTILE = "<b>粗体</b> & {{7*7}} {% raw %} 喆"


def _docx_text(docx: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)


def test_values_come_out_literally(probe: Manifest, probe_data: dict[str, object]) -> None:
    ctx = validate_data(probe, {**probe_data, "employee_name": HOSTILE})
    ctx["document_id"] = "MB-TEST-1"
    text = _docx_text(render_docx(probe.docx_path.read_bytes(), ctx))
    assert f"乙方：{HOSTILE}" in text
    assert "49" not in text
    assert "编号：MB-TEST-1，密级：重要秘密" in text
    assert "自2026年3月1日起，月工资12,345.50元，期限24个月。" in text


def test_hostile_values_survive_into_the_pdf(probe: Manifest, probe_data: dict[str, object],
                                             converter: Converter, tmp_path: Path) -> None:
    long_name = "欧阳" + "喆" * 198
    ctx = validate_data(probe, {**probe_data, "employee_name": HOSTILE,
                                "items": [{"name": long_name, "qty": 3}, {"name": "A&B<C>", "qty": 1}]})
    ctx["document_id"] = "MB-TEST-2"
    text = squeeze(pdf_text(converter.convert(render_docx(probe.docx_path.read_bytes(), ctx)), tmp_path))
    for expected in (HOSTILE, long_name, "A&B<C>", "MB-TEST-2"):
        assert squeeze(expected) in text


def test_template_code_cannot_reach_python(probe: Manifest, probe_data: dict[str, object]) -> None:
    evil = build_probe_docx("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    ctx = validate_data(probe, probe_data) | {"document_id": "X"}
    with pytest.raises(TemplateInputError, match="unsafe operation"):
        render_docx(evil, ctx)


def test_missing_placeholder_value_is_an_error_not_a_blank(probe: Manifest, probe_data: dict[str, object]) -> None:
    ctx = validate_data(probe, probe_data) | {"document_id": "X"}
    with pytest.raises(RenderError, match="does not provide"):
        render_docx(build_probe_docx("{{ spouse_name }}"), ctx)


def test_jinja_syntax_error_is_reported(probe: Manifest, probe_data: dict[str, object]) -> None:
    ctx = validate_data(probe, probe_data) | {"document_id": "X"}
    with pytest.raises(TemplateInputError, match="Jinja syntax error"):
        render_docx(build_probe_docx("{{ employee_name "), ctx)


def test_not_a_docx() -> None:
    with pytest.raises(TemplateInputError, match="not a zip archive"):
        render_docx(b"%PDF-1.7 definitely not a docx", {})


def test_zip_without_word_document() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(TemplateInputError, match=r"word/document\.xml is missing"):
        render_docx(buf.getvalue(), {})


def test_zip_bomb_rejected_before_decompressing() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document/>")
        z.writestr("word/media/bomb.bin", b"\0" * (300 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(TemplateInputError, match="zip bomb"):
        render_docx(data, {})


def test_xml_entities_refused(probe: Manifest) -> None:
    src = zipfile.ZipFile(io.BytesIO(probe.docx_path.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
            out.writestr(info, data)
    with pytest.raises(TemplateInputError, match="DOCTYPE"):
        render_docx(buf.getvalue(), {})


def test_truncated_docx() -> None:
    data = build_probe_docx()
    with pytest.raises(TemplateInputError):
        render_docx(data[: len(data) // 2], {})
