"""What the web keeps for a security-key ceremony (records.security_keys): the relying party from the settings,
and the challenge, held in the session between the options and the answer and taken out by the answer, so each
challenge is tried once."""

from __future__ import annotations

from flask import current_app, session

from records.security_keys import Challenge, RelyingParty

__all__ = ["keep", "relying_party", "take"]

_KEY = "webauthn"


def relying_party() -> RelyingParty:
    return RelyingParty.from_public_url(str(current_app.config["PUBLIC_URL"]), current_app.config.get("WEBAUTHN_RP_ID"))


def keep(challenge: Challenge) -> None:
    session[_KEY] = challenge.to_dict()


def take() -> Challenge | None:
    return Challenge.from_dict(session.pop(_KEY, None))
