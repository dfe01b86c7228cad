"""The public verify page (issue 15, item 5): one consistent verdict in the page's language, China time, and a
verification report (PDF) for the checked file that needs no copy of the file kept."""

from __future__ import annotations

import hashlib
import html
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from signing import SignatureReport, Verdict
from web.state import WebState
from web.verdict_words import describe

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def _tr(app: Flask, lang: str, msgid: str, **values: object) -> str:
    """``msgid`` as the app's catalogue has it in ``lang`` (English until a Chinese translation is merged)."""
    with app.test_request_context(), force_locale(lang):
        return str(gettext(msgid, **values))


def _check(client: FlaskClient, data: bytes, lang: str, name: str = "agreement.pdf") -> tuple[int, str]:
    client.post(f"/lang/{lang}")
    response = client.post("/verify", data={"pdf": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    return response.status_code, response.text


def _verdict_card(page: str) -> str:
    return page[page.index('class="card verdict'):page.index("</section>")]


def _reasons(page: str) -> list[str]:
    found = re.search(r'<ul class="problems">(.*?)</ul>', _verdict_card(page), re.S)
    return [html.unescape(r) for r in re.findall(r"<li>(.*?)</li>", found.group(1))] if found else []


def _facts(page: str) -> dict[str, str]:
    """Each signature's facts, label → value, from the signature cards."""
    pairs = re.findall(r'<dt>([^<]*)</dt><dd class="\w+">([^<]*)</dd>', page)
    return {html.unescape(label): html.unescape(value) for label, value in pairs}


def _flipped(pdf: bytes) -> bytes:
    at = len(pdf) // 2  # inside the signed range: the signature sits near the end, after the page content
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]


def _ticket(page: str) -> str:
    found = re.search(r'name="ticket" value="([^"]+)"', page)
    assert found, "the result page offers no report"
    return html.unescape(found.group(1))


def _pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_good_pdf_is_valid(app: Flask, client: FlaskClient, fast_services: WebState, sealed_pdf: bytes,
                             lang: str) -> None:
    status, page = _check(client, sealed_pdf, lang)
    card = _verdict_card(page)
    assert status == 200 and 'class="card verdict good" data-verdict="valid"' in page
    assert _tr(app, lang, "Valid") in card and not _reasons(page)
    heading = re.search(r'<section class="card signature">\s*<h2>(.*?)</h2>', page, re.S)
    assert heading and "聊城示例轴承有限公司" in heading.group(1) and _tr(app, lang, "Company seal") in heading.group(1)
    assert "(company)" not in page and "（company）" not in page
    facts = _facts(page)
    assert facts[_tr(app, lang, "Signed content")] == _tr(app, lang, "unchanged since signing")
    assert facts[_tr(app, lang, "Certificate")] == _tr(app, lang, "chains to the mibao root certificate")
    assert facts[_tr(app, lang, "Later changes")] == _tr(app, lang, "none")
    if lang == "en":  # nothing but the names (signer, embedded files' own descriptions) is in Chinese
        shown = [v for k, v in facts.items() if k not in ("Signed by", "Description")]
        assert not any(CJK.search(value) for value in shown), shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_one_byte_flip_is_altered(app: Flask, client: FlaskClient, fast_services: WebState, sealed_pdf: bytes,
                                    lang: str) -> None:
    status, page = _check(client, _flipped(sealed_pdf), lang)
    card = _verdict_card(page)
    assert status == 200 and 'class="card verdict broken" data-verdict="altered"' in page
    assert _tr(app, lang, "Altered after signing") in card and f"✔ {_tr(app, lang, 'Valid')}" not in page
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page))
    assert not re.search(r"有效[:：]?是", text) and not re.search(r"Valid[^.]{0,40}yes", text)
    reason = _tr(app, lang, "the signed content was changed after signing.")
    assert _reasons(page) == [_tr(app, lang, "Signature %(number)s (%(who)s): %(reason)s", number=1,
                                  who=_tr(app, lang, "Company seal"), reason=reason)]
    facts = _facts(page)
    assert facts[_tr(app, lang, "Signed content")] == _tr(app, lang, "changed after signing")
    # The certificate is still ours: a changed byte does not make the signer untrusted.
    assert facts[_tr(app, lang, "Certificate")] == _tr(app, lang, "chains to the mibao root certificate")
    if lang == "en":
        assert not any(CJK.search(r) for r in _reasons(page))
    else:
        assert "digest mismatch" not in page and "not trusted" not in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_times_are_china_time(app: Flask, client: FlaskClient, fast_services: WebState, sealed_pdf: bytes,
                              lang: str) -> None:
    _, page = _check(client, sealed_pdf, lang)
    facts = _facts(page)
    checked = re.search(r"<dt>[^<]*</dt><dd>(2026-11-21 09:00:00[^<]*)</dd>", page)   # the injected clock, +08:00
    assert checked and html.unescape(checked.group(1)) == _tr(app, lang, "%(time)s (Beijing time, UTC+08:00)",
                                                              time="2026-11-21 09:00:00")
    signed = facts[_tr(app, lang, "Signed at")]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", signed) and "UTC+08:00" in signed
    assert "+00:00" not in page and not re.search(r"\d\dT\d\d:", page)


def test_the_report_names_the_file_and_the_verdict(app: Flask, client: FlaskClient, fast_services: WebState,
                                                   sealed_pdf: bytes) -> None:
    tampered = _flipped(sealed_pdf)
    for lang, data, headline in (("zh", sealed_pdf, "Valid"), ("en", tampered, "Altered after signing")):
        _, page = _check(client, data, lang, name="保密协议.pdf")
        response = client.post("/verify/report", data={"ticket": _ticket(page)})
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF-") and "attachment" in response.headers["Content-Disposition"]
        text = _pdf_text(response.data)
        digest = hashlib.sha256(data).hexdigest()
        assert digest in text and "保密协议.pdf" in text and str(len(data)) in text
        assert re.sub(r"\s+", "", _tr(app, lang, headline)) in text
        when = _tr(app, lang, "%(time)s (Beijing time, UTC+08:00)", time="2026-11-21 09:00:00")
        assert re.sub(r"\s+", "", when) in text
        assert "聊城示例轴承有限公司" in text
    # The report follows the language of the request that downloads it.
    client.post("/lang/en")
    english = _pdf_text(client.post("/verify/report", data={"ticket": _ticket(page)}).data)
    assert "Alteredaftersigning" in english and "Signatureverificationreport" in english


def test_a_forged_or_damaged_ticket_gets_no_report(client: FlaskClient) -> None:
    for ticket in ("", "forged", "eyJ2ZXJkaWN0Ijp7fX0.aaaa.bbbb"):
        response = client.post("/verify/report", data={"ticket": ticket})
        assert response.status_code == 400 and response.mimetype == "text/html"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_malformed_pdf_is_explained(app: Flask, client: FlaskClient, lang: str) -> None:
    status, page = _check(client, b"%PDF-1.7\n1 0 obj << /Type /Catalog", lang, name="broken.pdf")
    assert status == 200 and 'class="card verdict broken" data-verdict="unverifiable"' in page
    assert _tr(app, lang, "Cannot be verified") in _verdict_card(page)
    assert _reasons(page) == [_tr(app, lang, "The PDF is damaged and cannot be read.")]
    assert "damaged or unreadable PDF" not in page   # the checker's English stays out when a reason says it
    status, page = _check(client, b"PK\x03\x04 a zip", lang, name="agreement.docx")
    assert status == 422 and "role=\"alert\"" in page


def _report(**changes: object) -> SignatureReport:
    fields: dict[str, object] = dict(field="employee", signer="张伟", signing_time="2026-11-21T01:02:03+00:00",
                                     timestamp="2026-11-21T01:02:04+00:00", intact=True, valid=True, trusted=True,
                                     modification_level="NONE", docmdp_ok=True, coverage="ENTIRE_FILE",
                                     kind="signature", problems=[])
    fields.update(changes)
    return SignatureReport(**fields)  # type: ignore[arg-type]


def test_the_verdict_in_words(app: Flask) -> None:
    """Each structured outcome becomes one overall verdict and reasons in the page's language."""
    foreign = Verdict(ok=False, signatures=[_report(trusted=False, problems=["signer not trusted"])], problems=["x"])
    unreadable = Verdict(ok=False, signatures=[_report(intact=False, valid=False, trusted=False,
                                                       modification_level="UNKNOWN", coverage="UNKNOWN",
                                                       docmdp_ok=None, problems=["could not be checked"])],
                         problems=["could not be checked"])
    added = Verdict(ok=False, signatures=[_report(modification_level="OTHER", docmdp_ok=False, problems=["y"])],
                    problems=["y"])
    untimed = Verdict(ok=False, signatures=[_report(timestamp=None, problems=["no timestamp"])], problems=["z"])
    odd = Verdict(ok=False, signatures=[_report(problems=["the timestamp is not valid"])], problems=["the timestamp"])
    with app.test_request_context(), force_locale("en"):
        assert describe(foreign).state == "unverifiable"
        assert "does not chain to the mibao root" in describe(foreign).reasons[0]
        assert describe(unreadable).state == "unverifiable" and describe(unreadable).signatures[0].facts[4].value \
            == "not checked"
        assert describe(added).state == "altered"
        assert "did not permit" in describe(added).reasons[0]
        assert describe(untimed).state == "unverifiable" and "no timestamp" in describe(untimed).reasons[0]
        assert "claims" in describe(untimed).signatures[0].facts[2].value
        assert describe(odd).details == ["the timestamp"] and not describe(foreign).details
        party = describe(Verdict(ok=True, signatures=[_report(field="company", signer="聊城示例轴承有限公司",
                                                              organisation="聊城示例轴承有限公司")], problems=[]))
        assert party.signatures[0].title == "Company seal" and party.signatures[0].signer == "聊城示例轴承有限公司"
        tsa = describe(Verdict(ok=True, signatures=[_report(field="Timestamp1", kind="document_timestamp",
                                                            signer="mibao TSA 1", organisation="mibao")], problems=[]))
        assert tsa.signatures[0].title == "Document timestamp" and tsa.signatures[0].signer == "mibao TSA 1, mibao"
