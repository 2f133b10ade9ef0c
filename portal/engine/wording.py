"""English wording for the command line only: plain format strings beside the engine's codes.

The web layer does not use this module: it words the same codes through gettext, in the person's language and
voice. Keep the codes (``Reason.effect``, ``Line.key``) the primary data; these strings only read them.
"""

from __future__ import annotations

from decimal import Decimal

from portal.engine.result import Change, Line, Reason

LINE_TITLES: dict[str, str] = {
    "daily_living": "Carrying out essential daily living tasks",
    "household": "Carrying out household tasks",
    "night": "Supplement for night time support",
    "social": "Staying safe & social activities & work",
    "work_learning": "Weekly allocation for engaging in work, training, education or volunteering",
    "childcare": "Weekly childcare support",
    "mental_health": "Weekly support with mental health",
    "contingency": "Weekly contingency allocation",
    "medication": "Weekly medication allocation",
    "carer_breaks": "Weekly allocation for carer breaks",
}
FUNDER_NAMES: dict[str, str] = {"council": "council", "nhs": "NHS", "pooled": "pooled (council and NHS)"}

NO_ALLOCATION = "No allocation"
HOURS_LINE = "{amount} which could provide {hours} per week"
GROUP_LINE = "{amount} ({group_hours} for social activity with support from one carer) — {group_hours} at 1 carer to {people}"
CONTINGENCY_LINE = "{amount} per week, which could provide {hours_per_year} per year"
NIGHT_LINE = "{amount} which could provide {nights} of {night_kind} per week"
BREAKS_LINE = "{amount} per week towards {weeks} of breaks a year for an unpaid carer"
AMOUNT_LINE = "{amount} per week"
SPLIT_LINE = "{percent}% {funder} = {amount}"

HOUR = "{n} hour"
HOURS = "{n} hours"
NIGHT = "{n} night"
NIGHTS = "{n} nights"
WEEK = "{n} week"
WEEKS = "{n} weeks"
PERSON = "{n} person"
PEOPLE = "{n} people"
NIGHT_KINDS: dict[str, str] = {"night_sleep_in": "sleep-in support", "waking_night": "waking night support"}

AREA_WORDS: dict[str, str] = {
    "nutrition": "eating and drinking",
    "hygiene": "washing and personal hygiene",
    "toileting": "using the toilet",
    "dressing": "getting dressed",
    "home_safety": "using your home safely",
    "home_environment": "keeping your home clean and safe",
    "relationships": "keeping in touch with family and friends",
    "work_learning": "work, training, education or volunteering",
    "community": "getting out and using local services",
    "childcare": "looking after a child",
    "mental_health": "your mental health and well-being",
    "medication": "taking medication",
    "night": "help at night",
}
LEVEL_WORDS: dict[int, str] = {1: "a little", 2: "some", 3: "a lot of", 4: "constant"}
SHARE_WORDS: dict[str, str] = {"0.25": "some", "0.5": "about half", "0.75": "most", "1": "all"}
FACTOR_WORDS: dict[str, str] = {
    "client_group": "your main reason for support ({value})",
    "setting": "where you live ({value})",
    "lives_alone": "living alone",
    "memory_cognition": "memory or thinking difficulties",
    "behaviour_challenges": "behaviour that others find challenging",
    "mobility": "difficulty moving around",
    "fluctuating": "needs that change over the year",
    "two_carers": "needing two people to help you move",
}

REASONS: dict[str, str] = {
    "need_level": "You need {level} help with {area}: about {hours} a week before any unpaid help.",
    "unpaid_support": "Family, friends or volunteers will keep giving {share} of the help with {area}, "
    "so {hours} a week are taken off.",
    "minimum_time": "The smallest allocation for help with {area} is {hours} a week.",
    "not_eligible": "Help with {area} was not found eligible, so it is not funded here.",
    "more_time": "Because of {factor}, the support on this line takes {magnitude}% more time.",
    "less_time": "Because of {factor}, the support on this line takes {magnitude}% less time.",
    "staffing_ratio": "Group activities are planned with 1 carer to {people}.",
    "night_support": "You need support at night: {nights} a week.",
    "carer_breaks": "Your unpaid carer needs {weeks} of breaks a year.",
    "contingency_uplift": "Because your needs change over the year, the contingency adds {magnitude}% "
    "of your other support.",
    "local_rate": "The local rate for this line is {rate} an hour for your client group and setting.",
}
UNPAID_NIGHTS = "Family, friends or volunteers will keep giving {share} of the help at night, so {nights} a week are taken off."
CHANGE = "If unpaid help with {area} stopped, your budget would go up by {amount} a week."


def money(pence: int) -> str:
    """Pence as pounds with a £ sign and thousands separators: 123456 -> '£1,234.56'."""
    whole, part = divmod(pence, 100)
    return f"£{whole:,}.{part:02d}"


def _number(value: Decimal) -> str:
    """A Decimal without trailing zeros: 7.00 -> '7', 0.50 -> '0.5', 100 -> '100'."""
    return format(value.normalize(), "f")


def _plural(value: Decimal | int, one: str, many: str) -> str:
    return (one if value == 1 else many).format(n=_number(Decimal(value)))


def hours(value: Decimal) -> str:
    """'1 hour', '7 hours', '0.25 hours'."""
    return _plural(value, HOUR, HOURS)


def line_title(line: Line, titles: dict[str, str] | None = None) -> str:
    """The English title of a line (the configuration's own title, else a default, else the key)."""
    return (titles or {}).get(line.key) or LINE_TITLES.get(line.key) or line.key


def line_text(line: Line) -> str:
    """How the allocation summary shows a line: "£98.00 which could provide 7 hours per week"."""
    if not line.allocated:
        return NO_ALLOCATION
    amount = money(line.amount_pence)
    if line.ratio is not None and line.group_hours is not None:
        return GROUP_LINE.format(
            amount=amount, group_hours=hours(line.group_hours), people=_plural(line.ratio, PERSON, PEOPLE)
        )
    if line.hours_per_year is not None:
        return CONTINGENCY_LINE.format(amount=amount, hours_per_year=hours(line.hours_per_year))
    if line.nights_per_week is not None:
        kind = NIGHT_KINDS.get(line.kind or "", "night-time support")
        return NIGHT_LINE.format(
            amount=amount, nights=_plural(line.nights_per_week, NIGHT, NIGHTS), night_kind=kind
        )
    if line.breaks_weeks is not None:
        return BREAKS_LINE.format(amount=amount, weeks=_plural(line.breaks_weeks, WEEK, WEEKS))
    if line.hours:
        return HOURS_LINE.format(amount=amount, hours=hours(line.hours))
    return AMOUNT_LINE.format(amount=amount)


def _factor(field: str, value: object) -> str:
    return FACTOR_WORDS.get(field, field).format(value=str(value).replace("_", " "))


def reason_text(reason: Reason) -> str:
    """An English sentence for a reason code (command line only)."""
    template = REASONS.get(reason.effect, "{effect}: {field} = {value}")
    if reason.field == "unpaid_night":
        template = UNPAID_NIGHTS
    area = reason.field.split("_", 1)[1] if reason.field.startswith(("need_", "unpaid_")) else ""
    factor = _factor(reason.field, reason.value)
    if reason.other_field:
        factor += " and " + _factor(reason.other_field, reason.other_value)
    value = reason.value
    return template.format(
        effect=reason.effect,
        field=reason.field,
        value=value,
        level=LEVEL_WORDS.get(value, str(value)) if isinstance(value, int) else value,
        area=AREA_WORDS.get(area, area),
        hours=hours(reason.magnitude),
        share=SHARE_WORDS.get(_number(value), str(value)) if isinstance(value, Decimal) else value,
        factor=factor,
        magnitude=_number(reason.magnitude),
        people=_plural(reason.magnitude, PERSON, PEOPLE),
        nights=_plural(reason.magnitude, NIGHT, NIGHTS),
        weeks=_plural(reason.magnitude, WEEK, WEEKS),
        rate=money(int(reason.magnitude)),
    )


def change_text(change: Change) -> str:
    """An English sentence for a "what would change it" figure."""
    return CHANGE.format(area=AREA_WORDS.get(change.area, change.area), amount=money(change.increase_pence))


def split_text(funder: str, percent: Decimal, pence: int) -> str:
    """'52.29% council = £126.00'."""
    return SPLIT_LINE.format(percent=percent, funder=FUNDER_NAMES.get(funder, funder), amount=money(pence))
