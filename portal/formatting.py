"""Money, numbers and dates in the person's locale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_currency, format_date
from markupsafe import Markup, escape


def format_money(pence: int | None) -> str:
    """Whole pence as pounds in the current locale, e.g. ``£1,234.50``."""
    if pence is None:
        return ""
    return str(format_currency(Decimal(pence) / 100, "GBP"))


def format_day(value: date | datetime | None) -> str:
    """A date in the long form for the current locale, e.g. ``23 November 2026``."""
    if value is None:
        return ""
    return str(format_date(value, format="long"))


def ltr(value: object) -> Markup:
    """Isolate a left-to-right value (an amount, a percentage, a reference, a postcode) from the text around it.

    In a right-to-left page the bidirectional algorithm would otherwise move "£" and "%" to the wrong side of
    the digits. The one filter every template and PDF uses for such values (``{{ x | ltr }}``).
    """
    return Markup('<bdi dir="ltr">%s</bdi>') % escape(value)
