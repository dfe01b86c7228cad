"""Company versions of the packaged NDA, made as an officer would in Word (edited with python-docx)."""

from __future__ import annotations

import io
import zipfile

import docx

from documents import TemplateCatalog

NDA = TemplateCatalog().get("nda")
NEW_SENTENCE = "本公司自行修订的保密条款第九条仅供测试"


def edited(change: str = NEW_SENTENCE, *, extra: str | None = None, drop: str | None = None) -> bytes:
    """The packaged NDA with its closing line replaced by ``change``; ``extra`` appended as a paragraph;
    paragraphs holding the placeholder ``drop`` removed."""
    document = docx.Document(io.BytesIO(NDA.docx_path.read_bytes()))
    for paragraph in document.paragraphs:
        if paragraph.text == "（以下无正文）":
            paragraph.runs[0].text = change
        if drop and f"{{{{ {drop} }}}}" in paragraph.text:
            paragraph._element.getparent().remove(paragraph._element)
    if extra is not None:
        document.add_paragraph(extra)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_macro(data: bytes) -> bytes:
    """``data`` with a VBA project added, as Word saves a macro-enabled document."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 512)
    return out.getvalue()
