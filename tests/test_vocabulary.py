"""The engine's vocabulary: every code the engine can give has a wording, and every wording is translated."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from portal import vocabulary
from portal.engine import AREAS, CLIENT_GROUPS, EFFECTS, FACTORS, SETTINGS, Reason, demo_configuration
from portal.engine.profile import INT_FIELDS, UNPAID_SHARES
from portal.engine.schema import LINE_FUNDERS, RATE_UNITS
from portal.i18n import COMPLETE

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def test_every_code_of_the_engine_has_a_wording():
    shipped = demo_configuration()
    lines = {line.key for line in shipped.lines}
    assert set(vocabulary.AREA_NAMES) == {*AREAS, "night"}
    assert set(vocabulary.FACTOR_NAMES) == {*FACTORS, "night", "carer_breaks_weeks"}
    assert set(vocabulary.NEED_LEVEL_WORDS) == set(range(INT_FIELDS["need_hygiene"] + 1))
    assert set(vocabulary.NEED_LEVEL_LABELS) == set(range(1, INT_FIELDS["need_hygiene"] + 1))
    assert set(vocabulary.NIGHT_LEVELS) == set(range(1, INT_FIELDS["night"] + 1))
    assert set(vocabulary.UNPAID_SHARE_WORDS) == {format(s.normalize(), "f") for s in UNPAID_SHARES if s}
    assert set(vocabulary.FUNDER_NAMES) == set(LINE_FUNDERS)
    assert set(vocabulary.CLIENT_GROUP_NAMES) == set(CLIENT_GROUPS)
    assert set(vocabulary.SETTING_NAMES) == set(SETTINGS)
    assert set(vocabulary.EFFECT_SENTENCES) == set(EFFECTS)
    assert set(vocabulary.LINE_TITLES) == set(vocabulary.LINE_PURPOSES) == lines
    assert set(vocabulary.RATE_NAMES) == set(shipped.rate_units)
    assert set(vocabulary.UNIT_NAMES) == set(RATE_UNITS)
    assert {name for name, most in INT_FIELDS.items() if most == 1} >= vocabulary.YES_NO_FACTORS


def test_the_model_levels_are_the_levels_of_need_labelled():
    """The configuration's model lists hours for levels of need 1 to 4; each has its label."""
    model = demo_configuration().to_dict()["model"]["base_log_hours"]
    assert {len(levels) for levels in model.values()} == {len(vocabulary.NEED_LEVEL_LABELS)}


def _msgids() -> set[str]:
    """Every string the vocabulary module gives to gettext (singular and plural)."""
    found: set[str] = set()
    with (ROOT / "portal" / "vocabulary.py").open("rb") as handle:
        for _, message, _, _ in extract_from_file("python", handle.name, keywords=KEYWORDS):
            found.update([message] if isinstance(message, str) else message[:1])
    return found


def test_the_check_below_sees_the_wordings():
    ids = _msgids()
    assert "eating and drinking" in ids and "Older people" in ids
    assert "The unpaid carer needs %(num)d week of breaks a year." in ids
    assert len(ids) > 100


@pytest.mark.parametrize("code", sorted(COMPLETE))
def test_every_wording_is_translated_in_every_complete_language(code):
    with (ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for msgid in sorted(_msgids()):
        message = catalog.get(msgid)
        strings = message.string if message is not None else None
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        if message is None or message.fuzzy or not translated:
            missing.append(msgid)
    assert missing == [], f"{code}: {len(missing)} wording(s) untranslated, e.g. {missing[:3]}"


REASONS = [
    Reason("need_level", "need_hygiene", 2, "daily_living", Decimal("7.5")),
    Reason("unpaid_support", "unpaid_hygiene", Decimal("0.5"), "daily_living", Decimal("3.25")),
    Reason("unpaid_support", "unpaid_night", Decimal("0.25"), "night", Decimal("1.5")),
    Reason("minimum_time", "need_nutrition", 1, "daily_living", Decimal("3.5")),
    Reason("not_eligible", "need_community", 2, "social", Decimal("4")),
    Reason("more_time", "lives_alone", 1, "daily_living", Decimal("20")),
    Reason("less_time", "setting", "supported_living", "daily_living", Decimal("10")),
    Reason("staffing_ratio", "need_community", 2, "social", Decimal("3")),
    Reason("night_support", "night", 2, "night", Decimal("7")),
    Reason("carer_breaks", "carer_breaks_weeks", 4, "carer_breaks", Decimal("4")),
    Reason("contingency_uplift", "fluctuating", 1, "contingency", Decimal("5")),
    Reason("local_rate", "need_hygiene", 2, "daily_living", Decimal("2450")),
]


def test_the_sample_reasons_cover_every_effect():
    assert {reason.effect for reason in REASONS} == set(EFFECTS)


@pytest.mark.parametrize("lang", ["en", *sorted(COMPLETE)])
def test_every_effect_is_a_sentence_in_every_language(app, lang):
    with app.test_request_context(f"/?lang={lang}"):
        fallback = vocabulary.reason_sentence(Reason("unheard_of", "x", 0, "x", Decimal(0)))
        for reason in REASONS:
            for said in (None, "Some days"):
                sentence = vocabulary.reason_sentence(reason, said)
                assert sentence and sentence != fallback, (reason.effect, said)
                assert "_" not in sentence and "%(" not in sentence, sentence  # no code, no placeholder left
                if said and reason.effect in (
                    "need_level",
                    "unpaid_support",
                    "night_support",
                    "carer_breaks",
                ):
                    assert "Some days" in sentence


@pytest.mark.parametrize("field", sorted(vocabulary.FACTOR_NAMES))
def test_every_factor_value_is_worded_never_shown_as_its_code(app, field):
    values = {
        "client_group": CLIENT_GROUPS,
        "setting": SETTINGS,
    }.get(field, range(INT_FIELDS.get(field, 0) + 1))
    with app.test_request_context("/?lang=en"):
        worded = [vocabulary.factor_value(field, value) for value in values]
    assert all(text and "_" not in text for text in worded), worded
    assert len(set(worded)) == len(worded), worded  # no two values read the same


def test_factor_values_read_as_staff_expect(app):
    with app.test_request_context("/?lang=en"):
        assert vocabulary.factor_value("client_group", "older_people") == "Older people"
        assert vocabulary.factor_value("setting", "supported_living") == "In supported living"
        assert vocabulary.factor_value("lives_alone", 1) == "Yes"
        assert vocabulary.factor_value("night", 0) == "None"
        assert vocabulary.factor_value("night", 3) == "Level 3: someone awake all night"
        assert vocabulary.factor_value("carer_breaks_weeks", 1) == "1 week a year"
        assert vocabulary.factor_value("mobility", 2) == "2 out of 3"


def _one_hour_or_night(effect: str, field: str, magnitude: str) -> Reason:
    return Reason(effect, field, Decimal("0.25"), "daily_living", Decimal(magnitude))


# A magnitude that reads as one: "about" rounds to the half hour (1.2 and 0.8 read "about 1"); the others are exact.
ONE_HOUR_OR_NIGHT = [
    (
        _one_hour_or_night("need_level", "need_hygiene", "1.2"),
        "Some days",
        "About washing and personal care, you said “Some days”. That is about 1 hour of help a week.",
    ),
    (
        Reason("need_level", "need_hygiene", 1, "daily_living", Decimal("1.2")),
        None,
        "There is a need for a little help with washing and personal care: about 1 hour a week.",
    ),
    (
        _one_hour_or_night("unpaid_support", "unpaid_hygiene", "0.8"),
        "Some days",
        "About help with washing and personal care, you said family, friends or volunteers will keep giving "
        "“Some days”. So about 1 hour a week is taken off.",
    ),
    (
        _one_hour_or_night("unpaid_support", "unpaid_hygiene", "0.8"),
        None,
        "Family, friends or volunteers will keep giving some of the help with washing and personal care, "
        "so about 1 hour a week is taken off.",
    ),
    (
        _one_hour_or_night("unpaid_support", "unpaid_night", "0.8"),
        "Some days",
        "You said family or friends will keep giving “Some days” of the help at night, "
        "so about 1 night a week is taken off.",
    ),
    (
        _one_hour_or_night("unpaid_support", "unpaid_night", "1.2"),
        None,
        "Family or friends will keep giving some of the help at night, so about 1 night a week is taken off.",
    ),
    (
        _one_hour_or_night("minimum_time", "need_nutrition", "1"),
        None,
        "Each visit to help with eating and drinking has a minimum length, so at least 1 hour a week is counted.",
    ),
    (
        _one_hour_or_night("night_support", "night", "1"),
        "Some nights",
        "About help at night, you said “Some nights”. The council plans 1 night of help a week for that.",
    ),
    (
        _one_hour_or_night("night_support", "night", "1"),
        None,
        "Help at night is planned for 1 night a week.",
    ),
]


@pytest.mark.parametrize(("reason", "said", "expected"), ONE_HOUR_OR_NIGHT)
def test_one_hour_or_night_reads_as_one(app, reason, said, expected):
    with app.test_request_context("/?lang=en"):
        assert vocabulary.reason_sentence(reason, said) == expected


@pytest.mark.parametrize(
    ("magnitude", "hours", "nights"),
    [
        ("1.5", "about 1.5 hours a week", "about 1.5 nights a week"),  # a fraction reads as plural in English
        ("0.25", "about 0.25 hours a week", "about 0.25 nights a week"),
        ("0", "about 0 hours a week", "about 0 nights a week"),
        ("2.1", "about 2 hours a week", "about 2 nights a week"),
        ("0.74", "about 0.5 hours a week", "about 0.5 nights a week"),
        (
            "1.25",
            "about 1.5 hours a week",
            "about 1.5 nights a week",
        ),  # what is shown decides, not the magnitude
    ],
)
def test_other_numbers_read_as_plural(app, magnitude, hours, nights):
    with app.test_request_context("/?lang=en"):
        unpaid = vocabulary.reason_sentence(_one_hour_or_night("unpaid_support", "unpaid_hygiene", magnitude))
        night = vocabulary.reason_sentence(_one_hour_or_night("unpaid_support", "unpaid_night", magnitude))
        need = vocabulary.reason_sentence(
            Reason("need_level", "need_hygiene", 1, "daily_living", Decimal(magnitude))
        )
    assert f"{hours} are taken off." in unpaid
    assert f"{nights} are taken off." in night
    assert need.endswith(f"{hours}.")


@pytest.mark.parametrize(
    ("magnitude", "shown"), [("1.5", "1.5 hours"), ("2", "2 hours"), ("1.004", "1 hour")]
)
def test_exact_hours_agree_with_the_number_shown(app, magnitude, shown):
    with app.test_request_context("/?lang=en"):
        minimum = vocabulary.reason_sentence(_one_hour_or_night("minimum_time", "need_nutrition", magnitude))
        nights = vocabulary.reason_sentence(_one_hour_or_night("night_support", "night", magnitude))
    assert f"at least {shown} a week" in minimum
    assert f"planned for {shown.replace('hour', 'night')} a week" in nights
