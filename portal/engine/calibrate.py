"""Accuracy testing and calibration against local cases with known weekly costs (numpy and scipy live here only).

``read_cases`` reads a CSV in the accuracy-testing format (the Needs Profile columns, case_id and
actual_weekly_cost in pounds) and reports every bad row and column at once. ``accuracy`` compares a
configuration's estimates with the actual costs (R², median absolute percentage error, shares within ±10% and
±20%, outliers) beside an additive "£ per point" fit on the same cases. ``fit`` calibrates a configuration's
coefficients to the cases while keeping its structure (the same lines, rates, terms and ratios), so every
estimate still breaks down by area of need:

* the base log-hours per area and level, as a first level plus non-negative steps (more need never lowers a
  budget), each area's steps shrunk toward steps shared by all areas so rare levels borrow strength;
* each term's log effect, bounded at zero from below where the term is on a need (memory, behaviour, mobility,
  fluctuating needs, two carers), so more need never lowers a budget;
* nights a week for each night-time support level (kept in increasing order of weekly cost);
* the contingency's extra percentage for fluctuating needs.

Unpaid support enters as (1 - share) of the paid time, so more unpaid support can never raise a budget whatever
the coefficients. The loss is a robust (soft L1) loss on log(estimate / actual), so a few outliers from
specialist providers do not pull the fit. Rates, minimum times, staffing ratios and respite stay as the
council set them: they are local decisions, not coefficients.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from portal.engine.calculator import estimate
from portal.engine.case_file import (  # noqa: F401 - the cases file's reader, re-exported where it always was
    CASE_CODES,
    CASE_COLUMNS,
    GROUP_COLUMNS,
    MAX_WEEKLY_PENCE,
    Case,
    CaseFileError,
    read_cases,
)
from portal.engine.configuration import Configuration, demo_configuration
from portal.engine.profile import (
    AREAS,
    CLIENT_GROUPS,
    FACTORS,
    NEED_RAISING,
    NeedsProfile,
)

#: A case is flagged as an outlier when actual / estimate is above this factor or below its inverse.
OUTLIER_FACTOR = 1.5
#: Relative change in the loss below which the fit stops.
FTOL = 1e-8
_NA = len(AREAS)


# ----------------------------------------------------------------------------------------------------------
# Accuracy


@dataclass(frozen=True, slots=True)
class CaseResult:
    """A case's estimate beside its actual weekly cost (pence)."""

    case_id: str
    estimate_pence: int
    actual_pence: int

    @property
    def ratio(self) -> float:
        """Actual cost over estimate (inf when the estimate is 0)."""
        return self.actual_pence / self.estimate_pence if self.estimate_pence else math.inf


@dataclass(frozen=True, slots=True)
class Figures:
    """Accuracy figures: R² on pounds, median absolute % error and shares within ±10% and ±20% (fractions)."""

    r2: float
    mdape: float
    within_10: float
    within_20: float
    outliers: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping (fractions from 0 to 1, rounded to 4 decimals)."""
        return {
            "r2": round(self.r2, 4),
            "mdape": round(self.mdape, 4),
            "within_10": round(self.within_10, 4),
            "within_20": round(self.within_20, 4),
            "outliers": list(self.outliers),
        }


@dataclass(frozen=True, slots=True)
class AccuracyReport:
    """How close a configuration's estimates are to actual costs, beside an additive £-per-point fit."""

    figures: Figures
    cases: tuple[CaseResult, ...]
    additive: Figures
    additive_cases: tuple[CaseResult, ...]
    config_label: str
    config_hash: str

    @property
    def r2(self) -> float:
        """R² of the estimates against actual costs."""
        return self.figures.r2

    @property
    def mdape(self) -> float:
        """Median absolute percentage error, as a fraction."""
        return self.figures.mdape

    @property
    def within_10(self) -> float:
        """Share of cases within ±10% of actual cost."""
        return self.figures.within_10

    @property
    def within_20(self) -> float:
        """Share of cases within ±20% of actual cost."""
        return self.figures.within_20

    @property
    def outliers(self) -> tuple[str, ...]:
        """Case ids flagged for investigation."""
        return self.figures.outliers

    def to_dict(self) -> dict[str, Any]:
        """The JSON the ``ras accuracy`` command prints."""
        out = self.figures.to_dict()
        out["cases"] = [
            {"case_id": c.case_id, "estimate": c.estimate_pence / 100, "actual": c.actual_pence / 100}
            for c in self.cases
        ]
        out["additive"] = self.additive.to_dict()
        out["config_label"] = self.config_label
        out["config_hash"] = self.config_hash
        return out


def figures(results: Sequence[CaseResult], outlier_factor: float = OUTLIER_FACTOR) -> Figures:
    """Accuracy figures for estimates beside actual costs."""
    est = np.array([r.estimate_pence for r in results], dtype=float)
    act = np.array([r.actual_pence for r in results], dtype=float)
    ape = np.abs(est - act) / act
    ss_res = float(np.sum((act - est) ** 2))
    ss_tot = float(np.sum((act - act.mean()) ** 2))
    limit = math.log(outlier_factor)
    with np.errstate(divide="ignore"):
        log_ratio = np.abs(np.log(act) - np.log(np.maximum(est, 0.5)))
    outliers = tuple(r.case_id for r, flag in zip(results, log_ratio > limit, strict=True) if flag)
    return Figures(
        r2=1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0,
        mdape=float(np.median(ape)),
        within_10=float(np.mean(ape <= 0.10)),
        within_20=float(np.mean(ape <= 0.20)),
        outliers=outliers,
    )


def _additive_features(profiles: Sequence[NeedsProfile]) -> Any:
    rows = []
    for p in profiles:
        row = [1.0]
        row += [p.needs[a] * (4 - p.unpaid_quarters[a]) / 4 for a in range(_NA)]
        row += [1.0 if p.client_group == g else 0.0 for g in CLIENT_GROUPS[1:]]
        row += [1.0 if p.setting == "supported_living" else 0.0]
        row += [float(getattr(p, f)) for f in FACTORS[2:]]
        row += [float(p.night), float(p.carer_breaks_weeks)]
        rows.append(row)
    return np.array(rows)


def additive_fit(cases: Sequence[Case]) -> tuple[CaseResult, ...]:
    """Estimates from an additive "£ per point" model (points per answer x a price) fitted to the same cases."""
    x = _additive_features([c.profile for c in cases])
    y = np.array([c.actual_pence for c in cases], dtype=float)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    pred = np.maximum(x @ coef, 0.0)
    return tuple(
        CaseResult(c.case_id, int(round(v)), c.actual_pence) for c, v in zip(cases, pred, strict=True)
    )


def accuracy(
    cases: Sequence[Case], config: Configuration, *, outlier_factor: float = OUTLIER_FACTOR
) -> AccuracyReport:
    """Compare a configuration's estimates with the cases' actual costs, beside an additive fit."""
    if not cases:
        raise ValueError("accuracy needs at least one case")
    results = tuple(
        CaseResult(c.case_id, estimate(c.profile, config).total_weekly_pence, c.actual_pence) for c in cases
    )
    return _report(results, additive_fit(cases), config, outlier_factor)


def _report(
    results: tuple[CaseResult, ...],
    additive: tuple[CaseResult, ...],
    config: Configuration,
    outlier_factor: float,
) -> AccuracyReport:
    return AccuracyReport(
        figures=figures(results, outlier_factor),
        cases=results,
        additive=figures(additive, outlier_factor),
        additive_cases=additive,
        config_label=config.label,
        config_hash=config.content_hash,
    )


# ----------------------------------------------------------------------------------------------------------
# Calibration


class _Design:
    """The cases and a configuration's structure as arrays, and the vectorised (smooth) engine model."""

    def __init__(self, cases: Sequence[Case], config: Configuration) -> None:
        self.config = config
        profiles = [c.profile for c in cases]
        self.n = len(profiles)
        self.need = np.array([p.needs for p in profiles])
        self.paid_share = 1.0 - np.array([p.unpaid_quarters for p in profiles]) / 4.0
        self.level = np.clip(self.need - 1, 0, 3)
        self.has_need = self.need > 0
        self.y = np.log(np.array([c.actual_pence for c in cases], dtype=float))
        keys = np.array([p.factor_key for p in profiles])
        gs = keys[:, 0] * 2 + keys[:, 1]
        behaviour = keys[:, 4]
        self.fluctuating = keys[:, 6].astype(float)
        # Terms: X[i, t] = 1 when case i meets term t's conditions; M[t, a] = 1 when term t applies to area a.
        terms = config.terms
        self.x = np.zeros((self.n, len(terms)))
        self.m = np.zeros((len(terms), _NA))
        for t, term in enumerate(terms):
            match = np.ones(self.n, dtype=bool)
            for index, values in term.conditions:
                match &= np.isin(keys[:, index], sorted(values))
            self.x[:, t] = match
            self.m[t, list(term.areas)] = 1.0
        self.raising = np.array([any(f in NEED_RAISING for f in term.fields) for term in terms], dtype=bool)
        # Money per paid hour of each area: the line's rate, over the staffing ratio where there is one.
        line_rates = np.array(config.line_rates)[gs]  # (n, lines)
        self.area_rate = np.zeros((self.n, _NA))
        for a in range(_NA):
            spec = config.lines[config.area_line[a]]
            rate = line_rates[:, spec.index].astype(float)
            if spec.ratios:
                rate = rate / np.array(spec.ratios, dtype=float)[behaviour]
            self.area_rate[:, a] = rate
        self.min_hours = np.array(config.minimum_minutes, dtype=float) / 60.0
        self.fixed = np.zeros(self.n)
        w = config.weeks_per_year
        if config.carer_breaks_kind is not None:
            weeks = np.array([p.carer_breaks_weeks for p in profiles], dtype=float)
            self.fixed += weeks * np.array(config.breaks_rates)[gs] * w.denominator / w.numerator
        self.night = np.array([p.night for p in profiles])
        self.has_night_line = any(spec.source == "night" for spec in config.lines)
        self.night_rates = np.zeros((self.n, 4))
        for level in (1, 2, 3):
            spec_level = config.night_levels[level]
            if spec_level is not None:
                kind = spec_level[0]
                self.night_rates[:, level] = [config.rates[kind][(k[0], k[1])] for k in keys]
        self.contingency_rate = np.array(config.contingency_rates, dtype=float)[gs]
        self.contingency_fixed = (
            config.contingency_minutes / 60.0 * self.contingency_rate * w.denominator / w.numerator
        )
        self.contingency_percent = float(config.contingency_percent)

    def unpack(self, p: Any) -> dict[str, Any]:
        nt = self.x.shape[1]
        return {
            "first": p[:_NA],
            "steps": p[_NA : 4 * _NA].reshape(_NA, 3),
            "shared": p[4 * _NA : 4 * _NA + 3],
            "terms": p[4 * _NA + 3 : 4 * _NA + 3 + nt],
            "nights": p[4 * _NA + 3 + nt : 4 * _NA + 6 + nt],
            "fluctuating": p[4 * _NA + 6 + nt],
        }

    def base(self, q: dict[str, Any]) -> Any:
        return np.cumsum(np.column_stack([q["first"], q["steps"]]), axis=1)

    def _forward(self, p: Any) -> tuple[dict[str, Any], Any, Any, Any, Any]:
        """(coefficients, hours before minimums, paid hours, money before contingency, contingency percent)."""
        q = self.unpack(p)
        base = self.base(q)
        log_hours = base[np.arange(_NA)[None, :], self.level] + self.x @ (q["terms"][:, None] * self.m)
        hours = np.exp(log_hours) * self.paid_share * self.has_need
        paid = np.where(hours > 0, np.maximum(hours, self.min_hours[None, :]), 0.0)
        money = (paid * self.area_rate).sum(axis=1) + self.fixed
        if self.has_night_line:
            nights = np.concatenate([[0.0], q["nights"]])
            money = money + self.night_rates[np.arange(self.n), self.night] * nights[self.night]
        percent = self.contingency_percent + self.fluctuating * q["fluctuating"]
        return q, hours, paid, money, percent

    def predict(self, p: Any) -> Any:
        """Smooth weekly pence per case (no quantising): the engine's steps as arrays."""
        _, _, _, money, percent = self._forward(p)
        return money * (1.0 + percent / 100.0) + np.where(money > 0, self.contingency_fixed, 0.0)

    def jacobian(self, p: Any) -> Any:
        """d log(prediction) / d coefficient for every case (rows) and coefficient (columns)."""
        q, hours, paid, money, percent = self._forward(p)
        pred = np.maximum(
            money * (1.0 + percent / 100.0) + np.where(money > 0, self.contingency_fixed, 0.0), 1e-6
        )
        scale = (1.0 + percent / 100.0) / pred  # d log(pred) / d money
        # d money / d log-hours of each area: zero where the minimum time (a constant) applies
        g = np.where((hours > 0) & (hours >= self.min_hours[None, :]), paid, 0.0) * self.area_rate
        nt = self.x.shape[1]
        jac = np.zeros((self.n, len(p)))
        jac[:, :_NA] = g
        for k in range(3):
            jac[:, _NA + k : 4 * _NA : 3] = g * (self.level > k)
        jac[:, 4 * _NA + 3 : 4 * _NA + 3 + nt] = self.x * (g @ self.m.T)
        if self.has_night_line:
            for level in (1, 2, 3):
                jac[:, 4 * _NA + 3 + nt + level - 1] = self.night_rates[:, level] * (self.night == level)
        jac *= scale[:, None]
        jac[:, -1] = money * self.fluctuating / 100.0 / pred
        return jac

    def start(self) -> tuple[Any, Any, Any]:
        """Starting point (the configuration's own coefficients) and bounds."""
        config = self.config
        model = config.to_dict()["model"]
        base = np.array([model["base_log_hours"][a] for a in AREAS], dtype=float)
        steps = np.diff(base, axis=1)
        terms = np.array([t.log_effect for t in config.terms], dtype=float)
        nights = [float(level[1]) if level else 0.0 for level in config.night_levels[1:]]
        p0 = np.concatenate(
            [
                base[:, 0],
                steps.ravel(),
                steps.mean(axis=0),
                terms,
                nights,
                [float(config.contingency_fluctuating_percent)],
            ]
        )
        lower = np.full(p0.shape, -np.inf)
        upper = np.full(p0.shape, np.inf)
        lower[:_NA] = -10.0
        upper[:_NA] = 6.0
        lower[_NA : 4 * _NA] = 0.0
        lower[4 * _NA : 4 * _NA + 3] = 0.0
        nt = len(terms)
        lower[4 * _NA + 3 : 4 * _NA + 3 + nt] = np.where(self.raising, 0.0, -5.0)
        upper[4 * _NA + 3 : 4 * _NA + 3 + nt] = 5.0
        lower[4 * _NA + 3 + nt : 4 * _NA + 6 + nt] = 0.0
        upper[4 * _NA + 3 + nt : 4 * _NA + 6 + nt] = 7.0
        lower[-1] = 0.0
        upper[-1] = 100.0
        p0 = np.clip(p0, lower + 1e-9, np.where(np.isfinite(upper), upper - 1e-9, upper))
        return p0, lower, upper


def fit(
    cases: Sequence[Case],
    base: Configuration | None = None,
    *,
    label: str | None = None,
    shrinkage: float = 3.0,
    f_scale: float = 0.1,
    progress: Callable[[str], None] | None = None,
    prior: float = 0.0,
    price: bool = False,
    max_nfev: int = 400,
) -> Configuration:
    """Calibrate a configuration's coefficients to the cases; return a new configuration (same structure).

    ``prior`` > 0 pulls every coefficient toward the base's own (a penalty of ``prior`` times its squared
    distance, per coefficient: shrinkage toward what the base already knows, so a small sample moves it only as
    far as the evidence supports). ``price`` adds one overall price factor, fitted freely, which multiplies every
    rate of the result (weekly costs cannot tell a dearer market from more hours; with a prior, a uniform shift
    goes into the one price rather than into every area's hours). Rates are otherwise never changed.
    """
    if len(cases) < 30:
        raise ValueError("calibration needs at least 30 cases")
    base = base or demo_configuration()
    design = _Design(cases, base)
    p0, lower, upper = design.start()
    anchor = p0.copy()
    m = len(p0)
    if price:  # the log of the price factor, last; at most e^±1
        p0, lower, upper = np.append(p0, 0.0), np.append(lower, -1.0), np.append(upper, 1.0)
    # Observed levels per area: a step toward a level no case has is left at the shared step.
    seen = np.array([[np.any(design.need[:, a] >= level) for level in (2, 3, 4)] for a in range(_NA)])

    weights = shrinkage * np.where(seen, 1.0, 10.0)  # (areas, 3)
    # The prior's scale per coefficient: log coefficients as they are, nights a week in nights, percent / 10.
    prior_w = math.sqrt(prior) * np.ones(m)
    prior_w[-1] /= 10.0

    def residuals(p: Any) -> Any:
        q = design.unpack(p[:m])
        fit_part = np.log(np.maximum(design.predict(p[:m]), 1e-6)) + (p[m] if price else 0.0) - design.y
        shrink = (q["steps"] - q["shared"][None, :]) * weights
        parts = [fit_part, shrink.ravel()]
        if prior:
            parts.append((p[:m] - anchor) * prior_w)
        return np.concatenate(parts)

    penalty = np.zeros((3 * _NA, len(p0)))
    for a in range(_NA):
        for k in range(3):
            penalty[3 * a + k, _NA + 3 * a + k] = weights[a, k]
            penalty[3 * a + k, 4 * _NA + k] = -weights[a, k]
    prior_rows = np.zeros((m if prior else 0, len(p0)))
    if prior:
        prior_rows[:, :m] = np.diag(prior_w)

    def jacobian(p: Any) -> Any:
        data = design.jacobian(p[:m])
        if price:
            data = np.column_stack([data, np.ones(design.n)])
        return np.vstack([data, penalty, prior_rows])

    if progress:
        progress(f"fitting {len(p0)} coefficients to {len(cases)} cases")
    # One BLAS thread: these matrices are small, and OpenBLAS's threads spinning on a busy two-core host made each
    # decomposition some fifty times slower (0.35 s against 0.006 s, measured here).
    with threadpool_limits(limits=1, user_api="blas"):
        solution = least_squares(
            residuals,
            p0,
            jac=jacobian,
            bounds=(lower, upper),
            loss="soft_l1",
            f_scale=f_scale,
            x_scale="jac",
            max_nfev=max_nfev,
            ftol=FTOL,
        )
    if progress:
        progress(f"done after {solution.nfev} evaluations ({solution.message})")
    q = design.unpack(solution.x[:m])
    config = _configuration(base, design, q, label or f"{base.label} (calibrated on {len(cases)} cases)")
    if price:
        config = with_price_factor(config, math.exp(float(solution.x[m])))
    return config


def with_price_factor(config: Configuration, factor: float) -> Configuration:
    """The configuration with every rate (and every override of it) multiplied by ``factor``, to the penny."""
    data = config.to_dict()
    for spec in data["rates"].values():
        for key, value in spec.items():
            if key == "per":
                continue
            if isinstance(value, dict):
                spec[key] = {s: max(1, round(v * factor)) for s, v in value.items()}
            else:
                spec[key] = max(1, round(value * factor))
    return Configuration(data)


def _configuration(base: Configuration, design: _Design, q: dict[str, Any], label: str) -> Configuration:
    data = base.to_dict()
    levels = design.base(q)
    data["label"] = label
    data["effective_date"] = None
    data["model"]["base_log_hours"] = {
        area: [round(float(v), 4) for v in np.maximum.accumulate(levels[a])] for a, area in enumerate(AREAS)
    }
    for term, value in zip(data["model"]["terms"], q["terms"], strict=True):
        term["log_effect"] = round(float(value), 4)
    if data["night_support"]:
        rates = [
            [base.rates[level[0]][gs] for gs in sorted(base.rates[level[0]])] if level else []
            for level in base.night_levels[1:]
        ]
        nights = monotone_nights([float(v) for v in q["nights"]], rates, whole=True)
        for item in data["night_support"]:
            item["nights_per_week"] = nights[item["level"] - 1]
    data["contingency"]["fluctuating_percent"] = round(float(q["fluctuating"]), 2)
    return Configuration(data)


def monotone_nights(nights: list[float], rates: list[list[int]], *, whole: bool = False) -> list[float]:
    """Nights a week per night level (to 2 dp, or whole, at most 7) whose weekly cost never falls as the level rises.

    ``rates[level][k]`` is the rate per night of that level's kind for each client group and setting ``k``.
    Calibration asks for ``whole`` nights: a provider sells nights, not fractions of one.
    """
    unit = 1.0 if whole else 0.01
    out = [min(max(round(n / unit) * unit, 0.0), 7.0) for n in nights]
    for level in range(1, len(out)):
        # the fewest nights at this level that cost at least the level below, for every group and setting
        needed = max(
            prev * out[level - 1] / cur for prev, cur in zip(rates[level - 1], rates[level], strict=True)
        )
        if out[level] < needed:
            out[level] = math.ceil(needed / unit - 1e-9) * unit
        if out[level] > 7.0:
            # cannot reach the level below within a week: lower the levels below instead
            out[level] = 7.0
            for lower in range(level, 0, -1):
                ratio = min(cur / prev for prev, cur in zip(rates[lower - 1], rates[lower], strict=True))
                out[lower - 1] = min(out[lower - 1], math.floor(out[lower] * ratio / unit + 1e-9) * unit)
    return [round(n, 2) if not whole else float(int(n)) for n in out]


def cross_validate(
    cases: Sequence[Case],
    base: Configuration | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    outlier_factor: float = OUTLIER_FACTOR,
    progress: Callable[[str], None] | None = None,
    **fit_options: Any,
) -> AccuracyReport:
    """Held-out accuracy: each case estimated by a configuration fitted on the other folds."""
    base = neutral(base or demo_configuration())
    order = np.random.default_rng(seed).permutation(len(cases))
    held: dict[int, int] = {}
    for k, fold in enumerate(np.array_split(order, folds)):
        if progress:
            progress(f"fold {k + 1} of {folds}")
        held_out = set(fold.tolist())
        train = [cases[i] for i in order if i not in held_out]
        config = fit(train, base, **fit_options)
        for i in fold.tolist():
            held[i] = estimate(cases[i].profile, config).total_weekly_pence
    results = tuple(CaseResult(c.case_id, held[i], c.actual_pence) for i, c in enumerate(cases))
    return _report(results, additive_cross_validate(cases, order, folds), base, outlier_factor)


def neutral(config: Configuration) -> Configuration:
    """The configuration with neutral coefficients (every term 0, the same base hours for every area).

    Cross-validation fits from this start so no fold starts from coefficients that saw its held-out cases.
    """
    data = config.to_dict()
    data["model"]["base_log_hours"] = {area: list(NEUTRAL_BASE) for area in AREAS}
    for term in data["model"]["terms"]:
        term["log_effect"] = 0.0
    return Configuration(data)


#: Neutral base log-hours for levels 1-4 (about 1, 2.5, 5 and 9 hours a week).
NEUTRAL_BASE = (0.0, 0.9, 1.6, 2.2)


def held_out_report(
    cases: Sequence[Case],
    estimates: Sequence[int],
    folds: Sequence[Sequence[int]],
    config: Configuration,
    outlier_factor: float = OUTLIER_FACTOR,
) -> AccuracyReport:
    """The accuracy report of held-out estimates, beside the additive model held out on the same folds."""
    results = tuple(CaseResult(c.case_id, e, c.actual_pence) for c, e in zip(cases, estimates, strict=True))
    return _report(results, additive_cross_validate(cases, None, 0, splits=folds), config, outlier_factor)


def additive_cross_validate(
    cases: Sequence[Case], order: Any, folds: int, *, splits: Sequence[Sequence[int]] | None = None
) -> tuple[CaseResult, ...]:
    """Held-out estimates of the additive £-per-point model, on the same folds."""
    x = _additive_features([c.profile for c in cases])
    y = np.array([c.actual_pence for c in cases], dtype=float)
    pred = np.zeros(len(cases))
    for fold in splits if splits is not None else np.array_split(order, folds):
        fold = np.asarray(fold, dtype=int)
        mask = np.ones(len(cases), dtype=bool)
        mask[fold] = False
        coef, *_ = np.linalg.lstsq(x[mask], y[mask], rcond=None)
        pred[fold] = np.maximum(x[fold] @ coef, 0.0)
    return tuple(
        CaseResult(c.case_id, int(round(v)), c.actual_pence) for c, v in zip(cases, pred, strict=True)
    )
