# mypy: disallow-untyped-calls=False
# (pyHanko ships py.typed but leaves many helpers unannotated; calling them is fine here.)
"""The embedded PKI: root CA → issuing CA → company seals, persons and the TSA, plus their CRLs.

Its files live in a :class:`KeyStore`: a folder (:class:`FolderKeyStore`, the embedded default) or, when many
machines sign, the shared database (``records.key_store``) — the same names either way. Layout (a folder is
created on first use, mode 0700)::

    passphrase                 0600; encrypts every private key below (unless MIBAO_PKI_PASSPHRASE is set)
    root.{key,crt}.pem         self-signed root; the only certificate a verifier needs to trust
    issuing.{key,crt}.pem      issues company, person and TSA certificates
    tsa.{key,crt}.pem          RSA-2048 (pyHanko's dummy TSA signs RSA only), EKU timeStamping
    identities/<id>.{key,crt}.pem   one per company seal / person, issued on first use and reused
    crl/{root,issuing}.crl     DER CRLs, 7 days valid, reissued daily; publish them at MIBAO_CRL_BASE_URL

Keys are PKCS#8 encrypted at rest so that a copied key file (a backup, a stray ``cp``) is useless on
its own: the passphrase lives in a separate 0600 file — or, better in production, only in the
environment — so stealing keys needs both. A database store takes it only from the environment: a dump of the
database must not hold both. It protects against leaked files, not against an
attacker who already runs code as the service user.

Loading keys is slow (PEM + PKCS#8 decryption + key checks), so a :class:`Pki` keeps loaded
signers, the TSA and the signing ValidationContext; :meth:`Pki.open` returns one instance per
store per process.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from . import certs
from .errors import PkiError
from .tsa import InternalTimeStamper, external_tsa_url, make_timestamper

__all__ = ["FolderKeyStore", "Identity", "KeyStore", "Pki", "reencrypt_key"]

CRL_BASE_ENV = "MIBAO_CRL_BASE_URL"
PASSPHRASE_ENV = "MIBAO_PKI_PASSPHRASE"
TSA_ROOTS_ENV = "MIBAO_TSA_TRUST_ROOTS"  # PEM file: the external TSA's root(s); verifiers must trust them too
_DEFAULT_CRL_BASE = "http://pki.mibao.invalid/crl/"
_CRL_REFRESH = timedelta(days=1)
_RENEW_BEFORE = timedelta(days=30)

_open_lock = threading.Lock()
_opened: dict[str, Pki] = {}


class KeyStore(Protocol):
    """Where a PKI's files live, by relative name (``root.crt.pem``, ``identities/<id>.key.pem``, ``crl/…``)."""

    label: str  # names the store in messages, and one loaded Pki per label per process

    def read(self, name: str) -> bytes | None: ...

    def write(self, name: str, data: bytes) -> None:
        """Store ``data`` as ``name``, atomically: a reader sees the old bytes or the new ones."""

    def lock(self) -> AbstractContextManager[None]:
        """Exclusive across processes and machines: creating the PKI, issuing an identity, reissuing a CRL."""

    def passphrase(self) -> bytes:
        """What encrypts the private keys."""


class FolderKeyStore:
    """The PKI in a folder of the instance (mode 0700, keys 0600), locked with ``flock``; its passphrase from
    ``MIBAO_PKI_PASSPHRASE`` or, failing that, a ``passphrase`` file made on first use."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory).resolve()
        self.label = f"folder:{self.directory}"

    def read(self, name: str) -> bytes | None:
        try:
            return (self.directory / name).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, name: str, data: bytes) -> None:
        path = self.directory / name
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    @contextmanager
    def lock(self) -> Iterator[None]:
        # Two processes (web + CLI) may create the PKI or issue the same person at once.
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.directory / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def passphrase(self) -> bytes:
        from_env = os.environ.get(PASSPHRASE_ENV)
        if from_env:
            return from_env.encode()
        path = self.directory / "passphrase"
        if not path.exists():
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
        return path.read_bytes().strip()

    def file_passphrase(self) -> bytes | None:
        """The passphrase file's, if the folder has one (the keys were made without the environment's)."""
        path = self.directory / "passphrase"
        return path.read_bytes().strip() if path.is_file() else None

    def names(self) -> list[str]:
        """Every file of the PKI (not the passphrase, the lock or a half-written file), for moving it elsewhere."""
        if not self.directory.is_dir():
            return []
        return sorted(str(p.relative_to(self.directory)) for p in self.directory.rglob("*")
                      if p.is_file() and p.name not in ("passphrase", ".lock") and not p.name.endswith(".tmp"))


def reencrypt_key(pem_bytes: bytes, old: bytes, new: bytes) -> bytes:
    """A PKCS#8 key encrypted under ``old`` as one encrypted under ``new`` (moving a PKI to another store)."""
    try:
        key = certs.load_private_key(pem_bytes, old)
    except (ValueError, TypeError) as exc:
        raise PkiError("cannot decrypt a key being moved: wrong passphrase or damaged file") from exc
    return certs.serialize_private_key(key, new)


@dataclass(frozen=True)
class Identity:
    """Who signs: a company seal or a person. A handle only; keys stay inside the :class:`Pki`."""

    kind: Literal["company", "person"]
    name: str
    identifier: str | None
    key_id: str


class _LoadedKeySigner(SimpleSigner):
    """SimpleSigner that signs with an already-loaded key (the stock one re-parses it per signature)."""

    def __init__(
        self, key: certs.PrivateKey, cert: asn1_x509.Certificate, chain: list[asn1_x509.Certificate]
    ):
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        registry = SimpleCertificateStore.from_certs(chain)
        super().__init__(
            signing_cert=cert, signing_key=asn1_keys.PrivateKeyInfo.load(der), cert_registry=registry
        )
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(digest))
        return self._key.sign(data, padding.PKCS1v15(), digest)


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _key_id(kind: str, name: str, identifier: str | None) -> str:
    digest = hashlib.sha256(f"{kind}\0{name}\0{identifier or ''}".encode()).hexdigest()
    return f"{kind}-{digest[:24]}"


class Pki:
    """One PKI, loaded. Use :meth:`open`; all methods are thread-safe."""

    def __init__(self, store: KeyStore, passphrase: bytes, tsa_url: str | None) -> None:
        self.store = store
        self._passphrase = passphrase
        self._tsa_url = tsa_url
        self._lock = threading.RLock()
        self._root = self._load_issuer("root")
        self._issuing = self._load_issuer("issuing")
        tsa = self._load_issuer("tsa")
        self._chain = [_asn1(self._issuing.certificate), _asn1(self._root.certificate)]
        if not isinstance(tsa.key, rsa.RSAPrivateKey):
            raise PkiError(f"{store.label}: tsa.key.pem must be an RSA key")
        self._internal_tsa = InternalTimeStamper(_asn1(tsa.certificate), tsa.key, self._chain)
        self._signers: dict[str, SimpleSigner] = {}
        self._crls: list[asn1_crl.CertificateList] = []
        self._crls_checked = datetime.min.replace(tzinfo=UTC)
        self._context: ValidationContext | None = None

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, store: KeyStore | Path, *, tsa_url: str | None = None) -> Pki:
        """Open (creating on first use) the PKI in ``store`` (a folder path is a :class:`FolderKeyStore`); one
        shared instance per store."""
        if isinstance(store, Path):
            store = FolderKeyStore(store)
        url = tsa_url if tsa_url is not None else external_tsa_url()
        with _open_lock:
            existing = _opened.get(store.label)
            if existing is not None and existing._tsa_url == url:
                return existing
            try:
                with store.lock():
                    passphrase = store.passphrase()
                    if store.read("root.crt.pem") is None:
                        _create(store, passphrase)
                    pki = cls(store, passphrase, url)
            except (OSError, ValueError, TypeError) as exc:
                raise PkiError(f"cannot open the PKI in {store.label}: {exc}") from exc
            _opened[store.label] = pki
            return pki

    @property
    def directory(self) -> Path:
        """The folder of a folder store (the tests look at its files)."""
        if not isinstance(self.store, FolderKeyStore):
            raise PkiError(f"the PKI in {self.store.label} is not a folder")
        return self.store.directory

    def _load_issuer(self, stem: str) -> certs.Issuer:
        return _read_issuer(self.store, stem, self._passphrase)

    # -- public API ----------------------------------------------------------------------------

    def root_certificate_pem(self) -> bytes:
        return self._root.certificate.public_bytes(serialization.Encoding.PEM)

    def company(self, name: str) -> Identity:
        """The company seal identity (subject O = CN = company name), created on first use."""
        return self._identity("company", _clean(name, "company name"), None)

    def person(self, name: str, identifier: str | None = None) -> Identity:
        """A person's identity (subject CN = name, serialNumber = identifier), issued on first use."""
        ident = _clean(identifier, "identifier") if identifier else None
        return self._identity("person", _clean(name, "person name"), ident)

    # -- used by sign/verify -------------------------------------------------------------------

    def signer(self, identity: Identity) -> SimpleSigner:
        with self._lock:
            cached = self._signers.get(identity.key_id)
            if (
                cached is None
                or cached.signing_cert is None
                or _expiring(cached.signing_cert.not_valid_after)
            ):
                issuer = self._ensure_identity(identity)
                cached = _LoadedKeySigner(issuer.key, _asn1(issuer.certificate), self._chain)
                self._signers[identity.key_id] = cached
            return cached

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold while signing: the cached ValidationContext is not safe to share between threads."""
        with self._lock:
            yield

    def timestamper(self) -> TimeStamper:
        return make_timestamper(self._tsa_url, self._internal_tsa)

    def validation_context(self) -> ValidationContext:
        """Offline context for signing: our root, our chain, our fresh CRLs; nothing fetched."""
        with self._lock:
            changed = self._refresh_crls()
            if self._context is None or changed:
                self._context = ValidationContext(
                    trust_roots=[self._chain[1], *_external_tsa_roots(self._tsa_url)],
                    other_certs=[self._chain[0]],
                    crls=list(self._crls),
                    allow_fetching=self._tsa_url is not None,
                    revocation_mode="hard-fail",
                )
            return self._context

    # -- internals -----------------------------------------------------------------------------

    def _identity(self, kind: Literal["company", "person"], name: str, identifier: str | None) -> Identity:
        identity = Identity(
            kind=kind, name=name, identifier=identifier, key_id=_key_id(kind, name, identifier)
        )
        self.signer(identity)
        return identity

    def _ensure_identity(self, identity: Identity) -> certs.Issuer:
        stem = f"identities/{identity.key_id}"
        with self.store.lock():
            if self.store.read(f"{stem}.crt.pem") is not None:
                existing = self._load_issuer(stem)
                if not _expiring(existing.certificate.not_valid_after_utc):
                    return existing
            key = certs.new_key("ec")
            if identity.kind == "company":
                subject, days = certs.seal_name(identity.name), 5 * 365
            else:
                subject, days = certs.person_name(identity.name, identity.identifier), 3 * 365
            cert = certs.end_entity_certificate(key, subject, self._issuing, _crl_url("issuing"), days)
            _write_issuer(self.store, stem, certs.Issuer(cert, key), self._passphrase)
            return certs.Issuer(cert, key)

    def _refresh_crls(self) -> bool:
        """Reload or reissue the CRLs when a day has passed; True when they changed."""
        now = datetime.now(UTC)
        if self._crls and now - self._crls_checked < _CRL_REFRESH / 24:
            return False
        self._crls_checked = now
        with self.store.lock():
            loaded = [
                _current_crl(self.store, stem, issuer)
                for stem, issuer in (("root", self._root), ("issuing", self._issuing))
            ]
        changed = [c.dump() for c in loaded] != [c.dump() for c in self._crls]
        self._crls = loaded
        return changed


# -- files ---------------------------------------------------------------------------------------


def _required(store: KeyStore, name: str) -> bytes:
    data = store.read(name)
    if data is None:
        raise PkiError(f"{store.label}: {name} is missing (restore the PKI from its backup)")
    return data


def _read_issuer(store: KeyStore, stem: str, passphrase: bytes) -> certs.Issuer:
    cert = x509.load_pem_x509_certificate(_required(store, f"{stem}.crt.pem"))
    try:
        key = certs.load_private_key(_required(store, f"{stem}.key.pem"), passphrase)
    except (ValueError, TypeError) as exc:
        raise PkiError(
            f"cannot decrypt {stem}.key.pem in {store.label}: wrong passphrase or damaged file"
        ) from exc
    return certs.Issuer(cert, key)


def _write_issuer(store: KeyStore, stem: str, issuer: certs.Issuer, passphrase: bytes) -> None:
    store.write(f"{stem}.key.pem", certs.serialize_private_key(issuer.key, passphrase))
    # The certificate is written last: its presence is what marks the identity as issued.
    store.write(f"{stem}.crt.pem", issuer.certificate.public_bytes(serialization.Encoding.PEM))


def _create(store: KeyStore, passphrase: bytes) -> None:
    label = secrets.token_hex(4)  # tells instances apart: two roots must never share a name
    root_key = certs.new_key("ec")
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mibao"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"mibao Root CA {label}"),
        ]
    )
    root = certs.Issuer(certs.root_certificate(root_key, root_name), root_key)
    issuing_key = certs.new_key("ec")
    issuing_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mibao"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"mibao Issuing CA {label}"),
        ]
    )
    issuing_cert = certs.ca_certificate(issuing_key, issuing_name, root, _crl_url("root"), 10 * 365)
    issuing = certs.Issuer(issuing_cert, issuing_key)
    tsa_key = certs.new_key("rsa")
    tsa_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mibao"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"mibao TSA {label}"),
        ]
    )
    tsa_cert = certs.end_entity_certificate(
        tsa_key, tsa_name, issuing, _crl_url("issuing"), 10 * 365, timestamping=True
    )
    _write_issuer(store, "issuing", issuing, passphrase)
    _write_issuer(store, "tsa", certs.Issuer(tsa_cert, tsa_key), passphrase)
    _write_issuer(store, "root", root, passphrase)  # last: root.crt.pem marks a complete PKI


def _external_tsa_roots(tsa_url: str | None) -> list[asn1_x509.Certificate]:
    path = os.environ.get(TSA_ROOTS_ENV)
    if not tsa_url or not path:
        return []
    blob = Path(path).read_bytes()
    return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(blob, multiple=True)]


def _crl_url(stem: str) -> str:
    base = os.environ.get(CRL_BASE_ENV, _DEFAULT_CRL_BASE)
    return base.rstrip("/") + f"/{stem}.crl"


def _current_crl(store: KeyStore, stem: str, issuer: certs.Issuer) -> asn1_crl.CertificateList:
    name = f"crl/{stem}.crl"
    existing = store.read(name)
    if existing is not None:
        current = x509.load_der_x509_crl(existing)
        next_update = current.next_update_utc
        if next_update is not None and next_update - datetime.now(UTC) > timedelta(days=6):
            return asn1_crl.CertificateList.load(existing)
    revoked = _revoked_serials(store, stem)
    fresh = certs.build_crl(issuer, revoked, number=int(datetime.now(UTC).timestamp()))
    der = fresh.public_bytes(serialization.Encoding.DER)
    store.write(name, der)
    return asn1_crl.CertificateList.load(der)


def _revoked_serials(store: KeyStore, stem: str) -> list[int]:
    """Serials listed (one decimal per line) in ``crl/<stem>.revoked``, maintained by an administrator."""
    listed = store.read(f"crl/{stem}.revoked")
    if listed is None:
        return []
    return [int(line) for line in listed.decode().split() if line.strip()]


def _expiring(not_after: datetime) -> bool:
    if not_after.tzinfo is None:
        not_after = not_after.replace(tzinfo=UTC)
    return not_after - datetime.now(UTC) < _RENEW_BEFORE


def _clean(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text or any(ord(c) < 0x20 for c in text):
        raise PkiError(f"invalid {what}: {value!r}")
    return text
