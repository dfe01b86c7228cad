"""Shared fixtures: one throwaway PKI, one LibreOffice-made Chinese PDF and signed copies per session."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO

import pytest
from pypdf import PdfWriter

from signing import Pki, mark_document
from tests.signing.helpers import ANCHORS, sign_in_order, slots


def _agreement_text() -> str:
    lines = ["商业秘密保护协议（测试）", ""]
    lines += [f"第{i}条 乙方应对甲方的商业秘密承担保密义务，不得向任何第三方披露。" for i in range(1, 60)]
    for anchor in ANCHORS.values():
        lines += ["", anchor, "", "", "", "", ""]
    lines += ["日期：2026年11月21日"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def agreement_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A two-page Chinese agreement converted by LibreOffice with Noto CJK (as production does)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    work = tmp_path_factory.mktemp("lo")
    source = work / "agreement.txt"
    source.write_text(_agreement_text(), encoding="utf-8")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{work}/profile",
            "--headless",
            "--infilter=Text (encoded):UTF8,,,,,",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (work / "agreement.pdf").read_bytes()


@pytest.fixture(scope="session")
def blank_pdf() -> bytes:
    """Two empty A4 pages, made without LibreOffice (fast tests)."""
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(595.28, 841.89)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.open(tmp_path_factory.mktemp("pki") / "pki")


@pytest.fixture(scope="session")
def root_pem(pki: Pki) -> bytes:
    return pki.root_certificate_pem()


@pytest.fixture(scope="session")
def marked_blank(blank_pdf: bytes) -> bytes:
    return mark_document(
        blank_pdf,
        document_id="MB-TEST-1",
        level="important",
        slots=slots("company", "employee", anchored=False),
    )


@pytest.fixture(scope="session")
def signed_blank(marked_blank: bytes, pki: Pki) -> list[bytes]:
    """[after company, after employee] on the fast blank document."""
    return sign_in_order(marked_blank, pki, ["company", "employee"])


@pytest.fixture(scope="session")
def marked_three(agreement_pdf: bytes) -> bytes:
    return mark_document(
        agreement_pdf, document_id="MB-2026-0042", level="core", slots=slots("company", "employee", "witness")
    )


@pytest.fixture(scope="session")
def signed_three(marked_three: bytes, pki: Pki) -> list[bytes]:
    return sign_in_order(marked_three, pki, ["company", "employee", "witness"])
