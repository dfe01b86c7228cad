"""The signing PKI in the shared database (PostgreSQL): signing workers on different machines sign with the same
keys under the same root, the keys stay encrypted under a passphrase that only the environment holds, and an
installation whose keys were in its instance folder keeps them when it moves to the database."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfWriter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import signing.pki as pki_module
from records.db import make_session_factory
from records.key_store import DatabaseKeyStore, shared_keys
from records.models import PkiFile
from signing import Pki, PkiError, mark_document, sign_document, verify_pdf
from signing.certs import load_private_key
from tests.db import database
from tests.signing.helpers import slots

PASSPHRASE = "a passphrase from the service's environment"


def _blank_pdf() -> bytes:
    """One empty page with the company's and the employee's signature fields."""
    writer = PdfWriter()
    writer.add_blank_page(595.28, 841.89)
    out = BytesIO()
    writer.write(out)
    return mark_document(out.getvalue(), document_id="MB-KEYS-1", level="general",
                         slots=slots("company", "employee", anchored=False))


def _node(sessions: sessionmaker[Session], folder: Path) -> Pki:
    """What a node does when it starts: open the shared store (with its own, unused, instance folder), and load it
    afresh — as a process on another machine would, not from this process's cache."""
    pki_module._opened.clear()
    return Pki.open(shared_keys(sessions, folder))


def test_two_machines_sign_with_the_same_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pki_module.PASSPHRASE_ENV, PASSPHRASE)
    with database("postgresql", tmp_path) as engine:
        sessions = make_session_factory(engine)
        first = _node(sessions, tmp_path / "machine-a" / "pki")
        seal_a = first.company("聊城示例轴承有限公司")
        signed = sign_document(_blank_pdf(), pki=first, identity=seal_a, field_name="company")
        second = _node(sessions, tmp_path / "machine-b" / "pki")
        assert second.root_certificate_pem() == first.root_certificate_pem()
        seal_b = second.company("聊城示例轴承有限公司")
        assert second.signer(seal_b).signing_cert.dump() == first.signer(seal_a).signing_cert.dump()
        both = sign_document(signed, pki=second, identity=second.person("张伟", "ID-1"), field_name="employee")
        verdict = verify_pdf(both, trust_roots=[first.root_certificate_pem()])
        assert verdict.ok, verdict.problems
        assert [s.signer for s in verdict.signatures if s.kind == "signature"] == ["聊城示例轴承有限公司", "张伟"]
        # Nothing was written to either machine's folder; every key in the database is encrypted.
        assert not (tmp_path / "machine-a" / "pki").exists() and not (tmp_path / "machine-b" / "pki").exists()
        with sessions() as session:
            files = {row.name: bytes(row.data) for row in session.scalars(select(PkiFile))}
        keys = [name for name in files if name.endswith(".key.pem")]
        assert {"root.key.pem", "issuing.key.pem", "tsa.key.pem"} <= set(keys) and len(keys) == 5
        assert all(b"ENCRYPTED PRIVATE KEY" in files[name] for name in keys)
        assert "passphrase" not in files and {"crl/root.crl", "crl/issuing.crl"} <= set(files)


def test_the_passphrase_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pki_module.PASSPHRASE_ENV, raising=False)
    with database("postgresql", tmp_path) as engine:
        sessions = make_session_factory(engine)
        with pytest.raises(PkiError, match="set MIBAO_PKI_PASSPHRASE"):
            _node(sessions, tmp_path / "pki")
        with sessions() as session:
            assert session.scalars(select(PkiFile)).first() is None        # nothing half-made
        monkeypatch.setenv(pki_module.PASSPHRASE_ENV, PASSPHRASE)
        _node(sessions, tmp_path / "pki")
        monkeypatch.setenv(pki_module.PASSPHRASE_ENV, "not the passphrase")
        with pytest.raises(PkiError, match="wrong passphrase"):
            _node(sessions, tmp_path / "pki")


def test_keys_in_the_instance_folder_move_into_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "instance" / "pki"
    monkeypatch.delenv(pki_module.PASSPHRASE_ENV, raising=False)
    pki_module._opened.clear()
    before = Pki.open(folder)                                   # the embedded default: a passphrase file
    signed = sign_document(_blank_pdf(), pki=before, identity=before.person("李娜", "ID-2"), field_name="employee")
    monkeypatch.setenv(pki_module.PASSPHRASE_ENV, PASSPHRASE)
    with database("postgresql", tmp_path) as engine:
        sessions = make_session_factory(engine)
        after = _node(sessions, folder)
        assert after.root_certificate_pem() == before.root_certificate_pem()
        assert after.signer(after.person("李娜", "ID-2")).signing_cert.dump() == \
            before.signer(before.person("李娜", "ID-2")).signing_cert.dump()
        resigned = sign_document(signed, pki=after, identity=after.company("聊城示例轴承有限公司"),
                                 field_name="company")
        assert verify_pdf(resigned, trust_roots=[before.root_certificate_pem()]).ok
        store = DatabaseKeyStore(sessions)
        key = store.read("root.key.pem")
        assert key is not None
        load_private_key(key, PASSPHRASE.encode())                # re-encrypted under the environment's passphrase
        _node(sessions, folder)                                  # moved once: a second start changes nothing
        assert store.read("root.key.pem") == key


def test_only_postgresql_keeps_keys(tmp_path: Path) -> None:
    with database("sqlite", tmp_path) as engine, pytest.raises(PkiError, match="only on PostgreSQL"):
        DatabaseKeyStore(make_session_factory(engine))
