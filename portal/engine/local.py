"""Calibration from a council's own small sample, borrowing strength from the configuration it starts from.

A council can test accuracy on the 100 to 300 people it completes the questions for. Fitting every coefficient
afresh on so few cases overfits; scaling the starting configuration by one local factor ignores what the cases
say about hours. :func:`calibrate` does between the two, as far as the local evidence supports:

* the hour coefficients (base log-hours per area and level, the terms, nights a week, the fluctuating-needs
  percentage) are pulled toward the starting configuration's own by a penalty whose strength is chosen by
  cross-validation on the local cases, from :data:`STRENGTHS` and "one factor only" (infinitely strong);
* at most one overall price factor multiplies every rate. Weekly costs alone cannot tell a dearer rate from more
  hours, so a uniform difference goes into this one visible number rather than into every area's hours. The
  factor is reported (:attr:`Calibration.price_factor`) and every rate it moves can be listed
  (:func:`rate_changes`); no rate is moved in any other way.

``start=None`` (the command line's ``--from none``) is the fit from scratch: neutral coefficients, no penalty,
no price factor.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from portal.engine.calculator import estimate
from portal.engine.calibrate import fit, neutral, with_price_factor
from portal.engine.case_file import Case
from portal.engine.configuration import Configuration

#: Penalty strengths tried by cross-validation (per coefficient, against one case's robust squared log error).
STRENGTHS: tuple[float, ...] = (0.25, 1.0, 4.0, 16.0, 64.0)
#: "Only the price factor": the starting configuration times one local factor.
FACTOR_ONLY = math.inf
#: Held-out errors are capped at this log ratio when choosing a strength, so a few outliers cannot decide it.
CAP = math.log(1.5)
#: Iterations allowed to each cross-validation fit (the final fit gets the engine's default).
CV_NFEV = 60


@dataclass(frozen=True)
class Calibration:
    """A calibrated configuration and how it was reached."""

    config: Configuration
    start: Configuration | None  # None: fitted from scratch
    strength: float | None  # the chosen penalty strength; inf: one factor only; None: from scratch
    price_factor: float  # what every rate was multiplied by (1.0: rates unchanged)
    scores: dict[float, float] = field(default_factory=dict)  # held-out capped error per strength tried
    #: each case's estimate by the chosen strength fitted without it (cross-validation), in case order
    held_out: tuple[int, ...] = ()
    folds: tuple[tuple[int, ...], ...] = ()

    @property
    def factor_only(self) -> bool:
        """True when the local cases supported no more than one factor on the starting configuration."""
        return self.strength == FACTOR_ONLY


def local_factor(cases: Sequence[Case], config: Configuration) -> float:
    """One factor for the configuration's estimates: the median of actual over estimate (robust to outliers)."""
    ratios = [
        math.log(c.actual_pence / max(estimate(c.profile, config).total_weekly_pence, 1)) for c in cases
    ]
    return math.exp(statistics.median(ratios))


def scaled(config: Configuration, factor: float, label: str | None = None) -> Configuration:
    """The baseline: the configuration with every rate times one factor (and, if given, a new label)."""
    out = with_price_factor(config, factor)
    return out.with_changes(label=label) if label else out


def _estimates(cases: Sequence[Case], config: Configuration) -> list[int]:
    return [estimate(c.profile, config).total_weekly_pence for c in cases]


def _capped(cases: Sequence[Case], estimates: Sequence[int]) -> list[float]:
    return [
        min(abs(math.log(c.actual_pence / max(e, 1))), CAP) for c, e in zip(cases, estimates, strict=True)
    ]


def calibrate(
    cases: Sequence[Case],
    start: Configuration | None,
    *,
    base: Configuration | None = None,
    folds: int = 5,
    strengths: Sequence[float] = STRENGTHS,
    price: bool = True,
    seed: int = 0,
    label: str | None = None,
    progress: Callable[[str], None] | None = None,
    flagged: Callable[[Sequence[int]], frozenset[str]] | None = None,
) -> Calibration:
    """Calibrate on local cases, starting from ``start`` (shrinkage chosen by cross-validation).

    ``start=None`` fits from scratch on ``base``'s structure and rates. ``price=False`` keeps every rate as it
    is (a uniform difference then goes into the hours). ``flagged``, given every case's held-out estimate,
    names the groups of people whose figures stand apart; a strength that flags a group the one-factor baseline
    does not is never chosen.
    """
    source = start or base
    if source is None:
        raise ValueError("calibrating from scratch needs a configuration for its structure and rates")
    label = label or f"{source.label} (calibrated on {len(cases)} cases)"
    if start is None:
        config = fit(cases, neutral(source), label=label, progress=progress)
        return Calibration(config, None, None, 1.0)
    if len(cases) < 30:
        raise ValueError("calibration needs at least 30 cases")
    folds = max(2, min(folds, len(cases) // 15))
    order = list(range(len(cases)))
    random.Random(seed).shuffle(order)
    splits = [order[k::folds] for k in range(folds)]
    candidates = [*strengths, FACTOR_ONLY]
    errors: dict[float, list[float]] = {s: [] for s in candidates}
    held_out: dict[float, dict[int, int]] = {s: {} for s in candidates}
    for k, held in enumerate(splits):
        if progress:
            progress(f"fold {k + 1} of {folds}")
        held_set = set(held)
        train = [cases[i] for i in range(len(cases)) if i not in held_set]
        test = [cases[i] for i in held]
        factor = local_factor(train, start)
        fitted_by = {FACTOR_ONLY: with_price_factor(start, factor) if price else start}
        for strength in strengths:
            fitted_by[strength] = fit(train, start, prior=strength, price=price, max_nfev=CV_NFEV)
        for strength, fitted in fitted_by.items():
            estimates = _estimates(test, fitted)
            errors[strength] += _capped(test, estimates)
            held_out[strength].update(zip(held, estimates, strict=True))
    scores = {s: statistics.fmean(e) for s, e in errors.items()}
    if flagged is not None:
        # never buy overall accuracy with one group's bias: a strength whose held-out estimates flag a group that
        # one local factor alone does not is left out
        baseline = flagged([held_out[FACTOR_ONLY][i] for i in range(len(cases))])
        fair = [s for s in candidates if flagged([held_out[s][i] for i in range(len(cases))]) <= baseline]
        candidates = fair or [FACTOR_ONLY]
    strength = choose_strength({s: errors[s] for s in candidates})
    if progress:
        progress(f"strength {strength} chosen")
    if strength == FACTOR_ONLY:
        factor = local_factor(cases, start) if price else 1.0
        config = scaled(start, factor).with_changes(label=label, effective_date=None)
    else:
        config = fit(cases, start, prior=strength, price=price, label=label, progress=progress)
        factor = _price_factor(start, config) if price else 1.0
    chosen = tuple(held_out[strength][i] for i in range(len(cases)))
    return Calibration(config, start, strength, factor, scores, chosen, tuple(tuple(s) for s in splits))


def choose_strength(errors: dict[float, list[float]]) -> float:
    """The one-standard-error rule over each strength's held-out errors: the strongest pull whose mean error is
    within one standard error of the best one's, so a small sample, whose errors are noisy, keeps more of what
    the start already knows."""
    scores = {s: statistics.fmean(e) for s, e in errors.items()}
    best = min(scores, key=lambda s: scores[s])
    spread = statistics.stdev(errors[best]) / math.sqrt(len(errors[best])) if len(errors[best]) > 1 else 0.0
    return max(s for s in scores if scores[s] <= scores[best] + spread)


def _price_factor(start: Configuration, config: Configuration) -> float:
    """The factor the rates were multiplied by (read back from the largest rate, the most precise)."""
    kind = max(start.rate_defaults, key=lambda k: start.rate_defaults[k])
    return config.rate_defaults[kind] / start.rate_defaults[kind]


def rate_changes(before: Configuration, after: Configuration) -> list[tuple[str, str, int, int]]:
    """(kind, unit, pence before, pence after) for every default rate that differs: what a price factor moved."""
    return [
        (kind, before.rate_units[kind], before.rate_defaults[kind], after.rate_defaults[kind])
        for kind in before.rate_defaults
        if kind in after.rate_defaults and before.rate_defaults[kind] != after.rate_defaults[kind]
    ]
