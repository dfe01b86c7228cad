"""Every agreement end to end: sample data → PDF → signed by every party in order → verified, and poppler agrees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.samples import signer_name
from documents import TemplateCatalog, prepare_agreement
from documents.manifest import Manifest
from signing import Converter, Pki, sign_document, verify_pdf
from tests.conftest import pdf_text, pdfsig_blocks, squeeze

CATALOG = TemplateCatalog()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.open(tmp_path_factory.mktemp("pki"))


@pytest.mark.parametrize("manifest", CATALOG.all(), ids=lambda m: m.id)
def test_signed_by_every_party_and_verified(manifest: Manifest, converter: Converter, pki: Pki,
                                            tmp_path: Path) -> None:
    data = json.loads(manifest.sample_path.read_text(encoding="utf-8"))
    prepared = prepare_agreement(manifest, data, converter=converter, document_id="MB-20261121-E2E00001")
    text = squeeze(pdf_text(prepared.pdf, tmp_path))
    level = {"core": "核心秘密", "important": "重要秘密", "general": "一般秘密"}[prepared.level]
    assert f"密级：{level}" in text and "文档编号：MB-20261121-E2E00001" in text

    pdf = prepared.pdf
    signers = []
    for party in manifest.parties:
        name = signer_name(manifest, party.role, data, "聊城示例轴承有限公司")
        identity = pki.company(name) if party.role == "company" else pki.person(name)
        pdf = sign_document(pdf, pki=pki, identity=identity, field_name=party.role)
        signers.append(name)

    root = pki.root_certificate_pem()
    verdict = verify_pdf(pdf, trust_roots=[root])
    assert verdict.ok, verdict.problems
    signatures = [s for s in verdict.signatures if s.kind == "signature"]
    assert [s.field for s in signatures] == [p.role for p in manifest.parties]
    assert [s.signer for s in signatures] == signers
    assert verdict.signatures[-1].kind == "document_timestamp"

    blocks = pdfsig_blocks(pdf, root, tmp_path)
    assert len(blocks) == len(manifest.parties) + 1
    for block in blocks[:-1]:
        assert "Signature is Valid." in block, block
