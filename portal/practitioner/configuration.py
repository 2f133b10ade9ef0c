"""An organisation's admin: configuration versions, benchmarking against other areas, accuracy testing.

Every view is for :attr:`Role.ADMIN` (the pages marking similar areas: :attr:`Role.DEPLOYMENT_ADMIN`) and works
inside the admin's own organisation: a version or a job is looked up by id *and* organisation, so another
organisation's is a 404. The database work lives in :mod:`portal.config_service`; this module parses what was
typed, checks a changed configuration with the engine's own loader (so any ``ConfigurationError`` becomes a
message next to the field it names), and words the results.

A draft is edited section by section. Each section is a list of :class:`Spec` (one typed value and the key of
the configuration it sets) and a function that writes the parsed values into a copy of the document; the page
keeps what was typed when anything is wrong. A hidden copy of the content hash the page was built from stops
two admins silently overwriting each other's changes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_currency, format_decimal, format_percent, gettext, lazy_gettext
from flask_login import current_user
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from sqlalchemy import select
from wtforms import Field, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, StopValidation

from portal import budgets
from portal import config_service as service
from portal.engine import AREAS, CLIENT_GROUPS, SETTINGS, ConfigurationError, load_configuration
from portal.extensions import db
from portal.formatting import format_money
from portal.forms import (
    CheckboxesInput,
    DateInput,
    Form,
    RadioInput,
    SelectInput,
    SubmitInput,
    TextInput,
    error_summary,
)
from portal.models import ConfigurationVersion, Job, JobStatus, Organisation, Role
from portal.practitioner import bp
from portal.practitioner.admin import AmountError, parse_pounds, pounds_for_input
from portal.security import roles_required

MAX_POUNDS = 10_000_000  # £100,000: far above any rate, so a typo cannot pass
TABLE_ROWS = 200  # rows of the accuracy table on one page
LISTED_OUTLIERS = 200
PLOTTED_POINTS = 5_000
LATEST_EFFECTIVE_YEARS = 5

# -- words ----------------------------------------------------------------------------------------------

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
UNITS = {
    "hour": lazy_gettext("an hour"),
    "night": lazy_gettext("a night"),
    "week": lazy_gettext("a week"),
}
GROUP_NAMES = {
    "older_people": lazy_gettext("Older people"),
    "physical_disability": lazy_gettext("Physical disability"),
    "learning_disability": lazy_gettext("Learning disability"),
    "mental_health": lazy_gettext("Mental health"),
    "autism": lazy_gettext("Autism"),
}
SETTING_NAMES = {
    "community": lazy_gettext("living in the community"),
    "supported_living": lazy_gettext("in supported living"),
}
NIGHT_LEVELS = {
    1: lazy_gettext("Level 1: help some nights"),
    2: lazy_gettext("Level 2: someone nearby most nights (sleep-in)"),
    3: lazy_gettext("Level 3: someone awake all night"),
}
NEED_LEVELS = {
    0: lazy_gettext("A little"),
    1: lazy_gettext("Some"),
    2: lazy_gettext("A lot"),
    3: lazy_gettext("All the time"),
}
FUNDER_NAMES = {
    "council": lazy_gettext("Council"),
    "nhs": lazy_gettext("NHS"),
    "pooled": lazy_gettext("Pooled budget (shared by the split below)"),
}
STATUS_NAMES = {"draft": lazy_gettext("Draft"), "published": lazy_gettext("Published")}


def rate_name(kind: str) -> str:
    """A kind of support in words (a kind the portal does not know is shown as its key)."""
    return str(RATE_NAMES[kind]) if kind in RATE_NAMES else kind.replace("_", " ").capitalize()


def line_name(key: str) -> str:
    """A line of the allocation summary in words."""
    return budgets.line_title(key)[0]


def number_text(value: Any) -> str:
    """A number as typed into a box: no exponent, no trailing zeros (2.0 is "2", 0.59160 is "0.5916")."""
    if value is None:
        return ""
    try:
        text = format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)
    return "0" if text in ("-0", "") else text


def show_number(value: Any, places: int = 4) -> str:
    """A number for reading, in the locale."""
    return str(format_decimal(value, format="#,##0." + "#" * places)) if value is not None else ""


# -- typed values ---------------------------------------------------------------------------------------


class BadValue(ValueError):
    """What is wrong with a typed value, worded for the admin."""


@dataclass
class Spec:
    """One value of a configuration section: how it is typed, shown and checked, and the key it sets."""

    name: str  # the form field's name (and id)
    path: str  # the configuration key it sets, as the engine's errors name it
    label: str
    kind: str  # "pounds", "pounds_optional", "whole", "number", "percent", "percent_optional", "choice", "text",
    #            "weeks"
    value: Any  # the current value, in the document's units
    hint: str = ""
    low: Decimal | None = None
    high: Decimal | None = None
    places: int = 2
    unit: str = ""  # words after the box ("an hour", "minutes")
    choices: list[tuple[str, str]] = field(default_factory=list)
    group: str = ""  # the fieldset it sits in
    group_hint: str = ""
    width: str = "govuk-input--width-5"
    empty: str = ""  # what a blank optional value means, for the summary

    def initial(self) -> str:
        """The value as it goes into the box."""
        if self.kind in ("pounds", "pounds_optional"):
            return pounds_for_input(self.value)
        if self.kind in ("choice", "text", "weeks"):
            return "" if self.value is None else str(self.value)
        return number_text(self.value)

    def display(self) -> str:
        """The value for reading, with its unit."""
        if self.value is None:
            return self.empty or gettext("Not set")
        if self.kind in ("pounds", "pounds_optional"):
            text = format_money(self.value)
        elif self.kind == "choice":
            text = dict(self.choices).get(str(self.value), str(self.value))
        elif self.kind in ("percent", "percent_optional"):
            text = show_number(self.value, self.places) + "%"
        elif self.kind in ("text", "weeks"):
            text = str(self.value)
        else:
            text = show_number(self.value, self.places)
        return f"{text} {self.unit}" if self.unit else text

    def params(self) -> dict[str, Any]:
        """Params for the GOV.UK macro."""
        params: dict[str, Any] = {}
        if self.kind == "choice":
            return params
        params["classes"] = self.width
        if self.kind in ("pounds", "pounds_optional"):
            params["prefix"] = {"text": "£"}
            params["inputmode"] = "decimal"
        elif self.kind == "whole":
            params["inputmode"] = "numeric"
        elif self.kind != "text":
            params["inputmode"] = "decimal"
        if self.unit and self.kind != "text":
            params["suffix"] = {"text": self.unit}
        if self.kind != "text":
            params["spellcheck"] = False
        return params

    def parse(self, text: str | None) -> Any:
        """The typed text as a document value; raises :class:`BadValue`."""
        raw = (text or "").strip()
        label = self.label
        optional = self.kind in ("pounds_optional", "percent_optional")
        if not raw:
            if optional:
                return None
            if self.kind == "text":
                raise BadValue(gettext("%(field)s: enter a label", field=label))
            if self.kind in ("pounds", "pounds_optional"):
                raise BadValue(gettext("%(field)s: enter an amount in pounds, like 18.10", field=label))
            if self.kind == "choice":
                raise BadValue(gettext("%(field)s: select one of the options", field=label))
            raise BadValue(gettext("%(field)s: enter a number", field=label))
        if self.kind in ("pounds", "pounds_optional"):
            return self._pounds(raw)
        if self.kind == "choice":
            if raw not in dict(self.choices):
                raise BadValue(gettext("%(field)s: select one of the options", field=label))
            return raw
        if self.kind == "text":
            if len(raw) > service.LABEL_MAX:
                raise BadValue(
                    gettext("%(field)s: use %(max)d characters or fewer", field=label, max=service.LABEL_MAX)
                )
            return " ".join(raw.split())
        if self.kind == "weeks":
            if not re.fullmatch(r"\d+(\.\d+)?(\s*/\s*\d+(\.\d+)?)?", raw) or len(raw) > 20:
                raise BadValue(
                    gettext("%(field)s: enter a number of weeks, like 52 or 365.25/7", field=label)
                )
            return raw.replace(" ", "") if "/" in raw else self._keep(Decimal(raw))
        return self._number(raw)

    def _pounds(self, raw: str) -> int:
        label = self.label
        try:
            pence = parse_pounds(raw, maximum=MAX_POUNDS)
        except AmountError as error:
            if error.code == "decimals":
                raise BadValue(
                    gettext("%(field)s: enter the amount to the nearest penny, like 18.10", field=label)
                ) from None
            if error.code == "negative":
                raise BadValue(gettext("%(field)s: the amount must be more than £0", field=label)) from None
            if error.code == "too_large":
                raise BadValue(
                    gettext("%(field)s: the amount must be £100,000 or less", field=label)
                ) from None
            raise BadValue(gettext("%(field)s: enter an amount in pounds, like 18.10", field=label)) from None
        if not pence:
            raise BadValue(gettext("%(field)s: the amount must be more than £0", field=label))
        return pence

    def _number(self, raw: str) -> Any:
        label = self.label
        cleaned = raw.replace(" ", "")
        if self.kind in ("percent", "percent_optional"):
            cleaned = cleaned.removesuffix("%")
        if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", cleaned) or len(cleaned) > 20:
            if self.kind == "whole":
                raise BadValue(gettext("%(field)s: enter a whole number, like 30", field=label))
            raise BadValue(gettext("%(field)s: enter a number, like 2.5", field=label))
        number = Decimal(cleaned)
        if self.kind == "whole" and number != number.to_integral_value():
            raise BadValue(gettext("%(field)s: enter a whole number, like 30", field=label))
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.places and self.kind != "whole":
            raise BadValue(
                gettext("%(field)s: use at most %(places)d decimal places", field=label, places=self.places)
            )
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise BadValue(
                gettext(
                    "%(field)s: enter a number from %(low)s to %(high)s",
                    field=label,
                    low=number_text(self.low),
                    high=number_text(self.high),
                )
            )
        if self.kind == "whole":
            return int(number)
        return self._keep(number)

    def _keep(self, number: Decimal) -> Any:
        """The number for the document: the old value itself when it is the same number (so the content, and
        its hash, only change when the value does), else an int if whole, else a float."""
        if isinstance(self.value, int | float) and not isinstance(self.value, bool):
            try:
                if Decimal(str(self.value)) == number:
                    return self.value
            except InvalidOperation:  # pragma: no cover - stored values are finite numbers
                pass
        return int(number) if number == number.to_integral_value() else float(number)


class ValueField(StringField):
    """A box whose text must parse as its :class:`Spec` says; what was typed is kept, the value is ``value``."""

    def __init__(self, label: Any = None, *, spec: Spec, **kwargs: Any) -> None:
        kwargs.setdefault("widget", TextInput())
        super().__init__(label, **kwargs)
        self.spec = spec
        self.value: Any = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = valuelist[0] if valuelist else ""

    def pre_validate(self, form: Any) -> None:
        try:
            self.value = self.spec.parse(self.data)
        except BadValue as error:
            raise StopValidation(str(error)) from None


class ChoiceField(SelectField):
    """A select whose choice is checked by its :class:`Spec` (with a worded message)."""

    def __init__(self, label: Any = None, *, spec: Spec, **kwargs: Any) -> None:
        kwargs.setdefault("widget", SelectInput())
        super().__init__(label, choices=spec.choices, validate_choice=False, **kwargs)
        self.spec = spec
        self.value: Any = None

    def pre_validate(self, form: Any) -> None:
        try:
            self.value = self.spec.parse(self.data)
        except BadValue as error:
            raise StopValidation(str(error)) from None


@dataclass
class Section:
    """An editable part of a configuration: its values, and how they are written into the document."""

    key: str
    title: str
    intro: str
    specs: list[Spec]
    apply: Callable[[dict[str, Any], dict[str, Any]], list[tuple[str, str]]]
    # ``apply(document, values)`` writes the parsed values in; returns (field name, message) for any value that
    # cannot stand with the others (checked before the engine's loader sees the document)

    def groups(self) -> list[tuple[str, str, list[Spec]]]:
        """The specs in their fieldsets, in order: (legend, hint, specs); an empty legend means none."""
        out: list[tuple[str, str, list[Spec]]] = []
        for spec in self.specs:
            if out and out[-1][0] == spec.group:
                out[-1][2].append(spec)
            else:
                out.append((spec.group, spec.group_hint, [spec]))
        return out


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


def rates_section(document: dict[str, Any]) -> Section:
    """The default rate of every kind of support."""
    specs = []
    for kind, spec in document["rates"].items():
        specs.append(
            Spec(
                f"rate_{kind}",
                f"rates.{kind}.default",
                rate_name(kind),
                "pounds",
                spec["default"],
                unit=str(UNITS.get(spec["per"], spec["per"])),
            )
        )

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        for kind in doc["rates"]:
            doc["rates"][kind]["default"] = values[f"rate_{kind}"]
        return []

    return Section(
        "rates",
        gettext("Rates"),
        gettext(
            "What your area pays for each kind of support. A rate can differ by client group and where the "
            "person lives: see each kind's own page."
        ),
        specs,
        apply,
    )


def effective_rate(spec: dict[str, Any], group: str, setting: str) -> int:
    """The rate in pence for a client group and setting, as the engine reads a rate's overrides."""
    by_group = spec.get(group)
    if isinstance(by_group, dict) and setting in by_group:
        return int(by_group[setting])
    if isinstance(by_group, int):
        return by_group
    return int(spec.get(setting, spec["default"]))


def rate_section(document: dict[str, Any], kind: str) -> Section:
    """One kind of support's rate for each client group and setting (blank: the default rate)."""
    spec = document["rates"][kind]
    unit = str(UNITS.get(spec["per"], spec["per"]))
    specs = []
    for group in CLIENT_GROUPS:
        for setting in SETTINGS:
            value = effective_rate(spec, group, setting)
            specs.append(
                Spec(
                    f"{group}__{setting}",
                    f"rates.{kind}.{group}.{setting}",
                    f"{GROUP_NAMES[group]}, {SETTING_NAMES[setting]}",
                    "pounds_optional",
                    None if value == spec["default"] else value,
                    unit=unit,
                    group=str(GROUP_NAMES[group]),
                    empty=gettext("The default rate"),
                )
            )

    def apply(doc: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
        old = doc["rates"][kind]
        default = old["default"]
        wanted = {
            (g, s): values[f"{g}__{s}"] if values[f"{g}__{s}"] is not None else default
            for g in CLIENT_GROUPS
            for s in SETTINGS
        }
        if all(effective_rate(old, g, s) == v for (g, s), v in wanted.items()):
            return []  # nothing changed: keep the document as it was written
        new: dict[str, Any] = {"per": old["per"], "default": default}
        for g in CLIENT_GROUPS:
            cells = {s: wanted[(g, s)] for s in SETTINGS if wanted[(g, s)] != default}
            if len(cells) == len(SETTINGS) and len(set(cells.values())) == 1:
                new[g] = next(iter(cells.values()))
            elif cells:
                new[g] = cells
        doc["rates"][kind] = new
        return []

    return Section(
        f"rate:{kind}",
        gettext("%(kind)s rate by client group and setting", kind=rate_name(kind)),
        gettext(
            "Leave a box blank to use the default rate, %(amount)s %(unit)s.",
            amount=format_money(spec["default"]),
            unit=unit,
        ),
        specs,
        apply,
    )


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
                str(budgets.AREA_NAMES[area]).capitalize(),
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
                    group=line_name(line["key"]),
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
            line_name(line["key"]),
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
        legend = str(budgets.AREA_NAMES[area]).capitalize()
        for level, value in enumerate(model["base_log_hours"][area]):
            specs.append(
                Spec(
                    f"base_{area}_{level}",
                    f"model.base_log_hours.{area}[{level}]",
                    str(NEED_LEVELS[level]),
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


def section_form(section: Section, base_hash: str) -> Any:
    """A form with one field per value of the section, filled with the current values (or what was posted)."""

    class SectionForm(Form):
        base_hash = HiddenField()
        submit = SubmitField(lazy_gettext("Save changes"), widget=SubmitInput())

    for spec in section.specs:
        if spec.kind == "choice":
            setattr(SectionForm, spec.name, ChoiceField(spec.label, spec=spec, description=spec.hint))
        else:
            setattr(
                SectionForm,
                spec.name,
                ValueField(spec.label, spec=spec, description=spec.hint, render_kw={"autocomplete": "off"}),
            )
    data = {spec.name: spec.initial() for spec in section.specs}
    data["base_hash"] = base_hash
    return SectionForm(data=data)


# -- engine errors in words -----------------------------------------------------------------------------

_ENGINE_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"must be a multiple of the rounding increment \((\d+) minutes\)"),
        lambda m: gettext("must be a multiple of the rounding increment (%(minutes)s minutes)", minutes=m[1]),
    ),
    (
        re.compile(r"must be a whole number of rounding increments \((\d+) minutes\)"),
        lambda m: gettext(
            "must be a whole number of rounding increments (%(minutes)s minutes)", minutes=m[1]
        ),
    ),
    (
        re.compile(r"must not be below the level before it"),
        lambda m: gettext("must not be lower than the level before it: more need must never lower a budget"),
    ),
    (
        re.compile(r"council and nhs must add up to 100"),
        lambda m: gettext("the council's and the NHS's shares must add up to 100"),
    ),
    (
        re.compile(r"costs less a week than night level (\d)"),
        lambda m: gettext(
            "costs less a week than night level %(level)s: more need must never lower a budget", level=m[1]
        ),
    ),
    (
        re.compile(r"more behaviour that challenges must never mean more people per carer"),
        lambda m: gettext("more behaviour that challenges must never mean more people per carer"),
    ),
    (
        re.compile(r"is pooled but there is no pooled_split"),
        lambda m: gettext("is paid from the pooled budget, so enter the pooled split"),
    ),
    (
        re.compile(r"must not be negative for a term on a need"),
        lambda m: gettext(
            "must not be negative: this term is on a need, and more need must never lower a budget"
        ),
    ),
    (re.compile(r"must be a positive amount"), lambda m: gettext("must be more than £0")),
    (
        re.compile(r"must be a number or a fraction"),
        lambda m: gettext("must be a number or a fraction, like 365.25/7"),
    ),
    (
        re.compile(r"must be between (-?\d+) and (-?\d+)"),
        lambda m: gettext("must be from %(low)s to %(high)s", low=m[1], high=m[2]),
    ),
    (
        re.compile(r"must be at (least|most) (-?[\d.]+)"),
        lambda m: (
            gettext("must be at least %(value)s", value=m[2])
            if m[1] == "least"
            else gettext("must be at most %(value)s", value=m[2])
        ),
    ),
    (
        re.compile(r"is configured but no line has source"),
        lambda m: gettext("is set but no line of the allocation summary uses it"),
    ),
    (
        re.compile(r"must name a rate per (\w+)"),
        lambda m: gettext("must be a rate %(unit)s", unit=str(UNITS.get(m[1], m[1]))),
    ),
]


def engine_problem(message: str) -> str:
    """The engine's English message (after its path) in the admin's language, where we know it."""
    for pattern, words in _ENGINE_MESSAGES:
        match = pattern.search(message)
        if match:
            return words(match)
    return gettext("is not allowed (%(reason)s)", reason=message)


def spec_for_path(path: str, specs: Sequence[Spec]) -> Spec | None:
    """The value an engine error path names: exactly, else the first inside it, else the nearest around it."""
    for spec in specs:
        if spec.path == path:
            return spec
    for spec in specs:
        if spec.path.startswith((path + ".", path + "[")):
            return spec
    for spec in reversed(specs):
        if path.startswith((spec.path + ".", spec.path + "[")):
            return spec
    return None


def attach_engine_error(form: Any, section: Section, error: Exception) -> None:
    """Show a ``ConfigurationError`` next to the field it names (or the first field, naming the key)."""
    path = getattr(error, "path", "")
    message = str(error)
    problem = message[len(path) + 2 :] if path and message.startswith(path + ": ") else message
    spec = spec_for_path(path, section.specs) if path else None
    if spec is not None:
        text = gettext("%(field)s: %(problem)s", field=spec.label, problem=engine_problem(problem))
    else:
        spec = section.specs[0]
        text = gettext(
            "%(field)s: %(problem)s",
            field=path or gettext("The configuration"),
            problem=engine_problem(problem),
        )
    form[spec.name].errors = [*form[spec.name].errors, text]


# -- helpers --------------------------------------------------------------------------------------------


def _organisation() -> Organisation:
    organisation = current_user.organisation
    if organisation is None:  # an admin always has one; be safe
        abort(403)
    return organisation


def _version(version_id: str, *, lock: bool = False) -> ConfigurationVersion:
    row = service.find_version(_organisation(), version_id, lock=lock)
    if row is None:
        abort(404)
    return row


def _today() -> date:
    return date.today()


def version_choices(organisation: Organisation, *, shipped: bool = True) -> list[tuple[str, str]]:
    """(public id, words) for every version of the organisation, and the shipped configuration."""
    out = []
    for row in service.versions(organisation):
        out.append((row.public_id, f"{row.label} ({STATUS_NAMES.get(row.status, row.status)})"))
    if shipped:
        out.append((service.SHIPPED, gettext("The configuration shipped with the portal")))
    return out


def change_rows(changes: Sequence[service.Change]) -> list[dict[str, str]]:
    """Differences for a table: path, old value, new value, in words."""
    return [
        {"path": c.path, "before": value_text(c.path, c.before), "after": value_text(c.path, c.after)}
        for c in changes
    ]


def value_text(path: str, value: Any) -> str:
    """A configuration value for a table of differences."""
    if value is service.ABSENT:
        return gettext("Not set")
    if value is None:
        return gettext("None")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, int) and service.is_pence(path):
        return format_money(value)
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=False)
    return str(value)


class ConfirmForm(Form):
    """A button with its CSRF token."""

    submit = SubmitField(lazy_gettext("Continue"), widget=SubmitInput())


# -- configuration versions -----------------------------------------------------------------------------


@bp.route("/configuration")
@roles_required(Role.ADMIN)
def config_versions() -> str:
    """Every version of the organisation's configuration, and which one is in force today."""
    organisation = _organisation()
    rows = service.versions(organisation)
    in_force = service.in_force_row(organisation)
    creators = {}
    if rows:
        from portal.models import Account

        ids = {r.created_by_id for r in rows if r.created_by_id}
        creators = dict(db.session.execute(select(Account.id, Account.name).where(Account.id.in_(ids))).all())
    drafts = [r for r in rows if r.status == "draft"]
    return render_template(
        "practitioner/config/versions.html",
        rows=rows,
        in_force=in_force,
        in_force_config=service.configuration(in_force),
        creators=creators,
        today=_today(),
        new_draft=ConfirmForm(),
        compare_from=in_force.public_id if in_force and in_force.organisation_id else service.SHIPPED,
        compare_to=drafts[0].public_id if drafts else (rows[0].public_id if rows else service.SHIPPED),
        choices=version_choices(organisation),
        status_names=STATUS_NAMES,
    )


@bp.route("/configuration/new", methods=["POST"])
@roles_required(Role.ADMIN)
def config_new_draft() -> Response:
    """Start a draft: a copy of the version in force (or of another version, or of the shipped one)."""
    organisation = _organisation()
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for(".config_versions"), code=303)
    source_id = request.form.get("source", "")[:40]
    if source_id == service.SHIPPED:
        row = service.create_draft(organisation, current_user, None, from_shipped=True)
    else:
        row = service.create_draft(organisation, current_user, _version(source_id) if source_id else None)
    db.session.commit()
    flash(
        gettext(
            "You have started a draft, %(label)s. Change what you need, then publish it.", label=row.label
        ),
        "success",
    )
    return redirect(url_for(".config_version", version_id=row.public_id), code=303)


@bp.route("/configuration/<version_id>")
@roles_required(Role.ADMIN)
def config_version(version_id: str) -> str:
    """One version: every section's values, and what can be done with it."""
    organisation = _organisation()
    row = _version(version_id)
    config = service.configuration(row)
    document = config.to_dict()
    sections = [builder(document) for builder in SECTIONS.values()]
    in_force = service.in_force_row(organisation)
    overrides = {
        kind: sum(1 for key in spec if key not in ("per", "default"))
        for kind, spec in document["rates"].items()
    }
    return render_template(
        "practitioner/config/version.html",
        row=row,
        config=config,
        sections=sections,
        overrides=overrides,
        in_force=in_force,
        is_in_force=in_force is not None and in_force.id == row.id,
        today=_today(),
        status_names=STATUS_NAMES,
        new_draft=ConfirmForm(),
    )


def _edit(row: ConfigurationVersion, section: Section, back: str) -> Any:
    """Show a section's form; on a good post, check the whole configuration with the engine and save it."""
    form = section_form(section, row.content_hash)
    if form.is_submitted() and request.method == "POST":
        ok = form.validate()
        if ok and form.base_hash.data != row.content_hash:
            form[section.specs[0].name].errors = [
                *form[section.specs[0].name].errors,
                gettext(
                    "Someone else changed this draft while you were editing it. Check the values below "
                    "and save again."
                ),
            ]
            form.base_hash.data = row.content_hash
            ok = False
        if ok:
            values = {spec.name: form[spec.name].value for spec in section.specs}
            document = service.configuration(row).to_dict()
            problems = section.apply(document, values)
            if section.key == "general" and service.label_taken(
                _organisation(), values["label"], exclude=row
            ):
                problems.append(("label", gettext("Label: another version already has this label")))
            for name, text in problems:
                form[name].errors = [*form[name].errors, text]
            if not problems:
                try:
                    new = load_configuration(document)
                except ConfigurationError as error:
                    attach_engine_error(form, section, error)
                except (ValueError, TypeError, KeyError, ArithmeticError) as error:
                    current_app.logger.warning("configuration check failed: %r", error)
                    attach_engine_error(form, section, ConfigurationError("", str(error)))
                else:
                    changes = service.save_draft(row, current_user, new, section=section.key)
                    db.session.commit()
                    if changes:
                        flash(gettext("Saved. %(count)d values changed.", count=len(changes)), "success")
                    else:
                        flash(gettext("Nothing was changed."), "info")
                    return redirect(back, code=303)
    return render_template(
        "practitioner/config/section.html",
        row=row,
        section=section,
        form=form,
        back=back,
        errors=error_summary(form) if form.errors else None,
    )


def _draft_or_redirect(version_id: str) -> ConfigurationVersion | Response:
    row = _version(version_id, lock=request.method == "POST")
    if row.status != "draft":
        flash(gettext("A published version cannot be changed. Start a new draft from it instead."), "info")
        return redirect(url_for(".config_version", version_id=row.public_id), code=303)
    return row


@bp.route("/configuration/<version_id>/edit/<section>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_section(version_id: str, section: str) -> Any:
    """Edit one section of a draft."""
    if section not in SECTIONS:
        abort(404)
    row = _draft_or_redirect(version_id)
    if isinstance(row, Response):
        return row
    built = SECTIONS[section](service.configuration(row).to_dict())
    if not built.specs:
        abort(404)
    back = url_for(".config_version", version_id=row.public_id, _anchor=f"section-{section}")
    return _edit(row, built, back)


@bp.route("/configuration/<version_id>/edit/rates/<kind>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_rate(version_id: str, kind: str) -> Any:
    """Edit one kind of support's rate for each client group and setting."""
    row = _draft_or_redirect(version_id)
    if isinstance(row, Response):
        return row
    document = service.configuration(row).to_dict()
    if kind not in document["rates"]:
        abort(404)
    back = url_for(".config_version", version_id=row.public_id, _anchor="section-rates")
    return _edit(row, rate_section(document, kind), back)


class DayField(Field):
    """Day, month and year boxes kept as typed (checked by the form)."""

    widget = DateInput()

    def process_data(self, value: Any) -> None:
        self.data = value
        self.raw_data = (
            [str(value.day), str(value.month), str(value.year)] if isinstance(value, date) else None
        )

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]

    def _value(self) -> str:
        return ""


class PublishForm(Form):
    """The date a draft comes into force."""

    effective_from = DayField(
        lazy_gettext("Date it comes into force"),
        widget=DateInput(),
        description=lazy_gettext("Today or later. For example, 1 4 2027"),
    )
    submit = SubmitField(lazy_gettext("Publish this version"), widget=SubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day: date | None = None

    def validate_effective_from(self, field: Field) -> None:
        """A real date, today or within the next few years."""
        parts = [p.strip() for p in (field.raw_data or [])] + ["", "", ""]
        day_text, month_text, year_text = parts[:3]
        if not (day_text and month_text and year_text):
            raise StopValidation(gettext("Enter the date it comes into force, with a day, month and year"))
        try:
            self.day = date(int(year_text), int(month_text), int(day_text))
        except ValueError:
            raise StopValidation(gettext("The date it comes into force must be a real date")) from None
        today = _today()
        if self.day < today:
            raise StopValidation(gettext("The date it comes into force must be today or in the future"))
        if self.day > today + timedelta(days=366 * LATEST_EFFECTIVE_YEARS):
            raise StopValidation(
                gettext(
                    "The date it comes into force must be within %(years)d years",
                    years=LATEST_EFFECTIVE_YEARS,
                )
            )


@bp.route("/configuration/<version_id>/publish", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_publish(version_id: str) -> Any:
    """Publish a draft from a date: from that day, new estimates use it."""
    row = _draft_or_redirect(version_id)
    if isinstance(row, Response):
        return row
    form = PublishForm(data={"effective_from": _today()})
    if form.validate_on_submit() and form.day is not None:
        if service.publish(row, current_user, form.day):
            db.session.commit()
            if form.day == _today():
                flash(gettext("%(label)s is published and in force from today.", label=row.label), "success")
            else:
                flash(
                    gettext(
                        "%(label)s is published. It comes into force on %(day)s.",
                        label=row.label,
                        day=_day(form.day),
                    ),
                    "success",
                )
        else:
            db.session.rollback()
            flash(gettext("This version has already been published."), "info")
        return redirect(url_for(".config_version", version_id=row.public_id), code=303)
    return render_template(
        "practitioner/config/publish.html",
        row=row,
        form=form,
        errors=error_summary(form) if form.errors else None,
    )


def _day(value: date) -> str:
    from portal.formatting import format_day

    return format_day(value)


@bp.route("/configuration/<version_id>/delete", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_delete(version_id: str) -> Any:
    """Delete a draft (a published version is kept for ever)."""
    row = _draft_or_redirect(version_id)
    if isinstance(row, Response):
        return row
    form = ConfirmForm()
    if form.validate_on_submit():
        label = row.label
        service.delete_draft(row, current_user)
        db.session.commit()
        flash(gettext("The draft %(label)s has been deleted.", label=label), "success")
        return redirect(url_for(".config_versions"), code=303)
    return render_template("practitioner/config/delete.html", row=row, form=form)


@bp.route("/configuration/<version_id>/download")
@roles_required(Role.ADMIN)
def config_download(version_id: str) -> Response:
    """The version's configuration file (YAML), as the engine and its command line read it."""
    row = _version(version_id)
    name = re.sub(r"[^A-Za-z0-9]+", "-", row.label).strip("-")[:60] or "configuration"
    return Response(
        row.content,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'},
    )


def _config_for_id(organisation: Organisation, public_id: str) -> tuple[ConfigurationVersion | None, Any]:
    if public_id == service.SHIPPED:
        return None, service.configuration(None)
    row = service.find_version(organisation, public_id)
    if row is None:
        abort(404)
    return row, service.configuration(row)


@bp.route("/configuration/compare")
@roles_required(Role.ADMIN)
def config_diff() -> str:
    """The differences between any two versions: every changed key, its old and new value."""
    organisation = _organisation()
    in_force = service.in_force_row(organisation)
    default_from = in_force.public_id if in_force and in_force.organisation_id else service.SHIPPED
    from_id = request.args.get("from", default_from)[:40]
    rows = service.versions(organisation)
    to_id = request.args.get("to", rows[0].public_id if rows else service.SHIPPED)[:40]
    before_row, before = _config_for_id(organisation, from_id)
    after_row, after = _config_for_id(organisation, to_id)
    changes = service.diff(before.to_dict(), after.to_dict())
    return render_template(
        "practitioner/config/diff.html",
        before=before,
        after=after,
        before_row=before_row,
        after_row=after_row,
        from_id=from_id,
        to_id=to_id,
        rows=change_rows(changes),
        choices=version_choices(organisation),
    )


class UpliftForm(Form):
    """An annual uplift of every rate by a percentage, from a version."""

    source = SelectField(lazy_gettext("Start from"), widget=SelectInput(), validate_choice=False)
    percent = StringField(
        lazy_gettext("Uplift"),
        widget=TextInput(),
        description=lazy_gettext("The percentage every rate goes up by, for example 3 or 2.5"),
        render_kw={"autocomplete": "off", "spellcheck": "false", "inputmode": "decimal"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.value: Decimal | None = None

    def validate_source(self, field: SelectField) -> None:
        if field.data not in dict(field.choices or []):
            raise StopValidation(gettext("Select the version to start from"))

    def validate_percent(self, field: StringField) -> None:
        raw = (field.data or "").strip().removesuffix("%").strip()
        if not raw:
            raise StopValidation(gettext("Enter the uplift as a percentage, like 3"))
        if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", raw) or len(raw) > 10:
            raise StopValidation(gettext("Enter the uplift as a percentage, like 3 or 2.5"))
        number = Decimal(raw)
        if number != number.quantize(Decimal("0.01")):
            raise StopValidation(gettext("Enter the uplift with at most 2 decimal places, like 2.75"))
        if not Decimal(0) < number <= Decimal(50):
            raise StopValidation(gettext("Enter an uplift above 0% and up to 50%"))
        self.value = number


@bp.route("/configuration/uplift", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def config_uplift() -> Any:
    """Raise every rate by a percentage as one action: see what changes, then confirm to make a new draft."""
    organisation = _organisation()
    form = UpliftForm()
    in_force = service.in_force_row(organisation)
    form.source.choices = version_choices(organisation)
    if request.method == "GET":
        wanted = request.args.get("source", "")
        form.source.data = (
            wanted
            if wanted in dict(form.source.choices)
            else (in_force.public_id if in_force and in_force.organisation_id else service.SHIPPED)
        )
    preview = None
    if form.validate_on_submit() and form.value is not None:
        source, base = _config_for_id(organisation, form.source.data)
        document = service.uplift_document(base.to_dict(), form.value)
        document["label"] = service.unique_label(organisation, service.uplift_label(base.label, form.value))
        document["effective_date"] = None
        try:
            config = load_configuration(document)
        except ConfigurationError as error:
            form.percent.errors = [
                gettext("Uplift: %(problem)s", problem=f"{error.path} {engine_problem(str(error))}")
            ]
        else:
            if request.form.get("action") == "confirm":
                row = service.create_uplift(organisation, current_user, source, config, form.value)
                db.session.commit()
                flash(
                    gettext(
                        "You have made a draft with every rate up by %(percent)s%%: %(label)s. Check it, then "
                        "publish it.",
                        percent=number_text(form.value),
                        label=row.label,
                    ),
                    "success",
                )
                return redirect(url_for(".config_version", version_id=row.public_id), code=303)
            changes = [
                c for c in service.diff(base.to_dict(), config.to_dict()) if c.path.startswith("rates.")
            ]
            preview = {
                "rows": change_rows(changes),
                "label": config.label,
                "base": base,
                "percent": number_text(form.value),
            }
    return render_template(
        "practitioner/config/uplift.html",
        form=form,
        preview=preview,
        errors=error_summary(form) if form.errors else None,
    )


# -- benchmarking ---------------------------------------------------------------------------------------


def measure_name(measure: service.Measure) -> str:
    """A rate or decision in words."""
    if measure.kind == "rate":
        return gettext(
            "%(kind)s, %(unit)s",
            kind=rate_name(measure.subject),
            unit=str(UNITS.get(measure.unit.removeprefix("pence_"), "")),
        )
    if measure.kind == "minimum":
        return gettext("Minimum time in minutes: %(area)s", area=budgets.AREA_NAMES[measure.subject])
    if measure.kind == "night":
        return gettext("Nights a week: %(level)s", level=NIGHT_LEVELS[int(measure.subject)])
    if measure.kind == "ratio":
        return gettext("People per carer: %(line)s", line=line_name(measure.subject))
    names = {
        "fluctuating_percent": lazy_gettext("Contingency where needs change over the year"),
        "percent": lazy_gettext("Contingency for everyone"),
        "hours_per_year": lazy_gettext("Contingency hours a year"),
        "council": lazy_gettext("Pooled split: the council's share"),
        "weeks_per_year": lazy_gettext("Weeks in a year"),
        "increment": lazy_gettext("Paid time rounded to the nearest, in minutes"),
        "care_cap": lazy_gettext("Care cap"),
    }
    return str(names.get(measure.subject, measure.subject))


MEASURE_GROUPS = {
    "rate": lazy_gettext("Rates"),
    "minimum": lazy_gettext("Minimum times"),
    "night": lazy_gettext("Night-time support"),
    "ratio": lazy_gettext("Staffing ratios"),
    "contingency": lazy_gettext("Contingency"),
    "split": lazy_gettext("Funding"),
    "general": lazy_gettext("Other decisions"),
}


def measure_value(measure: service.Measure, value: float | int | None) -> str:
    """A benchmark value in words (an average of amounts is rounded to the penny)."""
    if value is None:
        return gettext("None")
    unit = measure.unit
    if unit.startswith("pence"):
        return format_money(int(round(value)))
    if unit == "minutes":
        return show_number(value, 1)
    if unit == "percent":
        return show_number(value, 2) + "%"
    if unit == "people":
        return show_number(value, 1)
    return show_number(value, 2)


@bp.route("/benchmarking")
@roles_required(Role.ADMIN)
def benchmarking() -> str:
    """Your rates and decisions beside the default and the figures across other areas that share."""
    organisation = _organisation()
    data = service.benchmark(organisation)
    groups: list[tuple[str, list[Any]]] = []
    for row in data.rows:
        title = str(MEASURE_GROUPS[row.measure.kind])
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(row)
    return render_template(
        "practitioner/config/benchmarking.html",
        data=data,
        groups=groups,
        organisation=organisation,
        name=measure_name,
        value=measure_value,
    )


class SharingForm(Form):
    """Whether the organisation shares its rates and decisions."""

    shares = RadioField(
        lazy_gettext("Share your rates and local decisions with other areas?"),
        widget=RadioInput(),
        choices=[
            ("yes", lazy_gettext("Yes, share them")),
            ("no", lazy_gettext("No, do not share them")),
        ],
        validators=[InputRequired(message=lazy_gettext("Select whether to share your rates and decisions"))],
    )
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/benchmarking/sharing", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def benchmarking_sharing() -> Any:
    """Switch the organisation's sharing on or off."""
    organisation = _organisation()
    form = SharingForm(data={"shares": "yes" if organisation.shares_benchmarking else "no"})
    if form.validate_on_submit():
        changed = service.set_sharing(organisation, current_user, form.shares.data == "yes")
        db.session.commit()
        if changed:
            flash(
                gettext("Your rates and decisions are now shared with other areas.")
                if form.shares.data == "yes"
                else gettext("Your rates and decisions are no longer shared with other areas."),
                "success",
            )
        return redirect(url_for(".benchmarking"), code=303)
    return render_template(
        "practitioner/config/sharing.html", form=form, errors=error_summary(form) if form.errors else None
    )


@bp.route("/benchmarking/similar")
@roles_required(Role.DEPLOYMENT_ADMIN)
def benchmarking_similar_list() -> str:
    """Every organisation, whether it shares, and how many are marked similar to it."""
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template(
        "practitioner/config/similar_list.html", organisations=organisations, similar_ids=service.similar_ids
    )


class SimilarForm(Form):
    """Which organisations are similar to one organisation."""

    similar = SelectMultipleField(
        lazy_gettext("Similar areas"),
        widget=CheckboxesInput(),
        validate_choice=False,
        description=lazy_gettext("Select all that apply"),
    )
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/benchmarking/similar/<organisation_id>", methods=["GET", "POST"])
@roles_required(Role.DEPLOYMENT_ADMIN)
def benchmarking_similar(organisation_id: str) -> Any:
    """Mark which organisations are similar to this one."""
    organisation = db.session.scalar(select(Organisation).filter_by(public_id=organisation_id[:32]))
    if organisation is None:
        abort(404)
    others = db.session.scalars(
        select(Organisation).where(Organisation.id != organisation.id).order_by(Organisation.name)
    ).all()
    form = SimilarForm(data={"similar": service.similar_ids(organisation)})
    form.similar.choices = [(o.public_id, o.name) for o in others]
    if form.validate_on_submit():
        valid = {o.public_id for o in others}
        if service.set_similar(
            organisation, current_user, [p for p in form.similar.data or [] if p in valid]
        ):
            flash(gettext("Saved the areas similar to %(name)s.", name=organisation.name), "success")
        db.session.commit()
        return redirect(url_for(".benchmarking_similar_list"), code=303)
    return render_template("practitioner/config/similar.html", organisation=organisation, form=form)


# -- accuracy testing -----------------------------------------------------------------------------------


class FileInput(GovFileInput):
    """A file upload whose hidden "Error:" prefix is translated."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        if params.get("errorMessage"):
            params["errorMessage"]["visuallyHiddenText"] = gettext("Error")
        return params


class UploadForm(Form):
    """A CSV of local cases with their actual costs, and the configuration to test."""

    cases = FileField(
        lazy_gettext("Cases file (CSV)"),
        widget=FileInput(),
        description=lazy_gettext(
            "One case a row, with the Needs Profile columns, case_id and actual_weekly_cost. "
            "Up to 5 MB and 20,000 cases."
        ),
    )
    version = SelectField(lazy_gettext("Configuration to test"), widget=SelectInput(), validate_choice=False)
    submit = SubmitField(lazy_gettext("Test accuracy"), widget=SubmitInput())


_CASE_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^the file is larger than 5 MB$"), lambda m: gettext("The file must be 5 MB or smaller")),
    (
        re.compile(r"is missing from the header"),
        lambda m: gettext("is missing from the first row (the header)"),
    ),
    (
        re.compile(r"is not a column of the cases format"),
        lambda m: gettext("is not a column of the cases format"),
    ),
    (re.compile(r"a column name is repeated"), lambda m: gettext("a column name is repeated in the header")),
    (re.compile(r"^is empty$"), lambda m: gettext("is empty")),
    (
        re.compile(r"^repeats (.*) \(first on row (\d+)\)$"),
        lambda m: gettext("repeats %(id)s, first used on row %(row)s", id=m[1], row=m[2]),
    ),
    (
        re.compile(r"^must be an amount in pounds above 0 \(got (.*)\)$"),
        lambda m: gettext("must be an amount in pounds above 0 (it is %(got)s)", got=m[1]),
    ),
    (
        re.compile(r"^has (\d+) values but the header has (\d+) columns$"),
        lambda m: gettext(
            "the row has %(values)s values but the header has %(columns)s columns", values=m[1], columns=m[2]
        ),
    ),
    (
        re.compile(r"^the file has more than (\d+) cases$"),
        lambda m: gettext("the file has more than %(max)s cases", max=format_decimal(int(m[1]))),
    ),
    (re.compile(r"^not valid CSV"), lambda m: gettext("is not valid CSV (check the quotes on this row)")),
    (re.compile(r"^the file is empty"), lambda m: gettext("The file is empty")),
    (re.compile(r"^the file has no cases$"), lambda m: gettext("The file has no cases")),
    (
        re.compile(r"^the file is not UTF-8"),
        lambda m: gettext("The file is not UTF-8 text: save it as CSV UTF-8"),
    ),
    (
        re.compile(r"^must be one of (.+) \(got (.*)\)$"),
        lambda m: gettext("must be one of %(allowed)s (it is %(got)s)", allowed=m[1], got=m[2]),
    ),
    (
        re.compile(r"^must be (.+) \(got (.*)\)$"),
        lambda m: gettext("must be %(allowed)s (it is %(got)s)", allowed=m[1], got=m[2]),
    ),
]


def case_problem(message: str) -> str:
    """A problem of the cases file in the admin's language, where we know it."""
    for pattern, words in _CASE_MESSAGES:
        match = pattern.search(message)
        if match:
            return words(match)
    return message


@bp.route("/accuracy", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def accuracy() -> Any:
    """Upload local cases with their actual costs to see how close the estimates are."""
    from portal.engine.calibrate import CaseFileError

    organisation = _organisation()
    form = UploadForm()  # a request above the app's MAX_CONTENT_LENGTH (5 MB) is a 413 page before this
    in_force = service.in_force_row(organisation)
    in_force_words = gettext("The one in force today: %(label)s", label=service.configuration(in_force).label)
    form.version.choices = [("", in_force_words)] + version_choices(organisation)
    if request.method == "GET" and request.args.get("version") in dict(form.version.choices):
        form.version.data = request.args["version"]
    problems: list[dict[str, Any]] = []
    more = 0
    if form.validate_on_submit():
        upload = request.files.get(form.cases.name)
        if form.version.data not in dict(form.version.choices):
            form.version.errors = [gettext("Select the configuration to test")]
        elif upload is None or not upload.filename:
            form.cases.errors = [gettext("Choose a CSV file of cases")]
        else:
            data = upload.stream.read(service.MAX_UPLOAD_BYTES + 1)
            try:
                cases = service.parse_upload(data)
            except CaseFileError as error:
                for row_no, column, message in error.problems[:100]:
                    problems.append({"row": row_no, "column": column, "problem": case_problem(message)})
                more = max(0, len(error.problems) - 100)
                form.cases.errors = [
                    gettext("The file has a problem: see the list below. Nothing has been saved.")
                    if len(error.problems) == 1
                    else gettext(
                        "The file has %(count)s problems: see the list below. Nothing has been saved.",
                        count=format_decimal(len(error.problems)),
                    )
                ]
            else:
                if form.version.data == "":
                    source = in_force
                elif form.version.data == service.SHIPPED:
                    source = None
                else:
                    source = _version(form.version.data)
                job = service.start_accuracy(
                    organisation, current_user, cases, source, filename=upload.filename or ""
                )
                db.session.commit()
                return redirect(url_for(".accuracy_report", job_id=job.id), code=303)
    errors = error_summary(form) if form.errors else None
    if errors and problems:
        for item in errors["errorList"]:
            if item["href"] == f"#{form.cases.id}":
                item["href"] = "#problems"  # the list of what to fix, rather than the file box
    return render_template(
        "practitioner/config/accuracy.html",
        form=form,
        problems=problems,
        more=more,
        reports=service.recent_reports(organisation),
        errors=errors,
        sync_limit=format_decimal(service.SYNC_CASES),
    )


def _job(job_id: int, kind: str) -> Job:
    job = service.find_job(_organisation(), job_id, kind)
    if job is None:
        abort(404)
    return job


def outlier_reason(actual: int, estimate: int) -> str:
    """Why a case stands out, e.g. "Actual cost 3.1 times the estimate"."""
    if estimate <= 0:
        return gettext("The estimate is £0, but the actual cost is %(amount)s", amount=format_money(actual))
    ratio = actual / estimate
    if ratio >= 1:
        return gettext("Actual cost %(ratio)s times the estimate", ratio=format_decimal(ratio, format="0.0"))
    return gettext(
        "Estimate %(ratio)s times the actual cost",
        ratio=format_decimal(1 / ratio if ratio else math.inf, format="0.0"),
    )


def whole_pounds(pence: float) -> str:
    """An amount in whole pounds for an axis, e.g. "£1,500"."""
    return str(format_currency(Decimal(int(pence)) / 100, "GBP", format="¤#,##0", currency_digits=False))


def _nice(value: float) -> float:
    """A round number at or above ``value`` for the top of an axis (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def scatter(cases: Sequence[Sequence[Any]], outliers: set[str]) -> dict[str, Any]:
    """Coordinates for the estimate-against-actual plot (actual across, estimate up), with axis ticks."""
    width, height = 640, 460
    left, right, top, bottom = 90, 40, 20, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    top_pence = _nice(max([max(c[1], c[2]) for c in cases] + [100]))
    shown = list(cases)
    sampled = False
    if len(shown) > PLOTTED_POINTS:
        stride = math.ceil(len(shown) / PLOTTED_POINTS)
        shown = [c for i, c in enumerate(cases) if i % stride == 0 or c[0] in outliers]
        sampled = True

    def x(pence: float) -> float:
        return round(left + pence / top_pence * plot_w, 1)

    def y(pence: float) -> float:
        return round(top + plot_h - pence / top_pence * plot_h, 1)

    ticks = [top_pence * i / 5 for i in range(6)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "bottom_y": top + plot_h,
        "right_x": left + plot_w,
        "plot_w": plot_w,
        "plot_h": plot_h,
        "x_ticks": [{"at": x(t), "text": whole_pounds(t)} for t in ticks],
        "y_ticks": [{"at": y(t), "text": whole_pounds(t)} for t in ticks],
        "points": [{"x": x(c[2]), "y": y(c[1])} for c in shown if c[0] not in outliers],
        "flagged": [{"x": x(c[2]), "y": y(c[1])} for c in shown if c[0] in outliers],
        "sampled": sampled,
        "shown": len(shown),
        "band_hi": {"x": x(top_pence / 1.2), "y": y(top_pence)},
        "band_lo": {"x": x(top_pence), "y": y(top_pence / 1.2)},
        "diag": {"x": x(top_pence), "y": y(top_pence)},
    }


def figure_rows(figures: dict[str, Any], additive: dict[str, Any]) -> list[dict[str, str]]:
    """The accuracy figures side by side, in words."""

    def pct(value: float) -> str:
        return str(format_percent(value, format="#,##0.0%"))

    return [
        {
            "name": gettext("R² (share of the variation in actual cost explained)"),
            "ours": format_decimal(figures["r2"], format="0.00"),
            "additive": format_decimal(additive["r2"], format="0.00"),
        },
        {
            "name": gettext("Median absolute percentage error"),
            "ours": pct(figures["mdape"]),
            "additive": pct(additive["mdape"]),
        },
        {
            "name": gettext("Cases within %(percent)s%% of actual cost", percent=10),
            "ours": pct(figures["within_10"]),
            "additive": pct(additive["within_10"]),
        },
        {
            "name": gettext("Cases within %(percent)s%% of actual cost", percent=20),
            "ours": pct(figures["within_20"]),
            "additive": pct(additive["within_20"]),
        },
        {
            "name": gettext("Cases flagged as outliers"),
            "ours": format_decimal(figures["outliers"]),
            "additive": format_decimal(additive["outliers"]),
        },
    ]


@bp.route("/accuracy/<int:job_id>")
@roles_required(Role.ADMIN)
def accuracy_report(job_id: int) -> str:
    """An accuracy test: the figures beside the additive fit, the plot, the outliers and every case."""
    job = _job(job_id, service.ACCURACY_JOB)
    payload = job.payload
    result = job.result or {}
    done = job.status == JobStatus.DONE and "figures" in result
    context: dict[str, Any] = {
        "job": job,
        "payload": payload,
        "done": done,
        "result": result,
        "action": ConfirmForm(),
        "can_calibrate": False,
        "progress": progress_text(job),
    }
    if done:
        cases = result["cases"]
        outliers = set(result["outliers"])
        try:
            page = max(1, min(10_000, int(request.args.get("page", "1"))))
        except ValueError:
            page = 1
        pages = max(1, math.ceil(len(cases) / TABLE_ROWS))
        page = min(page, pages)
        by_id = {c[0]: c for c in cases}
        context.update(
            figures=figure_rows(result["figures"], result["additive"]),
            plot=scatter(cases, outliers),
            table=[
                {
                    "id": c[0],
                    "estimate": format_money(c[1]),
                    "actual": format_money(c[2]),
                    "additive": format_money(c[3]),
                    "difference": format_percent((c[1] - c[2]) / c[2], format="+#,##0%;-#,##0%")
                    if c[2]
                    else "",
                    "outlier": c[0] in outliers,
                }
                for c in cases[(page - 1) * TABLE_ROWS : page * TABLE_ROWS]
            ],
            page=page,
            pages=pages,
            outlier_rows=[
                {
                    "id": case_id,
                    "actual": format_money(by_id[case_id][2]),
                    "estimate": format_money(by_id[case_id][1]),
                    "reason": outlier_reason(by_id[case_id][2], by_id[case_id][1]),
                }
                for case_id in result["outliers"][:LISTED_OUTLIERS]
            ],
            outlier_count=len(result["outliers"]),
            can_calibrate=len(payload.get("cases") or []) >= service.MIN_CALIBRATION_CASES,
            too_few=0 < len(payload.get("cases") or []) < service.MIN_CALIBRATION_CASES,
            listed_outliers=LISTED_OUTLIERS,
            table_rows=TABLE_ROWS,
        )
    return render_template("practitioner/config/accuracy_report.html", **context)


@bp.route("/accuracy/<int:job_id>/calibrate", methods=["POST"])
@roles_required(Role.ADMIN)
def accuracy_calibrate(job_id: int) -> Response:
    """Start a calibration on an accuracy test's cases (a job; its page shows progress)."""
    job = _job(job_id, service.ACCURACY_JOB)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".accuracy_report", job_id=job.id), code=303)
    started = service.start_calibration(_organisation(), current_user, job)
    if started is None:
        flash(
            gettext(
                "These cases are no longer kept, or there are too few of them. Upload the file again to "
                "calibrate on it."
            ),
            "info",
        )
        return redirect(url_for(".accuracy_report", job_id=job.id), code=303)
    db.session.commit()
    return redirect(url_for(".calibration_status", job_id=started.id), code=303)


@bp.route("/accuracy/<int:job_id>/delete-cases", methods=["POST"])
@roles_required(Role.ADMIN)
def accuracy_forget(job_id: int) -> Response:
    """Remove the uploaded cases now (the report stays)."""
    job = _job(job_id, service.ACCURACY_JOB)
    if ConfirmForm().validate_on_submit() and job.status in (JobStatus.DONE, JobStatus.FAILED):
        if job.payload.get("cases"):
            job.payload = {**job.payload, "cases": [], "cases_removed": True}
            from portal.audit import record

            record(
                "accuracy.cases_deleted",
                actor=current_user,
                organisation=_organisation(),
                detail={"job_id": job.id},
            )
            db.session.commit()
        flash(gettext("The uploaded cases have been deleted. The report stays."), "success")
    return redirect(url_for(".accuracy_report", job_id=job.id), code=303)


PROGRESS_WORDS = {
    "accuracy": lazy_gettext("Estimating every case"),
    "cross_validating": lazy_gettext("Cross-validating: fold %(step)s of %(total)s"),
    "fitting": lazy_gettext("Fitting the coefficients to every case"),
    "saving": lazy_gettext("Saving the draft"),
}


def progress_text(job: Job) -> str:
    """How far a job has got, in words."""
    step, _, rest = (job.progress or "").partition("|")
    done, _, total = rest.partition("|")
    if step not in PROGRESS_WORDS:
        return gettext("Waiting for a worker to start it") if job.status == JobStatus.PENDING else ""
    if step == "cross_validating":
        if done in ("", "0"):
            return gettext("Cross-validating: starting")
        return str(PROGRESS_WORDS[step]) % {"step": done, "total": total}
    return str(PROGRESS_WORDS[step])


@bp.route("/calibration/<int:job_id>")
@roles_required(Role.ADMIN)
def calibration_status(job_id: int) -> str:
    """A calibration's progress, and when done its held-out figures and the new draft."""
    job = _job(job_id, service.CALIBRATION_JOB)
    result = job.result or {}
    draft = None
    if job.status == JobStatus.DONE and result.get("draft"):
        draft = service.find_version(_organisation(), result["draft"])
    figures = None
    if job.status == JobStatus.DONE and "cross_validated" in result:
        figures = figure_rows(result["cross_validated"], result["additive_cross_validated"])
    return render_template(
        "practitioner/config/calibration.html",
        job=job,
        result=result,
        draft=draft,
        figures=figures,
        before=figure_rows(result["before"], result["in_sample"]) if "before" in result else None,
        progress=progress_text(job),
        statuses=JobStatus,
    )
