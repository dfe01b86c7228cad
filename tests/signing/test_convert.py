"""DOCX → PDF through a real LibreOffice: warm path, restart after a crash, one-shot fallback, clear failures."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from signing import ConversionError, Converter, ConvertOptions
from tests.conftest import pdf_text
from tools import docx_kit


def _docx(text: str = "商业秘密保护 测试文本 喆", paragraphs: int = 1) -> bytes:
    doc = docx_kit.new_document()
    for _ in range(paragraphs):
        docx_kit.paragraph(doc, text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _soffice_pids(profile_root: Path) -> list[int]:
    out = subprocess.run(["pgrep", "-f", f"soffice.*{profile_root}"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_warm_conversion_is_pdfa_with_real_cjk_text(converter: Converter, tmp_path: Path) -> None:
    pdf = converter.convert(_docx())
    assert "商业秘密保护 测试文本 喆" in pdf_text(pdf, tmp_path)
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.get_element("", "http://www.aiim.org/pdfa/ns/id/", "part")  # PDF/A identification present
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4


def test_libreoffice_killed_mid_way_is_restarted(tmp_path: Path) -> None:
    with Converter(ConvertOptions(workdir=tmp_path, warm_instances=1)) as conv:
        conv.convert(_docx())                                   # warm it up
        pids = _soffice_pids(tmp_path)
        assert pids, "LibreOffice should be running"
        big = _docx("很长的段落。" * 200, paragraphs=150)
        killer = threading.Timer(0.2, lambda: [os.kill(p, signal.SIGKILL) for p in pids])
        killer.start()
        pdf = conv.convert(big)                                  # dies mid-way, then restarts or falls back
        killer.join()
        assert pdf.startswith(b"%PDF-")
        assert conv.convert(_docx("之后照常")).startswith(b"%PDF-")


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_one_shot_crash_gives_a_clear_error(tmp_path: Path) -> None:
    opts = ConvertOptions(workdir=tmp_path, warm_instances=0, soffice=_fake_soffice(tmp_path, "kill -9 $$"))
    with Converter(opts) as conv, pytest.raises(ConversionError, match="killed by signal 9"):
        conv.convert(_docx())


def test_one_shot_hang_is_stopped_by_the_timeout(tmp_path: Path) -> None:
    opts = ConvertOptions(workdir=tmp_path, warm_instances=0, timeout_s=1,
                          soffice=_fake_soffice(tmp_path, "sleep 30"))
    with Converter(opts) as conv, pytest.raises(ConversionError, match="within 1 s"):
        conv.convert(_docx())


def test_missing_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with Converter(ConvertOptions(workdir=tmp_path, warm_instances=0)) as conv, \
            pytest.raises(ConversionError, match="not installed"):
        conv.convert(_docx())


def test_a_warm_libreoffice_is_replaced_after_restart_after_conversions(tmp_path: Path) -> None:
    """Its memory grows with every document: after ``restart_after`` conversions a fresh LibreOffice is started
    beside it and takes its place, and the old one is stopped."""
    with Converter(ConvertOptions(workdir=tmp_path, warm_instances=1, restart_after=2)) as conv:
        conv.convert(_docx())
        first = set(_soffice_pids(tmp_path))
        assert first, "LibreOffice should be running"
        assert conv.restarts == 0
        conv.convert(_docx())                                   # the second: a fresh one is started beside it
        deadline = time.monotonic() + 120
        while conv.restarts == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert conv.restarts == 1
        assert conv.convert(_docx("换新之后照常")).startswith(b"%PDF-")
        now = set(_soffice_pids(tmp_path))
        assert now, "the fresh LibreOffice should be running"
        assert not now & first, "the old LibreOffice should have been stopped"
    assert not _soffice_pids(tmp_path)


def test_restart_after_zero_never_replaces(tmp_path: Path) -> None:
    with Converter(ConvertOptions(workdir=tmp_path, warm_instances=1, restart_after=0)) as conv:
        for _ in range(3):
            conv.convert(_docx())
        assert conv.restarts == 0
