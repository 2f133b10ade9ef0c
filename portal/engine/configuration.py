"""The configuration: one canonical YAML document per organisation, validated on load and compiled once.

A configuration holds the local rates (pence per hour, night or week, by kind of support, with overrides by
client group and setting), the model's coefficients (base log-hours per area of need and level, factor and
pairwise interaction terms), minimum allocation times and the rounding increment, staffing ratios, night-time
support, carer breaks, contingency, the weeks in a year, the lines of the allocation summary with their
funders or a pooled split, the indicative range and, for self-funders, optional care-cap parameters.

Its version is its ``label`` and ``content_hash``: the SHA-256 of the canonical JSON of its content (sorted
keys, defaults filled in), which excludes the label and the effective date, so republishing the same content
under a new label or date keeps the hash.

``load_configuration`` raises ``ConfigurationError`` whose message starts with the path of the bad key, e.g.
``rates.daily_living.older_people.community: must be a positive amount``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from typing import Any

import jsonschema
import yaml

from portal.engine.config_errors import ConfigurationError, path_text, schema_error
from portal.engine.money import round_fraction
from portal.engine.profile import AREAS, CLIENT_GROUPS, FACTORS, INT_FIELDS, NEED_RAISING, SETTINGS
from portal.engine.result import Line
from portal.engine.schema import AREAS_SCHEMA, DEFAULTS, KEY_ORDER, schema_for
from portal.engine.yaml_io import AliasRefused, NoAliasLoader, dump_yaml

#: Factor combinations memoised per configuration (at most 5 x 2 x 2 x 4 x 3 x 4 x 2 x 2 = 7,680 exist).
FACTOR_CACHE_LIMIT = 2048
_AREAS_VALIDATOR = jsonschema.Draft202012Validator(AREAS_SCHEMA)


@functools.lru_cache(maxsize=16)
def _validator(areas: tuple[str, ...], need_levels: int) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema_for(areas, need_levels))


def declared_areas(data: Mapping[str, Any]) -> tuple[tuple[str, ...], int]:
    """The areas of need and highest level a (checked) document declares: the adult tool's by default."""
    return tuple(data.get("areas") or AREAS), int(data.get("need_levels") or 4)


def _fraction(value: Any, path: str) -> Fraction:
    """Exact value of a YAML number or a string such as "365.25/7" or "57.5"."""
    try:
        if isinstance(value, str):
            num, _, den = value.partition("/")
            result = Fraction(Decimal(num.strip())) / (Fraction(Decimal(den.strip())) if den else 1)
        else:
            result = Fraction(Decimal(repr(value)))
    except (InvalidOperation, ValueError, ZeroDivisionError, OverflowError):
        raise ConfigurationError(
            path,
            f"must be a number or a fraction like 365.25/7 (got {value!r})",
            "number_or_fraction",
            got=str(value),
        ) from None
    return result


def _normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a document against the schema and fill defaults; return a deep, JSON-compatible copy."""
    if not isinstance(raw, Mapping):
        raise ConfigurationError("", "the configuration must be a mapping of keys to values", "not_mapping")
    data = json.loads(json.dumps(dict(raw), default=_json_default))
    _check_finite(data, [])
    errors = list(_AREAS_VALIDATOR.iter_errors(data))
    if errors:
        raise schema_error(jsonschema.exceptions.best_match(errors))
    areas, need_levels = declared_areas(data)
    errors = list(_validator(areas, need_levels).iter_errors(data))
    if errors:
        raise schema_error(jsonschema.exceptions.best_match(errors))
    # The adult tool's areas and levels are the default and are left out of the canonical document, so a
    # configuration that names them keeps the content hash it had before tools declared their areas.
    data.pop("areas", None)
    data.pop("need_levels", None)
    if areas != AREAS:
        data["areas"] = list(areas)
    if need_levels != 4:
        data["need_levels"] = need_levels
    for key, value in DEFAULTS.items():
        if key not in data:
            data[key] = copy.deepcopy(value)
    contingency = {**DEFAULTS["contingency"], **data["contingency"]}
    data["contingency"] = contingency
    data["indicative_range"] = {**DEFAULTS["indicative_range"], **data["indicative_range"]}
    data["minimum_minutes"] = {area: data["minimum_minutes"].get(area, 0) for area in areas}
    data["rounding"] = {"increment_minutes": data["rounding"].get("increment_minutes", 15)}
    data["model"].setdefault("terms", [])
    if data["care_cap"] is not None:
        data["care_cap"] = {"weekly_deduction_pence": 0, "excluded_lines": [], **data["care_cap"]}
    return {key: data[key] for key in KEY_ORDER if key in data}


def _check_finite(node: Any, path: list[str | int]) -> None:
    """Refuse NaN and infinity anywhere (YAML allows .nan and .inf; no amount or coefficient may be one)."""
    if isinstance(node, float) and not math.isfinite(node):
        raise ConfigurationError(path_text(path), "must be a finite number", "not_finite")
    if isinstance(node, dict):
        for key, value in node.items():
            _check_finite(value, [*path, key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_finite(value, [*path, i])


def _factor_value(key: tuple[int, ...], name: str) -> Any:
    """A factor's profile value from a factor key (choices come back as their names)."""
    value = key[FACTORS.index(name)]
    if name == "client_group":
        return CLIENT_GROUPS[value]
    if name == "setting":
        return SETTINGS[value]
    return value


def _mask(areas: tuple[int, ...]) -> int:
    mask = 0
    for a in areas:
        mask |= 1 << a
    return mask


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise ConfigurationError(
        "", f"cannot store a value of type {type(value).__name__}", "unstorable", type=type(value).__name__
    )


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


@dataclass(frozen=True, slots=True)
class FactorInfo:
    """Per-factor-combination multipliers on each area's hours, the terms that apply, and result caches.

    ``term_reasons`` memoises a line's term reasons by the mask of its paid areas: a pure function of the
    configuration and the factor key, so caching it cannot change a result.
    """

    multipliers: tuple[float, ...]
    terms: tuple[TermSpec, ...]
    groups: tuple[TermGroup, ...]
    term_reasons: dict[int, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TermGroup:
    """Matching terms that test the same fields (e.g. memory at least 1, 2 and 3), with the profile's values."""

    fields: tuple[str, ...]
    values: tuple[Any, ...]
    terms: tuple[TermSpec, ...]
    ids: tuple[int, ...]
    mask: int  # areas any of the terms touch
    uniform: bool  # every term touches the same areas


class Configuration:
    """A validated, compiled, immutable configuration (see the module docstring)."""

    __slots__ = (
        "_data",
        "areas",
        "need_levels",
        "need_fields",
        "unpaid_fields",
        "eligible_keys",
        "all_funded",
        "label",
        "effective_date",
        "content_hash",
        "weeks_per_year",
        "increment",
        "minimum_minutes",
        "rates",
        "rate_units",
        "rate_defaults",
        "lines",
        "area_line",
        "exp_base",
        "terms",
        "night_levels",
        "carer_breaks_kind",
        "contingency_kind",
        "contingency_minutes",
        "contingency_percent",
        "contingency_fluctuating_percent",
        "pool_council",
        "range_below",
        "range_above",
        "care_cap",
        "line_rates",
        "night_amounts",
        "night_nights",
        "breaks_rates",
        "contingency_rates",
        "empty_lines",
        "_factor_cache",
        "_engine_cache",
    )

    _data: dict[str, Any]
    areas: tuple[str, ...]  # the tool's areas of need, in order (decision 0015)
    need_levels: int  # the highest level of need; levels run from 0 (no need)
    need_fields: tuple[str, ...]  # need_<area>, in the order of the areas
    unpaid_fields: tuple[str, ...]  # unpaid_<area>
    # What an assessor may find eligible (the areas, "night" and "carer_breaks"), and all of them funded.
    eligible_keys: tuple[str, ...]
    all_funded: tuple[bool, ...]
    label: str
    effective_date: str | None
    content_hash: str
    weeks_per_year: Fraction
    increment: int
    minimum_minutes: tuple[int, ...]
    rates: dict[str, dict[tuple[int, int], int]]
    rate_units: dict[str, str]
    rate_defaults: dict[str, int]
    lines: tuple[LineSpec, ...]
    area_line: tuple[int, ...]
    exp_base: tuple[tuple[float, ...], ...]
    terms: tuple[TermSpec, ...]
    night_levels: tuple[tuple[str, Fraction] | None, ...]
    carer_breaks_kind: str | None
    contingency_kind: str | None
    contingency_minutes: int
    contingency_percent: Fraction
    contingency_fluctuating_percent: Fraction
    pool_council: Fraction | None
    range_below: Fraction
    range_above: Fraction
    care_cap: dict[str, Any] | None
    line_rates: tuple[tuple[int, ...], ...]
    night_amounts: tuple[tuple[int, ...], ...]
    night_nights: tuple[Decimal | None, ...]
    breaks_rates: tuple[int, ...]
    contingency_rates: tuple[int, ...]
    empty_lines: tuple[Line, ...]
    _factor_cache: dict[tuple[int, ...], FactorInfo]
    _engine_cache: dict[str, Any]

    def __init__(self, document: Mapping[str, Any]) -> None:
        """Validate and compile a configuration document (prefer ``load_configuration``)."""
        data = _normalise(document)
        _Compiler(self, data).compile()
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "label", data["label"])
        object.__setattr__(self, "effective_date", data["effective_date"])
        content = {k: v for k, v in data.items() if k not in ("label", "effective_date")}
        canonical = json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        object.__setattr__(self, "content_hash", hashlib.sha256(canonical.encode("utf-8")).hexdigest())
        object.__setattr__(self, "_factor_cache", {})
        object.__setattr__(self, "_engine_cache", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Configuration is immutable")

    def __repr__(self) -> str:
        return f"<Configuration {self.label!r} {self.content_hash[:12]}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Configuration):
            return NotImplemented
        return self._data == other._data

    def __hash__(self) -> int:
        return hash((self.label, self.effective_date, self.content_hash))

    def to_dict(self) -> dict[str, Any]:
        """The canonical document (defaults filled in) as plain JSON-compatible data; a deep copy."""
        return copy.deepcopy(self._data)

    def to_yaml(self) -> str:
        """The canonical YAML serialisation; ``loads_configuration(config.to_yaml()) == config``."""
        return dump_yaml(self._data)

    def with_changes(self, **changes: Any) -> Configuration:
        """A new configuration with some top-level keys replaced (e.g. label, effective_date, model)."""
        data = self.to_dict()
        data.update(copy.deepcopy(changes))
        return Configuration(data)

    def rate(self, kind: str, client_group: str, setting: str) -> int:
        """The rate in pence per unit for a kind of support, client group and setting."""
        return self.rates[kind][(CLIENT_GROUPS.index(client_group), SETTINGS.index(setting))]

    def factor_info(self, key: tuple[int, ...]) -> FactorInfo:
        """Area multipliers and matching terms for a profile's factor key (computed once per key)."""
        info = self._factor_cache.get(key)
        if info is None:
            logs = [0.0] * len(self.areas)
            hits = []
            grouped: dict[tuple[str, ...], list[TermSpec]] = {}
            for term in self.terms:
                for i, values in term.conditions:
                    if key[i] not in values:
                        break
                else:
                    hits.append(term)
                    grouped.setdefault(term.fields, []).append(term)
                    for a in term.areas:
                        logs[a] += term.log_effect
            groups = []
            for fields, terms in grouped.items():
                mask = 0
                for term in terms:
                    mask |= term.mask
                groups.append(
                    TermGroup(
                        fields,
                        tuple(_factor_value(key, name) for name in fields),
                        tuple(terms),
                        tuple(t.index for t in terms),
                        mask,
                        all(t.mask == mask for t in terms),
                    )
                )
            info = FactorInfo(tuple(math.exp(v) for v in logs), tuple(hits), tuple(groups))
            if len(self._factor_cache) >= FACTOR_CACHE_LIMIT:
                self._factor_cache.clear()
            self._factor_cache[key] = info
        return info


class _Compiler:
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
        weeks = _fraction(data["weeks_per_year"], "weeks_per_year")
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
                _fraction(item["nights_per_week"], f"{path}.nights_per_week"),
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
            exact = _fraction(contingency["hours_per_year"], "contingency.hours_per_year") * 60
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
        self.set("contingency_percent", _fraction(contingency["percent"], "contingency.percent"))
        self.set(
            "contingency_fluctuating_percent",
            _fraction(contingency["fluctuating_percent"], "contingency.fluctuating_percent"),
        )
        pool = data["pooled_split"]
        if pool is not None:
            council = _fraction(pool["council"], "pooled_split.council")
            if council + _fraction(pool["nhs"], "pooled_split.nhs") != 100:
                raise ConfigurationError("pooled_split", "council and nhs must add up to 100", "split_total")
            self.set("pool_council", council / 100)
        else:
            self.set("pool_council", None)
        rng = data["indicative_range"]
        self.set("range_below", _fraction(rng["below_percent"], "indicative_range.below_percent") / 100)
        self.set("range_above", _fraction(rng["above_percent"], "indicative_range.above_percent") / 100)
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


def load_configuration(source: str | os.PathLike[str] | Mapping[str, Any]) -> Configuration:
    """Load and validate a configuration from a YAML (or JSON) file path, or from a mapping."""
    if isinstance(source, Mapping):
        return Configuration(source)
    path = os.fspath(source)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise ConfigurationError(
            "",
            f"cannot read {path}: {exc.strerror or exc}",
            "unreadable",
            file=path,
            reason=str(exc.strerror or exc),
        ) from None
    return loads_configuration(text)


def loads_configuration(text: str) -> Configuration:
    """Parse and validate a configuration from YAML (or JSON) text; YAML aliases are refused."""
    try:
        document = yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        if isinstance(exc, AliasRefused) and mark is not None:
            raise ConfigurationError(
                "",
                f"YAML aliases (*name) are not allowed{where}",
                "yaml_alias_at",
                line=mark.line + 1,
                column=mark.column + 1,
            ) from None
        if mark is None:
            raise ConfigurationError("", f"not valid YAML{where}", "not_yaml") from None
        raise ConfigurationError(
            "", f"not valid YAML{where}", "not_yaml_at", line=mark.line + 1, column=mark.column + 1
        ) from None
    if not isinstance(document, Mapping):
        raise ConfigurationError("", "the configuration must be a mapping of keys to values", "not_mapping")
    return Configuration(document)


def demo_configuration() -> Configuration:
    """The adult social care tool's shipped configuration (portal/tools/adult_social_care/configuration.yaml)."""
    text = (
        resources.files("portal")
        .joinpath("tools/adult_social_care/configuration.yaml")
        .read_text(encoding="utf-8")
    )
    return loads_configuration(text)
