"""Fixtures for the engine tests: the demo configuration, the reference configuration and the sample profiles."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest

from portal.engine import AREAS, Configuration, NeedsProfile, demo_configuration, load_configuration

DATA = Path(__file__).parent / "data"
CASES_CSV = DATA / "ras_cases_train.csv"


def reference_document() -> dict[str, Any]:
    """The reference configuration of PRODUCT.md: every rate £14.00, line funders as published."""
    hourly = (
        "daily_living",
        "household",
        "social_activity",
        "work_support",
        "childcare",
        "mental_health",
        "medication",
    )
    rates: dict[str, Any] = {kind: {"per": "hour", "default": 1400} for kind in hourly}
    rates["night_sleep_in"] = {"per": "night", "default": 1400}
    rates["waking_night"] = {"per": "night", "default": 1400}
    # Level 1 = 1 hour, 2 = 3 hours, 3 = 4 hours, 4 = 7 hours a week, for every area of need.
    levels = [math.log(h) for h in (1, 3, 4, 7)]
    return {
        "format": 1,
        "label": "Reference (published Section 117 allocation summary)",
        "rates": rates,
        "lines": [
            {
                "key": "daily_living",
                "funder": "council",
                "kind": "daily_living",
                "areas": ["nutrition", "hygiene", "toileting", "dressing", "home_safety"],
            },
            {"key": "household", "funder": "council", "kind": "household", "areas": ["home_environment"]},
            {"key": "night", "funder": "council", "source": "night"},
            {
                "key": "social",
                "funder": "council",
                "kind": "social_activity",
                "areas": ["relationships", "community"],
                "staffing_ratio": {"people_per_carer": 3},
            },
            {"key": "work_learning", "funder": "council", "kind": "work_support", "areas": ["work_learning"]},
            {"key": "childcare", "funder": "council", "kind": "childcare", "areas": ["childcare"]},
            {"key": "mental_health", "funder": "nhs", "kind": "mental_health", "areas": ["mental_health"]},
            {"key": "contingency", "funder": "nhs", "source": "contingency"},
            {"key": "medication", "funder": "nhs", "kind": "medication", "areas": ["medication"]},
        ],
        "night_support": [
            {"level": 1, "kind": "night_sleep_in", "nights_per_week": 1},
            {"level": 2, "kind": "night_sleep_in", "nights_per_week": 7},
            {"level": 3, "kind": "waking_night", "nights_per_week": 7},
        ],
        "contingency": {"kind": "daily_living", "hours_per_year": 11},
        "model": {"base_log_hours": dict.fromkeys(AREAS, levels), "terms": []},
    }


def profile_dict(**changes: Any) -> dict[str, Any]:
    """A canonical profile mapping with no needs, overridden by keyword arguments."""
    data: dict[str, Any] = {
        "client_group": "mental_health",
        "setting": "community",
        "lives_alone": 0,
        "memory_cognition": 0,
        "behaviour_challenges": 0,
        "mobility": 0,
        "fluctuating": 0,
        "two_carers": 0,
        "night": 0,
        "carer_breaks_weeks": 0,
    }
    for area in AREAS:
        data[f"need_{area}"] = 0
        data[f"unpaid_{area}"] = 0
    data.update(changes)
    return data


def make_profile(**changes: Any) -> NeedsProfile:
    """A NeedsProfile with no needs, overridden by keyword arguments."""
    return NeedsProfile.from_mapping(profile_dict(**changes))


def reference_profile() -> NeedsProfile:
    """Answers that give the published lines under the reference configuration."""
    return make_profile(
        need_hygiene=2,  # 3 hours
        need_dressing=3,  # 4 hours: 7 hours of daily living tasks
        need_home_environment=1,  # 1 hour of household tasks
        need_community=2,  # 3 hours of group activity at 1:3
        need_mental_health=1,  # 1 hour
        need_medication=4,  # 7 hours
    )


def load_rows(limit: int | None = None) -> list[dict[str, str]]:
    """Rows of the training CSV copied into tests/engine/data."""
    with CASES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows[:limit] if limit else rows


def load_profiles(limit: int | None = None) -> list[NeedsProfile]:
    """Needs Profiles of the training CSV."""
    return [NeedsProfile.from_mapping(row, extra="ignore") for row in load_rows(limit)]


@pytest.fixture(scope="session")
def demo() -> Configuration:
    return demo_configuration()


@pytest.fixture(scope="session")
def reference() -> Configuration:
    return load_configuration(reference_document())


@pytest.fixture(scope="session")
def sample_profiles() -> list[NeedsProfile]:
    return load_profiles(200)
