"""A security key as the second sign-in step, in a real browser: Chromium's virtual authenticator (DevTools'
WebAuthn domain) stands in for the key, so the page's own script (static/webauthn.js) runs the real
navigator.credentials calls against the real server. The server is reached as http://localhost:PORT (its
PUBLIC_URL too): a relying party's ID must be a domain."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.support import PASSWORD, Desk, Server, requires_chromium

pytestmark = requires_chromium()


def test_a_security_key_signs_in(browser: Browser, localhost_server: Server) -> None:
    with Desk(browser, localhost_server, "eng01") as desk:
        page = desk.page
        cdp = page.context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True}})["authenticatorId"]

        # Add the key on the account page: the recovery codes come with the first one.
        page.goto("/account")
        form = page.locator("main form[data-webauthn='create']")
        form.locator("input[name=label]").fill("笔记本电脑")
        desk.submit(form.locator("[data-webauthn-start]"), "/account/keys")
        codes = page.locator("main ul.codes code")
        expect(codes).to_have_count(10)
        assert re.fullmatch(r"[0-9a-f]{5}-[0-9a-f]{5}", codes.first.inner_text())
        desk.submit(page.locator("main a.button"), "/account")
        row = page.locator("main table#security-keys tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("笔记本电脑")
        credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert len(credentials) == 1 and credentials[0]["signCount"] >= 0
        desk.shot("security-keys-account", full_page=True)

        # Sign out, and in again: after the password, the second step offers the key.
        desk.submit(page.locator("header form[action='/logout'] button"), "/login")
        page.locator("main input[name=username]").fill("eng01")
        page.locator("main input[name=password]").fill(PASSWORD)
        desk.submit(page.locator("main form button[type=submit]"), "/login/code")
        key_button = page.locator("main form[data-webauthn='get'] [data-webauthn-start]")
        expect(key_button).to_be_visible()
        desk.shot("security-keys-code-page")
        desk.submit(key_button, "/inbox")

        page.goto("/account")
        expect(page.locator("main table#security-keys tbody tr td").nth(2)).not_to_have_text(
            re.compile("never|从未"))           # last used: now
