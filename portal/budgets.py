"""Budgets on the web side: which configuration applies, running the engine on answers, and wording its results.

The engine (:mod:`portal.engine`) returns numbers and reason codes; this module turns them into sentences in the
person's language through gettext, and stores every estimate whole with the versions that produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal, gettext, lazy_gettext, ngettext

from portal.engine import Configuration, Estimate, NeedsProfile, estimate
from portal.extensions import db
from portal.formatting import format_money
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
    "daily_living": lazy_gettext("Carrying out essential daily living tasks"),
    "household": lazy_gettext("Carrying out household tasks"),
    "night": lazy_gettext("Supplement for night time support"),
    "social": lazy_gettext("Staying safe, social activities and work"),
    "work_learning": lazy_gettext(
        "Weekly allocation for engaging in work, training, education or volunteering"
    ),
    "childcare": lazy_gettext("Weekly childcare support"),
    "mental_health": lazy_gettext("Weekly support with mental health"),
    "contingency": lazy_gettext("Weekly contingency allocation"),
    "medication": lazy_gettext("Weekly medication allocation"),
    "carer_breaks": lazy_gettext("Weekly allocation for carer breaks"),
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


def hours(value: Decimal | None) -> str:
    """Hours in the locale, without needless decimals: 7, 1.5, 0.25."""
    if value is None:
        return ""
    return str(
        format_decimal(value.normalize() if value == value.to_integral() else value, format="#,##0.##")
    )


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
    """What the money could provide, e.g. "£98.00 which could provide 7 hours per week"."""
    if not line.allocated:
        return gettext("No allocation")
    amount = format_money(line.amount_pence)
    if line.ratio and line.group_hours:
        return gettext(
            "%(amount)s (%(hours)s hours of social activity with support from one carer), at 1 carer to %(ratio)s people",
            amount=amount,
            hours=hours(line.group_hours),
            ratio=line.ratio,
        )
    if line.hours_per_year:
        return gettext(
            "%(amount)s per week, which could provide %(hours)s hours per year",
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


def _value_words(field_name: str, value: Any) -> str:
    """An answer's value in words, for reasons."""
    if field_name.startswith("need_"):
        return str(LEVELS.get(int(value), value))
    if field_name.startswith("unpaid_"):
        return gettext("%(percent)s%%", percent=format_decimal(Decimal(str(value)) * 100, format="#,##0"))
    return str(value)


def reason_sentence(reason: Any) -> str:
    """One reason code as a plain sentence."""
    area = reason.field.split("_", 1)[1] if reason.field.startswith(("need_", "unpaid_")) else ""
    area_name = str(AREA_NAMES.get(area, area))
    effect = reason.effect
    if effect == "need_level":
        return gettext(
            "You said there is a need for %(level)s with %(area)s: about %(hours)s hours a week.",
            level=_value_words(reason.field, reason.value),
            area=area_name,
            hours=hours(reason.magnitude),
        )
    if effect == "unpaid_support":
        return gettext(
            "Family, friends or volunteers will keep giving %(share)s of the help with %(area)s, "
            "so %(hours)s hours a week are taken off.",
            share=_value_words(reason.field, reason.value),
            area=area_name,
            hours=hours(reason.magnitude),
        )
    if effect == "minimum_time":
        return gettext(
            "Help with %(area)s needs a visit of a set minimum length: %(hours)s hours a week.",
            area=area_name,
            hours=hours(reason.magnitude),
        )
    if effect == "not_eligible":
        return gettext("The need with %(area)s was not found eligible, so it is not funded.", area=area_name)
    if effect in ("more_time", "less_time"):
        factor = str(FACTOR_NAMES.get(reason.field, reason.field))
        if effect == "more_time":
            return gettext(
                "Because of %(factor)s, help takes about %(percent)s%% longer.",
                factor=factor,
                percent=hours(reason.magnitude),
            )
        return gettext(
            "Because of %(factor)s, help takes about %(percent)s%% less time.",
            factor=factor,
            percent=hours(abs(reason.magnitude)),
        )
    if effect == "staffing_ratio":
        return gettext(
            "This support is shared: one carer to %(ratio)s people.", ratio=hours(reason.magnitude)
        )
    if effect == "night_support":
        return gettext(
            "You said help is needed at night: %(nights)s nights a week.", nights=hours(reason.magnitude)
        )
    if effect == "carer_breaks":
        return gettext(
            "The unpaid carer needs breaks: %(weeks)s weeks a year.", weeks=hours(reason.magnitude)
        )
    if effect == "contingency_uplift":
        return gettext(
            "Needs that change over the year add %(percent)s%% for extra help when it is needed.",
            percent=hours(reason.magnitude),
        )
    if effect == "local_rate":
        return gettext(
            "The local rate for this support is %(rate)s an hour.", rate=format_money(int(reason.magnitude))
        )
    return gettext("Another answer affected this line.")


def worded_lines(result: Estimate, config_titles: Mapping[str, str] | None = None) -> list[WordedLine]:
    """Every line of the allocation summary, worded, with its reasons."""
    lines = []
    for line in result.lines:
        title, title_lang = line_title(line.key, config_titles)
        reasons = tuple(reason_sentence(r) for r in result.reasons if r.line == line.key)
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
    """The funding split, e.g. "52.29% council = £126.00"."""
    return [
        gettext(
            "%(percent)s%% %(funder)s = %(amount)s",
            percent=format_decimal(share.percent, format="0.00"),
            funder=str(FUNDERS.get(share.funder, share.funder)),
            amount=format_money(share.amount_pence),
        )
        for share in result.split
    ]


def changes_words(result: Estimate) -> list[str]:
    """What would change it: the rise if unpaid support in an area stopped."""
    return [
        gettext(
            "If the unpaid help with %(area)s stopped, the budget could go up by %(amount)s a week.",
            area=str(AREA_NAMES.get(change.area, change.area)),
            amount=format_money(change.increase_pence),
        )
        for change in result.what_would_change
        if change.increase_pence > 0
    ]
