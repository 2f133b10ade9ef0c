"""Money typed by staff: one parser everywhere, exact or refused, bounded per use, worded in the page's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.money import (
    DEFAULT_WEEKLY_BUDGET_MAXIMUM,
    RATE_MAXIMUM,
    AmountError,
    amount_message,
    parse_percent,
    parse_pounds,
    percent_for_input,
    pounds_for_input,
    weekly_budget_maximum,
)

MAX = 10_000_000


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("300", 30000),
        ("300.5", 30050),
        ("240.95", 24095),
        ("£240.95", 24095),
        (".50", 50),
        ("£.5", 50),
        ("0.05", 5),
        ("£0", 0),
        ("£ 12", 1200),
        ("1,234.50", 123450),
        ("£ 2,500", 250000),
        ("1 500", 150000),
        ("1\u00a0500.25", 150025),  # a no-break space, as a locale's number format has it
        ("٣٠٠", 30000),  # Arabic-Indic digits, as an Urdu keyboard types them
        ("  42  ", 4200),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_pounds_are_read_exactly(typed, pence):
    assert parse_pounds(typed, maximum=MAX) == pence


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("240,95", "comma"),  # never read as £24,095
        ("12,34", "comma"),
        ("1,00", "comma"),
        ("1,2,3", "comma"),
        ("1,0000", "comma"),
        ("1.234", "decimals"),
        ("0.001", "decimals"),
        ("-5", "negative"),
        ("£-5", "negative"),
        ("-0", "negative"),
        ("abc", "format"),
        ("1e3", "format"),
        ("NaN", "format"),
        ("Infinity", "format"),
        ("£", "format"),
        ("12.", "format"),
        ("--5", "format"),
        ("0x10", "format"),
        ("1_000", "format"),
        ("½", "format"),
        ("9" * 40, "format"),
        ("3 0 0 0 0 0 0", "too_large"),
    ],
)
def test_slips_are_refused_with_a_reason(typed, code):
    with pytest.raises(AmountError) as raised:
        parse_pounds(typed, maximum=MAX)
    assert raised.value.code == code


def test_bounds_are_inclusive_and_carried_on_the_error():
    assert parse_pounds("100000", maximum=MAX) == MAX
    with pytest.raises(AmountError) as raised:
        parse_pounds("100000.01", maximum=MAX)
    assert (raised.value.code, raised.value.limit) == ("too_large", MAX)
    assert parse_pounds("0.01", maximum=MAX, minimum=1) == 1
    with pytest.raises(AmountError) as raised:
        parse_pounds("0", maximum=MAX, minimum=1)
    assert (raised.value.code, raised.value.limit) == ("too_small", 1)


def test_a_weekly_budget_of_a_million_pounds_is_refused(app):
    """The slip the issue found: £1,234,567.89 a week was accepted as a confirmed budget."""
    maximum = weekly_budget_maximum()
    assert maximum == DEFAULT_WEEKLY_BUDGET_MAXIMUM == 2_500_000
    with pytest.raises(AmountError):
        parse_pounds("£1,234,567.89", maximum=maximum)
    assert parse_pounds("£25,000", maximum=maximum) == 2_500_000


def test_the_weekly_maximum_is_configured(app):
    app.config["MAX_WEEKLY_BUDGET_PENCE"] = 500_000
    with pytest.raises(AmountError):
        parse_pounds("5000.01", maximum=weekly_budget_maximum())


pence = st.integers(min_value=0, max_value=MAX)


@given(pence)
def test_what_goes_into_a_box_reads_back(amount):
    assert parse_pounds(pounds_for_input(amount), maximum=MAX) == amount


@given(pence, st.sampled_from(["", "£", "£ "]), st.booleans())
def test_pounds_with_thousands_separators_read_back(amount, prefix, two_places):
    pounds, remainder = divmod(amount, 100)
    text = f"{prefix}{pounds:,}" + (f".{remainder:02d}" if two_places or remainder else "")
    assert parse_pounds(text, maximum=MAX) == amount


@given(st.integers(min_value=0, max_value=999), st.integers(min_value=0, max_value=99))
def test_a_decimal_comma_is_never_read_as_thousands(pounds, pennies):
    """240,95 must be refused: the only comma parse_pounds accepts has exactly three digits after it."""
    with pytest.raises(AmountError) as raised:
        parse_pounds(f"{pounds},{pennies:02d}", maximum=MAX)
    assert raised.value.code == "comma"


@given(st.text(max_size=40), st.integers(min_value=0, max_value=MAX))
def test_any_text_is_an_amount_within_bounds_or_refused(typed, maximum):
    try:
        result = parse_pounds(typed, maximum=maximum)
    except AmountError as error:
        assert error.code in {"format", "comma", "decimals", "negative", "too_small", "too_large"}
    else:
        assert result is None or 0 <= result <= maximum
        assert result is not None or not typed.strip()


def test_the_formatter_for_inputs():
    assert [pounds_for_input(p) for p in (None, 0, 5, 30000, 30050, 123456789)] == [
        "",
        "0",
        "0.05",
        "300",
        "300.50",
        "1234567.89",
    ]
    assert [percent_for_input(v) for v in (None, 10, Decimal("12.50"), Decimal("1E+2"))] == [
        "",
        "10",
        "12.5",
        "100",
    ]


def test_parse_percent():
    assert parse_percent("12.5%", maximum=Decimal(100)) == Decimal("12.5")
    assert parse_percent(" 12.5 % ", maximum=Decimal(100)) == Decimal("12.5")
    assert parse_percent(" ", maximum=Decimal(100)) is None
    for bad, code in (
        ("NaN", "format"),
        ("1e2", "format"),
        ("½", "format"),
        ("10%%", "format"),
        ("1_0", "format"),
        ("-1", "negative"),
        ("100.5", "too_large"),
        ("1.234", "decimals"),
    ):
        with pytest.raises(AmountError) as raised:
            parse_percent(bad, maximum=Decimal(100))
        assert raised.value.code == code, bad
    with pytest.raises(AmountError) as raised:
        parse_percent("12.5", maximum=Decimal(100), whole=True)
    assert raised.value.code == "decimals"


@pytest.mark.parametrize(
    ("typed", "lang", "message"),
    [
        (
            "240,95",
            "en",
            "Use a full stop before the pence, and commas only between thousands, like 1,240.95",
        ),
        ("1.234", "en", "Enter the amount to the nearest penny, like 240.95"),
        ("-1", "en", "The amount must be £0 or more"),
        ("abc", "en", "Enter an amount in pounds, like 240.95"),
        ("£1,234,567.89", "en", "The amount must be £25,000.00 or less"),
    ],
)
def test_each_refusal_is_worded(app, typed, lang, message):
    with app.test_request_context(f"/?lang={lang}"), pytest.raises(AmountError) as raised:
        parse_pounds(typed, maximum=weekly_budget_maximum())
    with app.test_request_context(f"/?lang={lang}"):
        assert amount_message(raised.value) == message


# -- gaps the mutation run showed (scripts/mutation.py --target money) -------------------------------------


def test_a_rate_may_be_up_to_one_hundred_thousand_pounds_a_unit():
    assert parse_pounds("100,000", maximum=RATE_MAXIMUM) == 10_000_000
    with pytest.raises(AmountError) as refused:
        parse_pounds("100,000.01", maximum=RATE_MAXIMUM)
    assert refused.value.code == "too_large"


def test_text_of_up_to_thirty_characters_is_read_and_longer_is_refused_unread():
    thirty = "£" + " " * 27 + "10"
    assert len(thirty) == 30 and parse_pounds(thirty, maximum=10_000) == 1_000
    with pytest.raises(AmountError) as refused:
        parse_pounds("£" + " " * 28 + "10", maximum=10_000)
    assert refused.value.code == "format"


def test_a_percentage_of_more_than_thirty_characters_is_refused_unread():
    assert parse_percent("0" * 29 + "1", maximum=Decimal(100)) == Decimal(1)
    with pytest.raises(AmountError) as refused:
        parse_percent("0" * 30 + "1", maximum=Decimal(100))
    assert refused.value.code == "format"


def test_a_negative_percentage_is_refused_with_nought_as_its_bound():
    with pytest.raises(AmountError) as refused:
        parse_percent("-5", maximum=Decimal(100))
    assert (refused.value.code, refused.value.limit) == ("negative", Decimal(0))


def test_a_comma_is_blamed_only_when_taking_it_out_leaves_an_amount():
    with pytest.raises(AmountError) as refused:
        parse_pounds("1,2x", maximum=10_000)
    assert refused.value.code == "format"
    with pytest.raises(AmountError) as refused:
        parse_pounds("12,50", maximum=10_000)
    assert refused.value.code == "comma"


def test_the_error_names_its_code():
    assert str(AmountError("too_large", 100)) == "too_large"


@pytest.mark.parametrize("typed", ["9" * 29, "9" * 27 + ".5", "£" + "9" * 28])
def test_the_longest_amounts_allowed_are_refused_as_too_large_not_a_crash(typed):
    with pytest.raises(AmountError) as refused:
        parse_pounds(typed, maximum=RATE_MAXIMUM)
    assert refused.value.code == "too_large"


@pytest.mark.parametrize("typed", ["1" + "0" * 26, "9" * 30, "9" * 27 + ".5"])
def test_the_longest_percentages_allowed_are_refused_as_too_large_not_a_crash(typed):
    with pytest.raises(AmountError) as refused:
        parse_percent(typed, maximum=Decimal(100), places=1)
    assert refused.value.code in ("too_large", "decimals")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("57,5", Decimal("57.5")),
        ("57,55 %", Decimal("57.55")),
        ("0,5", Decimal("0.5")),
        ("100,0", Decimal(100)),
    ],
)
def test_a_percentage_takes_a_decimal_comma(typed, expected):
    """Polish and Welsh pages show 57,5 %, so people type it: a percentage has no thousands for a comma to group."""
    assert parse_percent(typed, maximum=Decimal(100)) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("57,555", "format"),
        ("5,7,5", "format"),
        (",5", "format"),
        ("57,", "format"),
        ("1,000", "format"),
        ("57,5.5", "format"),
        ("100,5", "too_large"),
    ],
)
def test_a_comma_in_a_percentage_is_only_ever_a_decimal_one(typed, code):
    with pytest.raises(AmountError) as refused:
        parse_percent(typed, maximum=Decimal(100))
    assert refused.value.code == code


def test_a_decimal_comma_keeps_to_the_places_allowed():
    with pytest.raises(AmountError) as refused:
        parse_percent("12,5", maximum=Decimal(100), whole=True)
    assert refused.value.code == "decimals"
    assert parse_percent("12,0", maximum=Decimal(100), whole=True) == Decimal(12)
    with pytest.raises(AmountError):
        parse_percent("12,55", maximum=Decimal(100), places=1)
