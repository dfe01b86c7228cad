"""The public attack corpus: clean not-ok verdicts, manipulations seen as changes, DoS files bounded."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest

from signing import PdfInputError, SignatureSlot, mark_document, verify_pdf

# CI clones the repository with shared/ beside it; MIBAO_ATTACK_CORPUS points elsewhere.
CORPUS = Path(os.environ.get("MIBAO_ATTACK_CORPUS")
              or Path(__file__).resolve().parents[3] / "shared" / "attack-corpus")
SIGNED = sorted((CORPUS / "signed").glob("*.pdf"))
DOS = sorted((CORPUS / "dos").glob("*.pdf"))
_CHANGE_WORDS = ("changed after", "altered", "could not be checked", "damaged", "does not cover")



def test_corpus_is_present() -> None:
    assert SIGNED and DOS, f"the attack corpus is missing at {CORPUS}; set MIBAO_ATTACK_CORPUS"


@pytest.mark.parametrize("path", SIGNED, ids=lambda p: p.name[-60:])
def test_signed_samples(path: Path, root_pem: bytes) -> None:
    verdict = verify_pdf(path.read_bytes(), trust_roots=[root_pem])
    assert not verdict.ok  # foreign keys: never trusted
    assert verdict.problems
    if "manipulat" in path.name:
        assert any(word in p for p in verdict.problems for word in _CHANGE_WORDS), verdict.problems


@pytest.mark.parametrize("path", DOS, ids=lambda p: p.name)
def test_dos_samples_end_quickly(path: Path, root_pem: bytes) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    verdict = verify_pdf(path.read_bytes(), trust_roots=[root_pem])
    assert time.perf_counter() - started <= 2
    assert not verdict.ok and verdict.problems
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 512 * 1024  # KiB


@pytest.mark.slow
@pytest.mark.parametrize("path", DOS, ids=lambda p: p.name)
def test_marking_dos_samples_is_bounded(path: Path) -> None:
    """Marking reads the file with pyHanko and poppler: it must end quickly with output or PdfInputError."""
    started = time.perf_counter()
    try:
        marked = mark_document(
            path.read_bytes(),
            document_id="x",
            level="core",
            slots=[SignatureSlot("company", "甲方", anchor="甲方（盖章）：")],
        )
        assert marked.startswith(b"%PDF")
    except PdfInputError:
        pass
    assert time.perf_counter() - started <= 5
