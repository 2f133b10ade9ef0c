"""The sections of a configuration other than the rates: label and range, minimum times, ratios, nights,
contingency, funding, the model's coefficients and the care cap."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import gettext

from portal.engine import AREAS
from portal.practitioner.config_forms import Section, Spec
from portal.practitioner.config_rates import rates_section
from portal.vocabulary import AREA_NAMES, FUNDER_NAMES, NEED_LEVEL_LABELS, NIGHT_LEVELS, line_title, rate_name


def _kinds(document: dict[str, Any], unit: str) -> list[tuple[str, str]]:
    return [(kind, rate_name(kind)) for kind, spec in document["rates"].items() if spec["per"] == unit]


def general_section(document: dict[str, Any]) -> Section:
    """The label, the weeks in a year and the indicative range."""
    specs = [
        Spec(
            "label",
            "label",
            gettext("Label"),
            "text",
            document["label"],
            width="govuk-input--width-30",
            hint=gettext(
                "Every estimate records this label, so staff can tell which version it used. "
                "For example, Northfield 2026/27."
            ),
        ),
        Spec(
            "weeks_per_year",
            "weeks_per_year",
            gettext("Weeks in a year"),
            "weeks",
            str(document["weeks_per_year"]),
            width="govuk-input--width-10",
            hint=gettext("Used to turn a year's hours into a week's. 365.25/7 is the average year."),
        ),
        Spec(
            "range_below",
            "indicative_range.below_percent",
            gettext("Below the estimate"),
            "percent",
            document["indicative_range"]["below_percent"],
            low=Decimal(0),
            high=Decimal(100),
            group=gettext("Indicative range shown to the person"),
            group_hint=gettext("The estimate is shown as a range: this much below and above it."),
        ),
        Spec(
            "range_above",
            "indicative_range.above_percent",
            gettext("Above the estimate"),
            "percent",
            document["indicative_range"]["above_percent"],
            low=Decimal(0),
            high=Decimal(100),
            group=gettext("Indicative range shown to the person"),
        ),
    ]

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        doc["label"] = values["label"]
        doc["weeks_per_year"] = values["weeks_per_year"]
        doc["indicative_range"] = {
            "below_percent": values["range_below"],
            "above_percent": values["range_above"],
        }
        return []

    return Section("general", gettext("Label, year and range"), "", specs, apply)


def minimum_section(document: dict[str, Any]) -> Section:
    """Minimum allocation times per area of need, and the rounding increment."""
    specs = [
        Spec(
            "increment",
            "rounding.increment_minutes",
            gettext("Round paid time to the nearest"),
            "whole",
            document["rounding"]["increment_minutes"],
            low=Decimal(1),
            high=Decimal(60),
            unit=gettext("minutes"),
            hint=gettext("Minimum times must be a multiple of this."),
        )
    ]
    for area in AREAS:
        specs.append(
            Spec(
                f"minimum_{area}",
                f"minimum_minutes.{area}",
                str(AREA_NAMES[area]).capitalize(),
                "whole",
                document["minimum_minutes"][area],
                low=Decimal(0),
                high=Decimal(600),
                unit=gettext("minutes"),
                group=gettext("Minimum time for a visit, by area of need"),
                group_hint=gettext(
                    "The least paid time a week for any need in the area, before rounding. 0 means no minimum."
                ),
            )
        )

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        doc["rounding"] = {"increment_minutes": values["increment"]}
        doc["minimum_minutes"] = {area: values[f"minimum_{area}"] for area in AREAS}
        return []

    return Section("minimum_times", gettext("Minimum times"), "", specs, apply)


def _ratios(ratio: dict[str, Any]) -> list[int]:
    by_level = [ratio["people_per_carer"]] * 3
    for step in sorted(ratio.get("behaviour_challenges", []), key=lambda s: s["at_least"]):
        for level in range(step["at_least"], 3):
            by_level[level] = step["people_per_carer"]
    return by_level


def ratios_section(document: dict[str, Any]) -> Section:
    """People per carer in group support, by how often behaviour challenges."""
    specs = []
    words = (
        gettext("Usually"),
        gettext("When behaviour sometimes challenges"),
        gettext("When behaviour often challenges"),
    )
    for index, line in enumerate(document["lines"]):
        if "staffing_ratio" not in line:
            continue
        levels = _ratios(line["staffing_ratio"])
        for level in range(3):
            specs.append(
                Spec(
                    f"ratio_{line['key']}_{level}",
                    f"lines[{index}].staffing_ratio",
                    words[level],
                    "whole",
                    levels[level],
                    low=Decimal(1),
                    high=Decimal(20),
                    unit=gettext("people per carer"),
                    group=line_title(line["key"])[0],
                    group_hint=gettext(
                        "3 means one carer supports three people, so an hour of their support "
                        "costs a third of the hourly rate."
                    )
                    if level == 0
                    else "",
                )
            )

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        for line in doc["lines"]:
            if "staffing_ratio" not in line:
                continue
            wanted = [values[f"ratio_{line['key']}_{level}"] for level in range(3)]
            if wanted == _ratios(line["staffing_ratio"]):
                continue
            ratio: dict[str, Any] = {"people_per_carer": wanted[0]}
            steps = [
                {"at_least": level, "people_per_carer": wanted[level]}
                for level in (1, 2)
                if wanted[level] != wanted[level - 1]
            ]
            if steps:
                ratio["behaviour_challenges"] = steps
            line["staffing_ratio"] = ratio
        return []

    return Section(
        "ratios",
        gettext("Staffing ratios"),
        "" if specs else gettext("No line has a staffing ratio."),
        specs,
        apply,
    )


def nights_section(document: dict[str, Any]) -> Section:
    """For each level of night-time support: which rate, and how many nights a week."""
    specs = []
    night_kinds = _kinds(document, "night")
    for index, item in enumerate(document["night_support"]):
        legend = str(NIGHT_LEVELS.get(item["level"], item["level"]))
        specs += [
            Spec(
                f"night_{index}_kind",
                f"night_support[{index}].kind",
                gettext("Rate used"),
                "choice",
                item["kind"],
                choices=night_kinds,
                group=legend,
            ),
            Spec(
                f"night_{index}_nights",
                f"night_support[{index}].nights_per_week",
                gettext("Nights a week"),
                "number",
                item["nights_per_week"],
                low=Decimal(0),
                high=Decimal(7),
                unit=gettext("nights"),
                group=legend,
            ),
        ]

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        for index, item in enumerate(doc["night_support"]):
            item["kind"] = values[f"night_{index}_kind"]
            item["nights_per_week"] = values[f"night_{index}_nights"]
        return []

    return Section(
        "nights",
        gettext("Night-time support"),
        "" if specs else gettext("This configuration has no night-time support line."),
        specs,
        apply,
    )


def contingency_section(document: dict[str, Any]) -> Section:
    """Carer breaks (respite) and the contingency."""
    contingency = document["contingency"]
    specs = []
    if document["carer_breaks"] is not None:
        specs.append(
            Spec(
                "breaks_kind",
                "carer_breaks.kind",
                gettext("Rate used for a week of carer breaks"),
                "choice",
                document["carer_breaks"]["kind"],
                choices=_kinds(document, "week"),
            )
        )
    legend = gettext("Contingency")
    specs += [
        Spec(
            "contingency_kind",
            "contingency.kind",
            gettext("Rate used for contingency hours"),
            "choice",
            contingency["kind"],
            choices=_kinds(document, "hour"),
            group=legend,
        ),
        Spec(
            "contingency_hours",
            "contingency.hours_per_year",
            gettext("Hours a year"),
            "number",
            contingency["hours_per_year"],
            low=Decimal(0),
            high=Decimal(2000),
            unit=gettext("hours"),
            group=legend,
            hint=gettext("A whole number of rounding increments, such as 11 or 11.25."),
        ),
        Spec(
            "contingency_percent",
            "contingency.percent",
            gettext("Share of the budget for everyone"),
            "percent",
            contingency["percent"],
            low=Decimal(0),
            high=Decimal(100),
            unit="%",
            group=legend,
        ),
        Spec(
            "contingency_fluctuating",
            "contingency.fluctuating_percent",
            gettext("Extra share where needs change over the year"),
            "percent",
            contingency["fluctuating_percent"],
            low=Decimal(0),
            high=Decimal(100),
            unit="%",
            group=legend,
        ),
    ]

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        if doc["carer_breaks"] is not None:
            doc["carer_breaks"] = {"kind": values["breaks_kind"]}
        doc["contingency"] = {
            "kind": values["contingency_kind"],
            "hours_per_year": values["contingency_hours"],
            "percent": values["contingency_percent"],
            "fluctuating_percent": values["contingency_fluctuating"],
        }
        return []

    return Section("contingency", gettext("Carer breaks and contingency"), "", specs, apply)


def funding_section(document: dict[str, Any]) -> Section:
    """Which body pays for each line, and the pooled split."""
    funders = [(key, str(name)) for key, name in FUNDER_NAMES.items()]
    specs = [
        Spec(
            f"funder_{line['key']}",
            f"lines[{index}].funder",
            line_title(line["key"])[0],
            "choice",
            line["funder"],
            choices=funders,
            group=gettext("Who pays for each line"),
        )
        for index, line in enumerate(document["lines"])
    ]
    pool = document["pooled_split"] or {}
    legend = gettext("Pooled split")
    hint = gettext(
        "For a pooled budget such as a Section 117 pool: each body's share, adding up to 100. "
        "Leave both blank if there is no pool."
    )
    specs += [
        Spec(
            "pool_council",
            "pooled_split.council",
            gettext("Council's share"),
            "percent_optional",
            pool.get("council"),
            low=Decimal(0),
            high=Decimal(100),
            unit="%",
            group=legend,
            group_hint=hint,
            empty=gettext("No pooled budget"),
        ),
        Spec(
            "pool_nhs",
            "pooled_split.nhs",
            gettext("NHS share"),
            "percent_optional",
            pool.get("nhs"),
            low=Decimal(0),
            high=Decimal(100),
            unit="%",
            group=legend,
            empty=gettext("No pooled budget"),
        ),
    ]

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        for line in doc["lines"]:
            line["funder"] = values[f"funder_{line['key']}"]
        council, nhs = values["pool_council"], values["pool_nhs"]
        if (council is None) != (nhs is None):
            blank = "pool_nhs" if nhs is None else "pool_council"
            return [(blank, gettext("Pooled split: enter both shares, or leave both blank"))]
        doc["pooled_split"] = None if council is None else {"council": council, "nhs": nhs}
        return []

    return Section("funding", gettext("Funders and pooled split"), "", specs, apply)


def model_section(document: dict[str, Any]) -> Section:
    """The model's coefficients: base log-hours per area and level, and each term's log effect."""
    model = document["model"]
    specs = []
    for area in AREAS:
        legend = str(AREA_NAMES[area]).capitalize()
        for level, value in enumerate(model["base_log_hours"][area]):
            specs.append(
                Spec(
                    f"base_{area}_{level}",
                    f"model.base_log_hours.{area}[{level}]",
                    str(NEED_LEVEL_LABELS[level + 1]),  # the model lists levels of need 1 to 4
                    "number",
                    value,
                    low=Decimal(-10),
                    high=Decimal(6),
                    places=4,
                    group=legend,
                    group_hint=gettext(
                        "Natural log of the weekly hours at each level of need, before the "
                        "terms below. Each level must be at least the one before."
                    )
                    if area == AREAS[0] and level == 0
                    else "",
                )
            )
    for index, term in enumerate(model["terms"]):
        specs.append(
            Spec(
                f"term_{index}",
                f"model.terms[{index}].log_effect",
                term["key"],
                "number",
                term["log_effect"],
                low=Decimal(-5),
                high=Decimal(5),
                places=4,
                group=gettext("Terms"),
                group_hint=gettext(
                    "Each term adds its log effect to the hours of its areas where its "
                    "conditions hold; 0.1 is about 10% more. A term on a need cannot be negative."
                ),
            )
        )

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        for area in AREAS:
            doc["model"]["base_log_hours"][area] = [values[f"base_{area}_{level}"] for level in range(4)]
        for index, term in enumerate(doc["model"]["terms"]):
            term["log_effect"] = values[f"term_{index}"]
        return []

    return Section(
        "model",
        gettext("Model coefficients"),
        gettext("Calibration sets these from your own cases; change them by hand only with care."),
        specs,
        apply,
    )


def care_cap_section(document: dict[str, Any]) -> Section:
    """The care cap for self-funders (an Independent Personal Budget)."""
    cap = document["care_cap"] or {}
    specs = [
        Spec(
            "cap",
            "care_cap.cap_pence",
            gettext("Care cap"),
            "pounds_optional",
            cap.get("cap_pence"),
            width="govuk-input--width-10",
            empty=gettext("No care cap"),
            hint=gettext("Leave blank if no care cap is in force."),
        ),
        Spec(
            "deduction",
            "care_cap.weekly_deduction_pence",
            gettext("Daily living costs taken off each week"),
            "pounds_optional",
            cap.get("weekly_deduction_pence") or None,
            unit=gettext("a week"),
            empty=gettext("None"),
        ),
    ]

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        if values["cap"] is None:
            doc["care_cap"] = None
            return []
        doc["care_cap"] = {
            "cap_pence": values["cap"],
            "weekly_deduction_pence": values["deduction"] or 0,
            "excluded_lines": list(cap.get("excluded_lines", [])),
        }
        return []

    return Section("care_cap", gettext("Care cap"), "", specs, apply)


SECTIONS: dict[str, Callable[[dict[str, Any]], Section]] = {
    "general": general_section,
    "rates": rates_section,
    "minimum_times": minimum_section,
    "ratios": ratios_section,
    "nights": nights_section,
    "contingency": contingency_section,
    "funding": funding_section,
    "model": model_section,
    "care_cap": care_cap_section,
}
