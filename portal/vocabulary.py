"""The engine's vocabulary in the page's language: one wording for each of the engine's codes, in one place.

The engine (:mod:`portal.engine`) speaks in codes: areas of need, person-level factors, levels of need and of
night-time support, shares of unpaid help, lines of the allocation summary, funders, client groups, settings,
kinds of support and their units, and the effect of each reason. Every page, letter and PDF words them from the
tables here, keyed by the engine's own constants, so a code never reaches a person raw and one code is never
worded two ways. tests/test_vocabulary.py checks that every code has a wording and that every wording is
translated in every complete language.

Words inside a sentence are lower case ("help with eating and drinking"); labels are capitalised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import format_decimal, format_percent, gettext, lazy_gettext, ngettext
from markupsafe import Markup

from portal.engine.profile import INT_FIELDS
from portal.engine.result import (
    CARER_BREAKS,
    CONTINGENCY_UPLIFT,
    LESS_TIME,
    LOCAL_RATE,
    MINIMUM_TIME,
    MORE_TIME,
    NEED_LEVEL,
    NIGHT_SUPPORT,
    NOT_ELIGIBLE,
    STAFFING_RATIO,
    UNPAID_SUPPORT,
    Reason,
)
from portal.formatting import fill, ltr, ltr_money

#: Factors that are yes (1) or no (0).
YES_NO_FACTORS = frozenset({"lives_alone", "fluctuating", "two_carers"})

#: A line of the allocation summary, as a title.
LINE_TITLES = {
    "daily_living": lazy_gettext("Everyday tasks like washing, dressing and eating"),
    "household": lazy_gettext("Keeping the home clean and safe"),
    "night": lazy_gettext("Help at night"),
    "social": lazy_gettext("Getting out, seeing people and staying safe"),
    "work_learning": lazy_gettext("Work, learning or volunteering"),
    "childcare": lazy_gettext("Looking after a child"),
    "mental_health": lazy_gettext("Support with mental health"),
    "contingency": lazy_gettext("Extra for when needs change"),
    "medication": lazy_gettext("Help with medicines"),
    "carer_breaks": lazy_gettext("Breaks for the unpaid carer"),
}

#: What a line's money is for, to finish "Most of it is for …" in the summary.
#: A line of the allocation summary, inside a sentence: "most of it is for help at night".
LINE_PURPOSES = {
    "daily_living": lazy_gettext("help with everyday tasks like washing, dressing and eating"),
    "household": lazy_gettext("help keeping the home clean and safe"),
    "night": lazy_gettext("help at night"),
    "social": lazy_gettext("help to get out, see people and stay safe"),
    "work_learning": lazy_gettext("help with work, learning or volunteering"),
    "childcare": lazy_gettext("help looking after a child"),
    "mental_health": lazy_gettext("support with mental health"),
    "contingency": lazy_gettext("extra help for when needs change"),
    "medication": lazy_gettext("help with medicines"),
    "carer_breaks": lazy_gettext("breaks for the unpaid carer"),
}

#: Who pays: the council, the NHS, or (for a line) both from a pooled budget.
FUNDER_NAMES = {
    "council": lazy_gettext("Council"),
    "nhs": lazy_gettext("NHS"),
    "pooled": lazy_gettext("Pooled budget (shared by the split below)"),
}

#: An area of need (and help at night), inside a sentence: "help with eating and drinking".
AREA_NAMES = {
    "nutrition": lazy_gettext("eating and drinking"),
    "hygiene": lazy_gettext("washing and personal care"),
    "toileting": lazy_gettext("using the toilet"),
    "dressing": lazy_gettext("getting dressed"),
    "home_safety": lazy_gettext("staying safe at home"),
    "home_environment": lazy_gettext("keeping the home clean and safe"),
    "relationships": lazy_gettext("seeing family and friends"),
    "work_learning": lazy_gettext("work, learning or volunteering"),
    "community": lazy_gettext("getting out and using the community"),
    "childcare": lazy_gettext("looking after a child"),
    "mental_health": lazy_gettext("mental health and well-being"),
    "medication": lazy_gettext("medicines"),
    "night": lazy_gettext("help at night"),
}

#: A person-level factor (and the supplements), inside a sentence: "Because of living alone, …".
FACTOR_NAMES = {
    "client_group": lazy_gettext("the main reason for support"),
    "setting": lazy_gettext("where the person lives"),
    "lives_alone": lazy_gettext("living alone"),
    "memory_cognition": lazy_gettext("memory or thinking difficulties"),
    "behaviour_challenges": lazy_gettext("finding it hard to engage with support"),
    "mobility": lazy_gettext("difficulty getting about"),
    "fluctuating": lazy_gettext("needs that change over the year"),
    "two_carers": lazy_gettext("needing two people to help with moving"),
    "night": lazy_gettext("help at night"),
    "carer_breaks_weeks": lazy_gettext("breaks for the unpaid carer"),
}

#: A level of need (``need_<area>``, 0 to 4) inside a sentence: "There is a need for some help with …".
NEED_LEVEL_WORDS = {
    0: lazy_gettext("no help"),
    1: lazy_gettext("a little help"),
    2: lazy_gettext("some help"),
    3: lazy_gettext("a lot of help"),
    4: lazy_gettext("help all the time"),
}

#: A share of the help that family, friends or volunteers keep giving (``unpaid_<area>``), inside a sentence.
UNPAID_SHARE_WORDS = {
    "0.25": lazy_gettext("some"),
    "0.5": lazy_gettext("about half"),
    "0.75": lazy_gettext("most"),
    "1": lazy_gettext("all"),
}

#: A level of need (1 to 4) as a label, beside a number for that level (the configuration's model).
NEED_LEVEL_LABELS = {
    1: lazy_gettext("A little"),
    2: lazy_gettext("Some"),
    3: lazy_gettext("A lot"),
    4: lazy_gettext("All the time"),
}
#: A level of night-time support (``night``, 1 to 3) as a label.
NIGHT_LEVELS = {
    1: lazy_gettext("Level 1: help some nights"),
    2: lazy_gettext("Level 2: someone nearby most nights (sleep-in)"),
    3: lazy_gettext("Level 3: someone awake all night"),
}
#: The main reason for support, as a label.
CLIENT_GROUP_NAMES = {
    "older_people": lazy_gettext("Older people"),
    "physical_disability": lazy_gettext("Physical disability"),
    "learning_disability": lazy_gettext("Learning disability"),
    "mental_health": lazy_gettext("Mental health"),
    "autism": lazy_gettext("Autism"),
}
#: Where the person lives, inside a sentence: "Older people, living in the community".
SETTING_NAMES = {
    "community": lazy_gettext("living in the community"),
    "supported_living": lazy_gettext("in supported living"),
}
#: A kind of support a rate pays for (the shipped configuration's kinds), as a label.
RATE_NAMES = {
    "daily_living": lazy_gettext("Daily living tasks"),
    "household": lazy_gettext("Household tasks"),
    "social_activity": lazy_gettext("Social activity"),
    "work_support": lazy_gettext("Work, learning or volunteering"),
    "childcare": lazy_gettext("Childcare"),
    "mental_health": lazy_gettext("Mental health support"),
    "medication": lazy_gettext("Medication support"),
    "night_sleep_in": lazy_gettext("Night: sleep-in"),
    "waking_night": lazy_gettext("Night: waking night"),
    "respite": lazy_gettext("Respite (carer breaks)"),
}
#: What a rate is per.
UNIT_NAMES = {
    "hour": lazy_gettext("an hour"),
    "night": lazy_gettext("a night"),
    "week": lazy_gettext("a week"),
}


def client_group_name(code: Any) -> str:
    """A client group in words (a code the portal does not know is shown as it is)."""
    return str(CLIENT_GROUP_NAMES.get(str(code), code))


def setting_name(code: Any) -> str:
    """Where the person lives, in words."""
    return str(SETTING_NAMES.get(str(code), code))


def rate_name(kind: str) -> str:
    """A kind of support in words (a kind the portal does not know is shown as its key, made readable)."""
    return str(RATE_NAMES[kind]) if kind in RATE_NAMES else kind.replace("_", " ").capitalize()


def unit_name(code: Any) -> str:
    """What a rate is per, in words."""
    return str(UNIT_NAMES.get(str(code), code))


def funder_name(code: str | None) -> str:
    """Who pays, in words (blank for none)."""
    return str(FUNDER_NAMES.get(code or "", code or ""))


def need_level_label(level: int) -> str:
    """A level of need (0 to 4) as a label: "None", "A little" … "All the time"."""
    return str(NEED_LEVEL_LABELS[level]) if level in NEED_LEVEL_LABELS else str(gettext("None"))


def factor_value(field: str, value: Any) -> str:
    """A person-level factor's value in words, for staff reading a Needs Profile (never the raw code)."""
    if field == "client_group":
        return client_group_name(value)
    if field == "setting":
        return setting_name(value).capitalize()
    number = int(value)
    if field in YES_NO_FACTORS:
        return str(gettext("Yes") if number else gettext("No"))
    if field == "night":
        return str(NIGHT_LEVELS[number]) if number in NIGHT_LEVELS else str(gettext("None"))
    if field == "carer_breaks_weeks":
        return str(ngettext("%(num)d week a year", "%(num)d weeks a year", number))
    return str(gettext("%(level)d out of %(most)d", level=number, most=INT_FIELDS.get(field, number)))


def line_title(key: str, config_titles: Mapping[str, str] | None = None) -> tuple[str, str | None]:
    """A line's title: ours, translated, for the standard lines; else the organisation's own (marked English)."""
    if key in LINE_TITLES:
        return str(LINE_TITLES[key]), None
    return (config_titles or {}).get(key, key), "en"


#: The number ngettext is given for a figure that is not whole (1.5, 0.25): 4 chooses the form each language
#: here gives such a figure (English and Urdu: the plural; Welsh: "other"; Polish: "1,5 godziny" as "4 godziny").
FRACTION_COUNT = 4


def hours(value: Decimal | None) -> str:
    """Hours in the locale, without needless decimals: 7, 1.5, 0.25."""
    if value is None:
        return ""
    return str(
        format_decimal(value.normalize() if value == value.to_integral() else value, format="#,##0.##")
    )


def _about(value: Decimal) -> Decimal:
    """A figure for a sentence that says "about": to the nearest half (a quarter stays a quarter)."""
    if value < Decimal("0.5"):
        return value.quantize(Decimal("0.01"))
    return (value * 2).quantize(Decimal(1), ROUND_HALF_UP) / 2


def about_hours(value: Decimal) -> str:
    """Hours for a sentence that says "about": to the nearest half hour (a quarter stays a quarter)."""
    return hours(_about(value))


def plural_count(value: Decimal) -> int:
    """The number ngettext chooses a sentence's form by, for a figure worded by :func:`hours`.

    The figure as shown decides (1.004 is shown as 1, so "1 hour"); a figure that is not whole reads as
    :data:`FRACTION_COUNT` ("1.5 hours").
    """
    shown = value.quantize(Decimal("0.01"))  # as format_decimal shows it: at most two decimals, half even
    return int(shown) if shown == shown.to_integral_value() else FRACTION_COUNT


def _share_words(value: Any) -> str:
    share = Decimal(str(value)).normalize()
    return str(UNPAID_SHARE_WORDS.get(format(share, "f"), format(share, "f")))


def _percent(value: Decimal) -> Markup:
    """A whole percentage in the locale, isolated for right-to-left text."""
    return ltr(format_percent(value / 100, format="#,##0%"))


def _how_much_longer(percent: Decimal) -> str:
    """A factor's effect in words: "about 20% longer", "about twice as long" (never 104.2%)."""
    if percent >= 90:
        times = (1 + percent / 100).quantize(Decimal(1), ROUND_HALF_UP)
        if times == 2:
            return str(gettext("about twice as long"))
        return str(gettext("about %(times)s times as long", times=hours(times)))
    rounded = max((percent / 5).quantize(Decimal(1), ROUND_HALF_UP) * 5, Decimal(5))
    return fill(gettext("about %(percent)s longer"), percent=_percent(rounded))


def _how_much_less(percent: Decimal) -> str:
    rounded = max((percent / 5).quantize(Decimal(1), ROUND_HALF_UP) * 5, Decimal(5))
    return fill(gettext("about %(percent)s less time"), percent=_percent(rounded))


# -- the reasons: one sentence for each of the engine's effects ------------------------------------------
# Each takes the reason, the person's own answer behind it (to quote, or None) and the area's name, and
# returns gettext's string (untyped, hence Any: reason_sentence makes it a str). A sentence with a number of
# hours or nights takes its form from that number as shown (ngettext with plural_count): "about 1 hour a week
# is taken off", "about 1.5 hours a week are taken off".


def _need_level(reason: Reason, said: str | None, area: str) -> Any:
    about = _about(reason.magnitude)
    if said:
        # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
        return ngettext(
            "About %(area)s, you said “%(answer)s”. That is about %(hours)s hour of help a week.",
            "About %(area)s, you said “%(answer)s”. That is about %(hours)s hours of help a week.",
            plural_count(about),
            area=area,
            answer=said,
            hours=hours(about),
        )
    # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
    return ngettext(
        "There is a need for %(level)s with %(area)s: about %(hours)s hour a week.",
        "There is a need for %(level)s with %(area)s: about %(hours)s hours a week.",
        plural_count(about),
        level=str(NEED_LEVEL_WORDS.get(int(reason.value), reason.value)),
        area=area,
        hours=hours(about),
    )


def _unpaid_support(reason: Reason, said: str | None, area: str) -> Any:
    about = _about(reason.magnitude)
    if reason.field == "unpaid_night":
        if said:
            # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
            return ngettext(
                "You said family or friends will keep giving “%(answer)s” of the help at night, "
                "so about %(nights)s night a week is taken off.",
                "You said family or friends will keep giving “%(answer)s” of the help at night, "
                "so about %(nights)s nights a week are taken off.",
                plural_count(about),
                answer=said,
                nights=hours(about),
            )
        # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
        return ngettext(
            "Family or friends will keep giving %(share)s of the help at night, "
            "so about %(nights)s night a week is taken off.",
            "Family or friends will keep giving %(share)s of the help at night, "
            "so about %(nights)s nights a week are taken off.",
            plural_count(about),
            share=_share_words(reason.value),
            nights=hours(about),
        )
    if said:
        # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
        return ngettext(
            "About help with %(area)s, you said family, friends or volunteers will keep giving “%(answer)s”. "
            "So about %(hours)s hour a week is taken off.",
            "About help with %(area)s, you said family, friends or volunteers will keep giving “%(answer)s”. "
            "So about %(hours)s hours a week are taken off.",
            plural_count(about),
            area=area,
            answer=said,
            hours=hours(about),
        )
    # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
    return ngettext(
        "Family, friends or volunteers will keep giving %(share)s of the help with %(area)s, "
        "so about %(hours)s hour a week is taken off.",
        "Family, friends or volunteers will keep giving %(share)s of the help with %(area)s, "
        "so about %(hours)s hours a week are taken off.",
        plural_count(about),
        share=_share_words(reason.value),
        area=area,
        hours=hours(about),
    )


def _minimum_time(reason: Reason, said: str | None, area: str) -> Any:
    # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
    return ngettext(
        "Each visit to help with %(area)s has a minimum length, so at least %(hours)s hour a week is counted.",
        "Each visit to help with %(area)s has a minimum length, so at least %(hours)s hours a week are counted.",
        plural_count(reason.magnitude),
        area=area,
        hours=hours(reason.magnitude),
    )


def _not_eligible(reason: Reason, said: str | None, area: str) -> Any:
    return gettext("The need with %(area)s was not found eligible, so it is not funded.", area=area)


def _more_or_less_time(reason: Reason, said: str | None, area: str) -> Any:
    factor = str(FACTOR_NAMES.get(reason.field, reason.field))
    how = (
        _how_much_longer(reason.magnitude) if reason.effect == MORE_TIME else _how_much_less(reason.magnitude)
    )
    if said:
        return fill(
            gettext("About %(factor)s, you said “%(answer)s”. So help takes %(how)s."),
            factor=factor,
            answer=said,
            how=how,
        )
    return fill(gettext("Because of %(factor)s, help takes %(how)s."), factor=factor, how=how)


def _staffing_ratio(reason: Reason, said: str | None, area: str) -> Any:
    others = int(reason.magnitude) - 1
    if others < 1:
        return gettext("Activities are planned with a carer who is there just for this.")
    return ngettext(
        "Activities are planned in a group, sharing a carer with %(num)d other person.",
        "Activities are planned in a group, sharing a carer with %(num)d other people.",
        others,
    )


def _night_support(reason: Reason, said: str | None, area: str) -> Any:
    count = plural_count(reason.magnitude)
    if said:
        # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
        return ngettext(
            "About help at night, you said “%(answer)s”. The council plans %(nights)s night of help a week for that.",
            "About help at night, you said “%(answer)s”. The council plans %(nights)s nights of help a week for that.",
            count,
            answer=said,
            nights=hours(reason.magnitude),
        )
    # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
    return ngettext(
        "Help at night is planned for %(nights)s night a week.",
        "Help at night is planned for %(nights)s nights a week.",
        count,
        nights=hours(reason.magnitude),
    )


def _carer_breaks(reason: Reason, said: str | None, area: str) -> Any:
    weeks = int(reason.magnitude)
    if said:
        return ngettext(
            "About breaks for the unpaid carer, you said “%(answer)s”. That is %(num)d week of breaks a year.",
            "About breaks for the unpaid carer, you said “%(answer)s”. That is %(num)d weeks of breaks a year.",
            weeks,
            answer=said,
        )
    return ngettext(
        "The unpaid carer needs %(num)d week of breaks a year.",
        "The unpaid carer needs %(num)d weeks of breaks a year.",
        weeks,
    )


def _contingency_uplift(reason: Reason, said: str | None, area: str) -> Any:
    if said:
        return gettext(
            "About needs that change over the year, you said “%(answer)s”. "
            "So a little more is kept for extra help when it is needed.",
            answer=said,
        )
    return gettext("Needs change over the year, so a little more is kept for extra help when it is needed.")


def _local_rate(reason: Reason, said: str | None, area: str) -> Any:
    return fill(
        gettext("The local rate for this support is %(rate)s an hour."), rate=ltr_money(int(reason.magnitude))
    )


#: One sentence for each of the engine's reason effects (:data:`portal.engine.EFFECTS`).
EFFECT_SENTENCES: dict[str, Callable[[Reason, str | None, str], Any]] = {
    NEED_LEVEL: _need_level,
    UNPAID_SUPPORT: _unpaid_support,
    MINIMUM_TIME: _minimum_time,
    NOT_ELIGIBLE: _not_eligible,
    MORE_TIME: _more_or_less_time,
    LESS_TIME: _more_or_less_time,
    STAFFING_RATIO: _staffing_ratio,
    NIGHT_SUPPORT: _night_support,
    CARER_BREAKS: _carer_breaks,
    CONTINGENCY_UPLIFT: _contingency_uplift,
    LOCAL_RATE: _local_rate,
}


def reason_sentence(
    reason: Reason, said: str | None = None, area_names: Mapping[str, str] | None = None
) -> str:
    """One reason as a plain sentence, quoting ``said`` (the person's own answer behind it) where there is one.

    ``area_names``: a tool's own names of its areas of need (decision 0015), before ours.
    """
    area = reason.field.split("_", 1)[1] if reason.field.startswith(("need_", "unpaid_")) else ""
    wording = EFFECT_SENTENCES.get(reason.effect)
    if wording is None:  # an effect newer than this portal: still a sentence, never a code
        return str(gettext("Another answer affected this line."))
    name = (area_names or {}).get(area) or AREA_NAMES.get(area, area)
    sentence = wording(reason, said, str(name))
    # Markup keeps an isolated amount (<bdi>) as HTML; anything else is plain text.
    return sentence if isinstance(sentence, Markup) else str(sentence)
