"""English wording for the command line: every code has a sentence, numbers read naturally."""

from __future__ import annotations

from decimal import Decimal

from portal.engine import EFFECTS, Line, Reason
from portal.engine.result import Change
from portal.engine.wording import REASONS, change_text, hours, line_text, line_title, reason_text


def test_every_effect_has_wording() -> None:
    assert set(EFFECTS) == set(REASONS)


def test_hours_read_naturally() -> None:
    assert [hours(Decimal(v)) for v in ("1.00", "7.00", "0.25", "1.50", "100")] == [
        "1 hour",
        "7 hours",
        "0.25 hours",
        "1.5 hours",
        "100 hours",
    ]


def test_line_texts() -> None:
    assert line_text(Line("x", "daily_living", None, 0)) == "No allocation"
    assert line_text(Line("x", "daily_living", "council", 500)) == "£5.00 per week"
    night = Line("night", "night_sleep_in", "council", 20000, 10000, nights_per_week=Decimal("2"))
    assert line_text(night) == "£200.00 which could provide 2 nights of sleep-in support per week"
    one_night = Line("night", "other", "council", 10000, 10000, nights_per_week=Decimal("1"))
    assert line_text(one_night) == "£100.00 which could provide 1 night of night-time support per week"
    one_week = Line("carer_breaks", "respite", "council", 1169, 61000, breaks_weeks=1)
    assert line_text(one_week) == "£11.69 per week towards 1 week of breaks a year for an unpaid carer"
    assert line_title(Line("unknown_line", None, None, 0)) == "unknown_line"
    assert (
        line_title(Line("daily_living", None, None, 0), {"daily_living": "Our own title"}) == "Our own title"
    )


def test_reason_texts() -> None:
    assert reason_text(Reason("need_level", "need_hygiene", 3, "daily_living", Decimal("4.50"))) == (
        "You need a lot of help with washing and personal hygiene: about 4.5 hours a week before any unpaid help."
    )
    assert reason_text(
        Reason("unpaid_support", "unpaid_hygiene", Decimal("0.5"), "daily_living", Decimal("2.25"))
    ) == (
        "Family, friends or volunteers will keep giving about half of the help with washing and personal hygiene, "
        "so 2.25 hours a week are taken off."
    )
    pair = Reason("more_time", "memory_cognition", 2, "daily_living", Decimal("12.5"), "m", "lives_alone", 1)
    assert reason_text(pair) == (
        "Because of memory or thinking difficulties and living alone, the support on this line takes 12.5% more time."
    )
    group = Reason("less_time", "client_group", "learning_disability", "daily_living", Decimal("2.0"), "ld")
    assert "your main reason for support (learning disability)" in reason_text(group)
    rate = Reason(
        "local_rate", "client_group", "autism", "daily_living", Decimal(2000), None, "setting", "community"
    )
    assert "£20.00 an hour" in reason_text(rate)
    assert reason_text(Reason("staffing_ratio", "behaviour_challenges", 0, "social", Decimal(3))) == (
        "Group activities are planned with 1 carer to 3 people."
    )
    assert reason_text(Reason("future_code", "night", 1, "night", Decimal(1))) == "future_code: night = 1"


def test_change_text() -> None:
    assert change_text(Change("nutrition", "unpaid_nutrition", Decimal("0.5"), "daily_living", 1234)) == (
        "If unpaid help with eating and drinking stopped, your budget would go up by £12.34 a week."
    )
