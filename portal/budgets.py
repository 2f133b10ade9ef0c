"""Budgets on the web side: which configuration applies, running the engine on answers, and wording its results.

The engine (:mod:`portal.engine`) returns numbers and reason codes; this module turns them into sentences in the
person's language through gettext, and stores every estimate whole with the versions that produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import format_decimal, gettext, lazy_gettext, ngettext

from portal.engine import Configuration, Estimate, NeedsProfile, estimate
from portal.extensions import db
from portal.formatting import format_money, format_whole_money
from portal.models import Case, Organisation, Snapshot
from portal.models import Estimate as StoredEstimate
from portal.questionnaire import Schema


def configuration_for(organisation: Organisation | None, on: date | None = None) -> Configuration:
    """The configuration in force for an organisation on a day.

    Until an organisation publishes its own (the configuration pages), the deployment's shipped demo
    configuration applies; the estimate records its label and hash either way.
    """
    from portal import config_in_force

    return config_in_force.in_force(organisation, on or date.today())


def run(
    schema: Schema,
    answers: Mapping[str, Any],
    organisation: Organisation | None,
    *,
    eligible: Iterable[str] | None = None,
    on: date | None = None,
) -> Estimate:
    """The engine's estimate for some answers: a Personal Budget, or an IPB for someone paying for their own care."""
    profile = NeedsProfile.from_mapping(schema.to_profile(answers).as_dict())
    mode = "ipb" if schema.is_self_funder(answers) else "personal"
    return estimate(profile, configuration_for(organisation, on), eligible=eligible, mode=mode)


def store(case: Case, result: Estimate, *, purpose: str, snapshot: Snapshot | None = None) -> StoredEstimate:
    """Keep an estimate whole (all lines, reasons and versions) in the case's history."""
    row = StoredEstimate(
        case_id=case.id,
        snapshot_id=snapshot.id if snapshot else None,
        purpose=purpose,
        engine_version=result.engine_version,
        config_label=result.config_label,
        config_hash=result.config_hash,
        mode=result.mode,
        total_weekly_pence=result.total_weekly_pence,
        result=result.to_dict(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def loaded(row: StoredEstimate) -> Estimate:
    """An estimate as it was stored."""
    return Estimate.from_dict(row.result)


# -- words ------------------------------------------------------------------------------------------

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

FUNDERS = {"council": lazy_gettext("Council"), "nhs": lazy_gettext("NHS")}

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

LEVELS = {
    0: lazy_gettext("no help"),
    1: lazy_gettext("a little help"),
    2: lazy_gettext("some help"),
    3: lazy_gettext("a lot of help"),
    4: lazy_gettext("help all the time"),
}

SHARES = {
    "0.25": lazy_gettext("some"),
    "0.5": lazy_gettext("about half"),
    "0.75": lazy_gettext("most"),
    "1": lazy_gettext("all"),
}


def hours(value: Decimal | None) -> str:
    """Hours in the locale, without needless decimals: 7, 1.5, 0.25."""
    if value is None:
        return ""
    return str(
        format_decimal(value.normalize() if value == value.to_integral() else value, format="#,##0.##")
    )


def about_hours(value: Decimal) -> str:
    """Hours for a sentence that says "about": to the nearest half hour (a quarter stays a quarter)."""
    if value < Decimal("0.5"):
        return hours(value.quantize(Decimal("0.01")))
    return hours((value * 2).quantize(Decimal(1), ROUND_HALF_UP) / 2)


def about_pounds(pence: int) -> Decimal:
    """An amount for a summary, to two significant figures and never below whole pounds: £491.20 → £490."""
    pounds = Decimal(pence) / 100
    if pounds < 10:
        return pounds.quantize(Decimal(1), ROUND_HALF_UP)
    exponent = pounds.adjusted() - 1  # keep two significant figures
    step = Decimal(1).scaleb(exponent)
    return (pounds / step).quantize(Decimal(1), ROUND_HALF_UP) * step


def about_money(pence: int) -> str:
    """A rounded summary amount in the locale without pence: "£490", "£26,000"."""
    return format_whole_money(about_pounds(pence))


@dataclass(frozen=True)
class Summary:
    """The plain summary that comes first: about how much a week and a year, the range, and what most is for."""

    weekly: str
    yearly: str
    low: str
    high: str
    main_purpose: str
    main_is_most: bool  # the largest line is more than half the total


def summary(result: Estimate) -> Summary:
    """The estimate in a few rounded figures and one purpose, for a lay reader."""
    largest = max(result.lines, key=lambda line: line.amount_pence, default=None)
    purpose = ""
    most = False
    if largest is not None and largest.allocated:
        purpose = str(LINE_PURPOSES.get(largest.key, line_title(largest.key)[0].lower()))
        most = 2 * largest.amount_pence > result.total_weekly_pence
    return Summary(
        weekly=about_money(result.total_weekly_pence),
        yearly=about_money(result.total_yearly_pence),
        low=about_money(result.range_low_pence),
        high=about_money(result.range_high_pence),
        main_purpose=purpose,
        main_is_most=most,
    )


@dataclass(frozen=True)
class Quotes:
    """The person's own answers behind the Needs Profile fields, worded as they gave them, for the reasons."""

    answers: Mapping[str, str]

    @classmethod
    def of(cls, schema: Schema, answers: Mapping[str, Any], words: Any) -> Quotes:
        """Each profile field's answer, shown as the person saw it (their voice, language and Easy Read)."""
        from portal.questions_web import display_answer

        sources = schema.to_profile(answers).sources
        quoted = {
            field_name: display_answer(schema.question(question_id), answers.get(question_id), words)
            for field_name, question_id in sources.items()
        }
        return cls(quoted)

    def of_field(self, field_name: str | None) -> str | None:
        """The answer behind a field, or None when there is none to quote."""
        return self.answers.get(field_name or "")


NO_QUOTES = Quotes({})


@dataclass(frozen=True)
class WordedLine:
    """One line of the allocation summary, worded."""

    key: str
    title: str
    title_lang: str | None  # set when the title is the organisation's own English wording, not translated
    funder: str
    amount: str
    detail: str
    allocated: bool
    reasons: tuple[str, ...]


def line_title(key: str, config_titles: Mapping[str, str] | None = None) -> tuple[str, str | None]:
    """A line's title: ours, translated, for the standard lines; else the organisation's own (marked English)."""
    if key in LINE_TITLES:
        return str(LINE_TITLES[key]), None
    return (config_titles or {}).get(key, key), "en"


def line_detail(line: Any) -> str:
    """What the money could provide, e.g. "£98.00 which could provide 7 hours per week" (exact figures)."""
    if not line.allocated:
        return gettext("No allocation")
    amount = format_money(line.amount_pence)
    if line.ratio and line.group_hours:
        if line.ratio == 1:
            return gettext(
                "%(amount)s for %(hours)s hours of activities with a carer",
                amount=amount,
                hours=hours(line.group_hours),
            )
        return ngettext(
            "%(amount)s for %(hours)s hours of activities in a group, sharing a carer with %(num)d other person",
            "%(amount)s for %(hours)s hours of activities in a group, sharing a carer with %(num)d other people",
            line.ratio - 1,
            amount=amount,
            hours=hours(line.group_hours),
        )
    if line.hours_per_year:
        return gettext(
            "%(amount)s per week, set aside for %(hours)s hours of extra help a year",
            amount=amount,
            hours=hours(line.hours_per_year),
        )
    if line.nights_per_week:
        return gettext(
            "%(amount)s which could provide %(nights)s nights of support per week",
            amount=amount,
            nights=hours(line.nights_per_week),
        )
    if line.breaks_weeks:
        return ngettext(
            "%(amount)s per week, towards %(num)d week of breaks a year",
            "%(amount)s per week, towards %(num)d weeks of breaks a year",
            line.breaks_weeks,
            amount=amount,
        )
    if line.hours:
        count = line.hours
        if count == 1:
            return gettext("%(amount)s which could provide 1 hour per week", amount=amount)
        return gettext(
            "%(amount)s which could provide %(hours)s hours per week", amount=amount, hours=hours(count)
        )
    return amount


def _share_words(value: Any) -> str:
    share = Decimal(str(value)).normalize()
    return str(SHARES.get(format(share, "f"), format(share, "f")))


def _how_much_longer(percent: Decimal) -> str:
    """A factor's effect in words: "about 20% longer", "about twice as long" (never 104.2%)."""
    if percent >= 90:
        times = (1 + percent / 100).quantize(Decimal(1), ROUND_HALF_UP)
        if times == 2:
            return gettext("about twice as long")
        return gettext("about %(times)s times as long", times=hours(times))
    rounded = max((percent / 5).quantize(Decimal(1), ROUND_HALF_UP) * 5, Decimal(5))
    return gettext("about %(percent)s%% longer", percent=hours(rounded))


def _how_much_less(percent: Decimal) -> str:
    rounded = max((percent / 5).quantize(Decimal(1), ROUND_HALF_UP) * 5, Decimal(5))
    return gettext("about %(percent)s%% less time", percent=hours(rounded))


def reason_sentence(reason: Any, quotes: Quotes = NO_QUOTES) -> str:
    """One reason code as a plain sentence, quoting the person's own answer where there is one."""
    area = reason.field.split("_", 1)[1] if reason.field.startswith(("need_", "unpaid_")) else ""
    area_name = str(AREA_NAMES.get(area, area))
    said = quotes.of_field(reason.field)
    effect = reason.effect
    if effect == "need_level":
        if said:
            return gettext(
                "About %(area)s, you said “%(answer)s”. That is about %(hours)s hours of help a week.",
                area=area_name,
                answer=said,
                hours=about_hours(reason.magnitude),
            )
        return gettext(
            "There is a need for %(level)s with %(area)s: about %(hours)s hours a week.",
            level=str(LEVELS.get(int(reason.value), reason.value)),
            area=area_name,
            hours=about_hours(reason.magnitude),
        )
    if effect == "unpaid_support":
        if reason.field == "unpaid_night":
            if said:
                return gettext(
                    "You said family or friends will keep giving “%(answer)s” of the help at night, "
                    "so about %(nights)s nights a week are taken off.",
                    answer=said,
                    nights=about_hours(reason.magnitude),
                )
            return gettext(
                "Family or friends will keep giving %(share)s of the help at night, "
                "so about %(nights)s nights a week are taken off.",
                share=_share_words(reason.value),
                nights=about_hours(reason.magnitude),
            )
        if said:
            return gettext(
                "About help with %(area)s, you said family, friends or volunteers will keep giving “%(answer)s”. "
                "So about %(hours)s hours a week are taken off.",
                area=area_name,
                answer=said,
                hours=about_hours(reason.magnitude),
            )
        return gettext(
            "Family, friends or volunteers will keep giving %(share)s of the help with %(area)s, "
            "so about %(hours)s hours a week are taken off.",
            share=_share_words(reason.value),
            area=area_name,
            hours=about_hours(reason.magnitude),
        )
    if effect == "minimum_time":
        return gettext(
            "Each visit to help with %(area)s has a minimum length, so at least %(hours)s hours a week are counted.",
            area=area_name,
            hours=hours(reason.magnitude),
        )
    if effect == "not_eligible":
        return gettext("The need with %(area)s was not found eligible, so it is not funded.", area=area_name)
    if effect in ("more_time", "less_time"):
        factor = str(FACTOR_NAMES.get(reason.field, reason.field))
        how = (
            _how_much_longer(reason.magnitude) if effect == "more_time" else _how_much_less(reason.magnitude)
        )
        if said:
            return gettext(
                "About %(factor)s, you said “%(answer)s”. So help takes %(how)s.",
                factor=factor,
                answer=said,
                how=how,
            )
        return gettext("Because of %(factor)s, help takes %(how)s.", factor=factor, how=how)
    if effect == "staffing_ratio":
        others = int(reason.magnitude) - 1
        if others < 1:
            return gettext("Activities are planned with a carer who is there just for this.")
        return ngettext(
            "Activities are planned in a group, sharing a carer with %(num)d other person.",
            "Activities are planned in a group, sharing a carer with %(num)d other people.",
            others,
        )
    if effect == "night_support":
        nights = hours(reason.magnitude)
        if said:
            return gettext(
                "About help at night, you said “%(answer)s”. The council plans %(nights)s nights of help a week for that.",
                answer=said,
                nights=nights,
            )
        return gettext("Help at night is planned for %(nights)s nights a week.", nights=nights)
    if effect == "carer_breaks":
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
    if effect == "contingency_uplift":
        if said:
            return gettext(
                "About needs that change over the year, you said “%(answer)s”. "
                "So a little more is kept for extra help when it is needed.",
                answer=said,
            )
        return gettext(
            "Needs change over the year, so a little more is kept for extra help when it is needed."
        )
    if effect == "local_rate":
        return gettext(
            "The local rate for this support is %(rate)s an hour.", rate=format_money(int(reason.magnitude))
        )
    return gettext("Another answer affected this line.")


def worded_lines(
    result: Estimate, config_titles: Mapping[str, str] | None = None, quotes: Quotes = NO_QUOTES
) -> list[WordedLine]:
    """Every line of the allocation summary, worded, with its reasons."""
    lines = []
    for line in result.lines:
        title, title_lang = line_title(line.key, config_titles)
        reasons = tuple(reason_sentence(r, quotes) for r in result.reasons if r.line == line.key)
        lines.append(
            WordedLine(
                key=line.key,
                title=title,
                title_lang=title_lang,
                funder=str(FUNDERS.get(line.funder or "", "")) if line.allocated else "",
                amount=format_money(line.amount_pence) if line.allocated else "",
                detail=line_detail(line),
                allocated=line.allocated,
                reasons=reasons,
            )
        )
    return lines


def split_words(result: Estimate) -> list[str]:
    """The funding split, e.g. "Council pays £126.00 (52%)": the exact amount, the share in whole percent."""
    return [
        gettext(
            "%(funder)s pays %(amount)s (%(percent)s%%)",
            percent=format_decimal(share.percent.quantize(Decimal(1), ROUND_HALF_UP), format="0"),
            funder=str(FUNDERS.get(share.funder, share.funder)),
            amount=format_money(share.amount_pence),
        )
        for share in result.split
    ]


def changes_words(result: Estimate) -> list[str]:
    """What would change it: the rise if unpaid support in an area (or at night) stopped."""
    return [
        gettext(
            "If the unpaid help with %(area)s stopped, the budget could go up by %(amount)s a week.",
            area=str(AREA_NAMES.get(change.area, change.area)),
            amount=format_money(change.increase_pence),
        )
        for change in result.what_would_change
        if change.increase_pence > 0
    ]
