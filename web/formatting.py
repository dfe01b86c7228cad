"""Template filters for values the engine keeps as plain JSON: ISO timestamps and amounts of money."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask
from flask_babel import format_currency

__all__ = ["AMOUNT_FIELDS", "install"]

# Instance data fields that hold an amount in yuan (start forms and task forms).
AMOUNT_FIELDS = frozenset({"average_monthly_wage", "local_minimum_wage", "payment_amount", "compensation_amount"})


def from_iso(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def amount(value: Any) -> str:
    """``14260.00`` → ``¥14,260.00`` (zh) / ``CN¥14,260.00`` (en); anything not a number is shown as it is."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return str(format_currency(number, "CNY"))


def as_text(value: Any) -> str:
    """Nested data (a list of carriers, a ballot) as readable JSON, Chinese left as it is."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def install(app: Flask) -> None:
    app.jinja_env.filters.update(fromiso=from_iso, amount=amount, as_text=as_text)
    app.jinja_env.globals["AMOUNT_FIELDS"] = AMOUNT_FIELDS
