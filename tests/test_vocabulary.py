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
