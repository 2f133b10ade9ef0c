"""The Resource Allocation System: Needs Profile + Configuration -> explained Estimate.

Steps, for each area of need with a level above 0 (and found eligible, when ``eligible`` is given):

1. Predicted hours a week, before unpaid support: ``exp(base[area, level] + sum of the log effects of every
   factor or pairwise interaction term whose conditions the profile meets and which applies to the area)``.
   This float is the only inexact number in the engine, and it is quantised before any money is computed.
2. Paid minutes = predicted minutes x (1 - unpaid share). When this is above zero it is raised to the area's
   minimum allocation time, then rounded half up to a whole number of rounding increments (e.g. 15 minutes).
3. A line's time is the sum of its areas' paid minutes. Where the line has a staffing ratio (people per carer,
   by level of behaviour that challenges), that sum is the time in a group activity and the paid time is the
   group time divided by the ratio, rounded half up to the increment again (3 hours at 1:3 = 1 paid hour).
4. Money per line = rate (pence an hour for the line's kind of support, client group and setting) x paid
   hours, rounded half up to the penny once. The night-time support line is nights a week x the rate per
   night of the kind for the person's night level; the carer breaks line is weeks a year x the weekly respite
   rate / weeks in a year; each is rounded half up to the penny once.
5. Contingency, only when another line has money: a fixed number of hours a year, plus a percentage (and a
   further percentage for fluctuating needs) of the other lines' weekly total, turned into hours a year at
   the contingency rate and rounded half up to the increment; its weekly amount is those hours x the rate /
   weeks in a year, rounded half up to the penny once.
6. The weekly total is the sum of the lines (never rounded again). The yearly total is the weekly total x
   weeks in a year, and the indicative range the weekly total x (1 - below) and x (1 + above), each rounded
   half up to the penny once.
7. Funding split: each line's money goes to its funder; a pooled line is shared by the pooled split, the
   council's share rounded half up to the penny and the NHS getting the remainder. Percentages of the total
   are given to 2 decimals by the largest-remainder method, so they always add up to exactly 100.00.

Unpaid help at night (an optional profile field, none by default) takes its share off the night line's amount
and nights, as an area's unpaid share takes its share off the area's time.

"What would change it": for each area (and the night line) where unpaid support is counted, the weekly total with
that unpaid share set to none, minus the weekly total (computed by the same steps, line and contingency only).
Only rises above zero are listed: a change worth nothing tells the person nothing.

In "ipb" mode (an Independent Personal Budget for a self-funder) the same figures show what the council would
pay at its own rates; lines carry no funder and there is no split, and where the configuration has a care cap a
care-account projection says how much counts toward the cap each week and how many weeks until it is reached.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from portal.engine.configuration import Configuration, FactorInfo, LineSpec, TermSpec
from portal.engine.money import round_half_up
from portal.engine.profile import (
    AREAS,
    CLIENT_GROUPS,
    SETTINGS,
    UNPAID_SHARES,
    Profile,
    ProfileError,
)
from portal.engine.result import (
    CARER_BREAKS,
    CONTINGENCY_UPLIFT,
    LESS_TIME,
    LOCAL_RATE,
    MINIMUM_TIME,
    MORE_TIME,
    NEED_LEVEL,
    NIGHT_SUPPORT,
    NOT_ELIGIBLE,
    STAFFING_RATIO,
    UNPAID_SUPPORT,
    CareAccount,
    Estimate,
    FunderShare,
    Line,
    Reason,
    make_line,
    make_reason,
)
from portal.engine.result import (
    make_change as _make_change,
)
from portal.engine.result import (
    make_estimate as _make_estimate,
)
from portal.engine.result import (
    make_share as _make_share,
)

#: Bump whenever a change could move a penny, an hour or a reason in any estimate (tests/engine/test_golden.py).
#: 1.1.0: unpaid help at night counted on the night line; "what would change it" lists only rises above zero.
ENGINE_VERSION = "1.1.0"

MODES: tuple[str, ...] = ("personal", "ipb")
#: What an assessor may find eligible under a configuration of the adult tool's areas (``config.eligible_keys``
#: for any configuration).
ELIGIBLE_KEYS: tuple[str, ...] = (*AREAS, "night", "carer_breaks")

# Decimal values are memoised: building a Decimal costs more than the rest of a line's arithmetic.
_HUNDREDTHS: dict[int, Decimal] = {}
_MINUTE_HOURS: dict[int, Decimal] = {}
_MEMO_LIMIT = 50_000
_AREA_CACHE_LIMIT = 200_000
_CENT = Decimal("0.01")


def _hundredths(value: int) -> Decimal:
    d = _HUNDREDTHS.get(value)
    if d is None:
        d = Decimal(value).scaleb(-2)
        if len(_HUNDREDTHS) < _MEMO_LIMIT:
            _HUNDREDTHS[value] = d
    return d


def _hours(minutes: int) -> Decimal:
    d = _MINUTE_HOURS.get(minutes)
    if d is None:
        d = (Decimal(minutes) / 60).quantize(_CENT, ROUND_HALF_UP)
        if len(_MINUTE_HOURS) < _MEMO_LIMIT:
            _MINUTE_HOURS[minutes] = d
    return d


def _funded_mask(eligible: Iterable[str], keys: tuple[str, ...]) -> tuple[tuple[bool, ...], tuple[str, ...]]:
    if isinstance(eligible, str):
        raise ProfileError("eligible", "must be a list of areas of need, not a single string")
    chosen = set()
    for key in eligible:
        if key not in keys:
            raise ProfileError("eligible", f"{key!r} is not an area of need, 'night' or 'carer_breaks'")
        chosen.add(key)
    return tuple(k in chosen for k in keys), tuple(k for k in keys if k in chosen)


class _Tables:
    """Per-configuration values the engine reads on every estimate (built on first use)."""

    __slots__ = (
        "ratio_reasons",
        "rate_reasons",
        "night_reasons",
        "breaks_reasons",
        "uplift_reason",
        "percent",
        "weeks",
        "cont_index",
        "night_index",
        "area_lines",
        "areas",
        "level_reasons",
        "unpaid_reasons",
        "minimum_reasons",
    )

    def __init__(self, config: Configuration) -> None:
        specs = config.lines
        self.ratio_reasons = tuple(
            tuple(
                make_reason(STAFFING_RATIO, "behaviour_challenges", b, spec.key, Decimal(spec.ratios[b]))
                for b in range(3)
            )
            if spec.ratios
            else None
            for spec in specs
        )
        rate_reasons: list[tuple[Reason | None, ...]] = []
        for gs in range(len(CLIENT_GROUPS) * len(SETTINGS)):
            group, setting = CLIENT_GROUPS[gs // 2], SETTINGS[gs % 2]
            row: list[Reason | None] = []
            for spec in specs:
                rate = config.line_rates[gs][spec.index]
                if spec.kind and rate != config.rate_defaults[spec.kind]:
                    row.append(
                        make_reason(
                            LOCAL_RATE,
                            "client_group",
                            group,
                            spec.key,
                            Decimal(rate),
                            None,
                            "setting",
                            setting,
                        )
                    )
                else:
                    row.append(None)
            rate_reasons.append(tuple(row))
        self.rate_reasons = tuple(rate_reasons)
        night_key = next((spec.key for spec in specs if spec.source == "night"), "")
        self.night_index = next((spec.index for spec in specs if spec.source == "night"), -1)
        self.night_reasons = tuple(
            None if nights is None else make_reason(NIGHT_SUPPORT, "night", level, night_key, nights)
            for level, nights in enumerate(config.night_nights)
        )
        breaks_key = next((spec.key for spec in specs if spec.source == "carer_breaks"), "")
        self.breaks_reasons = tuple(
            make_reason(CARER_BREAKS, "carer_breaks_weeks", weeks, breaks_key, Decimal(weeks))
            for weeks in range(7)
        )
        cont_key = next((spec.key for spec in specs if spec.source == "contingency"), "")
        self.cont_index = next((spec.index for spec in specs if spec.source == "contingency"), -1)
        pct = config.contingency_fluctuating_percent
        self.uplift_reason = (
            make_reason(CONTINGENCY_UPLIFT, "fluctuating", 1, cont_key, _decimal(pct)) if pct else None
        )
        # Contingency percent as (numerator, denominator) for fluctuating = 0 and 1.
        low = config.contingency_percent
        high = low + pct
        self.percent = ((low.numerator, low.denominator), (high.numerator, high.denominator))
        self.weeks = (config.weeks_per_year.numerator, config.weeks_per_year.denominator)
        self.area_lines = tuple(specs[i] for i in config.area_line)
        self.areas: dict[tuple[float, int], tuple[int, int, tuple[Reason, ...]]] = {}
        # An area's reasons by what they say: (area, level, predicted hundredths of an hour, funded) and
        # (area, unpaid quarters, hundredths covered); the minimum-time reason by area and level.
        self.level_reasons: dict[tuple[int, int, int, bool], Reason] = {}
        self.unpaid_reasons: dict[tuple[int, int, int], Reason] = {}
        self.minimum_reasons = tuple(
            tuple(
                make_reason(
                    MINIMUM_TIME,
                    config.need_fields[a],
                    level,
                    self.area_lines[a].key,
                    _hours(config.minimum_minutes[a]),
                )
                for level in range(config.need_levels + 1)
            )
            for a in range(len(config.areas))
        )


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _tables(config: Configuration) -> _Tables:
    """Build and keep a configuration's tables (called when they are not kept yet)."""
    tables = _Tables(config)
    config._engine_cache["tables"] = tables
    return tables


def _area_entry(
    config: Configuration, tables: _Tables, multiplier: float, a: int, level: int, q: int, funded: bool
) -> tuple[int, int, tuple[Reason, ...]]:
    """(paid minutes, paid minutes with no unpaid support, reasons) for one area of need.

    Its reasons are kept by what they say (area, level, rounded hours), which many multipliers share.
    """
    hours = config.exp_base[a][level] * multiplier
    predicted = round(hours * 100)
    reasons = tables.level_reasons
    if len(reasons) >= _AREA_CACHE_LIMIT:
        reasons.clear()
    key = (a, level, predicted, funded)
    first = reasons.get(key)
    if first is None:
        first = reasons[key] = make_reason(
            NEED_LEVEL if funded else NOT_ELIGIBLE,
            config.need_fields[a],
            level,
            tables.area_lines[a].key,
            _hundredths(predicted),
        )
    if not funded:
        return 0, 0, (first,)
    inc = config.increment
    lowest = config.minimum_minutes[a]
    full_minutes = int(max(hours * 60.0, lowest) / inc + 0.5) * inc
    if q:
        covered = round(hours * q * 25)
        shares = tables.unpaid_reasons
        if len(shares) >= _AREA_CACHE_LIMIT:
            shares.clear()
        unpaid = shares.get((a, q, covered))
        if unpaid is None:
            unpaid = shares[(a, q, covered)] = make_reason(
                UNPAID_SUPPORT,
                config.unpaid_fields[a],
                UNPAID_SHARES[q],
                tables.area_lines[a].key,
                _hundredths(covered),
            )
        if q == 4:
            return 0, full_minutes, (first, unpaid)
        paid = hours * (4 - q) * 15.0  # minutes: hours x 60 x (4 - q) / 4
        if paid < lowest:
            return lowest, full_minutes, (first, unpaid, tables.minimum_reasons[a][level])
        return int(paid / inc + 0.5) * inc, full_minutes, (first, unpaid)
    paid = hours * 60.0
    if paid < lowest:
        return lowest, full_minutes, (first, tables.minimum_reasons[a][level])
    return int(paid / inc + 0.5) * inc, full_minutes, (first,)


def _contingency(
    config: Configuration, tables: _Tables, others: int, fluctuating: int, rate: int
) -> tuple[int, int]:
    """(minutes a year, weekly pence) of contingency, given the other lines' weekly total in pence."""
    if others <= 0 or not rate:
        return 0, 0
    weeks_num, weeks_den = tables.weeks
    inc = config.increment
    pct_num, pct_den = tables.percent[fluctuating]
    minutes = config.contingency_minutes
    if pct_num:
        # pct/100 of the weekly total, over a year, as minutes at the contingency rate, to the increment
        num = pct_num * others * weeks_num * 60
        den = pct_den * 100 * weeks_den * rate * inc
        minutes += ((2 * num + den) // (2 * den)) * inc
    amount = (2 * minutes * rate * weeks_den + 60 * weeks_num) // (120 * weeks_num)
    return minutes, amount


def estimate(
    profile: Profile,
    config: Configuration,
    *,
    eligible: Iterable[str] | None = None,
    mode: str = "personal",
    already_counted_pence: int = 0,
) -> Estimate:
    """Compute the explained weekly budget for a Needs Profile under a configuration.

    ``eligible``: the areas of need (and "night", "carer_breaks") an assessor found eligible; only those are
    funded (default: all). ``mode``: "personal" or "ipb". ``already_counted_pence``: for "ipb" with a care
    cap, the amount already counted toward the cap.
    """
    if mode != "personal" and mode != "ipb":
        raise ValueError(f"mode must be 'personal' or 'ipb' (got {mode!r})")
    if already_counted_pence < 0:
        raise ValueError("already_counted_pence must not be negative")
    if profile.areas != config.areas or profile.need_levels != config.need_levels:
        raise ProfileError("profile", "has other areas of need or levels than the configuration declares")
    n_areas = len(config.areas)
    funded, eligible_keys = (
        _funded_mask(eligible, config.eligible_keys) if eligible is not None else (config.all_funded, None)
    )
    tables = config._engine_cache.get("tables") or _tables(config)
    key = profile.factor_key
    info = config._factor_cache.get(key) or config.factor_info(key)
    multipliers = info.multipliers
    cache = tables.areas
    needs = profile.needs
    quarters = profile.unpaid_quarters
    night_q = int(profile.unpaid_night * 4)

    # Steps 1 and 2: paid minutes per area, memoised by (multiplier, area, level, unpaid share, eligibility):
    # the multiplier only depends on the terms that touch the area, so profiles share entries.
    entries: list[tuple[int, int, tuple[Reason, ...]] | None] = [None] * n_areas
    minutes = [0] * n_areas
    positive = 0  # bit mask of the areas with paid minutes
    for a in range(n_areas):
        level = needs[a]
        if level:
            q = quarters[a]
            f = funded[a]
            k = (multipliers[a], a * 1000 + level * 20 + q * 2 + f)
            entry = cache.get(k)
            if entry is None:
                entry = _area_entry(config, tables, multipliers[a], a, level, q, f)
                if len(cache) >= _AREA_CACHE_LIMIT:
                    cache.clear()
                cache[k] = entry
            entries[a] = entry
            m = entry[0]
            if m:
                minutes[a] = m
                positive |= 1 << a

    # Steps 3 and 4: lines.
    gs = key[0] * 2 + key[1]
    rates = config.line_rates[gs]
    behaviour = profile.behaviour_challenges
    inc = config.increment
    specs = config.lines
    amounts = [0] * len(specs)
    paid_minutes = [0] * len(specs)
    group_minutes = [0] * len(specs)
    for spec in specs:
        i = spec.index
        source = spec.source
        if source == "areas":
            group = 0
            for a in spec.areas:
                group += minutes[a]
            if group:
                ratios = spec.ratios
                paid = (
                    ((2 * group + ratios[behaviour] * inc) // (2 * ratios[behaviour] * inc)) * inc
                    if ratios
                    else group
                )
                group_minutes[i] = group
                paid_minutes[i] = paid
                amounts[i] = (rates[i] * paid * 2 + 60) // 120
        elif source == "night":
            if profile.night and funded[n_areas]:
                # Unpaid help at night takes its share (in quarters) off, rounded half up to the penny once.
                full = config.night_amounts[gs][profile.night]
                amounts[i] = (2 * full * (4 - night_q) + 4) // 8
        elif source == "carer_breaks":
            weeks = profile.carer_breaks_weeks
            if weeks and funded[n_areas + 1]:
                weeks_num, weeks_den = tables.weeks
                amounts[i] = (2 * weeks * config.breaks_rates[gs] * weeks_den + weeks_num) // (2 * weeks_num)

    # Step 5: contingency.
    others = sum(amounts)
    cont_index = tables.cont_index
    cont_rate = config.contingency_rates[gs]
    cont_minutes = 0
    total = others
    if cont_index >= 0:
        cont_minutes, cont_amount = _contingency(config, tables, others, profile.fluctuating, cont_rate)
        amounts[cont_index] = cont_amount
        total += cont_amount

    personal = mode == "personal"
    lines = _lines(config, profile, amounts, paid_minutes, group_minutes, rates, gs, cont_minutes, personal)
    reasons = _reasons(config, tables, profile, info, entries, positive, group_minutes, amounts, gs, funded)

    # What would change it: each area's unpaid support stopping, through its line and the contingency.
    changes = []
    area_lines = tables.area_lines
    for a in range(n_areas):
        entry = entries[a]
        if entry is None or not quarters[a] or not funded[a]:
            continue
        spec = area_lines[a]
        i = spec.index
        group = group_minutes[i] - minutes[a] + entry[1]
        ratios = spec.ratios
        paid = (
            ((2 * group + ratios[behaviour] * inc) // (2 * ratios[behaviour] * inc)) * inc
            if ratios
            else group
        )
        increase = (rates[i] * paid * 2 + 60) // 120 - amounts[i]
        if cont_index >= 0 and increase:
            increase += (
                _contingency(config, tables, others + increase, profile.fluctuating, cont_rate)[1]
                - amounts[cont_index]
            )
        if increase > 0:  # only what would move the budget is worth saying
            changes.append(
                _make_change(
                    config.areas[a], config.unpaid_fields[a], UNPAID_SHARES[quarters[a]], spec.key, increase
                )
            )
    if night_q and profile.night and funded[n_areas] and tables.night_index >= 0:
        i = tables.night_index
        increase = config.night_amounts[gs][profile.night] - amounts[i]
        if cont_index >= 0 and increase:
            increase += (
                _contingency(config, tables, others + increase, profile.fluctuating, cont_rate)[1]
                - amounts[cont_index]
            )
        if increase > 0:
            changes.append(
                _make_change("night", "unpaid_night", UNPAID_SHARES[night_q], config.lines[i].key, increase)
            )

    weeks_num, weeks_den = tables.weeks
    below = config.range_below
    above = config.range_above
    care = None
    if not personal and config.care_cap is not None:
        care = _care_account(config.care_cap, specs, amounts, total, already_counted_pence)
    return _make_estimate(
        total,
        (2 * total * weeks_num + weeks_den) // (2 * weeks_den),
        round_half_up(total * (below.denominator - below.numerator), below.denominator),
        round_half_up(total * (above.denominator + above.numerator), above.denominator),
        lines,
        _split(config, specs, amounts) if personal else (),
        reasons,
        tuple(changes),
        ENGINE_VERSION,
        config.label,
        config.content_hash,
        mode,
        eligible_keys,
        care,
    )


def _lines(
    config: Configuration,
    profile: Profile,
    amounts: list[int],
    paid_minutes: list[int],
    group_minutes: list[int],
    rates: tuple[int, ...],
    gs: int,
    cont_minutes: int,
    personal: bool,
) -> tuple[Line, ...]:
    out = []
    empty = config.empty_lines
    zero = _hours(0)
    for spec in config.lines:
        i = spec.index
        amount = amounts[i]
        if not amount:
            out.append(empty[i])
            continue
        funder = spec.funder if personal else None
        source = spec.source
        if source == "areas":
            ratios = spec.ratios
            if ratios:
                ratio = ratios[profile.behaviour_challenges]
                line = make_line(
                    spec.key,
                    spec.kind,
                    funder,
                    amount,
                    rates[i],
                    _hours(paid_minutes[i]),
                    _hours(group_minutes[i]),
                    ratio,
                    None,
                    None,
                    None,
                )
            else:
                line = make_line(
                    spec.key,
                    spec.kind,
                    funder,
                    amount,
                    rates[i],
                    _hours(paid_minutes[i]),
                    None,
                    None,
                    None,
                    None,
                    None,
                )
        elif source == "night":
            night = config.night_levels[profile.night]
            kind = night[0] if night else None
            rate = config.rates[kind][(gs // 2, gs % 2)] if kind else None
            nights = config.night_nights[profile.night]
            if profile.unpaid_night and nights is not None:
                nights = (nights * (1 - profile.unpaid_night)).quantize(_CENT, ROUND_HALF_UP)
            line = make_line(
                spec.key,
                kind,
                funder,
                amount,
                rate,
                zero,
                None,
                None,
                None,
                nights,
                None,
            )
        elif source == "carer_breaks":
            line = make_line(
                spec.key,
                config.carer_breaks_kind,
                funder,
                amount,
                config.breaks_rates[gs],
                zero,
                None,
                None,
                None,
                None,
                profile.carer_breaks_weeks,
            )
        else:
            line = make_line(
                spec.key,
                config.contingency_kind,
                funder,
                amount,
                config.contingency_rates[gs],
                zero,
                None,
                None,
                _hours(cont_minutes),
                None,
                None,
            )
        out.append(line)
    return tuple(out)


def _split(config: Configuration, specs: tuple[LineSpec, ...], amounts: list[int]) -> tuple[FunderShare, ...]:
    council = 0
    nhs = 0
    pool = config.pool_council or Fraction(0)  # a pooled line without a pooled split is refused on load
    for spec in specs:
        amount = amounts[spec.index]
        if not amount:
            continue
        funder = spec.funder
        if funder == "council":
            council += amount
        elif funder == "nhs":
            nhs += amount
        else:  # pooled
            share = (2 * amount * pool.numerator + pool.denominator) // (2 * pool.denominator)
            council += share
            nhs += amount - share
    return _shares(council, nhs)


def _shares(council: int, nhs: int) -> tuple[FunderShare, ...]:
    """Each funder's pence and percentage (2 dp, adding up to 100.00); a funder with nothing is left out."""
    if council and nhs:
        # percentages to 2 dp that add up to 100.00: the hundredth left over goes to the larger remainder
        total = council + nhs
        first, left = divmod(council * 10000, total)
        if 2 * left >= total:
            first += 1
        return (
            _make_share("council", council, _hundredths(first)),
            _make_share("nhs", nhs, _hundredths(10000 - first)),
        )
    if council:
        return (_make_share("council", council, _HUNDRED),)
    if nhs:
        return (_make_share("nhs", nhs, _HUNDRED),)
    return ()


_HUNDRED = Decimal("100.00")


def apportion(result: Estimate, council: Fraction) -> Estimate:
    """The same estimate with its whole weekly total shared by one split (``council`` of it to the council, the
    rest to the NHS), as a partnership's pooled budget or a split agreed for one person shares it.

    The council's part is rounded half up to the penny and the NHS has the remainder, as for a pooled line. Lines,
    reasons and versions are unchanged. An Independent Personal Budget has no split, and keeps none.
    """
    if not 0 <= council <= 1:
        raise ValueError("the council's share must be between 0 and 1")
    if result.mode != "personal":
        return result
    total = result.total_weekly_pence
    part = (2 * total * council.numerator + council.denominator) // (2 * council.denominator)
    return replace(result, split=_shares(part, total - part))


def _term_percent(log_effect: float) -> tuple[str, Decimal]:
    change = round((math.exp(log_effect) - 1.0) * 1000)  # tenths of a percent
    effect = MORE_TIME if change >= 0 else LESS_TIME
    return effect, Decimal(abs(change)).scaleb(-1)


def _reasons(
    config: Configuration,
    tables: _Tables,
    profile: Profile,
    info: FactorInfo,
    entries: list[tuple[int, int, tuple[Reason, ...]] | None],
    positive: int,
    group_minutes: list[int],
    amounts: list[int],
    gs: int,
    funded: tuple[bool, ...],
) -> tuple[Reason, ...]:
    out: list[Reason] = []
    extend = out.extend
    add = out.append
    rate_reasons = tables.rate_reasons[gs]
    for spec in config.lines:
        i = spec.index
        source = spec.source
        if source == "areas":
            for a in spec.areas:
                entry = entries[a]
                if entry is not None:
                    extend(entry[2])
            if group_minutes[i]:
                if info.groups:
                    k = (i << 16) | (positive & spec.mask)
                    found = info.term_reasons.get(k)
                    if found is None:
                        found = _term_reasons(info, spec, positive & spec.mask)
                        info.term_reasons[k] = found
                    extend(found)
                if spec.ratios:
                    add(tables.ratio_reasons[i][profile.behaviour_challenges])  # type: ignore[index]
                rate_reason = rate_reasons[i]
                if rate_reason is not None:
                    add(rate_reason)
        elif source == "night" and profile.night and profile.unpaid_night and funded[len(config.areas)]:
            # Explained even when unpaid help covers every night, as an area's unpaid help is.
            night_reason = tables.night_reasons[profile.night]
            add(night_reason)  # type: ignore[arg-type]
            share = profile.unpaid_night
            add(
                make_reason(
                    UNPAID_SUPPORT,
                    "unpaid_night",
                    share,
                    spec.key,
                    (night_reason.magnitude * share).quantize(_CENT, ROUND_HALF_UP),  # type: ignore[union-attr]
                )
            )
        elif not amounts[i]:
            continue
        elif source == "night":
            add(tables.night_reasons[profile.night])  # type: ignore[arg-type]
        elif source == "carer_breaks":
            add(tables.breaks_reasons[profile.carer_breaks_weeks])
        elif profile.fluctuating and tables.uplift_reason is not None:
            add(tables.uplift_reason)
    return tuple(out)


def _term_reasons(info: FactorInfo, spec: LineSpec, mask: int) -> tuple[Reason, ...]:
    """One reason per group of terms on the same fields that changed time on this line's paid areas.

    Each group keeps its reasons by line (and, where its terms touch different areas, by the areas met):
    groups are shared between factor keys, so a new key mostly finds its reasons made.
    """
    out = []
    for group in info.groups:
        met = group.mask & mask
        if not met:
            continue
        k = spec.index if group.uniform else met  # met names the line: each area is on one line
        kept = group.reasons
        if k in kept:
            reason = kept[k]
        else:
            terms = group.terms if group.uniform else tuple(t for t in group.terms if t.mask & met)
            reason = kept[k] = _term_reason(spec, group.fields, group.values, terms)
        if reason is not None:
            out.append(reason)
    return tuple(out)


def _term_reason(
    spec: LineSpec, fields: tuple[str, ...], values: tuple[Any, ...], terms: tuple[TermSpec, ...]
) -> Reason | None:
    effect, magnitude = _term_percent(sum(t.log_effect for t in terms))
    if not magnitude:  # a term fitted to (next to) no effect explains nothing
        return None
    return make_reason(
        effect,
        fields[0],
        values[0],
        spec.key,
        magnitude,
        ",".join(t.key for t in terms),
        fields[1] if len(fields) > 1 else None,
        values[1] if len(fields) > 1 else None,
    )


def _care_account(
    cap: dict[str, Any], specs: tuple[LineSpec, ...], amounts: list[int], total: int, already: int
) -> CareAccount:
    excluded = set(cap["excluded_lines"])
    counting = total - sum(amounts[spec.index] for spec in specs if spec.key in excluded)
    counting = max(counting - cap["weekly_deduction_pence"], 0)
    remaining = max(cap["cap_pence"] - already, 0)
    if remaining == 0:
        weeks: int | None = 0
    elif counting == 0:
        weeks = None
    else:
        weeks = -(-remaining // counting)
    return CareAccount(cap["cap_pence"], already, counting, remaining, weeks)
