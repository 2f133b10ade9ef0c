"""Benchmarking: each rate and local decision of an organisation beside the others'.

Each value is shown beside the shipped default and the minimum, average, maximum and most common value across the
*other* organisations that share, and across those the deployment administrator marked as similar; only where at
least :data:`MIN_AREAS` of them share. Only values leave an organisation, never its cases, and never with its
name.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal import config_in_force
from portal.audit import record
from portal.engine import AREAS, Configuration
from portal.extensions import db
from portal.models import (
    Account,
    Organisation,
)
from portal.version_service import configuration

MIN_AREAS = 3  # figures across other organisations need at least this many of them
SIMILAR_KEY = "benchmark_similar"  # Organisation.settings key: public ids of organisations marked similar


# -- benchmarking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A rate or local decision that can be compared across organisations."""

    key: str
    kind: str  # "rate", "minimum", "night", "contingency", "ratio", "split", "general"
    subject: str  # a rate kind, area of need, line key or level; worded by the page
    unit: str  # "pence_hour", "pence_night", "pence_week", "pence", "minutes", "nights", "percent", "hours",
    #            "people", "weeks"
    get: Callable[[Configuration], float | int | None]


def _rate(kind: str) -> Callable[[Configuration], int | None]:
    return lambda c: c.rate_defaults.get(kind)


def _minimum(index: int) -> Callable[[Configuration], int]:
    return lambda c: c.minimum_minutes[index]


def _nights(level: int) -> Callable[[Configuration], float | None]:
    def get(c: Configuration) -> float | None:
        spec = c.night_levels[level]
        return float(spec[1]) if spec else None

    return get


def _ratio(key: str) -> Callable[[Configuration], int | None]:
    def get(c: Configuration) -> int | None:
        for spec in c.lines:
            if spec.key == key and spec.ratios:
                return spec.ratios[0]
        return None

    return get


def _pooled(c: Configuration) -> float | None:
    return None if c.pool_council is None else float(c.pool_council * 100)


def measures(default: Configuration | None = None) -> list[Measure]:
    """What benchmarking compares: every rate of the shipped configuration, minimum times, nights, and more."""
    default = default or configuration(None)
    out = []
    for kind, unit in default.rate_units.items():
        out.append(Measure(f"rate.{kind}", "rate", kind, f"pence_{unit}", _rate(kind)))
    for index, area in enumerate(AREAS):
        out.append(Measure(f"minimum.{area}", "minimum", area, "minutes", _minimum(index)))
    for level in (1, 2, 3):
        out.append(Measure(f"night.{level}", "night", str(level), "nights", _nights(level)))
    for spec in default.lines:
        if spec.ratios:
            out.append(Measure(f"ratio.{spec.key}", "ratio", spec.key, "people", _ratio(spec.key)))
    out += [
        Measure(
            "contingency.fluctuating_percent",
            "contingency",
            "fluctuating_percent",
            "percent",
            lambda c: float(c.contingency_fluctuating_percent),
        ),
        Measure(
            "contingency.percent", "contingency", "percent", "percent", lambda c: float(c.contingency_percent)
        ),
        Measure(
            "contingency.hours_per_year",
            "contingency",
            "hours_per_year",
            "hours",
            lambda c: c.contingency_minutes / 60,
        ),
        Measure("split.council", "split", "council", "percent", _pooled),
        Measure(
            "general.weeks_per_year", "general", "weeks_per_year", "weeks", lambda c: float(c.weeks_per_year)
        ),
        Measure("general.increment", "general", "increment", "minutes", lambda c: c.increment),
        Measure(
            "general.care_cap",
            "general",
            "care_cap",
            "pence",
            lambda c: c.care_cap["cap_pence"] if c.care_cap else None,
        ),
    ]
    return out


@dataclass(frozen=True)
class Stats:
    """Figures across a group of other organisations (never which one had which value)."""

    count: int
    minimum: float
    average: float
    maximum: float
    most_common: float | None  # None when no single value is held by more than one of them


def stats(values: Sequence[float]) -> Stats | None:
    """Min, average, max and most common value, or None when fewer than :data:`MIN_AREAS` values."""
    if len(values) < MIN_AREAS:
        return None
    counts = Counter(values).most_common()
    top = counts[0]
    common = top[0] if top[1] > 1 and (len(counts) == 1 or counts[1][1] < top[1]) else None
    return Stats(len(values), min(values), statistics.fmean(values), max(values), common)


@dataclass(frozen=True)
class BenchmarkRow:
    """One rate or decision: this organisation's value, the default, and the figures across others."""

    measure: Measure
    own: float | int | None
    default: float | int | None
    others: Stats | None
    others_count: int
    similar: Stats | None
    similar_count: int


@dataclass(frozen=True)
class Benchmark:
    """The benchmarking page's data."""

    rows: list[BenchmarkRow]
    own_label: str
    sharing: int  # other organisations that share and have a configuration of their own
    similar: int  # of those, how many are marked similar to this organisation
    min_areas: int = MIN_AREAS


def sharing_configurations(organisation: Organisation, day: date) -> list[tuple[Organisation, Configuration]]:
    """The other organisations that share, each with its own published configuration in force."""
    others = db.session.scalars(
        select(Organisation)
        .where(Organisation.id != organisation.id, Organisation.shares_benchmarking.is_(True))
        .order_by(Organisation.id)
    ).all()
    out = []
    for other in others:
        row = config_in_force.version_in_force(other, day)
        if row is not None and row.organisation_id == other.id:  # its own decisions, not a default
            out.append((other, configuration(row)))
    return out


def similar_ids(organisation: Organisation) -> list[str]:
    """Public ids of the organisations the deployment administrator marked as similar to this one."""
    value = (organisation.settings or {}).get(SIMILAR_KEY, [])
    return [str(v) for v in value] if isinstance(value, list) else []


def benchmark(organisation: Organisation, day: date | None = None) -> Benchmark:
    """This organisation's rates and decisions beside the default and the figures across other areas."""
    day = day or date.today()
    own = config_in_force.in_force(organisation, day)
    default = configuration(None)
    others = sharing_configurations(organisation, day)
    similar = set(similar_ids(organisation))
    similar_configs = [config for other, config in others if other.public_id in similar]
    rows = []
    for measure in measures(default):
        values = [v for v in (measure.get(c) for _, c in others) if v is not None]
        similar_values = [v for v in (measure.get(c) for c in similar_configs) if v is not None]
        rows.append(
            BenchmarkRow(
                measure,
                measure.get(own),
                measure.get(default),
                stats(values),
                len(values),
                stats(similar_values),
                len(similar_values),
            )
        )
    return Benchmark(rows, own.label, len(others), len(similar_configs))


def _locked(organisation: Organisation) -> Organisation:
    """The organisation's row, locked until the transaction ends (PostgreSQL; SQLite locks the database)."""
    return (
        db.session.scalar(select(Organisation).where(Organisation.id == organisation.id).with_for_update())
        or organisation
    )


def set_sharing(organisation: Organisation, actor: Account, shares: bool) -> bool:
    """Switch an organisation's sharing of its rates and decisions; audited. False when nothing changed."""
    organisation = _locked(organisation)
    before = bool(organisation.shares_benchmarking)
    if before == shares:
        return False
    organisation.shares_benchmarking = shares
    record(
        "benchmarking.sharing_changed",
        actor=actor,
        organisation=organisation,
        detail={"before": before, "after": shares},
    )
    return True


def set_similar(organisation: Organisation, actor: Account, public_ids: Sequence[str]) -> bool:
    """Mark which organisations are similar to this one (deployment administrator); audited."""
    organisation = _locked(organisation)
    before = similar_ids(organisation)
    after = sorted(set(public_ids) - {organisation.public_id})
    if sorted(before) == after:
        return False
    organisation.settings = {**(organisation.settings or {}), SIMILAR_KEY: after}
    record(
        "benchmarking.similar_changed",
        actor=actor,
        organisation=organisation,
        detail={"before": sorted(before), "after": after},
    )
    return True
