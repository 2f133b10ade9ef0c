"""Monotonicity, checked with hypothesis over random valid profiles (and random valid coefficients).

More need never lowers a budget; more unpaid support never raises it; a higher level of memory difficulty,
mobility difficulty, behaviour that challenges, night-time support, carer breaks, fluctuating needs or needing two
carers never lowers it; funding more areas never lowers it.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.engine import (
    AREAS,
    CLIENT_GROUPS,
    SETTINGS,
    Configuration,
    NeedsProfile,
    demo_configuration,
    estimate,
)
from portal.engine.calculator import ELIGIBLE_KEYS
from portal.engine.profile import INT_FIELDS, NEED_RAISING, UNPAID_SHARES

DEMO = demo_configuration()
SETTINGS_PROFILE = settings(max_examples=200, deadline=None)


@st.composite
def profiles(draw: st.DrawFn) -> NeedsProfile:
    values: dict[str, Any] = {
        "client_group": draw(st.sampled_from(CLIENT_GROUPS)),
        "setting": draw(st.sampled_from(SETTINGS)),
    }
    for name, top in INT_FIELDS.items():
        values[name] = draw(st.integers(0, top))
    for area in AREAS:
        values[f"unpaid_{area}"] = draw(st.sampled_from(UNPAID_SHARES))
    return NeedsProfile(**values)


@st.composite
def configurations(draw: st.DrawFn) -> Configuration:
    """The demo structure with random coefficients that respect the load-time constraints."""
    data = DEMO.to_dict()
    for area in AREAS:
        first = draw(st.floats(-2, 1.5))
        steps = draw(st.lists(st.floats(0, 1.5), min_size=3, max_size=3))
        levels = [first]
        for step in steps:
            levels.append(levels[-1] + step)
        data["model"]["base_log_hours"][area] = levels
    for term in data["model"]["terms"]:
        on_need = any(field in NEED_RAISING for field in term["when"])
        term["log_effect"] = draw(st.floats(0, 1) if on_need else st.floats(-1, 1))
    data["contingency"]["percent"] = draw(st.sampled_from([0, 2.5, 5]))
    data["contingency"]["fluctuating_percent"] = draw(st.sampled_from([0, 3, 10]))
    data["contingency"]["hours_per_year"] = draw(st.sampled_from([0, 11, 52.25]))
    return Configuration(data)


def total(profile: NeedsProfile, config: Configuration = DEMO, **kwargs: Any) -> int:
    return estimate(profile, config, **kwargs).total_weekly_pence


@SETTINGS_PROFILE
@given(profiles(), st.sampled_from(AREAS))
def test_more_need_never_lowers_the_budget(profile: NeedsProfile, area: str) -> None:
    field = f"need_{area}"
    level = getattr(profile, field)
    if level < 4:
        assert total(dataclasses.replace(profile, **_changes(field, level + 1))) >= total(profile)


@SETTINGS_PROFILE
@given(profiles(), st.sampled_from(AREAS))
def test_more_unpaid_support_never_raises_the_budget(profile: NeedsProfile, area: str) -> None:
    field = f"unpaid_{area}"
    share = getattr(profile, field)
    if share < 1:
        more = UNPAID_SHARES[UNPAID_SHARES.index(share) + 1]
        assert total(dataclasses.replace(profile, **_changes(field, more))) <= total(profile)


@SETTINGS_PROFILE
@given(profiles(), st.sampled_from(sorted(NEED_RAISING)))
def test_more_of_a_factor_never_lowers_the_budget(profile: NeedsProfile, field: str) -> None:
    value = getattr(profile, field)
    if value < INT_FIELDS[field]:
        assert total(dataclasses.replace(profile, **_changes(field, value + 1))) >= total(profile)


@settings(max_examples=100, deadline=None)
@given(configurations(), profiles(), st.sampled_from([*(f"need_{a}" for a in AREAS), *sorted(NEED_RAISING)]))
def test_monotonic_for_any_valid_coefficients(
    config: Configuration, profile: NeedsProfile, field: str
) -> None:
    value = getattr(profile, field)
    top = INT_FIELDS[field]
    if value < top:
        assert total(dataclasses.replace(profile, **_changes(field, value + 1)), config) >= total(
            profile, config
        )
    area = AREAS[profile.needs.index(max(profile.needs))]
    share = profile.unpaid(area)
    if share < 1:
        more = UNPAID_SHARES[UNPAID_SHARES.index(share) + 1]
        assert total(dataclasses.replace(profile, **_changes(f"unpaid_{area}", more)), config) <= total(
            profile, config
        )


@SETTINGS_PROFILE
@given(profiles(), st.sets(st.sampled_from(ELIGIBLE_KEYS)), st.sampled_from(ELIGIBLE_KEYS))
def test_funding_more_areas_never_lowers_the_budget(
    profile: NeedsProfile, eligible: set[str], extra: str
) -> None:
    assert total(profile, eligible=eligible | {extra}) >= total(profile, eligible=eligible)
    assert total(profile) >= total(profile, eligible=eligible)


@SETTINGS_PROFILE
@given(profiles(), st.sampled_from(["personal", "ipb"]))
def test_invariants(profile: NeedsProfile, mode: str) -> None:
    result = estimate(profile, DEMO, mode=mode)
    assert result.total_weekly_pence == sum(line.amount_pence for line in result.lines)
    assert all(line.amount_pence >= 0 for line in result.lines)
    assert all((line.funder is None) == (not line.allocated or mode == "ipb") for line in result.lines)
    assert result.range_low_pence <= result.total_weekly_pence <= result.range_high_pence
    assert all(change.increase_pence >= 0 for change in result.what_would_change)
    if mode == "personal" and result.total_weekly_pence:
        assert sum(share.amount_pence for share in result.split) == result.total_weekly_pence
        assert sum(share.percent for share in result.split) == Decimal("100.00")
    else:  # an Independent Personal Budget has no funding split, and nor has a budget of nothing
        assert result.split == ()


def _changes(field: str, value: Any) -> dict[str, Any]:
    return {field: value}
