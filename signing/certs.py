"""X.509 building blocks for the embedded PKI: keys, CA / end-entity certificates, CRLs.

Certificates carry what PAdES validators look for: key usage (nonRepudiation + digitalSignature for
signers, keyCertSign + cRLSign for CAs), SKI/AKI so paths are built by key and not only by name, a
CRL distribution point whose CRL we embed in every signature (offline B-LT), and for the TSA a
critical extended key usage ``timeStamping`` (RFC 3161 §2.3 requires it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "Issuer",
    "KeyType",
    "PrivateKey",
    "build_crl",
    "ca_certificate",
    "end_entity_certificate",
    "load_private_key",
    "new_key",
    "person_name",
    "root_certificate",
    "seal_name",
    "serialize_private_key",
]

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
KeyType = Literal["ec", "rsa"]

# Certificates start a little in the past so a verifier whose clock lags ours still accepts them.
_BACKDATE = timedelta(minutes=10)


@dataclass(frozen=True)
class Issuer:
    """A certificate together with its private key — a CA that can issue, or a signer."""

    certificate: x509.Certificate
    key: PrivateKey


def new_key(kind: KeyType) -> PrivateKey:
    """ECDSA P-256 by default (fast to make and to sign); RSA-2048 where a tool needs RSA (the dummy TSA)."""
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def serialize_private_key(key: PrivateKey, passphrase: bytes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def load_private_key(pem: bytes, passphrase: bytes) -> PrivateKey:
    key = serialization.load_pem_private_key(pem, password=passphrase)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"unsupported key type {type(key).__name__}")
    return key


def seal_name(company: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, company),
            x509.NameAttribute(NameOID.COMMON_NAME, company),
        ]
    )


def person_name(name: str, identifier: str | None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if identifier:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, identifier))
    return x509.Name(attributes)


def _builder(
    subject: x509.Name, issuer_name: x509.Name, public_key: object, days: int
) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)  # type: ignore[arg-type]
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _signer_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _issued_by(builder: x509.CertificateBuilder, issuer: Issuer, crl_url: str) -> x509.CertificateBuilder:
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key())
    point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
    return builder.add_extension(aki, critical=False).add_extension(
        x509.CRLDistributionPoints([point]), critical=False
    )


def root_certificate(key: PrivateKey, name: x509.Name, days: int = 20 * 365) -> x509.Certificate:
    builder = _builder(name, name, key.public_key(), days)
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
    builder = builder.add_extension(_ca_usage(), critical=True)
    return builder.sign(key, hashes.SHA256())


def ca_certificate(
    key: PrivateKey, name: x509.Name, issuer: Issuer, crl_url: str, days: int
) -> x509.Certificate:
    builder = _builder(name, issuer.certificate.subject, key.public_key(), days)
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    builder = _issued_by(builder.add_extension(_ca_usage(), critical=True), issuer, crl_url)
    return builder.sign(issuer.key, hashes.SHA256())


def end_entity_certificate(
    key: PrivateKey, name: x509.Name, issuer: Issuer, crl_url: str, days: int, *, timestamping: bool = False
) -> x509.Certificate:
    builder = _builder(name, issuer.certificate.subject, key.public_key(), days)
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    builder = _issued_by(builder.add_extension(_signer_usage(), critical=True), issuer, crl_url)
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(issuer.key, hashes.SHA256())


def build_crl(
    issuer: Issuer, revoked_serials: list[int], number: int, days: int = 7
) -> x509.CertificateRevocationList:
    """A complete CRL for ``issuer``. ``number`` must grow with every issue (RFC 5280 §5.2.3)."""
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now - _BACKDATE)
        .next_update(now + timedelta(days=days))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    )
    for serial in revoked_serials:
        entry = (
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - _BACKDATE).build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(issuer.key, hashes.SHA256())
