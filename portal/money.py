"""Amounts typed by staff: one parser for pounds (and one for percentages), and the way back into a box.

Every box where staff type money (a confirmed budget, a contribution, a rate, an approval limit, the light
check's maximum) reads it here, so "£1,500.50", ".50" and "1 500" mean the same thing everywhere and the
same slips are refused everywhere:

* a comma is only ever a thousands separator: "1,500" is £1,500 but "240,95" is refused, never read as
  £24,095 (the Polish and Welsh keyboards' decimal comma would otherwise cost a hundredfold);
* no more than two decimal places, no exponent, no "NaN", no sign other than a refused minus;
* each use has a bound: a weekly budget at most :func:`weekly_budget_maximum` (configurable, a plausible
  ceiling far above the most intensive care package), so a typo such as £1,234,567.89 a week is refused.

Parsing raises :class:`AmountError` with a code and the bound, and :func:`amount_message` words it in the
page's language; a form may word a code itself when it wants to name its field.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from typing import Any

from flask import current_app
from flask_babel import gettext

from portal.formatting import format_money

# A plausible ceiling for one person's weekly budget when the deployment sets none (PORTAL_MAX_WEEKLY_BUDGET):
# 24-hour care by two workers at once is about £10,000 a week, so £25,000 leaves room and refuses slips.
DEFAULT_WEEKLY_BUDGET_MAXIMUM = 2_500_000
RATE_MAXIMUM = 10_000_000  # £100,000 for one unit of a rate: far above any, so a typo cannot pass
_MAX_CHARS = 30  # longer text is refused before any work is done on it
# Digits enough to hold any text allowed with its decimal places: the default 28 cannot quantize 27 digits to
# two places (decimal.InvalidOperation, a 500), which 29 nines typed into a box would otherwise reach.
_PRECISION = _MAX_CHARS + 10

# Digits, optionally grouped in threes by commas, then optional pence; or pence alone (".50").
_POUNDS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
# A percentage typed with a decimal comma, as the Polish and Welsh pages show one ("57,5 %"): a percentage has no
# thousands, so one comma with one or two digits after it can only be a decimal one (money keeps refusing it).
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_SIGN = re.compile(r"£-|-?£?")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class AmountError(ValueError):
    """Why typed text is not an acceptable amount.

    ``code`` is one of ``format``, ``comma`` (a comma that is not a thousands separator), ``decimals``,
    ``negative``, ``too_small`` or ``too_large``; ``limit`` is the bound that was crossed, in the units
    parsed (pence for money), for the message.
    """

    def __init__(self, code: str, limit: Any = None) -> None:
        super().__init__(code)
        self.code = code
        self.limit = limit


def weekly_budget_maximum() -> int:
    """The most one person's weekly budget (or a weekly limit) may be, in pence, for this deployment."""
    return int(current_app.config.get("MAX_WEEKLY_BUDGET_PENCE", DEFAULT_WEEKLY_BUDGET_MAXIMUM))


def parse_pounds(text: str | None, *, maximum: int, minimum: int = 0) -> int | None:
    """Whole pence from what was typed ("300", "300.5", ".50", "£1,500.50", "1 500"); None when blank.

    Raises :class:`AmountError` for anything else, and for an amount outside ``minimum``..``maximum`` pence.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    if len(raw) > _MAX_CHARS:
        raise AmountError("format")
    cleaned = _SPACES.sub("", raw)
    sign_match = _SIGN.match(cleaned)  # "-", "£", "-£" or "£-" before the number (or nothing)
    sign = sign_match[0] if sign_match else ""
    negative = "-" in sign
    cleaned = cleaned[len(sign) :]
    if not _POUNDS.fullmatch(cleaned):
        if "," in cleaned and _POUNDS.fullmatch(cleaned.replace(",", "")):
            raise AmountError("comma")
        raise AmountError("format")
    if negative:
        raise AmountError("negative", minimum)
    with localcontext(prec=_PRECISION):
        amount = Decimal(cleaned.replace(",", ""))
        if amount != amount.quantize(Decimal("0.01")):
            raise AmountError("decimals")
        pence = int(amount * 100)
    if pence > maximum:
        raise AmountError("too_large", maximum)
    if pence < minimum:
        raise AmountError("too_small", minimum)
    return pence


def pounds_for_input(pence: int | None) -> str:
    """An amount as staff would type it back: "300" or "300.50" (the £ is the box's prefix); blank for None."""
    if pence is None:
        return ""
    pounds, remainder = divmod(pence, 100)
    return str(pounds) if remainder == 0 else f"{pounds}.{remainder:02d}"


def parse_percent(
    text: str | None, *, maximum: Decimal, whole: bool = False, places: int = 2
) -> Decimal | None:
    """A percentage from what was typed ("10", "10%", "12.5 %", "12,5 %"); None when blank.

    Raises :class:`AmountError` for anything else, including more than ``places`` decimal places (or any,
    when ``whole``) and a value above ``maximum``.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    if len(raw) > _MAX_CHARS:
        raise AmountError("format")
    cleaned = _SPACES.sub("", raw).removesuffix("%")
    negative = cleaned.startswith("-")
    cleaned = cleaned.removeprefix("-")
    if _DECIMAL_COMMA.fullmatch(cleaned):
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        raise AmountError("format")
    if negative:
        raise AmountError("negative", Decimal(0))
    with localcontext(prec=_PRECISION):
        number = Decimal(cleaned)
        if whole and number != number.to_integral_value():
            raise AmountError("decimals")
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise AmountError("decimals")
    if number > maximum:
        raise AmountError("too_large", maximum)
    return number


def percent_for_input(number: Decimal | int | None) -> str:
    """A percentage without trailing zeros or an exponent: 10, 12.5, 100."""
    if number is None:
        return ""
    return format(Decimal(number).normalize(), "f")


def amount_message(error: AmountError, *, example: str = "240.95") -> str:
    """What staff are told about an amount of money they typed, in the page's language."""
    if error.code == "comma":
        message = gettext(
            "Use a full stop before the pence, and commas only between thousands, like %(example)s",
            example="1,240.95",
        )
    elif error.code == "decimals":
        message = gettext("Enter the amount to the nearest penny, like %(example)s", example=example)
    elif error.code in ("negative", "too_small") and not error.limit:
        message = gettext("The amount must be £0 or more")
    elif error.code in ("negative", "too_small"):
        message = gettext("The amount must be at least %(minimum)s", minimum=format_money(error.limit))
    elif error.code == "too_large":
        message = gettext("The amount must be %(maximum)s or less", maximum=format_money(error.limit))
    else:
        message = gettext("Enter an amount in pounds, like %(example)s", example=example)
    return str(message)
