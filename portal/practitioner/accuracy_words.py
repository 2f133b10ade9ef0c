"""An accuracy report's fairness figures and outlier explanations in words (the rules: portal.accuracy_report)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import format_decimal, format_percent, gettext, lazy_gettext, ngettext

from portal import vocabulary
from portal.formatting import format_money
from portal.vocabulary import CLIENT_GROUP_NAMES, SETTING_NAMES, line_title, plural_count, rate_name

DIMENSION_NAMES = {
    "client_group": lazy_gettext("Client group"),
    "setting": lazy_gettext("Where the person lives"),
    "age_band": lazy_gettext("Age band"),
    "sex": lazy_gettext("Sex"),
    "ethnicity": lazy_gettext("Ethnicity"),
}

#: What to check first on an outlier, by the code :func:`portal.accuracy_report.explain_outlier` gives.
CHECK_WORDS = {
    "night_none": lazy_gettext(
        "The answers say no help at night. If this person has night-time support, check the night answer."
    ),
    "unpaid_help": lazy_gettext(
        "The estimate counts help from family or friends. Check that this help is still given."
    ),
    "two_carers": lazy_gettext(
        "The answers say one person can help with moving. Check whether two people are needed."
    ),
    "shared_support": lazy_gettext(
        "The estimate shares some support with other people. Check whether this person needs it one to one."
    ),
    "night_given": lazy_gettext("The estimate includes help at night. Check whether it is still provided."),
    "one_to_one": lazy_gettext(
        "The estimate has one-to-one support. Check whether the care in place is shared with others."
    ),
    "other_funding": lazy_gettext(
        "Check whether part of the care is paid from elsewhere (another funder, or a service not in the cost)."
    ),
}


def percent(value: float) -> str:
    """A fraction as a percentage with one decimal, e.g. "8.4%"."""
    return str(format_percent(value, format="#,##0.0%"))


def signed_percent(value: float) -> str:
    """A signed fraction as a percentage, e.g. "+3.1%" or "−4.0%"."""
    return str(format_percent(value, format="+#,##0.0%;−#,##0.0%"))


def group_value(dimension: str, value: str) -> str:
    """A group's value in words: the portal's own names for client groups and settings, else as uploaded."""
    if dimension == "client_group":
        return str(CLIENT_GROUP_NAMES.get(value, value))
    if dimension == "setting":
        return str(SETTING_NAMES.get(value, value))
    return value


def flag_words(group: dict[str, Any], overall: dict[str, Any], name: str) -> list[str]:
    """A flagged group in words (empty when it is not flagged)."""
    words = []
    if "error" in group["flags"]:
        template = (
            gettext(
                "Estimates for %(group)s are further from actual costs than for everyone: median error "
                "%(mine)s against %(all)s."
            )
            if group["mdape"] > overall["mdape"]
            else gettext(
                "Estimates for %(group)s are closer to actual costs than for everyone: median error %(mine)s "
                "against %(all)s."
            )
        )
        words.append(
            template % {"group": name, "mine": percent(group["mdape"]), "all": percent(overall["mdape"])}
        )
    if "bias" in group["flags"]:
        template = (
            gettext(
                "Estimates for %(group)s fall short of actual costs more than for everyone: median difference "
                "%(mine)s against %(all)s."
            )
            if group["bias"] < overall["bias"]
            else gettext(
                "Estimates for %(group)s are above actual costs more than for everyone: median difference "
                "%(mine)s against %(all)s."
            )
        )
        words.append(
            template
            % {"group": name, "mine": signed_percent(group["bias"]), "all": signed_percent(overall["bias"])}
        )
    return words


def fairness_rows(fairness: dict[str, Any] | None) -> dict[str, Any] | None:
    """The fairness figures for a table, and every flag in words."""
    if not fairness:
        return None
    overall = fairness["overall"]
    rows, flags = [], []
    for group in fairness["groups"]:
        name = group_value(group["dimension"], group["value"])
        words = flag_words(group, overall, name)
        flags += words
        rows.append(
            {
                "dimension": str(DIMENSION_NAMES.get(group["dimension"], group["dimension"])),
                "value": name,
                "count": format_decimal(group["count"]),
                "mdape": percent(group["mdape"]),
                "bias": signed_percent(group["bias"]),
                "within_20": percent(group["within_20"]),
                "note": " ".join(words)
                if words
                else (
                    gettext("Too few cases to judge")
                    if group["count"] < 20
                    else gettext("In line with everyone")
                ),
                "flagged": bool(words),
            }
        )
    return {
        "overall": {
            "count": format_decimal(overall["count"]),
            "mdape": percent(overall["mdape"]),
            "bias": signed_percent(overall["bias"]),
            "within_20": percent(overall["within_20"]),
        },
        "rows": rows,
        "flags": flags,
    }


def _answer(name: str, level: Any, share: str) -> str:
    area = str(vocabulary.AREA_NAMES.get(name, vocabulary.FACTOR_NAMES.get(name, name)))
    if name == "night":
        return gettext("help at night: level %(level)s", level=level)
    if name == "carer_breaks_weeks":
        return ngettext(
            "carer breaks: %(weeks)s week a year",
            "carer breaks: %(weeks)s weeks a year",
            int(level),
            weeks=level,
        )
    level_words = str(vocabulary.NEED_LEVEL_WORDS.get(int(level), level))
    if share and share not in ("0", "0.0"):
        unpaid = str(
            vocabulary.UNPAID_SHARE_WORDS.get(share.rstrip("0").rstrip(".") if "." in share else share, share)
        )
        return gettext(
            "%(area)s: %(level)s, %(unpaid)s of it from family or friends",
            area=area,
            level=level_words,
            unpaid=unpaid,
        )
    return gettext("%(area)s: %(level)s", area=area, level=level_words)


def explanation_words(explained: dict[str, Any] | None) -> dict[str, Any] | None:
    """An outlier's explanation in words: the gap, what it amounts to, the estimate's lines, what to check."""
    if not explained:
        return None
    gap = explained["gap"]
    eq = explained["equivalents"]
    amount = format_money(abs(gap))
    if gap >= 0:
        gap_text = gettext("The actual cost is %(amount)s a week more than the estimate.", amount=amount)
    else:
        gap_text = gettext("The actual cost is %(amount)s a week less than the estimate.", amount=amount)
    # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
    worth = ngettext(
        "That is about %(hours)s hour a week of %(kind)s at %(rate)s an hour",
        "That is about %(hours)s hours a week of %(kind)s at %(rate)s an hour",
        plural_count(Decimal(str(eq["hours"]))),
        hours=format_decimal(eq["hours"]),
        kind=rate_name(eq["hour_kind"]).lower(),
        rate=format_money(eq["rate"]),
    )
    if "nights" in eq:
        # Translators: %(hours)s is the sentence before ("That is about 2 hours a week of …"). A figure that is
        # not whole, such as 1.5, takes the form for 4.
        worth = ngettext(
            "%(hours)s, or %(nights)s night a week of %(kind)s at %(rate)s a night.",
            "%(hours)s, or %(nights)s nights a week of %(kind)s at %(rate)s a night.",
            plural_count(Decimal(str(eq["nights"]))),
            hours=worth,
            nights=format_decimal(eq["nights"]),
            kind=rate_name(eq["night_kind"]).lower(),
            rate=format_money(eq["night_rate"]),
        )
    else:
        worth += "."
    lines = []
    for line in explained["lines"]:
        answers = "; ".join(_answer(*answer) for answer in line["answers"])
        if line["rate"] and line["nights"] is None and line["hours"] not in ("0", "0.00"):
            # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
            what = ngettext(
                "%(line)s: %(amount)s (%(hours)s hour a week at %(rate)s an hour)",
                "%(line)s: %(amount)s (%(hours)s hours a week at %(rate)s an hour)",
                plural_count(Decimal(line["hours"])),
                line=line_title(line["key"])[0],
                amount=format_money(line["amount"]),
                hours=vocabulary.hours(Decimal(line["hours"])),
                rate=format_money(line["rate"]),
            )
        else:
            what = gettext(
                "%(line)s: %(amount)s", line=line_title(line["key"])[0], amount=format_money(line["amount"])
            )
        lines.append(gettext("%(line)s, from %(answers)s", line=what, answers=answers) if answers else what)
    return {
        "gap": gap_text,
        "worth": worth,
        "lines": lines,
        "checks": [str(CHECK_WORDS[code]) for code in explained["checks"] if code in CHECK_WORDS],
    }
