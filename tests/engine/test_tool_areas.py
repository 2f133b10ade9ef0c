"""A configuration declares its tool's areas of need and levels (decision 0015); the adult tool's are the default."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest

from portal.engine import (
    AREAS,
    AreaProfile,
    ConfigurationError,
    NeedsProfile,
    ProfileError,
    demo_configuration,
    estimate,
    load_configuration,
    make_profile,
)
from tests.engine.conftest import profile_dict, reference_document

LEVELS = [0.0, math.log(2), math.log(4)]


def small_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": 1,
        "label": "Three areas",
        "areas": ["meals", "getting_about", "feeling_well"],
        "need_levels": 3,
        "rates": {
            "home_help": {"per": "hour", "default": 2000},
            "wellbeing": {"per": "hour", "default": 2500},
        },
        "lines": [
            {"key": "at_home", "funder": "council", "kind": "home_help", "areas": ["meals", "getting_about"]},
            {"key": "feeling_well", "funder": "nhs", "kind": "wellbeing", "areas": ["feeling_well"]},
        ],
        "model": {"base_log_hours": dict.fromkeys(("meals", "getting_about", "feeling_well"), LEVELS)},
    }
    document.update(changes)
    return document


def small_profile(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "client_group": "older_people",
        "setting": "community",
        "lives_alone": 0,
        "memory_cognition": 0,
        "behaviour_challenges": 0,
        "mobility": 0,
        "fluctuating": 0,
        "two_carers": 0,
        "need_meals": 2,
        "unpaid_meals": 0.5,
        "need_getting_about": 3,
        "unpaid_getting_about": 0,
        "need_feeling_well": 1,
        "unpaid_feeling_well": 0,
        "night": 0,
        "carer_breaks_weeks": 0,
    }
    data.update(changes)
    return data


def test_the_default_areas_leave_every_existing_hash_alone() -> None:
    demo = demo_configuration()
    assert demo.areas == AREAS and demo.need_levels == 4
    assert demo.eligible_keys == (*AREAS, "night", "carer_breaks")
    named = load_configuration({**demo.to_dict(), "areas": list(AREAS), "need_levels": 4})
    assert named.content_hash == demo.content_hash
    assert "areas" not in named.to_dict() and "need_levels" not in named.to_dict()
    reference = load_configuration(reference_document())
    assert load_configuration({**reference_document(), "areas": list(AREAS)}) == reference


def test_a_tool_with_its_own_areas_is_estimated_by_the_same_steps() -> None:
    config = load_configuration(small_document())
    assert config.areas == ("meals", "getting_about", "feeling_well")
    assert config.to_dict()["areas"] == list(config.areas)
    profile = make_profile(small_profile(), config.areas, config.need_levels)
    assert isinstance(profile, AreaProfile)
    assert profile.need("getting_about") == 3 and profile.unpaid("meals") == Decimal("0.5")
    result = estimate(profile, config)
    # meals 2 hours less half unpaid = 1, getting about 4: 5 hours at £20; feeling well 1 hour at £25
    assert [(line.key, line.amount_pence) for line in result.lines] == [
        ("at_home", 10000),
        ("feeling_well", 2500),
    ]
    assert result.total_weekly_pence == 12500
    assert {r.field for r in result.reasons} == {
        "need_meals",
        "unpaid_meals",
        "need_getting_about",
        "need_feeling_well",
    }
    assert [(c.area, c.increase_pence) for c in result.what_would_change] == [("meals", 2000)]
    assert estimate(profile, config, eligible=["feeling_well"]).total_weekly_pence == 2500
    with pytest.raises(ProfileError, match="'hygiene' is not an area of need"):
        estimate(profile, config, eligible=["hygiene"])
    assert make_profile(profile.to_dict(), config.areas, 3) == profile


def test_a_profile_must_match_the_configurations_areas() -> None:
    config = load_configuration(small_document())
    adult = NeedsProfile.from_mapping(profile_dict())
    with pytest.raises(ProfileError, match="other areas of need"):
        estimate(adult, config)
    own = make_profile(small_profile(), config.areas, 3)
    with pytest.raises(ProfileError, match="other areas of need"):
        estimate(own, demo_configuration())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"need_meals": 4}, "need_meals: must be 0, 1, 2 or 3 (got 4)"),
        ({"need_meals": "2.5"}, "need_meals: must be 0, 1, 2 or 3"),
        ({"unpaid_meals": 0.3}, "unpaid_meals: must be 0, 0.25"),
        ({"need_hygiene": 1}, "need_hygiene: is not a Needs Profile field"),
    ],
)
def test_a_bad_profile_of_a_tool_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_profile(small_profile(**changes), ("meals", "getting_about", "feeling_well"), 3)
    data = small_profile()
    del data["need_feeling_well"]
    with pytest.raises(ProfileError, match="need_feeling_well: is required"):
        make_profile(data, ("meals", "getting_about", "feeling_well"), 3)


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"areas": ["Meals"]}, "areas[0]"),
        ({"areas": ["meals", "meals"]}, "areas"),
        ({"need_levels": 12}, "need_levels"),
        (
            {"model": {"base_log_hours": dict.fromkeys(("meals", "getting_about", "feeling_well"), [0, 1])}},
            "model",
        ),
        ({"model": {"base_log_hours": {"meals": LEVELS, "getting_about": LEVELS}}}, "model.base_log_hours"),
        ({"minimum_minutes": {"hygiene": 30}}, "minimum_minutes"),
        ({"areas": ["meals", "getting_about", "feeling_well", "sleep"]}, "model.base_log_hours"),
    ],
)
def test_a_configuration_names_only_its_own_areas(changes: dict[str, Any], path: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_configuration(small_document(**changes))
    assert str(caught.value).startswith(path)


def test_an_area_left_out_of_every_line_is_refused() -> None:
    lines = [
        {"key": "at_home", "funder": "council", "kind": "home_help", "areas": ["meals", "getting_about"]}
    ]
    with pytest.raises(ConfigurationError, match="area of need feeling_well is not in any line"):
        load_configuration(small_document(lines=lines))
