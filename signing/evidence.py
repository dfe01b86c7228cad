# mypy: disallow-untyped-calls=False
# (pyHanko ships py.typed but leaves many helpers unannotated; calling them is fine here.)
"""The evidence an agreement carries: an evidence page and the files it was made from, before any signature.

:func:`attach_evidence` adds, as one incremental update on top of the converter's PDF (like :mod:`signing.mark`):

* an A4 evidence page after the last page: document id, template, secrecy level, the SHA-256 of the fill data
  and of the source DOCX, when and by which process instance it was prepared, and who is expected to sign in
  which order — real text, drawn with a subset of the CJK face like the page marks;
* three embedded files in the PDF/A-3 manner (``/EmbeddedFiles`` name tree, catalog ``/AF``, each with
  ``/AFRelationship``, a MIME ``/Subtype`` and ``/Params`` with size, MD5 and dates): ``source.docx`` (the filled
  DOCX, ``/Source``), ``fill-data.json`` (the validated data as canonical JSON, ``/Data``) and
  ``preparation.json`` (what the preparation knows: who, when, what, ``/Data``).

The file makes no PDF/A-3 conformance claim: LibreOffice writes PDF/A-2b, but pyHanko's incremental writer
(already in the marking step) replaces the XMP packet, so the ``pdfaid`` identification is gone before this
module runs; the attachments follow the PDF/A-3 rules so that a claim could be added once a validator checks it.

Call it before :func:`signing.mark_document`, so the evidence page gets the level mark and the page footer like
every other page: the first signature certifies with DocMDP FILL_FORMS, after which nothing but form filling,
signatures, DSS and document timestamps may be added. Every signature and the final document timestamp cover
the page and the files; :func:`signing.verify_pdf` lists the files of the signed revision.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from records.levels import LEVEL_NAMES

from . import fonts
from .errors import PdfInputError, SigningError
from .pdfio import open_pdf

__all__ = [
    "DATA_NAME",
    "DOCX_MIME",
    "PREPARATION_NAME",
    "SOURCE_NAME",
    "EvidenceMeta",
    "ExpectedSigner",
    "attach_evidence",
    "canonical_json",
]

SOURCE_NAME = "source.docx"
DATA_NAME = "fill-data.json"
PREPARATION_NAME = "preparation.json"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_JSON_MIME = "application/json"
_SHANGHAI = ZoneInfo("Asia/Shanghai")
_A4 = (595.28, 841.89)
_FONT = "/MibaoEvidence"
# Text that differs between documents of one template without being data: with it always in the common font,
# that font is the same for every document of a template (one made per template and process).
_VARIANTS = "流程实例；预期签署人在时确认" + "".join(LEVEL_NAMES.values())
_LEFT, _RIGHT, _VALUE_X = 56.0, 56.0, 170.0


@dataclass(frozen=True)
class ExpectedSigner:
    """One party in signing order; ``name`` is who is expected to sign, when the fill data says so."""

    role: str
    label: str
    name: str | None = None


def _this_process() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


@dataclass(frozen=True)
class EvidenceMeta:
    """What the preparation knows besides the files: ``prepared_at`` must carry a time zone."""

    document_id: str
    template_id: str
    template_version: int
    title: str
    level: str  # core | important | general
    prepared_at: dt.datetime
    parties: Sequence[ExpectedSigner]
    instance_id: int | None = None  # the process instance the agreement belongs to, if any
    prepared_by: str = field(default_factory=_this_process)  # host and OS process that prepared it


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no insignificant white space; dates as ISO 8601, decimals as strings."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_jsonable,
                      allow_nan=False).encode("utf-8")


def attach_evidence(pdf: bytes, *, docx: bytes, data: Mapping[str, Any], meta: EvidenceMeta) -> bytes:
    """Return ``pdf`` with the evidence page and the three embedded files, as one incremental update."""
    _check(meta)
    reader = open_pdf(pdf)
    if any(True for _ in fields.enumerate_sig_fields(reader, filled_status=True)):
        raise PdfInputError("the PDF is already signed; adding evidence would break the signatures")
    data_json = canonical_json(dict(data))
    preparation = canonical_json(_preparation(meta, docx, data_json))
    files = [
        _File(DATA_NAME, data_json, _JSON_MIME, "/Data", "填写数据（校验后的规范化 JSON）/ validated fill data"),
        _File(PREPARATION_NAME, preparation, _JSON_MIME, "/Data", "生成记录 / preparation record"),
        _File(SOURCE_NAME, docx, DOCX_MIME, "/Source", "源文件（填写后的 DOCX）/ filled source document"),
    ]
    try:
        writer = IncrementalPdfFileWriter.from_reader(reader)
        _add_page(writer, _page_lines(meta, files), [p.name for p in meta.parties if p.name])
        _embed(writer, files, meta.prepared_at)
        out = BytesIO()
        writer.write(out)
        return out.getvalue()
    except SigningError:
        raise
    except Exception as exc:  # pyHanko/fontTools raise many types on damaged input; callers need one
        raise PdfInputError(f"cannot add the evidence to the PDF: {type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class _File:
    name: str
    data: bytes
    mime: str
    relationship: str
    description: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _check(meta: EvidenceMeta) -> None:
    if meta.level not in LEVEL_NAMES:
        raise SigningError(f"unknown secrecy level {meta.level!r}; use one of {', '.join(LEVEL_NAMES)}")
    if meta.prepared_at.tzinfo is None:
        raise SigningError("prepared_at needs a time zone: a time without one is ambiguous evidence")
    if not meta.parties:
        raise SigningError("the evidence needs at least one party expected to sign")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


@lru_cache(maxsize=1)
def _software() -> str:
    try:
        from importlib.metadata import version

        return f"mibao {version('mibao')}"
    except Exception:
        return "mibao"


def _preparation(meta: EvidenceMeta, docx: bytes, data_json: bytes) -> dict[str, Any]:
    return {
        "kind": "mibao.preparation",
        "version": 1,
        "document_id": meta.document_id,
        "template": {"id": meta.template_id, "version": meta.template_version, "title": meta.title},
        "secret_level": meta.level,
        "prepared_at": meta.prepared_at.isoformat(),
        "prepared_by": {"instance_id": meta.instance_id, "process": meta.prepared_by, "software": _software()},
        "steps": ["validate fill data", "render DOCX", "convert to PDF/A", "add evidence", "mark level and fields"],
        "parties": [{"order": i, "role": p.role, "label": p.label, "expected_signer": p.name}
                    for i, p in enumerate(meta.parties, start=1)],
        "files": {
            SOURCE_NAME: {"sha256": hashlib.sha256(docx).hexdigest(), "size": len(docx)},
            DATA_NAME: {"sha256": hashlib.sha256(data_json).hexdigest(), "size": len(data_json)},
        },
    }


# --- the page ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    label: str
    value: str
    size: float = 9.5
    gap: float = 5.0  # extra space before the line
    column: bool = False  # an unlabelled line that continues the value column


def _page_lines(meta: EvidenceMeta, files: list[_File]) -> list[_Line]:
    moment = meta.prepared_at.astimezone(_SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    by = f"流程实例 {meta.instance_id}；" if meta.instance_id is not None else ""
    by += f"进程 {meta.prepared_by}；{_software()}"
    lines = [
        _Line("#", "签署证据页", size=16, gap=0),
        _Line("", "本页与所附文件在任何一方签署之前生成，受各方签名和最终文档时间戳保护；"
                  "任何改动都会使签名验证失败。", size=8.5, gap=6),
        _Line("#", "文档", size=11, gap=14),
        _Line("文档编号", meta.document_id),
        _Line("模板", f"{meta.template_id}（第 {meta.template_version} 版）《{meta.title}》"),
        _Line("密级", LEVEL_NAMES[meta.level]),
        _Line("生成时间", f"{moment}（北京时间，UTC+08:00）"),
        _Line("生成者", by),
        _Line("#", "签署方（按签署顺序）", size=11, gap=14),
    ]
    for number, party in enumerate(meta.parties, start=1):
        who = f"预期签署人 {party.name}" if party.name else "签署人在签署时确认"
        lines.append(_Line(f"{number}. {party.label}", f"{who}（字段 {party.role}）"))
    lines += [
        _Line("#", "摘要（SHA-256）", size=11, gap=14),
        _Line("填写数据", files[0].sha256, size=9),
        _Line("源文件 DOCX", hashlib.sha256(files[2].data).hexdigest(), size=9),
        _Line("#", "附件（PDF/A-3 嵌入文件）", size=11, gap=14),
    ]
    for item in sorted(files, key=lambda f: f.name):
        lines.append(_Line(item.name, f"{item.description}，{len(item.data)} 字节"))
        lines.append(_Line("", f"SHA-256 {item.sha256}", size=8.5, gap=1, column=True))
    lines.append(_Line("", "核对方法：在密保的验证页面上传签署完成的 PDF，页面列出各附件的 SHA-256，"
                           "应与本页一致；附件也可在 PDF 阅读器的附件面板中打开。", size=8.5, gap=14))
    return lines


def _page_fonts(lines: list[_Line], names: Sequence[str]) -> fonts.TextFonts:
    """A font for what repeats between documents (labels, headings, the template's strings, ASCII) and one for
    each signer name with characters that font lacks; all made once per process."""
    text = "".join(line.label + line.value for line in lines)
    for name in names:
        text = text.replace(name, "")
    return fonts.TextFonts(_FONT, fonts.ASCII + _VARIANTS + text, names)


def _add_page(writer: IncrementalPdfFileWriter, lines: list[_Line], names: Sequence[str]) -> None:
    page_fonts = _page_fonts(lines, names)
    width = page_fonts.width
    ops = [b"q 0.1 0.1 0.1 rg"]
    y = _A4[1] - 72
    for line in lines:
        size = line.size
        y -= line.gap
        if line.label == "#":  # a heading: the whole width, bold by a thin stroke
            y -= size * 1.3
            ops.append(_show(page_fonts, line.value, _LEFT, y, size, render_mode=2))
            if size < 16:
                ops.append(f"0.6 G 0.5 w {_LEFT:.2f} {y - 4:.2f} m {_A4[0] - _RIGHT:.2f} {y - 4:.2f} l S".encode())
            continue
        x = _VALUE_X if line.label or line.column else _LEFT
        if line.label and width(line.label, size) > _VALUE_X - _LEFT - 6:
            y -= size * 1.45  # a long label (a party) gets the line to itself
            ops.append(_show(page_fonts, line.label, _LEFT, y, size))
            x = _LEFT + 24
        elif line.label:
            ops.append(_show(page_fonts, line.label, _LEFT, y - size * 1.45, size, gray=0.35))
        for part in _wrap(line.value, _A4[0] - _RIGHT - x, size, page_fonts.advance):
            y -= size * 1.45
            ops.append(_show(page_fonts, part, x, y, size))
        if y < 60:
            raise SigningError("the evidence does not fit on one page (too many parties or very long names)")
    ops.append(b"Q")
    stream = generic.StreamObject(stream_data=b"\n".join(ops))
    stream.compress()
    embedded = page_fonts.embed(writer)
    resources = generic.DictionaryObject({pdf_name("/Font"): generic.DictionaryObject(
        {pdf_name(name): ref for name, ref in embedded.items()})})
    page = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Page"),
        pdf_name("/MediaBox"): generic.ArrayObject([generic.FloatObject(0), generic.FloatObject(0),
                                                    generic.FloatObject(_A4[0]), generic.FloatObject(_A4[1])]),
        pdf_name("/Resources"): resources,
        pdf_name("/Contents"): writer.add_object(stream),
    })
    writer.insert_page(page)


def _show(page_fonts: fonts.TextFonts, text: str, x: float, y: float, size: float, *, gray: float = 0.1,
          render_mode: int = 0) -> bytes:
    stroke = f" 0.25 w {gray:.2f} G" if render_mode == 2 else ""
    return page_fonts.show(text, x, y, size, f"{gray:.2f} g{stroke} {render_mode} Tr")


def _wrap(text: str, limit: float, size: float, advance: Callable[[str], float]) -> list[str]:
    """Greedy line breaking by characters (Chinese breaks anywhere; hashes and ids are short enough)."""
    parts, current, used = [], "", 0.0
    for char in text:
        width = advance(char) * size
        if current and used + width > limit:
            parts.append(current)
            current = char.lstrip()
            used = width if current else 0.0
        else:
            current += char
            used += width
    return [*parts, current] if current else parts or [""]


# --- the files -----------------------------------------------------------------------------------------

def _embed(writer: IncrementalPdfFileWriter, files: list[_File], when: dt.datetime) -> None:
    """The name tree and ``/AF`` written directly: pyHanko's ``embed_file`` would raise the catalog's
    ``/Version`` to 2.0, which a PDF/A-3 (PDF 1.7 based) file must not claim."""
    root = writer.root
    existing = "/Names" in root
    names = root["/Names"] if existing else None  # ``get`` would not dereference
    if names is None:
        names = generic.DictionaryObject()
        root[pdf_name("/Names")] = writer.add_object(names)
    elif "/EmbeddedFiles" in names:
        raise PdfInputError("the PDF already has embedded files; evidence is added to converter output only")
    params = EmbeddedFileParams(creation_date=when, modification_date=when)
    entries: list[tuple[str, generic.IndirectObject]] = []
    for item in files:
        # A DOCX is a zip, compressed already: a second Flate pass would cost a millisecond to save 6 %.
        stream = EmbeddedFileObject.from_file_data(writer, item.data, compress=item.mime != DOCX_MIME,
                                                   params=params, mime_type=item.mime)
        spec = FileSpec(file_spec_string=item.name, file_name=item.name, embedded_data=stream,
                        description=item.description, af_relationship=pdf_name(item.relationship))
        entries.append((item.name, writer.add_object(spec.as_pdf_object())))
    entries.sort(key=lambda entry: entry[0])  # a name tree's keys are sorted
    tree = generic.ArrayObject()
    for name, ref in entries:
        tree += [generic.pdf_string(name), ref]
    names[pdf_name("/EmbeddedFiles")] = writer.add_object(generic.DictionaryObject({pdf_name("/Names"): tree}))
    root[pdf_name("/AF")] = writer.add_object(generic.ArrayObject(ref for _, ref in entries))
    if existing and isinstance(root.raw_get("/Names"), generic.IndirectObject):
        writer.update_container(names)
    writer.update_root()
