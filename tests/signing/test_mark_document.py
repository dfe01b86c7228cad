"""mark_document: level and footer on every page (read back by poppler), fields placed and labelled."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from signing import FontCoverageError, PdfInputError, SignatureSlot, SigningError, mark_document
from signing.anchors import find_last
from tests.signing.helpers import ANCHORS, LABELS, slots


def _page_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    src = tmp_path / "marked.pdf"
    src.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(src), "-"], check=True, capture_output=True
    ).stdout.decode()
    return [page for page in text.split("\f") if page.strip()]


def _widgets(pdf: bytes) -> dict[str, tuple[int, list[float], str, dict[str, object]]]:
    reader = PdfReader(BytesIO(pdf))
    found = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig":
                lock = widget["/Lock"].get_object()
                found[str(widget["/T"])] = (
                    index,
                    [float(v) for v in widget["/Rect"]],
                    str(widget["/TU"]),
                    lock,
                )
    return found


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.slow
def test_every_page_has_level_and_footer(marked_three: bytes, tmp_path: Path) -> None:
    pages = _page_texts(marked_three, tmp_path)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        squeezed = "".join(text.split())
        assert "密级：核心秘密" in squeezed
        assert f"文档编号：MB-2026-0042第{number}页/共{len(pages)}页" in squeezed


@pytest.mark.parametrize(
    ("level", "text"), [("core", "核心秘密"), ("important", "重要秘密"), ("general", "一般秘密")]
)
def test_levels(blank_pdf: bytes, tmp_path: Path, level: str, text: str) -> None:
    marked = mark_document(blank_pdf, document_id="A-1", level=level, slots=slots("company", anchored=False))
    for page in _page_texts(marked, tmp_path):
        assert f"密级：{text}" in page


@pytest.mark.slow
def test_fields_follow_their_anchors(marked_three: bytes) -> None:
    widgets = _widgets(marked_three)
    assert set(widgets) == {"company", "employee", "witness"}
    anchors = find_last(marked_three, ANCHORS.values())
    for name, (page, rect, label, lock) in widgets.items():
        anchor = anchors[ANCHORS[name]]
        assert label == LABELS[name]
        assert page == anchor.page
        assert rect[2] - rect[0] == 170 and rect[3] - rect[1] == 60
        assert rect[0] >= anchor.x1 - 1  # right of the anchor text
        assert rect[1] <= anchor.y1 + 10 and rect[3] >= anchor.y0  # on its line, growing downwards
        assert lock["/Action"] == "/Exclude" and name not in list(lock["/Fields"])
    rects = [w[1] for w in widgets.values()]
    assert not any(_overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def test_fallback_row_without_anchors(blank_pdf: bytes) -> None:
    marked = mark_document(
        blank_pdf,
        document_id="A-2",
        level="general",
        slots=[
            *slots("company", "employee", "witness", anchored=False),
            SignatureSlot("auditor", "审计方", anchor="（不存在的锚点）"),
        ],
    )
    widgets = _widgets(marked)
    assert len(widgets) == 4
    rects = [w[1] for w in widgets.values()]
    assert all(w[0] == 1 for w in widgets.values())  # the last page
    assert not any(_overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    assert all(r[1] >= 36 and r[2] <= 595.28 for r in rects)  # above the footer, on the page


def test_single_slot_locks_everything(blank_pdf: bytes) -> None:
    marked = mark_document(blank_pdf, document_id="A-3", level="core", slots=slots("company", anchored=False))
    assert _widgets(marked)["company"][3]["/Action"] == "/All"


def test_rejects_bad_input(blank_pdf: bytes, signed_blank: list[bytes]) -> None:
    with pytest.raises(PdfInputError, match="not a PDF"):
        mark_document(b"hello", document_id="x", level="core", slots=slots("company"))
    with pytest.raises(PdfInputError, match="already signed"):
        mark_document(signed_blank[0], document_id="x", level="core", slots=slots("company"))
    with pytest.raises(SigningError, match="unknown secrecy level"):
        mark_document(blank_pdf, document_id="x", level="top", slots=slots("company"))
    with pytest.raises(FontCoverageError, match="U\\+20000"):
        mark_document(
            blank_pdf, document_id="x", level="core", slots=[SignatureSlot("company", "甲方\U00020000")]
        )


def test_rejects_encrypted(blank_pdf: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(blank_pdf)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    out = BytesIO()
    writer.write(out)
    with pytest.raises(PdfInputError, match="encrypted"):
        mark_document(out.getvalue(), document_id="x", level="core", slots=slots("company"))
