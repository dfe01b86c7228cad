"""The non-compete ledger (/hr/non-compete): HR and the secrecy office see every former employee under monitoring —
the agreed and paid money read from the signed agreement and the recorded payments, the penalty base, the months
paid short or late, the escalation when a payment is late beyond the agreed days, and the current month."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.bpmn.driver import CST, Run, example, signed_non_compete
from tests.bpmn.test_offboarding import PROOF, leave, open_month, pay, payment
from web.state import WebState
from workflows import FixedClock

Login = Callable[[str], FlaskClient]


def _cells(page: str, label: str) -> list[str]:
    """The text of every cell of the column ``label`` (the phone layout names each cell by its column)."""
    cells = re.findall(rf'<td data-label="{re.escape(label)}">(.*?)</td>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def test_hr_and_the_secrecy_office_follow_the_money_month_by_month(login: Login, clock: FixedClock,
                                                                   fast_services: WebState) -> None:
    engine = fast_services.engine
    document = signed_non_compete(engine, clock)
    run = Run(engine, clock, "offboarding", example("offboarding", cooldown_applies=False), "hr01")
    leave(run)

    # Before the first month opens: scheduled, nothing paid yet.
    hr = login("hr01")
    assert hr.post("/lang/en").status_code == 302
    page = hr.get("/hr/non-compete")
    assert page.status_code == 200 and "王志强" in page.text
    assert _cells(page.text, "Months paid") == ["0"]
    assert "not open yet" in _cells(page.text, "Current month")[0]

    # December paid in full on time; January paid 278.00 short; February's proof in, its payment not made.
    month1 = dt.datetime(2026, 12, 1, tzinfo=CST)
    open_month(run, month1)
    clock.set(month1.replace(day=8, hour=10))
    run.do("submit_proof", "eng01", PROOF)
    pay(run, dt.date(2026, 12, 14))
    month2 = dt.datetime(2027, 1, 1, tzinfo=CST)
    open_month(run, month2)
    clock.set(month2.replace(day=9, hour=10))
    run.do("submit_proof", "eng01", PROOF)
    clock.set(month2.replace(day=13, hour=10))
    run.do("record_payment", "hr01", dict(payment(dt.date(2027, 1, 13)), payment_amount=4000.0))
    assert run.show().data["penalty_base"] == "41390.00"

    # Two months on, that sign-in has long ended; signing in again keeps English, the language HR chose.
    assert "/login" in hr.get("/hr/non-compete").headers["Location"]
    hr = login("hr01")
    page = hr.get("/hr/non-compete")
    assert page.status_code == 200
    assert _cells(page.text, "Monthly compensation") == ["CN¥4,278.00"]
    assert _cells(page.text, "Months opened") == ["3 of 24"]          # month 3 is scheduled once month 2 is paid
    assert _cells(page.text, "Months paid") == ["2"]
    assert _cells(page.text, "Paid in total") == ["CN¥8,278.00"]
    assert _cells(page.text, "Penalty base") == ["CN¥41,390.00 5 × paid"]
    assert _cells(page.text, "Late or short") == ["Month 2: CN¥278.00 short"]
    assert _cells(page.text, "Escalation") == ["—"]
    assert _cells(page.text, "Current month") == [
        "Month 3 not open yet proof due 2027-02-10 23:00 payment due 2027-02-15 23:00"]
    assert 'class="alert"' in page.text                              # the shortfall stands out
    # The signed agreement, linked to its PDF for HR; the person's agreements and the instance one click away.
    assert f'href="/documents/{document}.pdf"' in page.text
    assert f'href="/hr/instances/{run.id}"' in page.text and 'href="/hr/people/eng01"' in page.text
    assert 'href="/hr/non-compete"' in page.text                    # in the menu

    # February's payment is more than 30 days late: escalated, and the former employee may end the agreement.
    month3 = dt.datetime(2027, 2, 1, tzinfo=CST)
    open_month(run, month3)
    clock.set(month3.replace(day=5, hour=10))
    run.do("submit_proof", "eng01", PROOF)
    run.tick(dt.datetime(2027, 3, 18, 9, 1, tzinfo=CST))
    hr = login("hr01")
    page = hr.get("/hr/non-compete")
    assert _cells(page.text, "Late or short") == ["Month 2: CN¥278.00 short Month 3: unpaid, 31 days late"]
    assert _cells(page.text, "Escalation") == [
        "Month 3: more than 30 days late 2027-03-18 09:01 The former employee may end the agreement."]
    assert _cells(page.text, "Current month")[0].startswith("Month 3 proof received, to be paid")
    assert '<span class="badge">' in page.text

    # The secrecy office sees the same ledger (without links to HR's instance pages); others are turned away as from
    # /hr/pledges, and find no menu entry.
    office = login("sec01")
    page = office.get("/hr/non-compete")
    assert page.status_code == 200 and "王志强" in page.text and "¥8,278.00" in page.text and "¥278.00" in page.text
    assert "/hr/instances/" not in page.text                        # HR's instance pages are not theirs
    assert 'href="/hr/non-compete"' in page.text
    employee = login("eng02")
    assert employee.get("/hr/non-compete").status_code == 403
    assert 'href="/hr/non-compete"' not in employee.get("/inbox").text
