"""Signing in order and verifying; independent cross-checks with poppler (pdfsig) and OpenSSL."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from signing import FontCoverageError, PartyError, PdfInputError, Pki, sign_document, verify_pdf
from tests.conftest import pdfsig_blocks


def _assert_all_ok(pdf: bytes, root_pem: bytes, fields: list[str]) -> None:
    verdict = verify_pdf(pdf, trust_roots=[root_pem])
    assert verdict.ok, verdict.problems
    kinds = [s.kind for s in verdict.signatures]
    assert [s.field for s in verdict.signatures[: len(fields)]] == fields
    assert kinds == ["signature"] * len(fields) + ["document_timestamp"]
    last = verdict.signatures[-1]
    assert last.coverage == "ENTIRE_FILE" and last.signer and last.signer.startswith("mibao TSA")
    for report in verdict.signatures:
        assert report.intact and report.valid and report.trusted and report.docmdp_ok and report.timestamp
    json = verdict.to_json()
    assert json["ok"] is True and len(json["signatures"]) == len(fields) + 1


def test_two_parties_verify(signed_blank: list[bytes], root_pem: bytes) -> None:
    _assert_all_ok(signed_blank[-1], root_pem, ["company", "employee"])
    first = verify_pdf(signed_blank[0], trust_roots=[root_pem])
    assert first.ok and [s.kind for s in first.signatures] == ["signature"]  # no B-LTA until the last field
    assert first.signatures[0].signer == "上海密保科技有限公司"


@pytest.mark.slow
def test_three_parties_verify(signed_three: list[bytes], root_pem: bytes) -> None:
    _assert_all_ok(signed_three[-1], root_pem, ["company", "employee", "witness"])
    signers = [s.signer for s in verify_pdf(signed_three[-1], trust_roots=[root_pem]).signatures]
    assert signers[:3] == ["上海密保科技有限公司", "张三", "李四"]


def test_first_signature_certifies(signed_blank: list[bytes]) -> None:
    reader = PdfReader(BytesIO(signed_blank[-1]))
    docmdp = reader.trailer["/Root"]["/Perms"]["/DocMDP"].get_object()
    reference = docmdp["/Reference"][0].get_object()
    assert reference["/TransformParams"]["/P"] == 2  # FILL_FORMS
    assert docmdp["/Name"] == "上海密保科技有限公司"


def test_untrusted_root_fails(signed_blank: list[bytes], tmp_path: Path) -> None:
    other = Pki.open(tmp_path / "other-pki")
    verdict = verify_pdf(signed_blank[-1], trust_roots=[other.root_certificate_pem()])
    assert not verdict.ok
    assert any("signer not trusted" in p for p in verdict.problems)


def test_signing_errors(marked_blank: bytes, signed_blank: list[bytes], pki: Pki) -> None:
    person = pki.person("赵六")
    with pytest.raises(PartyError, match=r"'company' is already signed.*employee"):
        sign_document(signed_blank[0], pki=pki, identity=person, field_name="company")
    with pytest.raises(PartyError, match=r"no signature field 'witness' \(fields: company, employee\)"):
        sign_document(marked_blank, pki=pki, identity=person, field_name="witness")
    with pytest.raises(FontCoverageError, match=r"'\U00020000'"):
        sign_document(marked_blank, pki=pki, identity=pki.person("张\U00020000"), field_name="company")
    with pytest.raises(PdfInputError, match="not a PDF"):
        sign_document(b"PK\x03\x04 a zip", pki=pki, identity=person, field_name="company")


def test_signing_encrypted_rejected(marked_blank: bytes, pki: Pki) -> None:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(marked_blank)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    out = BytesIO()
    writer.write(out)
    with pytest.raises(PdfInputError, match="encrypted"):
        sign_document(out.getvalue(), pki=pki, identity=pki.person("赵六"), field_name="company")


def test_stamp_clock_is_injectable(marked_blank: bytes, pki: Pki, root_pem: bytes) -> None:
    signed = sign_document(
        marked_blank,
        pki=pki,
        identity=pki.person("钱七"),
        field_name="company",
        when=datetime.fromisoformat("2026-11-21T06:05:00+00:00"),
    )
    assert verify_pdf(signed, trust_roots=[root_pem]).ok


def test_pdfsig_digests_match(signed_blank: list[bytes], root_pem: bytes, tmp_path: Path) -> None:
    """poppler only as a digest cross-check (see PITFALLS: its certificate verdict is unreliable)."""
    blocks = pdfsig_blocks(signed_blank[-1], root_pem, tmp_path)
    assert len(blocks) == 3
    for block in blocks[:2]:
        assert "Signature is Valid." in block
    assert "Total document signed" in blocks[2]


def _signed_parts(pdf: bytes) -> list[tuple[str, bytes, bytes]]:
    reader = PdfReader(BytesIO(pdf))
    parts = []
    for field in (reader.get_fields() or {}).values():
        value = field.get("/V")
        if value is None:
            continue
        sig = value.get_object()
        a, b, c, d = (int(x) for x in sig["/ByteRange"])
        parts.append((str(field["/T"]), bytes(sig["/Contents"]), pdf[a : a + b] + pdf[c : c + d]))
    return parts


def test_openssl_verifies_cms_and_timestamp(
    signed_blank: list[bytes], root_pem: bytes, tmp_path: Path
) -> None:
    """OpenSSL checks each CMS against our root: `cms -verify` for signatures, `ts -verify` for the
    document timestamp (`cms -verify` rejects it: the TSA certificate's only purpose is timeStamping)."""
    (tmp_path / "root.pem").write_bytes(root_pem)
    parts = _signed_parts(signed_blank[-1])
    assert len(parts) == 3
    for name, cms, data in parts:
        (tmp_path / "sig.der").write_bytes(cms)
        (tmp_path / "data.bin").write_bytes(data)
        if name.startswith("Timestamp"):
            command = [
                "openssl",
                "ts",
                "-verify",
                "-token_in",
                "-in",
                "sig.der",
                "-data",
                "data.bin",
                "-CAfile",
                "root.pem",
            ]
        else:
            command = [
                "openssl",
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "sig.der",
                "-content",
                "data.bin",
                "-CAfile",
                "root.pem",
                "-out",
                "/dev/null",
            ]
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, (name, result.stderr)
        (tmp_path / "data.bin").write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
        assert subprocess.run(command, cwd=tmp_path, capture_output=True).returncode != 0


def _reserved_room(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records the room (hex digits) each call into pyHanko reserves for the container; None: its estimate."""
    from pyhanko.sign.signers import PdfSigner

    reserved: list[object] = []
    original = PdfSigner.sign_pdf

    def sign_pdf(self: PdfSigner, *args: object, **kwargs: object) -> object:
        reserved.append(kwargs.get("bytes_reserved"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PdfSigner, "sign_pdf", sign_pdf)
    return reserved


def test_a_container_larger_than_the_reserved_room_is_signed_again(
    marked_blank: bytes, pki: Pki, root_pem: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("signing.sign._CMS_HEX_RESERVED", 1024)  # far less than any container needs
    reserved = _reserved_room(monkeypatch)
    signed = sign_document(marked_blank, pki=pki, identity=pki.person("孙八"), field_name="company")
    assert reserved == [1024, None]
    assert verify_pdf(signed, trust_roots=[root_pem]).ok


def test_the_longest_names_fit_the_reserved_room(
    marked_blank: bytes, pki: Pki, root_pem: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Certificate names hold at most 64 bytes (21 Chinese characters): such a seal and such a person still fit
    the fixed room, so no signature pays for pyHanko's size estimate."""
    reserved = _reserved_room(monkeypatch)
    seal, person = pki.company("测" * 21), pki.person("试" * 21, "9" * 64)
    pdf = sign_document(marked_blank, pki=pki, identity=seal, field_name="company")
    pdf = sign_document(pdf, pki=pki, identity=person, field_name="employee")
    assert None not in reserved and len(reserved) == 2
    assert verify_pdf(pdf, trust_roots=[root_pem]).ok


def test_signed_attributes_are_the_pades_set(signed_blank: list[bytes]) -> None:
    """Content type, message digest and signing-certificate-v2 (RFC 5035) naming the signer's certificate by its
    SHA-256, issuer and serial number — and nothing PAdES forbids (no signing time)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    signatures = PdfFileReader(BytesIO(signed_blank[-1])).embedded_signatures
    assert len(signatures) == 3
    for sig in signatures[:2]:
        attributes = {a["type"].native: a["values"] for a in sig.signer_info["signed_attrs"]}
        assert sorted(attributes) == ["content_type", "message_digest", "signing_certificate_v2"]
        (value,) = attributes["signing_certificate_v2"]
        (ess,) = value["certs"]
        assert ess["cert_hash"].native == hashlib.sha256(sig.signer_cert.dump()).digest()
        (issuer,) = ess["issuer_serial"]["issuer"]
        assert issuer.chosen == sig.signer_cert.issuer
        assert ess["issuer_serial"]["serial_number"].native == sig.signer_cert.serial_number
