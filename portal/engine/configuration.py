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
import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from typing import Any

import yaml

from portal.engine.config_compiler import Compiler, LineSpec, TermSpec
from portal.engine.config_document import declared_areas, normalise_document
from portal.engine.config_errors import ConfigurationError
from portal.engine.profile import CLIENT_GROUPS, FACTORS, SETTINGS
from portal.engine.result import Line
from portal.engine.yaml_io import AliasRefused, NoAliasLoader, dump_yaml

__all__ = [
    "FACTOR_CACHE_LIMIT",
    "Configuration",
    "FactorInfo",
    "LineSpec",
    "TermGroup",
    "TermSpec",
    "declared_areas",
    "demo_configuration",
    "dump_yaml",
    "load_configuration",
    "loads_configuration",
]

#: Factor combinations memoised per configuration (at most 5 x 2 x 2 x 4 x 3 x 4 x 2 x 2 = 7,680 exist).
FACTOR_CACHE_LIMIT = 2048


def _factor_value(key: tuple[int, ...], name: str) -> Any:
    """A factor's profile value from a factor key (choices come back as their names)."""
    value = key[FACTORS.index(name)]
    if name == "client_group":
        return CLIENT_GROUPS[value]
    if name == "setting":
        return SETTINGS[value]
    return value


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
    # The group's reason (or None) by line, and by the areas met where not uniform (calculator._term_reasons):
    # a pure function of the group and the line, kept with the group, which keys of the same values share.
    reasons: dict[int, Any] = field(default_factory=dict, compare=False)


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
        "term_masks",
        "_factor_cache",
        "term_areas",
        "_multipliers",
        "_term_groups",
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
    # Per factor position: the bit mask of the terms each value meets (bit t for self.terms[t]), and the mask of
    # the terms that ask nothing of that position (what any other value meets).
    term_masks: tuple[tuple[dict[int, int], int], ...]
    _factor_cache: dict[tuple[int, ...], FactorInfo]
    term_areas: tuple[int, ...]  # per area, the bit mask of the terms that apply to it
    # Shared between factor keys: an area's multiplier by the set of its terms met, term groups by (ids, values).
    _multipliers: dict[int, float]
    _term_groups: dict[tuple[tuple[int, ...], tuple[Any, ...]], TermGroup]
    _engine_cache: dict[str, Any]

    def __init__(self, document: Mapping[str, Any]) -> None:
        """Validate and compile a configuration document (prefer ``load_configuration``)."""
        data = normalise_document(document)
        Compiler(self, data).compile()
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "label", data["label"])
        object.__setattr__(self, "effective_date", data["effective_date"])
        content = {k: v for k, v in data.items() if k not in ("label", "effective_date")}
        canonical = json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
        object.__setattr__(self, "content_hash", hashlib.sha256(canonical.encode("utf-8")).hexdigest())
        object.__setattr__(self, "term_masks", _term_masks(self.terms))
        object.__setattr__(self, "_factor_cache", {})
        object.__setattr__(self, "term_areas", _term_areas(self.terms, len(self.areas)))
        object.__setattr__(self, "_multipliers", {})
        object.__setattr__(self, "_term_groups", {})
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
        """Area multipliers and matching terms for a profile's factor key (computed once per key).

        The terms a key meets are the AND of one precomputed bit mask per factor. An area's multiplier depends
        only on which of its terms are met, and a group of terms on the same fields only on which are met and
        the values of those fields, so both are kept by that and shared between keys.
        """
        info = self._factor_cache.get(key)
        if info is None:
            hit = -1
            for i, (masks, other) in enumerate(self.term_masks):
                hit &= masks.get(key[i], other)
            kept, shared = self._multipliers, self._term_groups
            for memo in (kept, shared):
                if len(memo) >= FACTOR_CACHE_LIMIT:
                    memo.clear()
            multipliers = []
            for area_mask in self.term_areas:
                met = hit & area_mask
                m = kept.get(met)
                if m is None:
                    m = kept[met] = math.exp(sum([t.log_effect for t in self.terms if met >> t.index & 1]))
                multipliers.append(m)
            hits = tuple([t for t in self.terms if hit >> t.index & 1])
            grouped: dict[tuple[str, ...], list[TermSpec]] = {}
            for term in hits:
                grouped.setdefault(term.fields, []).append(term)
            groups = []
            for fields, terms in grouped.items():
                ids = tuple([t.index for t in terms])
                values = tuple([_factor_value(key, name) for name in fields])
                group = shared.get((ids, values))
                if group is None:
                    mask = 0
                    for term in terms:
                        mask |= term.mask
                    group = shared[(ids, values)] = TermGroup(
                        fields, values, tuple(terms), ids, mask, all(t.mask == mask for t in terms)
                    )
                groups.append(group)
            info = FactorInfo(tuple(multipliers), hits, tuple(groups))
            if len(self._factor_cache) >= FACTOR_CACHE_LIMIT:
                self._factor_cache.clear()
            self._factor_cache[key] = info
        return info


def _term_masks(terms: tuple[TermSpec, ...]) -> tuple[tuple[dict[int, int], int], ...]:
    """Per factor position, the bit mask of the terms each tested value meets, and of the terms not testing it."""
    out = []
    for i in range(len(FACTORS)):
        other = 0
        masks: dict[int, int] = {}
        tested: set[int] = set()
        for term in terms:
            for position, values in term.conditions:
                if position == i:
                    tested.update(values)
        for term in terms:
            wanted = [values for position, values in term.conditions if position == i]
            if not wanted:
                other |= 1 << term.index
            for value in tested:  # a term that does not test position i meets every value (all of none)
                if all(value in values for values in wanted):
                    masks[value] = masks.get(value, 0) | 1 << term.index
        out.append((masks, other))
    return tuple(out)


def _term_areas(terms: tuple[TermSpec, ...], n_areas: int) -> tuple[int, ...]:
    """Per area of need, the bit mask of the terms that apply to it."""
    return tuple(sum(1 << t.index for t in terms if a in t.areas) for a in range(n_areas))


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
