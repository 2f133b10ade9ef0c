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

from flask_babel import gettext, ngettext

from portal.engine import FUNDERS, Configuration, Estimate, NeedsProfile, estimate, make_profile
from portal.extensions import db
from portal.formatting import fill, format_money, format_whole_money, ltr_money, ltr_share
from portal.models import Case, Organisation, Snapshot
from portal.models import Estimate as StoredEstimate
from portal.questionnaire import Schema
from portal.tools import DEFAULT_TOOL, Tool
from portal.vocabulary import (
    AREA_NAMES,
    LINE_PURPOSES,
    funder_name,
    hours,
    line_title,
    plural_count,
    reason_sentence,
)


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
    tool: Tool | None = None,
) -> Estimate:
    """The engine's estimate for some answers: a Personal Budget, or an IPB for someone paying for their own care.

    The adult self-assessment (``tool`` None or the default) uses the organisation's configuration in force;
    another tool its own shipped configuration, with its own areas of need (decision 0015).
    """
    mode = "ipb" if schema.is_self_funder(answers) else "personal"
    if tool is None or tool.key == DEFAULT_TOOL:
        profile = NeedsProfile.from_mapping(schema.to_profile(answers).as_dict())
        return estimate(profile, configuration_for(organisation, on), eligible=eligible, mode=mode)
    config = tool.configuration
    return estimate(
        make_profile(schema.to_profile(answers).as_dict(), config.areas, config.need_levels),
        config,
        eligible=eligible,
        mode=mode,
    )


def store(
    case: Case,
    result: Estimate,
    *,
    purpose: str,
    snapshot: Snapshot | None = None,
    split_basis: dict[str, Any] | None = None,
) -> StoredEstimate:
    """Keep an estimate whole (all lines, reasons and versions) in the case's history, with the funding split it
    used (each line's funder unless ``split_basis`` names a pooled or agreed split)."""
    row = StoredEstimate(
        split_basis=split_basis or {"kind": "lines"},
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


def summary(result: Estimate, tool: Tool | None = None) -> Summary:
    """The estimate in a few rounded figures and one purpose, for a lay reader."""
    from portal import tool_service

    largest = max(result.lines, key=lambda line: line.amount_pence, default=None)
    purpose = ""
    most = False
    if largest is not None and largest.allocated:
        own = tool_service.text_of(tool, f"lines.{largest.key}") if tool is not None else None
        purpose = (
            own.lower() if own else str(LINE_PURPOSES.get(largest.key, line_title(largest.key)[0].lower()))
        )
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


def line_detail(line: Any) -> str:
    """What the money could provide, e.g. "£98.00 which could provide 7 hours per week" (exact figures).

    The amount is isolated (``<bdi dir="ltr">``) so it reads right in a right-to-left language; ``ngettext``
    fills ``num`` and keeps the other placeholders for :func:`~portal.formatting.fill`.
    """
    if not line.allocated:
        return gettext("No allocation")
    amount = ltr_money(line.amount_pence)
    # Each sentence with hours or nights takes its form from the figure as shown ("1 hour", "1.5 hours").
    if line.ratio and line.group_hours:
        if line.ratio == 1:
            return fill(
                # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
                ngettext(
                    "%(amount)s for %(hours)s hour of activities with a carer",
                    "%(amount)s for %(hours)s hours of activities with a carer",
                    plural_count(line.group_hours),
                    amount="%(amount)s",
                    hours="%(hours)s",
                ),
                amount=amount,
                hours=hours(line.group_hours),
            )
        # Translators: how many others share the carer; the end of "… of activities in a group, %(sharing)s".
        sharing = ngettext(
            "sharing a carer with %(num)d other person",
            "sharing a carer with %(num)d other people",
            line.ratio - 1,
        )
        return fill(
            # Translators: %(sharing)s is "sharing a carer with 2 other people". A figure that is not whole,
            # such as 1.5, takes the form for 4.
            ngettext(
                "%(amount)s for %(hours)s hour of activities in a group, %(sharing)s",
                "%(amount)s for %(hours)s hours of activities in a group, %(sharing)s",
                plural_count(line.group_hours),
                amount="%(amount)s",
                hours="%(hours)s",
                sharing="%(sharing)s",
            ),
            amount=amount,
            hours=hours(line.group_hours),
            sharing=sharing,
        )
    if line.hours_per_year:
        return fill(
            # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
            ngettext(
                "%(amount)s per week, set aside for %(hours)s hour of extra help a year",
                "%(amount)s per week, set aside for %(hours)s hours of extra help a year",
                plural_count(line.hours_per_year),
                amount="%(amount)s",
                hours="%(hours)s",
            ),
            amount=amount,
            hours=hours(line.hours_per_year),
        )
    if line.nights_per_week:
        return fill(
            # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
            ngettext(
                "%(amount)s which could provide %(nights)s night of support per week",
                "%(amount)s which could provide %(nights)s nights of support per week",
                plural_count(line.nights_per_week),
                amount="%(amount)s",
                nights="%(nights)s",
            ),
            amount=amount,
            nights=hours(line.nights_per_week),
        )
    if line.breaks_weeks:
        return fill(
            ngettext(
                "%(amount)s per week, towards %(num)d week of breaks a year",
                "%(amount)s per week, towards %(num)d weeks of breaks a year",
                line.breaks_weeks,
                amount="%(amount)s",
            ),
            amount=amount,
        )
    if line.hours:
        return fill(
            # Translators: a figure that is not whole, such as 1.5, takes the form for 4.
            ngettext(
                "%(amount)s which could provide %(hours)s hour per week",
                "%(amount)s which could provide %(hours)s hours per week",
                plural_count(line.hours),
                amount="%(amount)s",
                hours="%(hours)s",
            ),
            amount=amount,
            hours=hours(line.hours),
        )
    return amount


def tool_area_names(tool: Tool | None) -> dict[str, str]:
    """A tool's own names of its areas of need, in the page's language (none for the adult tool: ours)."""
    if tool is None:
        return {}
    from portal import tool_service

    names = {}
    for area in tool.areas:
        text = tool_service.text_of(tool, f"areas.{area}")
        if text:
            names[area] = text
    return names


def area_name(area: str, tool: Tool | None = None) -> str:
    """An area of need's name: the tool's own, else ours, else its key."""
    return tool_area_names(tool).get(area) or str(AREA_NAMES.get(area, area))


def worded_lines(
    result: Estimate,
    config_titles: Mapping[str, str] | None = None,
    quotes: Quotes = NO_QUOTES,
    tool: Tool | None = None,
) -> list[WordedLine]:
    """Every line of the allocation summary, worded, with its reasons (in the tool's own words where it has them)."""
    from portal import tool_service

    lines = []
    area_names = tool_area_names(tool)
    for line in result.lines:
        own = tool_service.text_of(tool, f"lines.{line.key}") if tool is not None else None
        title, title_lang = (own, None) if own else line_title(line.key, config_titles)
        reasons = tuple(
            reason_sentence(r, quotes.of_field(r.field), area_names)
            for r in result.reasons
            if r.line == line.key
        )
        lines.append(
            WordedLine(
                key=line.key,
                title=title,
                title_lang=title_lang,
                funder=funder_name(line.funder) if line.allocated and line.funder in FUNDERS else "",
                amount=format_money(line.amount_pence) if line.allocated else "",
                detail=line_detail(line),
                allocated=line.allocated,
                reasons=reasons,
            )
        )
    return lines


def split_words(result: Estimate, basis: Mapping[str, Any] | None = None) -> list[str]:
    """The funding split, e.g. "Council pays £126.00 (52%)": the exact amount and the share.

    Under a pooled split or one agreed for the person (``basis``, a ``SplitBasis.to_dict()`` as a stored estimate
    keeps it) each share is the percentage agreed, as agreed (57.5%), not what its rounded pence come to;
    otherwise the share each funder's lines come to, in whole percent. Both through the one formatter
    (:func:`portal.formatting.format_share`), in the locale's number format.
    """
    agreed: dict[str, Any] = {}
    if basis and basis.get("kind") in ("pooled", "agreed"):
        council = Decimal(str(basis["council_percent"]))
        agreed = {"council": council, "nhs": Decimal(str(basis.get("nhs_percent") or 100 - council))}
    return [
        fill(
            gettext("%(funder)s pays %(amount)s (%(percent)s)"),
            percent=ltr_share(agreed[share.funder]) if agreed else ltr_share(share.percent, whole=True),
            funder=funder_name(share.funder),
            amount=ltr_money(share.amount_pence),
        )
        for share in result.split
    ]


def changes_words(result: Estimate, tool: Tool | None = None) -> list[str]:
    """What would change it: the rise if unpaid support in an area (or at night) stopped."""
    area_names = tool_area_names(tool)
    return [
        fill(
            gettext("If the unpaid help with %(area)s stopped, the budget could go up by %(amount)s a week."),
            area=area_names.get(change.area) or str(AREA_NAMES.get(change.area, change.area)),
            amount=ltr_money(change.increase_pence),
        )
        for change in result.what_would_change
        if change.increase_pence > 0
    ]
