"""The reference figure every build must reproduce (PRODUCT.md): lines, funders, hours and the funding split."""

from __future__ import annotations

from decimal import Decimal

from portal.engine import Configuration, estimate

from .conftest import reference_profile

# (key, funder, pence, paid hours a week)
EXPECTED_LINES = [
    ("daily_living", "council", 9800, Decimal("7.00")),
    ("household", "council", 1400, Decimal("1.00")),
    ("night", None, 0, Decimal("0.00")),
    ("social", "council", 1400, Decimal("1.00")),
    ("work_learning", None, 0, Decimal("0.00")),
    ("childcare", None, 0, Decimal("0.00")),
    ("mental_health", "nhs", 1400, Decimal("1.00")),
    ("contingency", "nhs", 295, Decimal("0.00")),
    ("medication", "nhs", 9800, Decimal("7.00")),
]


def test_reference_lines(reference: Configuration) -> None:
    result = estimate(reference_profile(), reference)
    got = [(line.key, line.funder, line.amount_pence, line.hours) for line in result.lines]
    assert got == EXPECTED_LINES
    assert [line.allocated for line in result.lines] == [
        True,
        True,
        False,
        True,
        False,
        False,
        True,
        True,
        True,
    ]


def test_reference_group_activity_and_contingency(reference: Configuration) -> None:
    result = estimate(reference_profile(), reference)
    social = result.line("social")
    assert (social.group_hours, social.ratio, social.hours, social.rate_pence) == (
        Decimal("3.00"),
        3,
        Decimal("1.00"),
        1400,
    )
    contingency = result.line("contingency")
    assert contingency.hours_per_year == Decimal("11.00")
    assert contingency.amount_pence == 295  # 11 hours x £14 / (365.25 / 7) weeks = £2.951...


def test_reference_split_and_totals(reference: Configuration) -> None:
    result = estimate(reference_profile(), reference)
    assert [(s.funder, s.amount_pence, s.percent) for s in result.split] == [
        ("council", 12600, Decimal("52.29")),
        ("nhs", 11495, Decimal("47.71")),
    ]
    assert sum(s.percent for s in result.split) == Decimal("100.00")
    assert result.total_weekly_pence == 24095
    assert result.total_yearly_pence == 1257243  # £240.95 x 365.25 / 7 = £12,572.4268...
    assert result.to_dict()["total_weekly_pounds"] == "240.95"
