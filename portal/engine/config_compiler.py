"""Compiling a configuration: the checks its JSON Schema cannot express, and the tables the engine reads.

Rates by client group and setting, the lines of the allocation summary (each area of need in one line, staffing
ratios, the night, carer-break and contingency lines), the model's terms (never lowering a budget for more
need), night support, carer breaks, contingency, the pooled split, the indicative range and the care cap. The
``Compiler`` sets each table on the (immutable) Configuration it is given; ``configuration.py`` runs it once.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from portal.engine.config_document import declared_areas, exact_fraction
from portal.engine.config_errors import ConfigurationError
from portal.engine.money import round_fraction
from portal.engine.profile import CLIENT_GROUPS, FACTORS, INT_FIELDS, NEED_RAISING, SETTINGS
from portal.engine.result import Line

if TYPE_CHECKING:
    from portal.engine.configuration import Configuration


def _mask(areas: tuple[int, ...]) -> int:
    mask = 0
    for a in areas:
        mask |= 1 << a
    return mask


@dataclass(frozen=True, slots=True)
class LineSpec:
    """A compiled line of the allocation summary."""

    index: int
    key: str
    funder: str
    kind: str | None
    areas: tuple[int, ...]
    source: str  # "areas", "night", "carer_breaks" or "contingency"
    ratios: tuple[int, ...] | None  # people per carer at behaviour 0, 1, 2
    mask: int  # bit mask of the line's areas


@dataclass(frozen=True, slots=True)
class TermSpec:
    """A compiled factor or interaction term."""

    index: int
    key: str
    conditions: tuple[tuple[int, frozenset[int]], ...]  # (index into the factor key, values that match)
    fields: tuple[str, ...]
    areas: tuple[int, ...]
    log_effect: float
    mask: int  # bit mask of the term's areas


class Compiler:
    """Python checks beyond the schema, and the precomputed tables the engine reads."""

    def __init__(self, target: Configuration, data: dict[str, Any]) -> None:
        self.target = target
        self.data = data
        self.areas_index: dict[str, int] = {}

    def set(self, name: str, value: object) -> None:
        object.__setattr__(self.target, name, value)

    def compile(self) -> None:
        data = self.data
        areas, need_levels = declared_areas(data)
        self.areas_index = {area: a for a, area in enumerate(areas)}
        self.set("areas", areas)
        self.set("need_levels", need_levels)
        self.set("need_fields", tuple(f"need_{area}" for area in areas))
        self.set("unpaid_fields", tuple(f"unpaid_{area}" for area in areas))
        self.set("eligible_keys", (*areas, "night", "carer_breaks"))
        self.set("all_funded", (True,) * (len(areas) + 2))
        if data["effective_date"] is not None:
            try:
                dt.date.fromisoformat(data["effective_date"])
            except ValueError:
                raise ConfigurationError(
                    "effective_date", "must be a real date written YYYY-MM-DD", "date_invalid"
                ) from None
        weeks = exact_fraction(data["weeks_per_year"], "weeks_per_year")
        if not 1 <= weeks <= 60:
            raise ConfigurationError("weeks_per_year", "must be between 1 and 60", "between", low=1, high=60)
        self.set("weeks_per_year", weeks)
        increment = data["rounding"]["increment_minutes"]
        self.set("increment", increment)
        minimums = []
        for area in areas:
            minutes = data["minimum_minutes"][area]
            if minutes % increment:
                raise ConfigurationError(
                    f"minimum_minutes.{area}",
                    f"must be a multiple of the rounding increment ({increment} minutes)",
                    "increment_multiple",
                    minutes=increment,
                )
            minimums.append(minutes)
        self.set("minimum_minutes", tuple(minimums))
        self.compile_rates()
        self.compile_lines()
        self.compile_model()
        self.compile_supplements()
        self.compile_tables()

    def compile_rates(self) -> None:
        rates: dict[str, dict[tuple[int, int], int]] = {}
        units: dict[str, str] = {}
        defaults: dict[str, int] = {}
        for kind, spec in self.data["rates"].items():
            units[kind] = spec["per"]
            defaults[kind] = spec["default"]
            table = {}
            for g, group in enumerate(CLIENT_GROUPS):
                for s, setting in enumerate(SETTINGS):
                    by_group = spec.get(group)
                    if isinstance(by_group, dict) and setting in by_group:
                        value = by_group[setting]
                    elif isinstance(by_group, int):
                        value = by_group
                    else:
                        value = spec.get(setting, spec["default"])
                    table[(g, s)] = value
            rates[kind] = table
        self.set("rates", rates)
        self.set("rate_units", units)
        self.set("rate_defaults", defaults)

    def need_kind(self, kind: str | None, unit: str, path: str) -> str:
        units = self.target.rate_units
        if kind is None:
            raise ConfigurationError(
                path, f"is required (a kind of support with a rate per {unit})", "kind_required", unit=unit
            )
        if kind not in units:
            raise ConfigurationError(
                path, f"names a kind of support with no rate ({kind!r})", "kind_unknown", kind=kind
            )
        if units[kind] != unit:
            raise ConfigurationError(
                path,
                f"must name a rate per {unit} ({kind!r} is per {units[kind]})",
                "kind_unit",
                unit=unit,
                kind=kind,
                kind_unit=units[kind],
            )
        return kind

    def compile_lines(self) -> None:
        seen: dict[str, int] = {}
        area_line: dict[int, int] = {}
        sources: dict[str, int] = {}
        specs: list[LineSpec] = []
        for i, line in enumerate(self.data["lines"]):
            path = f"lines[{i}]"
            key = line["key"]
            if key in seen:
                raise ConfigurationError(
                    f"{path}.key", f"repeats the line key {key!r}", "repeated_line", key=key
                )
            seen[key] = i
            has_areas = "areas" in line
            if has_areas == ("source" in line):
                raise ConfigurationError(
                    path,
                    "must have either areas or a source (night, carer_breaks, contingency)",
                    "areas_or_source",
                )
            if line["funder"] == "pooled" and self.data["pooled_split"] is None:
                raise ConfigurationError(
                    f"{path}.funder", "is pooled but there is no pooled_split", "pooled_without_split"
                )
            ratios = None
            if has_areas:
                kind = self.need_kind(line.get("kind"), "hour", f"{path}.kind")
                for area in line["areas"]:
                    a = self.areas_index[area]
                    if a in area_line:
                        raise ConfigurationError(
                            f"{path}.areas",
                            f"{area} is already in line {specs[area_line[a]].key!r}",
                            "area_in_two_lines",
                            area=area,
                            line=specs[area_line[a]].key,
                        )
                    area_line[a] = i
                if "staffing_ratio" in line:
                    ratios = self.ratios(line["staffing_ratio"], f"{path}.staffing_ratio")
                source = "areas"
            else:
                source = line["source"]
                if source in sources:
                    raise ConfigurationError(
                        f"{path}.source",
                        f"{source} is already the source of another line",
                        "source_repeated",
                        source=source,
                    )
                sources[source] = i
                for extra in ("kind", "staffing_ratio"):
                    if extra in line:
                        raise ConfigurationError(
                            f"{path}.{extra}",
                            f"does not apply to a {source} line",
                            "not_for_source",
                            source=source,
                        )
                kind = None
            areas = tuple(self.areas_index[a] for a in line.get("areas", ()))
            specs.append(LineSpec(i, key, line["funder"], kind, areas, source, ratios, _mask(areas)))
        for a, area in enumerate(self.target.areas):
            if a not in area_line:
                raise ConfigurationError(
                    "lines", f"area of need {area} is not in any line", "area_without_line", area=area
                )
        if "contingency" not in sources and self.has_contingency():
            raise ConfigurationError(
                "contingency",
                "is configured but no line has source: contingency",
                "unused_section",
                source="contingency",
            )
        self.set("lines", tuple(specs))
        self.set("area_line", tuple(area_line[a] for a in range(len(self.target.areas))))
        cap = self.data["care_cap"]
        if cap is not None:
            for j, key in enumerate(cap["excluded_lines"]):
                if key not in seen:
                    raise ConfigurationError(
                        f"care_cap.excluded_lines[{j}]", f"names no line ({key!r})", "no_such_line", key=key
                    )

    def has_contingency(self) -> bool:
        c = self.data["contingency"]
        return bool(c["hours_per_year"] or c["percent"] or c["fluctuating_percent"])

    @staticmethod
    def ratios(spec: dict[str, Any], path: str) -> tuple[int, ...]:
        by_level = [spec["people_per_carer"]] * 3
        for step in sorted(spec.get("behaviour_challenges", []), key=lambda s: s["at_least"]):
            for level in range(step["at_least"], 3):
                by_level[level] = step["people_per_carer"]
        for level in (1, 2):
            if by_level[level] > by_level[level - 1]:
                raise ConfigurationError(
                    path,
                    "more behaviour that challenges must never mean more people per carer (it would lower a budget)",
                    "ratio_rises",
                )
        return tuple(by_level)

    def compile_model(self) -> None:
        model = self.data["model"]
        exp_base = []
        for area in self.target.areas:
            values = model["base_log_hours"][area]
            for level in range(1, self.target.need_levels):
                if values[level] < values[level - 1]:
                    raise ConfigurationError(
                        f"model.base_log_hours.{area}[{level}]",
                        "must not be below the level before it (more need must never lower a budget)",
                        "level_below_previous",
                    )
            for level, value in enumerate(values):
                if not -10 <= value <= 6:
                    raise ConfigurationError(
                        f"model.base_log_hours.{area}[{level}]",
                        "must be between -10 and 6",
                        "between",
                        low=-10,
                        high=6,
                    )
            exp_base.append((0.0, *(math.exp(v) for v in values)))
        self.set("exp_base", tuple(exp_base))
        terms = []
        keys: set[str] = set()
        for i, term in enumerate(model["terms"]):
            path = f"model.terms[{i}]"
            if term["key"] in keys:
                raise ConfigurationError(
                    f"{path}.key", f"repeats the term key {term['key']!r}", "repeated_term", key=term["key"]
                )
            keys.add(term["key"])
            conditions = []
            raising = False
            for name, condition in term["when"].items():
                cpath = f"{path}.when.{name}"
                conditions.append((FACTORS.index(name), self.condition_values(name, condition, cpath)))
                raising = raising or name in NEED_RAISING
            if raising and term["log_effect"] < 0:
                raise ConfigurationError(
                    f"{path}.log_effect",
                    "must not be negative for a term on a need (more need must never lower a budget)",
                    "negative_need_effect",
                )
            areas = tuple(self.areas_index[a] for a in term["areas"])
            terms.append(
                TermSpec(
                    i,
                    term["key"],
                    tuple(conditions),
                    tuple(term["when"]),
                    areas,
                    float(term["log_effect"]),
                    _mask(areas),
                )
            )
        self.set("terms", tuple(terms))

    @staticmethod
    def condition_values(name: str, condition: dict[str, Any], path: str) -> frozenset[int]:
        ((op, operand),) = condition.items()
        if name in ("client_group", "setting"):
            choices = CLIENT_GROUPS if name == "client_group" else SETTINGS
            if op != "in":
                raise ConfigurationError(
                    path, f"must use 'in' with a list of {name} values", "condition_in", name=name
                )
            for value in operand:
                if value not in choices:
                    raise ConfigurationError(
                        f"{path}.in",
                        f"must list only {', '.join(choices)} (got {value!r})",
                        "condition_values",
                        allowed=", ".join(choices),
                        got=str(value),
                    )
            return frozenset(choices.index(v) for v in operand)
        top = INT_FIELDS[name]
        if op == "in":
            raise ConfigurationError(path, "must use at_least or equals for a number", "condition_number")
        if name in NEED_RAISING and op != "at_least":
            raise ConfigurationError(
                path, "must use at_least (so more need never switches a term off)", "condition_at_least"
            )
        if operand > top:
            raise ConfigurationError(f"{path}.{op}", f"must be at most {top}", "maximum", value=top)
        if op == "at_least":
            return frozenset(range(operand, top + 1))
        return frozenset({operand})

    def compile_supplements(self) -> None:
        data = self.data
        target = self.target
        levels: list[tuple[str, Fraction] | None] = [None, None, None, None]
        for i, item in enumerate(data["night_support"]):
            path = f"night_support[{i}]"
            if levels[item["level"]] is not None:
                raise ConfigurationError(
                    f"{path}.level",
                    f"repeats night level {item['level']}",
                    "repeated_night_level",
                    level=item["level"],
                )
            night_kind = self.need_kind(item["kind"], "night", f"{path}.kind")
            levels[item["level"]] = (
                night_kind,
                exact_fraction(item["nights_per_week"], f"{path}.nights_per_week"),
            )
        night_line = any(spec.source == "night" for spec in target.lines)
        if night_line and any(level is None for level in levels[1:]):
            raise ConfigurationError(
                "night_support",
                "must give night levels 1, 2 and 3 (there is a night line)",
                "night_levels_missing",
            )
        if not night_line and data["night_support"]:
            raise ConfigurationError(
                "night_support",
                "is configured but no line has source: night",
                "unused_section",
                source="night",
            )
        if night_line:
            for g in range(len(CLIENT_GROUPS)):
                for s in range(len(SETTINGS)):
                    weekly = [Fraction(0)]
                    for level in levels[1:]:
                        level_kind, level_nights = level or ("", Fraction(0))
                        weekly.append(target.rates[level_kind][(g, s)] * level_nights)
                    for level_no in (2, 3):
                        if weekly[level_no] < weekly[level_no - 1]:
                            position = next(
                                j for j, item in enumerate(data["night_support"]) if item["level"] == level_no
                            )
                            raise ConfigurationError(
                                f"night_support[{position}]",
                                f"costs less a week than night level {level_no - 1} for {CLIENT_GROUPS[g]} in "
                                f"{SETTINGS[s]} (more need must never lower a budget)",
                                "night_level_cheaper",
                                level=level_no - 1,
                                group=CLIENT_GROUPS[g],
                                setting=SETTINGS[s],
                            )
        self.set("night_levels", tuple(levels))
        breaks_line = any(spec.source == "carer_breaks" for spec in target.lines)
        if breaks_line != (data["carer_breaks"] is not None):
            raise ConfigurationError(
                "carer_breaks",
                "and a line with source: carer_breaks must be configured together",
                "carer_breaks_line",
            )
        breaks_kind = None
        if data["carer_breaks"] is not None:
            breaks_kind = self.need_kind(data["carer_breaks"]["kind"], "week", "carer_breaks.kind")
        self.set("carer_breaks_kind", breaks_kind)
        contingency = data["contingency"]
        kind: str | None = None
        minutes = 0
        if self.has_contingency():
            kind = self.need_kind(contingency["kind"], "hour", "contingency.kind")
            exact = exact_fraction(contingency["hours_per_year"], "contingency.hours_per_year") * 60
            if exact % target.increment:
                raise ConfigurationError(
                    "contingency.hours_per_year",
                    f"must be a whole number of rounding increments ({target.increment} minutes)",
                    "increment_whole",
                    minutes=target.increment,
                )
            minutes = int(exact)
        self.set("contingency_kind", kind)
        self.set("contingency_minutes", minutes)
        self.set("contingency_percent", exact_fraction(contingency["percent"], "contingency.percent"))
        self.set(
            "contingency_fluctuating_percent",
            exact_fraction(contingency["fluctuating_percent"], "contingency.fluctuating_percent"),
        )
        pool = data["pooled_split"]
        if pool is not None:
            council = exact_fraction(pool["council"], "pooled_split.council")
            if council + exact_fraction(pool["nhs"], "pooled_split.nhs") != 100:
                raise ConfigurationError("pooled_split", "council and nhs must add up to 100", "split_total")
            self.set("pool_council", council / 100)
        else:
            self.set("pool_council", None)
        rng = data["indicative_range"]
        self.set("range_below", exact_fraction(rng["below_percent"], "indicative_range.below_percent") / 100)
        self.set("range_above", exact_fraction(rng["above_percent"], "indicative_range.above_percent") / 100)
        self.set("care_cap", copy.deepcopy(data["care_cap"]))

    def compile_tables(self) -> None:
        """Per client group and setting (index g * 2 + s): each line's rate, night amounts, other rates."""
        target = self.target
        line_rates = []
        night_amounts = []
        breaks_rates = []
        contingency_rates = []
        for g in range(len(CLIENT_GROUPS)):
            for s in range(len(SETTINGS)):
                gs = (g, s)
                line_rates.append(
                    tuple(target.rates[spec.kind][gs] if spec.kind else 0 for spec in target.lines)
                )
                amounts = [0]
                for level in target.night_levels[1:]:
                    amounts.append(round_fraction(target.rates[level[0]][gs] * level[1]) if level else 0)
                night_amounts.append(tuple(amounts))
                kind = target.carer_breaks_kind
                breaks_rates.append(target.rates[kind][gs] if kind else 0)
                kind = target.contingency_kind
                contingency_rates.append(target.rates[kind][gs] if kind else 0)
        self.set("line_rates", tuple(line_rates))
        self.set("night_amounts", tuple(night_amounts))
        self.set(
            "night_nights",
            tuple(
                None if level is None else Decimal(level[1].numerator) / Decimal(level[1].denominator)
                for level in target.night_levels
            ),
        )
        self.set("breaks_rates", tuple(breaks_rates))
        self.set("contingency_rates", tuple(contingency_rates))
        self.set(
            "empty_lines",
            tuple(
                Line(spec.key, spec.kind, None, 0, hours=Decimal("0.00"), ratio=None) for spec in target.lines
            ),
        )
