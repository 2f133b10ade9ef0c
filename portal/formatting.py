"""Money, numbers and dates in the person's locale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_currency, format_date, get_locale
from markupsafe import Markup, escape


def _pound_sign(text: str) -> str:
    # Some locales (Polish among them) have no symbol for pounds and would show the English code "GBP".
    return text.replace("GBP", "£")


def format_money(pence: int | None) -> str:
    """Whole pence as pounds in the current locale, e.g. ``£1,234.50``."""
    if pence is None:
        return ""
    return _pound_sign(str(format_currency(Decimal(pence) / 100, "GBP")))


def format_whole_money(pounds: Decimal) -> str:
    """Whole pounds in the current locale without pence, e.g. ``£490`` (for rounded summary amounts)."""
    # The locale's own currency pattern (the sign before or after), without its decimal places.
    pattern = get_locale().currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return _pound_sign(str(format_currency(pounds, "GBP", format=pattern, currency_digits=False)))


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
