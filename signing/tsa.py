# mypy: disallow-untyped-calls=False
# (pyHanko ships py.typed but leaves many helpers unannotated; calling them is fine here.)
"""RFC 3161 time stamping: the internal TSA (default) or an external one (production).

The internal TSA is pyHanko's ``DummyTimeStamper`` with one change: it signs with a key object
loaded once. The stock class re-parses its RSA key for every token, which costs tens of
milliseconds — more than the whole rest of a signature.
"""

from __future__ import annotations

import os
from datetime import datetime

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.sign import general
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

__all__ = ["InternalTimeStamper", "external_tsa_url", "make_timestamper"]

TSA_URL_ENV = "MIBAO_TSA_URL"


class InternalTimeStamper(DummyTimeStamper):
    """Our own TSA: accepts every request and signs with the PKI's timeStamping certificate."""

    def __init__(
        self, certificate: asn1_x509.Certificate, key: rsa.RSAPrivateKey, chain: list[asn1_x509.Certificate]
    ) -> None:
        # The parent wants the key in asn1crypto form; it is only used by the method we override.
        super().__init__(
            tsa_cert=certificate, tsa_key=None, certs_to_embed=SimpleCertificateStore.from_certs(chain)
        )
        self._key = key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        digest_algorithm = get_pyca_cryptography_hash(md_algorithm)
        digest = hashes.Hash(digest_algorithm)
        digest.update(tst_info_data)
        attributes = cms.CMSAttributes(
            [
                general.simple_cms_attribute("content_type", "tst_info"),
                general.simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                general.simple_cms_attribute(
                    "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                ),
                general.simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._key.sign(attributes.dump(), padding.PKCS1v15(), digest_algorithm)
        return signature, attributes


def external_tsa_url() -> str | None:
    """The production TSA, if configured (``MIBAO_TSA_URL``); ``None`` means use the internal one."""
    return os.environ.get(TSA_URL_ENV) or None


def make_timestamper(url: str | None, internal: InternalTimeStamper) -> TimeStamper:
    """An HTTP client for ``url``, or the internal TSA when no URL is configured."""
    if url:
        return HTTPTimeStamper(url)
    return internal
