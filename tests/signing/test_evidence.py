"""The evidence an agreement carries: the evidence page, the three embedded files, and what verification says.

The files are read back with pypdf and poppler (independent of the pyHanko code that wrote them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from cli.samples import signer_name
from documents import PreparedAgreement, TemplateCatalog, prepare_agreement
from documents.manifest import Manifest
from signing import (
    Converter,
    EvidenceMeta,
    ExpectedSigner,
    PdfInputError,
    Pki,
    SigningError,
    Verdict,
    attach_evidence,
    sign_document,
    verify_pdf,
)
from tests.conftest import pdf_text, pdfsig_blocks, squeeze

DOCUMENT_ID = "MB-20261121-EV1DE4CE"
PREPARED_AT = dt.datetime(2026, 11, 21, 6, 5, 3, tzinfo=dt.UTC)
NAMES = ["fill-data.json", "preparation.json", "source.docx"]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return TemplateCatalog().get("nda")


@pytest.fixture(scope="module")
def sample(manifest: Manifest) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(manifest.sample_path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def prepared(manifest: Manifest, sample: dict[str, Any], converter: Converter) -> PreparedAgreement:
    return prepare_agreement(manifest, sample, converter=converter, document_id=DOCUMENT_ID,
                             prepared_at=PREPARED_AT, instance_id=42)


@pytest.fixture(scope="module")
def signed(prepared: PreparedAgreement, manifest: Manifest, sample: dict[str, Any], pki: Pki) -> bytes:
    pdf = prepared.pdf
    for party in manifest.parties:
        name = signer_name(manifest, party.role, sample, "聊城示例轴承有限公司")
        identity = pki.company(name) if party.role == "company" else pki.person(name)
        pdf = sign_document(pdf, pki=pki, identity=identity, field_name=party.role)
    return pdf


def _attachments(pdf: bytes) -> dict[str, bytes]:
    found = PdfReader(BytesIO(pdf)).attachments
    return {name: contents[-1] for name, contents in found.items()}


def _expected_data(prepared: PreparedAgreement) -> Any:
    # dates → ISO 8601, decimals → their text: what canonical JSON promises, computed independently
    return json.loads(json.dumps(prepared.context, default=str))


def test_evidence_page_text(prepared: PreparedAgreement, manifest: Manifest, tmp_path: Path) -> None:
    pages = len(PdfReader(BytesIO(prepared.pdf)).pages)
    files = _attachments(prepared.pdf)
    (tmp_path / "p.pdf").write_bytes(prepared.pdf)
    text = squeeze(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(pages), "-l", str(pages),
                                   str(tmp_path / "p.pdf"), "-"], check=True, capture_output=True).stdout.decode())
    assert "签署证据页" in text
    assert f"文档编号{DOCUMENT_ID}" in text
    assert _sha(files["fill-data.json"]) in text and _sha(prepared.docx) in text
    assert _sha(files["preparation.json"]) in text
    assert manifest.title["zh"] in text and "流程实例42" in text
    assert "2026-11-2114:05:03" in text  # the preparation time in Beijing time
    for party in manifest.parties:
        assert party.label["zh"] in text
    # the same level mark and numbered footer as every other page
    assert "密级：一般秘密" in text or "密级：重要秘密" in text or "密级：核心秘密" in text
    assert f"文档编号：{DOCUMENT_ID}第{pages}页/共{pages}页" in text
    # the whole document is still one text: the agreement pages keep their numbering
    assert f"第1页/共{pages}页" in squeeze(pdf_text(prepared.pdf, tmp_path))


def test_evidence_page_renders(prepared: PreparedAgreement, tmp_path: Path) -> None:
    """Render the evidence page as a viewer would; /tmp/mibao-evidence-page.png is kept for a human look."""
    pages = len(PdfReader(BytesIO(prepared.pdf)).pages)
    (tmp_path / "p.pdf").write_bytes(prepared.pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", str(pages), "-l", str(pages), "p.pdf", "page"],
                   cwd=tmp_path, check=True)
    png = next(tmp_path.glob("page*.png"))
    from PIL import Image

    image = Image.open(png).convert("L")
    dark = sum(1 for value in image.tobytes() if value < 128)
    assert dark > 2000, "the evidence page is (nearly) blank"
    image.save("/tmp/mibao-evidence-page.png")


def test_signature_fields_stay_on_the_agreement(prepared: PreparedAgreement) -> None:
    reader = PdfReader(BytesIO(prepared.pdf))
    assert "/Annots" not in reader.pages[-1], "a signature field landed on the evidence page"


def test_three_attachments_with_their_contents(prepared: PreparedAgreement, manifest: Manifest) -> None:
    files = _attachments(prepared.pdf)
    assert sorted(files) == NAMES
    assert files["source.docx"] == prepared.docx
    opened = docx.Document(BytesIO(files["source.docx"]))
    assert any(p.text.strip() for p in opened.paragraphs)
    assert json.loads(files["fill-data.json"]) == _expected_data(prepared)
    preparation = json.loads(files["preparation.json"])
    assert preparation["document_id"] == DOCUMENT_ID
    assert preparation["template"] == {"id": manifest.id, "version": manifest.version, "title": manifest.title["zh"]}
    assert dt.datetime.fromisoformat(preparation["prepared_at"]) == PREPARED_AT
    assert preparation["prepared_by"]["instance_id"] == 42
    assert [p["role"] for p in preparation["parties"]] == [p.role for p in manifest.parties]
    assert preparation["files"]["source.docx"]["sha256"] == _sha(prepared.docx)
    assert preparation["files"]["fill-data.json"]["sha256"] == _sha(files["fill-data.json"])


def test_attachments_are_pdfa3_associated_files(prepared: PreparedAgreement) -> None:
    root = PdfReader(BytesIO(prepared.pdf)).trailer["/Root"]
    specs = {str(s.get_object()["/UF"]): s.get_object() for s in root["/AF"]}
    assert sorted(specs) == NAMES
    relationships = {name: spec["/AFRelationship"] for name, spec in specs.items()}
    assert relationships == {"fill-data.json": "/Data", "preparation.json": "/Data", "source.docx": "/Source"}
    for name, spec in specs.items():
        stream = spec["/EF"]["/F"].get_object()
        assert stream["/Type"] == "/EmbeddedFile"
        assert stream["/Subtype"] in ("/application/json",
                                      "/application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        assert stream["/Params"]["/Size"] == len(stream.get_data()), name
        assert "/ModDate" in stream["/Params"] and spec["/Desc"]


def test_signed_agreement_verifies_and_lists_the_attachments(
    signed: bytes, prepared: PreparedAgreement, pki: Pki, tmp_path: Path
) -> None:
    verdict = verify_pdf(signed, trust_roots=[pki.root_certificate_pem()])
    assert verdict.ok, verdict.problems
    files = _attachments(prepared.pdf)
    assert [(a.name, a.relationship, a.size, a.sha256) for a in verdict.attachments] == [
        (name, "Source" if name == "source.docx" else "Data", len(files[name]), _sha(files[name])) for name in NAMES
    ]
    assert verdict.attachments[2].mime_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert Verdict.from_json(json.loads(json.dumps(verdict.to_json()))) == verdict
    assert "attachment: source.docx (Source" in verdict.describe()
    blocks = pdfsig_blocks(signed, pki.root_certificate_pem(), tmp_path)
    assert sum("Signature is Valid." in b for b in blocks) == len(blocks) - 1  # poppler skips the timestamp
    (tmp_path / "s.pdf").write_bytes(signed)
    check = subprocess.run(["qpdf", "--check", str(tmp_path / "s.pdf")], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout


def _replace_source(pdf: bytes, new: bytes) -> bytes:
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    writer = IncrementalPdfFileWriter.from_reader(reader)
    for spec_ref in writer.root["/AF"]:
        spec = spec_ref.get_object()
        if str(spec["/UF"]) == "source.docx":
            stream = EmbeddedFileObject.from_file_data(writer, new, mime_type="application/octet-stream")
            spec["/EF"] = generic.DictionaryObject({generic.pdf_name("/F"): stream.ef_stream_ref,
                                                    generic.pdf_name("/UF"): stream.ef_stream_ref})
            writer.update_container(spec)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_replacing_an_attachment_after_signing_is_caught(signed: bytes, prepared: PreparedAgreement,
                                                         pki: Pki) -> None:
    forged = _replace_source(signed, b"PK\x03\x04 a different contract")
    assert _attachments(forged)["source.docx"].startswith(b"PK\x03\x04 a different")  # the change is real
    verdict = verify_pdf(forged, trust_roots=[pki.root_certificate_pem()])
    assert not verdict.ok
    assert any("does not cover the whole file" in p for p in verdict.problems), verdict.problems
    # what is listed is what the signatures signed, not the replacement
    source = next(a for a in verdict.attachments if a.name == "source.docx")
    assert source.sha256 == _sha(prepared.docx)


def test_refuses_a_signed_pdf_and_a_time_without_zone(signed: bytes, prepared: PreparedAgreement) -> None:
    meta = EvidenceMeta(document_id=DOCUMENT_ID, template_id="nda", template_version=1, title="员工保密协议",
                        level="general", prepared_at=PREPARED_AT, parties=[ExpectedSigner("company", "甲方")])
    with pytest.raises(PdfInputError, match="already signed"):
        attach_evidence(signed, docx=prepared.docx, data={}, meta=meta)
    naive = EvidenceMeta(document_id=DOCUMENT_ID, template_id="nda", template_version=1, title="员工保密协议",
                         level="general", prepared_at=dt.datetime(2026, 11, 21, 14, 0),
                         parties=[ExpectedSigner("company", "甲方")])
    with pytest.raises(SigningError, match="time zone"):
        attach_evidence(prepared.pdf, docx=prepared.docx, data={}, meta=naive)
