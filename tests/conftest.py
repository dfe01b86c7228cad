"""Shared fixtures: a throwaway instance folder and one warm LibreOffice for the whole run."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from signing import Converter, ConvertOptions


@pytest.fixture(scope="session")
def converter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Converter]:
    with Converter(ConvertOptions(workdir=tmp_path_factory.mktemp("lo"), warm_instances=1)) as conv:
        yield conv


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text poppler reads from ``pdf`` (an independent reader, not our own code)."""
    src = tmp_path / "text-check.pdf"
    src.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(src), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def squeeze(text: str) -> str:
    """Drop all white space: line wrapping and justification spacing differ between renderers."""
    return re.sub(r"\s+", "", text)
