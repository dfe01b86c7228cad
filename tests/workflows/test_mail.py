"""The outbox goes out by SMTP as jobs on the ``mail`` queue (issue 11), to a real SMTP server (aiosmtpd) over
STARTTLS with a verified certificate: each message once, a message about a core secret without the secret, a
server that is down retried with backoff, a mailbox refused for good recorded and not retried."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from records.db import make_session_factory, transaction
from records.instance import Instance
from records.models import Job, JobStatus, Notification
from tests.db import database
from workflows import Engine, FixedClock, Services
from workflows.composition import Settings, build_engine
from workflows.jobs import backoff, sweep, unapplied_after
from workflows.mail import MailSettings, queue_outbox

START = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
SECRET = "风电主轴轴承套圈热处理工艺参数"


class Mailbox:
    """aiosmtpd's handler: keeps what it accepted; refuses recipients as told."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _tls(tmp_path: Path) -> tuple[Any, Path]:
    """A CA of the test's own and a certificate for localhost it issued: the client verifies it like a real one."""
    import ssl

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test mail CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                            serialization.PrivateFormat.PKCS8,
                                                            serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    return context, tmp_path / "ca.pem"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server(box: Mailbox, context: Any, port: int) -> Controller:
    server = Controller(box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    server.start()
    return server


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Mailbox, Controller, Path]]:
    box = Mailbox()
    context, ca = _tls(tmp_path)
    server = _server(box, context, _free_port())
    try:
        yield box, server, ca
    finally:
        server.stop()


@contextmanager
def _engine(backend: str, tmp_path: Path, port: int, ca: Path) -> Iterator[Engine]:
    with database(backend, tmp_path) as db:
        sessions = make_session_factory(db)
        services = Services(Instance.from_env(tmp_path / "instance"))
        mail = MailSettings(host="localhost", port=port, ca_file=str(ca), sender="mibao@example.com")
        yield build_engine(sessions, services, Settings(public_url="https://mibao.example", mail=mail),
                           clock=FixedClock(START))


def _note(engine: Engine, to: str, subject: str, level: str | None = None) -> int:
    with transaction(engine.sessions) as session:
        note = Notification(to_user="eng01", to_email=to, subject=subject, body=f"{subject}\n{SECRET}" if level else
                            subject, level=level, created_at=START)
        session.add(note)
        session.flush()
        return note.id


def _sent(engine: Engine) -> dict[int, tuple[dt.datetime | None, str | None]]:
    with engine.sessions() as session:
        return {n.id: (n.sent_at, n.error) for n in session.scalars(select(Notification).order_by(Notification.id))}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_each_message_goes_out_once_over_verified_tls(backend: str, tmp_path: Path,
                                                      smtp: tuple[Mailbox, Controller, Path]) -> None:
    box, server, ca = smtp
    with _engine(backend, tmp_path, server.port, ca) as engine:
        plain = _note(engine, "eng01@example.com", "待办：签署保密协议")
        core = _note(engine, "eng01@example.com", "核心秘密的审批", level="core")
        assert queue_outbox(engine) == 2                     # the duty round; the test engine works jobs at once
        assert queue_outbox(engine) == 0                     # sent: nothing queued again
        assert {n: sent is not None and error is None for n, (sent, error) in _sent(engine).items()} == {
            plain: True, core: True}
        assert [m["Subject"] for m in box.received] == ["待办：签署保密协议",
                                                       "保密通知（核心秘密）/ A confidential notice"]
        assert all(m["From"] == "mibao@example.com" and m["To"] == "eng01@example.com" for m in box.received)
        body = box.received[1].get_body()
        assert body is not None and SECRET not in body.get_content()          # core: only that there is one
        with engine.sessions() as session:
            jobs = session.scalars(select(Job).order_by(Job.id)).all()
        assert [(j.queue, j.key, j.status) for j in jobs] == [("mail", f"mail:{plain}", JobStatus.APPLIED),
                                                              ("mail", f"mail:{core}", JobStatus.APPLIED)]


def test_a_server_down_is_retried_and_a_refused_mailbox_is_recorded(tmp_path: Path) -> None:
    box, port = Mailbox(), _free_port()
    box.refuse["gone@example.com"] = "550 5.1.1 no such mailbox"
    context, ca = _tls(tmp_path)
    with _engine("sqlite", tmp_path, port, ca) as engine:      # the mail server is down
        waiting = _note(engine, "eng01@example.com", "提醒：月度竞业限制核查")
        gone = _note(engine, "gone@example.com", "离职交接")
        assert queue_outbox(engine) == 2
        with engine.sessions() as session:
            jobs = session.scalars(select(Job).order_by(Job.id)).all()
        assert [(j.status, j.attempts) for j in jobs] == [(JobStatus.QUEUED, 1)] * 2
        assert all("Connection refused" in (j.error or "") for j in jobs)
        assert _sent(engine) == {waiting: (None, None), gone: (None, None)}     # nothing lost, nothing marked
        server = _server(box, context, port)                   # back up
        try:
            clock = engine.clock
            assert isinstance(clock, FixedClock)
            clock.set(START + backoff(1) + unapplied_after())      # due, and left alone long enough
            assert sweep(engine, lambda job_id: engine.jobs.submit(engine, [job_id])) == 2
        finally:
            server.stop()
        state = _sent(engine)
        assert state[waiting][0] is not None and [m["Subject"] for m in box.received] == ["提醒：月度竞业限制核查"]
        assert state[gone] == (None, "the mail server refused it: gone@example.com: 550 5.1.1 no such mailbox")
        assert queue_outbox(engine) == 0                     # refused for good: not queued again
