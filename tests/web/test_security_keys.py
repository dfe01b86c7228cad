"""Security keys and passkeys as the second sign-in step (issue 14, item 3: "WebAuthn as an option").

A software authenticator (``SoftKey``: a real P-256 key pair, real "none" attestation and real assertions with
the authenticator data, client data and CBOR that browsers send) registers and signs; py_webauthn, behind
records.security_keys, checks them. Then the web: adding a key on the account page, the second step with it,
and what is refused: another origin, another or a used challenge, a counter that went back (a cloned key)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient
from webauthn.helpers import bytes_to_base64url

from records import security_keys, two_factor
from records.db import transaction
from records.models import SecurityKey, User
from records.security_keys import Challenge, KeyRefused, LastSecondStep, Purpose, RelyingParty
from tests.web.conftest import demo_app
from web.config import make_config
from web.demo import DEMO_PASSWORD
from web.state import WebState
from workflows import FixedClock

PUBLIC_URL = "http://localhost:5000"
RP = RelyingParty.from_public_url(PUBLIC_URL)
REQUIRED = frozenset({"hr", "secrecy_office", "committee"})


class SoftKey:
    """An authenticator in software: one ES256 credential, a signature counter, user presence and verification."""

    def __init__(self, *, counter: int = 0, step: int = 1) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.counter, self.step = counter, step

    def _cose_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return bytes(cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                                  -3: numbers.y.to_bytes(32, "big")}))

    def _auth_data(self, rp_id: str, *, attested: bool) -> bytes:
        flags = 0x01 | 0x04 | (0x40 if attested else 0)      # user present, user verified, attested credential
        data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + self.counter.to_bytes(4, "big")
        if attested:
            data += bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self._cose_key()
        return data

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options: dict[str, Any], origin: str = RP.origin) -> str:
        """What ``navigator.credentials.create`` gives for ``options`` (their JSON form), as JSON."""
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {},
                                   "authData": self._auth_data(options["rp"]["id"], attested=True)})
        raw = bytes_to_base64url(self.credential_id)
        return json.dumps({"id": raw, "rawId": raw, "type": "public-key", "clientExtensionResults": {},
                           "response": {"clientDataJSON": bytes_to_base64url(client_data),
                                        "attestationObject": bytes_to_base64url(attestation),
                                        "transports": ["usb", "nfc"]}})

    def get(self, options: dict[str, Any], origin: str = RP.origin, user_handle: bytes | None = None) -> str:
        """What ``navigator.credentials.get`` gives for ``options``, as JSON; the counter moves on by ``step``."""
        assert bytes_to_base64url(self.credential_id) in [c["id"] for c in options["allowCredentials"]]
        self.counter += self.step
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = self._auth_data(options["rpId"], attested=False)
        signature = self.private.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        raw = bytes_to_base64url(self.credential_id)
        return json.dumps({"id": raw, "rawId": raw, "type": "public-key", "clientExtensionResults": {},
                           "response": {"clientDataJSON": bytes_to_base64url(client_data),
                                        "authenticatorData": bytes_to_base64url(auth_data),
                                        "signature": bytes_to_base64url(signature),
                                        "userHandle": bytes_to_base64url(user_handle) if user_handle else None}})


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock) -> Iterator[Flask]:
    yield from demo_app(tmp_path, clock, {"TWO_FACTOR_ROLES": REQUIRED, "PUBLIC_URL": PUBLIC_URL})


# -- records.security_keys -----------------------------------------------------------------------------------------

def _register(web: WebState, clock: FixedClock, key: SoftKey, user_id: str = "eng01",
              label: str = "blue key") -> security_keys.Registered:
    with transaction(web.sessions) as session:
        user = session.get(User, user_id)
        assert user is not None
        options, challenge = security_keys.registration_options(session, user, RP, now=clock.now())
        return security_keys.register(session, user_id, RP, challenge, key.create(json.loads(options)), label,
                                      now=clock.now())


def _options(web: WebState, clock: FixedClock, user_id: str = "eng01") -> tuple[dict[str, Any], Challenge]:
    with web.sessions() as session:
        options, challenge = security_keys.authentication_options(session, user_id, RP, now=clock.now())
    return json.loads(options), challenge


def _authenticate(web: WebState, clock: FixedClock, challenge: Challenge, answer: str,
                  user_id: str = "eng01") -> SecurityKey:
    with transaction(web.sessions) as session:
        return security_keys.authenticate(session, user_id, RP, challenge, answer, now=clock.now())


def test_a_key_is_registered_and_signs_in(web: WebState, clock: FixedClock) -> None:
    key = SoftKey()
    registered = _register(web, clock, key)
    assert len(registered.recovery_codes) == two_factor.RECOVERY_CODES          # the first key makes them
    with web.sessions() as session:
        stored = security_keys.keys_of(session, "eng01")
        assert [(k.label, k.transports, k.sign_count) for k in stored] == [("blue key", ["usb", "nfc"], 0)]
        assert two_factor.active(session, "eng01") and not two_factor.totp_active(session, "eng01")
    options, challenge = _options(web, clock)
    assert options["rpId"] == "localhost" and options["userVerification"] == "preferred"
    clock.set(clock.now() + dt.timedelta(seconds=5))
    used = _authenticate(web, clock, challenge, key.get(options, user_handle=b"eng01"))
    assert used.sign_count == 1 and used.last_used_at == clock.now()
    # A second key: no new recovery codes (the person has some), and the first one is excluded from registering.
    with web.sessions() as session:
        user = session.get(User, "eng01")
        assert user is not None
        again, _ = security_keys.registration_options(session, user, RP, now=clock.now())
    assert [c["id"] for c in json.loads(again)["excludeCredentials"]] == [bytes_to_base64url(key.credential_id)]
    assert _register(web, clock, SoftKey(), label="laptop").recovery_codes == []


def test_a_key_counting_from_zero_stays_at_zero(web: WebState, clock: FixedClock) -> None:
    """Many passkeys report no counter (always 0): that is allowed, the clone check needs a counter."""
    key = SoftKey(step=0)
    _register(web, clock, key)
    for _ in range(2):
        options, challenge = _options(web, clock)
        clock.set(clock.now() + dt.timedelta(seconds=1))
        assert _authenticate(web, clock, challenge, key.get(options)).sign_count == 0


def test_another_origin_is_refused(web: WebState, clock: FixedClock) -> None:
    key = SoftKey()
    with transaction(web.sessions) as session:
        user = session.get(User, "eng01")
        assert user is not None
        options, challenge = security_keys.registration_options(session, user, RP, now=clock.now())
        with pytest.raises(KeyRefused):
            security_keys.register(session, "eng01", RP, challenge,
                                   key.create(json.loads(options), origin="http://evil.example"), "k",
                                   now=clock.now())
    _register(web, clock, key)
    options, challenge = _options(web, clock)
    with pytest.raises(KeyRefused):
        _authenticate(web, clock, challenge, key.get(options, origin="http://localhost:5001"))


def test_another_challenge_is_refused(web: WebState, clock: FixedClock) -> None:
    key = SoftKey()
    _register(web, clock, key)
    options, _ = _options(web, clock)
    _, other = _options(web, clock)
    with pytest.raises(KeyRefused, match="challenge"):
        _authenticate(web, clock, other, key.get(options))
    # Nor a challenge made for registering, for another person, or too old.
    options, challenge = _options(web, clock)
    for wrong in (Challenge(challenge.value, Purpose.REGISTER, "eng01", challenge.issued_at),
                  Challenge(challenge.value, Purpose.SIGN_IN, "eng02", challenge.issued_at), None):
        with pytest.raises(KeyRefused):
            _authenticate(web, clock, wrong, key.get(options))   # type: ignore[arg-type]
    clock.set(clock.now() + security_keys.CHALLENGE_VALID + dt.timedelta(seconds=1))
    with pytest.raises(KeyRefused, match="expired"):
        _authenticate(web, clock, challenge, key.get(options))


def test_a_used_challenge_is_refused(web: WebState, clock: FixedClock) -> None:
    key = SoftKey(step=0)           # no counter to catch it: the challenge's age does
    _register(web, clock, key)
    options, challenge = _options(web, clock)
    clock.set(clock.now() + dt.timedelta(seconds=1))
    answer = key.get(options)
    _authenticate(web, clock, challenge, answer)
    clock.set(clock.now() + dt.timedelta(seconds=1))
    with pytest.raises(KeyRefused, match="last use"):
        _authenticate(web, clock, challenge, answer)


def test_a_counter_that_goes_back_is_a_cloned_key(web: WebState, clock: FixedClock) -> None:
    key = SoftKey(counter=10)
    _register(web, clock, key)
    options, challenge = _options(web, clock)
    clock.set(clock.now() + dt.timedelta(seconds=1))
    assert _authenticate(web, clock, challenge, key.get(options)).sign_count == 11
    key.counter = 5                  # the copy has not counted the original's uses
    options, challenge = _options(web, clock)
    clock.set(clock.now() + dt.timedelta(seconds=1))
    with pytest.raises(KeyRefused, match="sign count"):
        _authenticate(web, clock, challenge, key.get(options))
    with web.sessions() as session:
        assert security_keys.keys_of(session, "eng01")[0].sign_count == 11


def test_a_bad_signature_or_another_persons_key_is_refused(web: WebState, clock: FixedClock) -> None:
    key, other = SoftKey(), SoftKey()
    _register(web, clock, key)
    _register(web, clock, other, user_id="eng02")
    options, challenge = _options(web, clock)
    forged = json.loads(key.get(options))
    forged["response"]["signature"] = bytes_to_base64url(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    with pytest.raises(KeyRefused):
        _authenticate(web, clock, challenge, json.dumps(forged))
    options["allowCredentials"].append({"id": bytes_to_base64url(other.credential_id), "type": "public-key"})
    with pytest.raises(KeyRefused, match="not one of"):
        _authenticate(web, clock, challenge, other.get(options))
    with pytest.raises(KeyRefused, match="another account"):
        _authenticate(web, clock, challenge, key.get(options, user_handle=b"eng02"))
    with pytest.raises(KeyRefused):
        _authenticate(web, clock, challenge, "not json")


def test_the_last_second_step_is_not_removed_alone(web: WebState, clock: FixedClock) -> None:
    first = _register(web, clock, SoftKey()).key.id
    second = _register(web, clock, SoftKey()).key.id
    with transaction(web.sessions) as session:
        assert security_keys.remove_key(session, "eng01", second)
        assert not security_keys.remove_key(session, "eng02", first)     # not theirs
        with pytest.raises(LastSecondStep):
            security_keys.remove_key(session, "eng01", first)
        # Turning two-step sign-in off (or HR's reset) takes the keys and the recovery codes with it.
        assert two_factor.remove(session, "eng01")
        assert security_keys.keys_of(session, "eng01") == [] and not two_factor.active(session, "eng01")
        assert two_factor.recovery_codes_left(session, "eng01") == 0


def test_the_relying_party_is_the_public_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert RelyingParty.from_public_url("https://Mibao.Example.com/") == \
        RelyingParty(id="mibao.example.com", origin="https://mibao.example.com")
    assert RelyingParty.from_public_url("https://mibao.example.com:8443", "example.com") == \
        RelyingParty(id="example.com", origin="https://mibao.example.com:8443")
    with pytest.raises(ValueError):
        RelyingParty.from_public_url("mibao.example.com")
    from records.instance import Instance
    monkeypatch.setenv("MIBAO_WEBAUTHN_RP_ID", "example.com")
    assert make_config(Instance.from_env(tmp_path))["WEBAUTHN_RP_ID"] == "example.com"


# -- the web: the account page and the second step ----------------------------------------------------------------

def _password(client: FlaskClient, user: str) -> str:
    response = client.post("/login", data={"username": user, "password": DEMO_PASSWORD})
    return response.headers.get("Location", "") if response.status_code == 302 else response.text


def _add_key(client: FlaskClient, key: SoftKey, label: str = "blue key") -> Any:
    options = client.post("/account/keys/options")
    assert options.status_code == 200 and options.mimetype == "application/json"
    return client.post("/account/keys", data={"label": label, "credential": key.create(options.get_json())})


def _key_step(client: FlaskClient, key: SoftKey, **kwargs: Any) -> Any:
    options = client.post("/login/key/options")
    assert options.status_code == 200
    return client.post("/login/key/verify", data={"credential": key.get(options.get_json(), **kwargs)})


def test_the_account_page_adds_a_key_and_signing_in_uses_it(app: Flask, web: WebState, clock: FixedClock) -> None:
    client, key = app.test_client(), SoftKey()
    assert _password(client, "eng02") == "/inbox"
    page = client.get("/account").text
    assert 'data-webauthn="create"' in page and "webauthn.js" in page
    added = _add_key(client, key)
    assert len(re.findall(r"<code>[0-9a-f]{5}-[0-9a-f]{5}</code>", added.text)) == two_factor.RECOVERY_CODES
    page = client.get("/account").text
    assert "blue key" in page and 'action="/account/keys/' not in page   # the only second step: no remove button
    client.post("/logout")
    clock.set(clock.now() + dt.timedelta(minutes=1))
    assert _password(client, "eng02") == "/login/code"
    code_page = client.get("/login/code").text
    assert 'data-webauthn="get"' in code_page and 'data-options-url="/login/key/options"' in code_page
    assert client.get("/account").status_code == 302                      # not signed in before the key
    done = _key_step(client, key)
    assert done.status_code == 302 and done.headers["Location"] == "/inbox"
    assert client.get("/account").status_code == 200
    with web.sessions() as session:
        assert security_keys.keys_of(session, "eng02")[0].last_used_at == clock.now()


def test_a_person_with_keys_only_is_not_sent_to_set_up_the_app(app: Flask, web: WebState,
                                                               clock: FixedClock) -> None:
    """hr01's roles require a second step: a key is one, so the sign-in asks for it, not for the app's set-up."""
    _register(web, clock, SoftKey(), user_id="hr01")
    client = app.test_client()
    assert _password(client, "hr01") == "/login/code"
    assert client.get("/login/enrol").headers["Location"] == "/login/code"


def test_a_challenge_is_answered_once(app: Flask, clock: FixedClock) -> None:
    client, key = app.test_client(), SoftKey(step=0)
    _password(client, "eng02")
    _add_key(client, key)
    client.post("/logout")
    clock.set(clock.now() + dt.timedelta(minutes=1))
    _password(client, "eng02")
    options = client.post("/login/key/options").get_json()
    answer = key.get(options)
    assert client.post("/login/key/verify", data={"credential": answer}).status_code == 302
    assert client.get("/account").status_code == 200
    client.post("/logout")
    _password(client, "eng02")
    # The same answer again (seen on the wire), without asking for new options: its challenge is spent.
    again = client.post("/login/key/verify", data={"credential": answer})
    assert again.headers["Location"] == "/login/code" and client.get("/account").status_code == 302


def test_wrong_key_answers_count_towards_the_lock(app: Flask, clock: FixedClock) -> None:
    client, key = app.test_client(), SoftKey()
    _password(client, "eng02")
    _add_key(client, key)
    client.post("/logout")
    _password(client, "eng02")
    for _ in range(5):
        response = _key_step(client, key, origin="http://evil.example")
    assert response.headers["Location"] == "/login"
    assert client.post("/login", data={"username": "eng02", "password": DEMO_PASSWORD}).status_code == 429


def test_keys_are_removed_while_another_second_step_remains(app: Flask, web: WebState, clock: FixedClock) -> None:
    client = app.test_client()
    _password(client, "eng02")
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", _add_key(client, SoftKey(), "one").text)
    assert _add_key(client, SoftKey(), "two").headers["Location"] == "/account"     # no new codes this time
    with web.sessions() as session:
        first, second = (k.id for k in security_keys.keys_of(session, "eng02"))
    assert client.post(f"/account/keys/{second}/remove").status_code == 302
    assert client.post(f"/account/keys/{first}/remove").status_code == 302     # refused: the last one
    assert client.post("/account/keys/99999/remove").status_code == 404
    with web.sessions() as session:
        assert [k.id for k in security_keys.keys_of(session, "eng02")] == [first]
    # A recovery code is the key's stand-in at sign-in, and turns it all off on the account page.
    client.post("/logout")
    _password(client, "eng02")
    assert client.post("/login/code", data={"code": codes[0]}).headers["Location"] == "/inbox"
    client.post("/account/two-factor/off", data={"code": codes[1]})
    with web.sessions() as session:
        assert not two_factor.active(session, "eng02") and security_keys.keys_of(session, "eng02") == []


def test_a_refused_key_is_not_added(app: Flask, web: WebState) -> None:
    client, key = app.test_client(), SoftKey()
    _password(client, "eng02")
    options = client.post("/account/keys/options").get_json()
    wrong = client.post("/account/keys", data={"label": "k", "credential": key.create(options, "http://x.example")})
    assert wrong.headers["Location"] == "/account"
    assert client.post("/account/keys", data={"label": "k", "credential": key.create(options)}
                       ).headers["Location"] == "/account"                    # the challenge was spent above
    with web.sessions() as session:
        assert not two_factor.active(session, "eng02")
