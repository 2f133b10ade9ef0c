"""A line of the allocation summary and an accuracy report's outlier say "1 hour" and "1 night", not "1 hours".

Each sentence with a number of hours, nights or weeks takes its form from the number as shown (ngettext with
:func:`portal.vocabulary.plural_count`), as the reasons do (tests/test_vocabulary.py).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from portal.budgets import line_detail
from portal.engine import Line
from portal.practitioner.accuracy_words import explanation_words


def _text(markup: object) -> str:
    return re.sub(r"<[^>]+>", "", str(markup))


def _line(**fields: object) -> Line:
    return Line(key="daily_living", kind="daily_living", funder="council", amount_pence=1400, **fields)  # type: ignore[arg-type]


LINES = [
    (
        _line(group_hours=Decimal("1"), ratio=1),
        "£14.00 for 1 hour of activities with a carer",
    ),
    (
        _line(group_hours=Decimal("1.5"), ratio=1),
        "£14.00 for 1.5 hours of activities with a carer",
    ),
    (
        _line(group_hours=Decimal("1"), ratio=3),
        "£14.00 for 1 hour of activities in a group, sharing a carer with 2 other people",
    ),
    (
        _line(group_hours=Decimal("3"), ratio=2),
        "£14.00 for 3 hours of activities in a group, sharing a carer with 1 other person",
    ),
    (
        _line(hours_per_year=Decimal("1")),
        "£14.00 per week, set aside for 1 hour of extra help a year",
    ),
    (
        _line(hours_per_year=Decimal("11")),
        "£14.00 per week, set aside for 11 hours of extra help a year",
    ),
    (
        _line(nights_per_week=Decimal("1")),
        "£14.00 which could provide 1 night of support per week",
    ),
    (
        _line(nights_per_week=Decimal("0.5")),
        "£14.00 which could provide 0.5 nights of support per week",
    ),
    (_line(hours=Decimal("1.00")), "£14.00 which could provide 1 hour per week"),
    (_line(hours=Decimal("1.004")), "£14.00 which could provide 1 hour per week"),  # as shown
    (_line(hours=Decimal("1.50")), "£14.00 which could provide 1.5 hours per week"),
    (_line(hours=Decimal("7")), "£14.00 which could provide 7 hours per week"),
]


@pytest.mark.parametrize(("line", "expected"), LINES)
def test_a_line_takes_its_form_from_the_number_shown(app, line, expected):
    with app.test_request_context("/?lang=en"):
        assert _text(line_detail(line)) == expected


def _explained(hours: float, nights: float, line_hours: str, weeks: int) -> dict:
    return {
        "gap": 1400,
        "equivalents": {
            "hours": hours,
            "hour_kind": "daily_living",
            "rate": 1400,
            "nights": nights,
            "night_kind": "night_waking",
            "night_rate": 1400,
        },
        "lines": [
            {
                "key": "daily_living",
                "amount": 1400,
                "hours": line_hours,
                "rate": 1400,
                "ratio": 1,
                "nights": None,
                "answers": [["carer_breaks_weeks", weeks, ""]],
            }
        ],
        "checks": [],
    }


def test_an_outlier_explained_says_one_hour_one_night_one_week(app):
    with app.test_request_context("/?lang=en"):
        words = explanation_words(_explained(1.0, 1.0, "1.00", 1))
    assert words["worth"].startswith("That is about 1 hour a week of ")
    assert ", or 1 night a week of " in words["worth"]
    assert "(1 hour a week at £14.00 an hour)" in words["lines"][0]
    assert words["lines"][0].endswith("from carer breaks: 1 week a year")


def test_an_outlier_explained_says_other_numbers_in_the_plural(app):
    with app.test_request_context("/?lang=en"):
        words = explanation_words(_explained(1.5, 2.0, "0.50", 4))
    assert words["worth"].startswith("That is about 1.5 hours a week of ")
    assert ", or 2 nights a week of " in words["worth"]
    assert "(0.5 hours a week at £14.00 an hour)" in words["lines"][0]
    assert words["lines"][0].endswith("from carer breaks: 4 weeks a year")
