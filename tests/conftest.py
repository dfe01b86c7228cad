"""Shared fixtures: a throwaway instance folder and one warm LibreOffice for the whole run."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from signing import Converter, ConvertOptions
from tests.cli_support import Runner, cli_runner

# Most tests sign in with a password alone, as HR or the committee; the second step, required for those roles by
# default, is tested where it is the subject (tests/web/test_two_factor.py), which sets its own roles. Set before
# any app is made, and inherited by the servers and CLI processes the tests start.
os.environ.setdefault("MIBAO_2FA_ROLES", "none")


@pytest.fixture
def run(tmp_path: Path) -> Runner:
    """The `mibao` command on a throwaway instance (tests.cli_support)."""
    return cli_runner(tmp_path)


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


def pdfsig_blocks(pdf: bytes, root_pem: bytes, tmp_path: Path) -> list[str]:
    """poppler's report per signature, with our root trusted in a throwaway NSS database.

    Use it only as a digest cross-check (PITFALLS: poppler 22.12 misjudges certificates and incremental
    updates); the verdict comes from our verifier.
    """
    nss = tmp_path / "nss"
    nss.mkdir(exist_ok=True)
    (tmp_path / "root.pem").write_bytes(root_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-n", "root", "-t", "C,C,C", "-i", str(tmp_path / "root.pem"),
                    "-d", f"sql:{nss}"], check=True, capture_output=True)
    target = tmp_path / "pdfsig-check.pdf"
    target.write_bytes(pdf)
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", "-no-ocsp", str(target)],
                         capture_output=True, text=True).stdout
    return re.split(r"Signature #\d+:", out)[1:]
