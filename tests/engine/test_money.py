"""Money helpers: half-up rounding to the penny, pounds strings, percentages that add up to 100.00."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.engine.money import percent_shares, pounds, pounds_number, round_fraction, round_half_up
from portal.engine.wording import money


def test_round_half_up() -> None:
    assert [round_half_up(n, 4) for n in (0, 1, 2, 3, 5, 6)] == [0, 0, 1, 1, 1, 2]
    assert round_half_up(5, 2) == 3 and round_half_up(7, 2) == 4  # halves always go up, never to even
    assert round_fraction(Fraction(15400 * 700, 36525)) == 295  # 11 hours x £14 / (365.25 / 7) weeks


def test_pounds() -> None:
    assert [pounds(p) for p in (0, 5, 98, 100, 24095, 123456789, -295)] == [
        "0.00",
        "0.05",
        "0.98",
        "1.00",
        "240.95",
        "1234567.89",
        "-2.95",
    ]
    assert pounds_number(24095) == 240.95
    assert money(123456) == "£1,234.56"


def test_percent_shares_reference() -> None:
    assert percent_shares([12600, 11495]) == [Decimal("52.29"), Decimal("47.71")]
    assert percent_shares([1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert percent_shares([0, 0]) == [Decimal("0.00"), Decimal("0.00")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=6).filter(lambda xs: sum(xs) > 0))
def test_percent_shares_always_add_up(amounts: list[int]) -> None:
    shares = percent_shares(amounts)
    assert sum(shares) == Decimal("100.00")
    total = sum(amounts)
    for amount, share in zip(amounts, shares, strict=True):
        assert abs(share - Decimal(amount * 100) / Decimal(total)) < Decimal("0.01")
        assert share.as_tuple().exponent == -2
