"""The embedded PKI: files at rest, certificate contents PAdES validators look for, reuse."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import signing.pki as pki_module
from signing import Pki, PkiError


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_layout_and_keys_encrypted(pki: Pki) -> None:
    root = pki.directory
    assert stat.S_IMODE((root / "passphrase").stat().st_mode) == 0o600
    for stem in ("root", "issuing", "tsa"):
        assert b"ENCRYPTED PRIVATE KEY" in (root / f"{stem}.key.pem").read_bytes()
    assert pki.root_certificate_pem().startswith(b"-----BEGIN CERTIFICATE-----")
    pki.validation_context()
    assert (root / "crl" / "root.crl").exists() and (root / "crl" / "issuing.crl").exists()


def test_person_issued_once_and_reused(pki: Pki) -> None:
    first = pki.person("王五", "ID-555")
    again = pki.person("王五", "ID-555")
    assert first == again
    cert = _cert(pki.directory / "identities" / f"{first.key_id}.crt.pem")
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "王五"
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "ID-555"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value.endswith("/issuing.crl")
    cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert Pki.open(pki.directory).person("王五", "ID-555").key_id == first.key_id
    assert len(list((pki.directory / "identities").glob(f"{first.key_id}.crt.pem"))) == 1


def test_company_seal_subject(pki: Pki) -> None:
    seal = pki.company("深圳测试有限公司")
    cert = _cert(pki.directory / "identities" / f"{seal.key_id}.crt.pem")
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "深圳测试有限公司"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "深圳测试有限公司"


def test_tsa_has_critical_timestamping_eku(pki: Pki) -> None:
    eku = _cert(pki.directory / "tsa.crt.pem").extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_wrong_passphrase_is_a_pki_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "pki"
    Pki.open(directory)
    pki_module._opened.clear()  # force a real reload from disk
    monkeypatch.setenv(pki_module.PASSPHRASE_ENV, "not-the-passphrase")
    with pytest.raises(PkiError, match="passphrase"):
        Pki.open(directory)


def test_bad_names_rejected(pki: Pki) -> None:
    with pytest.raises(PkiError):
        pki.person("  ")
