"""Exact money helpers: integer pence, half-up rounding, pounds strings.

Every amount the engine produces is an ``int`` of pence. A quantity of money that is not a whole number of
pence (an hourly rate times 45 minutes, a weekly rate over 52.18 weeks) is rounded once, half up (0.5p goes
up), by integer arithmetic: ``round_half_up(n, d)`` is ``floor(n / d + 1/2)`` for ``d > 0`` and ``n >= 0``.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def round_half_up(numerator: int, denominator: int) -> int:
    """Round the non-negative fraction numerator/denominator to the nearest integer, halves up."""
    return (2 * numerator + denominator) // (2 * denominator)


def round_fraction(value: Fraction) -> int:
    """Round a non-negative Fraction to the nearest integer, halves up."""
    return round_half_up(value.numerator, value.denominator)


def pounds(pence: int) -> str:
    """Format pence as a pounds string with two decimals and no symbol: 24095 -> '240.95'."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def pounds_number(pence: int) -> float:
    """Pence as a float of pounds for JSON output (exact to the penny for any realistic amount)."""
    return pence / 100


def percent_shares(amounts: list[int]) -> list[Decimal]:
    """Percentages of the total to 2 decimals that sum to exactly 100.00 (largest remainder method).

    Each share is first floored to the hundredth of a percent; the hundredths left over go one each to the
    shares with the largest remainders (ties to the earlier share).
    """
    total = sum(amounts)
    if total <= 0:
        return [Decimal(0).scaleb(-2) for _ in amounts]
    floors = []
    remainders = []
    for i, amount in enumerate(amounts):
        q, r = divmod(amount * 10000, total)
        floors.append(q)
        remainders.append((-r, i))
    left = 10000 - sum(floors)
    for _, i in sorted(remainders)[:left]:
        floors[i] += 1
    return [Decimal(f).scaleb(-2) for f in floors]
