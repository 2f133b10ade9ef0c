"""The rules of an accuracy report beyond the headline figures: fairness by group, and why an outlier stands out.

* Fairness: the same figures for each client group, setting and, where the upload has them, each age band, sex
  and ethnicity (optional columns, never required). A group of at least :data:`MIN_GROUP` cases whose median
  error or median bias differs from everyone's by more than :data:`GAP` (5 percentage points) is flagged; the
  page words the flag. Bias is (estimate - actual) / actual: below zero, estimates fall short of actual costs.
* Outliers explained: for each outlier, the lines of its estimate with the answers and rates behind them, what
  the gap amounts to at the main rates (hours a week, or nights), and which answers to check first.

No request or template code lives here; the views in :mod:`portal.practitioner.accuracy` word these results.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from portal.engine import AREAS, Configuration, estimate

MIN_GROUP = 20  # fewer cases than this are too few to judge a group
GAP = 0.05  # a group whose median error or bias is more than 5 points from everyone's is flagged
DIMENSIONS = ("client_group", "setting", "age_band", "sex", "ethnicity")


def _figures(pairs: Sequence[tuple[int, int]]) -> dict[str, float]:
    """Median absolute error, median bias and share within 20% of (estimate, actual) pairs."""
    errors = [abs(e - a) / a for e, a in pairs]
    return {
        "mdape": round(statistics.median(errors), 4),
        "bias": round(statistics.median((e - a) / a for e, a in pairs), 4),
        "within_20": round(sum(x <= 0.20 for x in errors) / len(errors), 4),
    }


def case_groups(case: Any) -> dict[str, str]:
    """A case's value for each fairness dimension it has."""
    return {"client_group": case.profile.client_group, "setting": case.profile.setting, **dict(case.groups)}


def fairness(cases: Sequence[Any], estimates: Sequence[int]) -> dict[str, Any]:
    """Figures for everyone and for each group of each dimension, with a flag for a group that stands apart.

    Each group is {dimension, value, count, mdape, bias, within_20, flags}; flags lists "error" (median error
    differs from everyone's by more than :data:`GAP`) and "bias" (median bias does), only for groups of at least
    :data:`MIN_GROUP` cases. Dimensions that no case has (optional columns not uploaded) are left out.
    """
    pairs = [(e, c.actual_pence) for c, e in zip(cases, estimates, strict=True)]
    overall = _figures(pairs)
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for case, pair in zip(cases, pairs, strict=True):
        for dimension, value in case_groups(case).items():
            groups.setdefault((dimension, value), []).append(pair)
    out = []
    for dimension in DIMENSIONS:
        for (dim, value), members in sorted(groups.items()):
            if dim != dimension:
                continue
            figures = _figures(members)
            flags = []
            if len(members) >= MIN_GROUP:
                if abs(figures["mdape"] - overall["mdape"]) > GAP:
                    flags.append("error")
                if abs(figures["bias"] - overall["bias"]) > GAP:
                    flags.append("bias")
            out.append({"dimension": dim, "value": value, "count": len(members), **figures, "flags": flags})
    return {"overall": {"count": len(pairs), **overall}, "groups": out}


def explain_outlier(case: Any, config: Configuration) -> dict[str, Any]:
    """What drives an outlier's difference: its estimate's lines with the answers and rates behind them, the gap
    at the main rates, and the answers to check first (as codes the page words).

    Only the total actual cost is known, not its lines, so the explanation says where the estimate's money comes
    from and what the difference would buy, so that an officer knows what to look at.
    """
    profile = case.profile
    result = estimate(profile, config)
    gap = case.actual_pence - result.total_weekly_pence
    specs = {spec.key: spec for spec in config.lines}
    lines = []
    for line in sorted(result.lines, key=lambda item: -item.amount_pence):
        if not line.allocated:
            continue
        spec = specs.get(line.key)
        answers: list[list[Any]] = []
        if spec is not None and spec.source == "areas":
            answers = [
                [AREAS[a], profile.needs[a], str(getattr(profile, f"unpaid_{AREAS[a]}"))]
                for a in spec.areas
                if profile.needs[a] > 0
            ]
        elif spec is not None and spec.source == "night":
            answers = [["night", profile.night, ""]]
        elif spec is not None and spec.source == "carer_breaks":
            answers = [["carer_breaks_weeks", profile.carer_breaks_weeks, ""]]
        lines.append(
            {
                "key": line.key,
                "amount": line.amount_pence,
                "hours": str(line.hours),
                "rate": line.rate_pence,
                "ratio": line.ratio,
                "nights": None if line.nights_per_week is None else str(line.nights_per_week),
                "answers": answers,
            }
        )
    g, s = profile.factor_key[0], profile.factor_key[1]
    hourly_kind = config.lines[config.area_line[0]].kind or next(iter(config.rate_defaults))
    hourly = config.rates[hourly_kind][(g, s)]
    equivalents: dict[str, Any] = {
        "hours": round(abs(gap) / hourly, 1),
        "hour_kind": hourly_kind,
        "rate": hourly,
    }
    waking = config.night_levels[3]
    if waking is not None:
        night_rate = config.rates[waking[0]][(g, s)]
        equivalents.update(
            nights=round(abs(gap) / night_rate, 1), night_kind=waking[0], night_rate=night_rate
        )
    checks = []
    if gap > 0:
        if profile.night == 0 and waking is not None and abs(gap) >= night_rate * 2:
            checks.append("night_none")
        if any(share > 0 for share in profile.unpaid_quarters):
            checks.append("unpaid_help")
        if profile.two_carers == 0 and profile.mobility >= 2:
            checks.append("two_carers")
        if profile.behaviour_challenges == 0 and any(spec.ratios for spec in config.lines):
            checks.append("shared_support")
    else:
        if profile.night > 0:
            checks.append("night_given")
        if any(line["ratio"] == 1 for line in lines):
            checks.append("one_to_one")
        checks.append("other_funding")
    return {
        "actual": case.actual_pence,
        "estimate": result.total_weekly_pence,
        "gap": gap,
        "lines": lines[:4],
        "equivalents": equivalents,
        "checks": checks,
    }


def flagged_groups(cases: Sequence[Any]) -> Any:
    """For calibration: a function from every case's estimate to the groups flagged for bias ("dimension:value")."""

    def flagged(estimates: Sequence[int]) -> frozenset[str]:
        return frozenset(
            f"{g['dimension']}:{g['value']}"
            for g in fairness(cases, estimates)["groups"]
            if "bias" in g["flags"]
        )

    return flagged


def new_flags(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Groups flagged in ``after`` that were not in ``before`` (two results of :func:`fairness`)."""
    old = {(g["dimension"], g["value"], flag) for g in before["groups"] for flag in g["flags"]}
    return [g for g in after["groups"] if any((g["dimension"], g["value"], f) not in old for f in g["flags"])]
