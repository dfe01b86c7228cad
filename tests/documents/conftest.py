"""A small template built in the test, so the renderer is tested independently of the shipped templates."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from documents.manifest import Manifest, load_manifest
from tools import docx_kit

MANIFEST = """
id = "probe"
title = { zh = "测试协议", en = "Probe agreement" }
default_level = "important"

[[parties]]
role = "company"
label = { zh = "甲方", en = "Party A" }
anchor = "甲方（盖章）："

[[parties]]
role = "employee"
label = { zh = "乙方", en = "Party B" }
anchor = "乙方（签字）："

[[variables]]
name = "employee_name"
type = "string"

[[variables]]
name = "start_date"
type = "date"

[[variables]]
name = "wage"
type = "decimal"
minimum = 0

[[variables]]
name = "months"
type = "integer"
default = 24
maximum = 24

[[variables]]
name = "core_staff"
type = "boolean"
default = false

[[variables]]
name = "items"
type = "list"
required = false
default = []
[[variables.fields]]
name = "name"
type = "string"
[[variables.fields]]
name = "qty"
type = "integer"
minimum = 1
"""


def build_probe_docx(body: str = "{{ employee_name }}") -> bytes:
    doc = docx_kit.new_document()
    docx_kit.title(doc, "测试协议")
    docx_kit.paragraph(doc, "编号：{{ document_id }}，密级：{{ secret_level|level_name }}")
    docx_kit.paragraph(doc, "乙方：" + body)
    docx_kit.paragraph(doc, "自{{ start_date|cn_date }}起，月工资{{ wage|money }}元，期限{{ months }}个月。")
    docx_kit.table(doc, ["名称", "数量"], ["{{ item.name }}", "{{ item.qty }}"], loop="item in items")
    docx_kit.signature_grid(doc, [("甲方（盖章）：", []), ("乙方（签字）：", [])])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture
def probe(tmp_path: Path) -> Manifest:
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (folder / "template.docx").write_bytes(build_probe_docx())
    return load_manifest(folder)


@pytest.fixture
def probe_data() -> dict[str, object]:
    return {"employee_name": "张三", "start_date": "2026-03-01", "wage": "12345.5",
            "items": [{"name": "图纸", "qty": 2}]}
