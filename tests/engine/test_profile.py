"""NeedsProfile: the canonical fields, CSV-style values accepted, bad values refused with the field named."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from portal.engine import AREAS, CLIENT_GROUPS, SETTINGS, NeedsProfile, ProfileError
from portal.engine.profile import FIELD_NAMES

from .conftest import load_rows, profile_dict


def test_constants() -> None:
    assert AREAS == (
        "nutrition",
        "hygiene",
        "toileting",
        "dressing",
        "home_safety",
        "home_environment",
        "relationships",
        "work_learning",
        "community",
        "childcare",
        "mental_health",
        "medication",
    )
    assert CLIENT_GROUPS == (
        "older_people",
        "physical_disability",
        "learning_disability",
        "mental_health",
        "autism",
    )
    assert SETTINGS == ("community", "supported_living")


def test_fields_are_the_csv_columns() -> None:
    header = list(load_rows(1)[0])
    assert list(FIELD_NAMES) == [c for c in header if c not in ("case_id", "actual_weekly_cost")]
    init_fields = [f.name for f in dataclasses.fields(NeedsProfile) if f.init]
    assert init_fields == [*FIELD_NAMES, "unpaid_night"]  # the one optional field, after the CSV's


def test_from_csv_row_strings() -> None:
    row = load_rows(1)[0]
    profile = NeedsProfile.from_mapping(row, extra="ignore")
    assert profile.client_group == "physical_disability"
    assert profile.need_hygiene == 2
    assert profile.unpaid_dressing == Decimal("0.25")
    assert profile.need("dressing") == 2
    assert profile.unpaid("dressing") == Decimal("0.25")
    assert profile.needs[AREAS.index("hygiene")] == 2
    assert profile.unpaid_quarters[AREAS.index("dressing")] == 1


def test_numbers_and_round_trip() -> None:
    data = profile_dict(need_hygiene=3, unpaid_hygiene=0.75, night=2, carer_breaks_weeks=6, lives_alone=1)
    profile = NeedsProfile.from_mapping(data)
    assert profile.to_dict() == {
        **data,
        **{f"unpaid_{a}": float(data[f"unpaid_{a}"]) for a in AREAS},
        "unpaid_night": 0.0,  # optional: not in the mapping, none by default
    }
    assert NeedsProfile.from_mapping(profile.to_dict()) == profile
    assert profile.to_dict()["unpaid_hygiene"] == 0.75


@pytest.mark.parametrize("value", ["1.0", 1, 1.0, "1", " 1.00 ", Decimal("1")])
def test_unpaid_share_spellings(value: Any) -> None:
    assert NeedsProfile.from_mapping(profile_dict(unpaid_hygiene=value)).unpaid_hygiene == Decimal("1")


@pytest.mark.parametrize("value", ["3", 3, 3.0, "3.0"])
def test_integer_spellings(value: Any) -> None:
    assert NeedsProfile.from_mapping(profile_dict(need_hygiene=value)).need_hygiene == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("need_hygiene", 5, "need_hygiene: must be 0, 1, 2, 3 or 4 (got 5)"),
        ("need_hygiene", -1, "need_hygiene: must be 0, 1, 2, 3 or 4 (got -1)"),
        ("need_hygiene", "lots", "need_hygiene: must be 0, 1, 2, 3 or 4 (got 'lots')"),
        ("need_hygiene", 2.5, "need_hygiene: must be 0, 1, 2, 3 or 4 (got 2.5)"),
        ("need_hygiene", "2.5", "need_hygiene: must be 0, 1, 2, 3 or 4 (got '2.5')"),
        ("need_hygiene", True, "need_hygiene: must be 0, 1, 2, 3 or 4 (got True)"),
        ("need_hygiene", None, "need_hygiene: must be 0, 1, 2, 3 or 4 (got None)"),
        ("need_hygiene", "nan", "need_hygiene: must be 0, 1, 2, 3 or 4 (got 'nan')"),
        ("memory_cognition", 4, "memory_cognition: must be 0, 1, 2 or 3 (got 4)"),
        ("behaviour_challenges", 3, "behaviour_challenges: must be 0, 1 or 2 (got 3)"),
        ("lives_alone", 2, "lives_alone: must be 0 or 1 (got 2)"),
        ("carer_breaks_weeks", 7, "carer_breaks_weeks: must be 0, 1, 2, 3, 4, 5 or 6 (got 7)"),
        ("night", 4, "night: must be 0, 1, 2 or 3 (got 4)"),
        ("unpaid_hygiene", 0.3, "unpaid_hygiene: must be 0, 0.25, 0.5, 0.75 or 1 (got 0.3)"),
        ("unpaid_hygiene", "half", "unpaid_hygiene: must be 0, 0.25, 0.5, 0.75 or 1 (got 'half')"),
        ("unpaid_hygiene", True, "unpaid_hygiene: must be 0, 0.25, 0.5, 0.75 or 1 (got True)"),
        ("unpaid_hygiene", None, "unpaid_hygiene: must be 0, 0.25, 0.5, 0.75 or 1 (got None)"),
        ("unpaid_hygiene", "inf", "unpaid_hygiene: must be 0, 0.25, 0.5, 0.75 or 1 (got 'inf')"),
        (
            "client_group",
            "children",
            "client_group: must be one of older_people, physical_disability, "
            "learning_disability, mental_health, autism (got 'children')",
        ),
        ("setting", 1, "setting: must be one of community, supported_living (got 1)"),
    ],
)
def test_bad_values_name_field_and_value(field: str, value: Any, message: str) -> None:
    with pytest.raises(ProfileError) as caught:
        NeedsProfile.from_mapping(profile_dict(**{field: value}))
    assert str(caught.value) == message
    assert caught.value.field == field


def test_missing_and_unknown_fields() -> None:
    data = profile_dict()
    del data["night"]
    with pytest.raises(ProfileError, match=r"^night: is required$"):
        NeedsProfile.from_mapping(data)
    with pytest.raises(ProfileError, match=r"^case_id: is not a Needs Profile field$"):
        NeedsProfile.from_mapping(profile_dict(case_id="C1"))
    assert NeedsProfile.from_mapping(profile_dict(case_id="C1"), extra="ignore") == NeedsProfile.from_mapping(
        profile_dict()
    )
    with pytest.raises(ProfileError, match="^profile: must be an object"):
        NeedsProfile.from_mapping([1, 2])  # type: ignore[arg-type]


def test_constructor_checks_types_and_domains() -> None:
    good = NeedsProfile.from_mapping(profile_dict())
    with pytest.raises(ProfileError, match="need_hygiene: has the wrong type"):
        dataclasses.replace(good, need_hygiene="2")  # type: ignore[arg-type]
    with pytest.raises(ProfileError, match="need_hygiene: must be 0, 1, 2, 3 or 4"):
        dataclasses.replace(good, need_hygiene=9)
    with pytest.raises(ProfileError, match="unpaid_hygiene: has the wrong type"):
        dataclasses.replace(good, unpaid_hygiene=0.5)  # type: ignore[arg-type]
    with pytest.raises(ProfileError, match="client_group: must be one of"):
        dataclasses.replace(good, client_group="nobody")
    changed = dataclasses.replace(good, need_hygiene=4, unpaid_hygiene=Decimal("0.5"))
    assert changed.needs[1] == 4 and changed.unpaid_quarters[1] == 2


def test_profiles_are_frozen_and_hashable() -> None:
    profile = NeedsProfile.from_mapping(profile_dict())
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.need_hygiene = 3  # type: ignore[misc]
    assert len({profile, NeedsProfile.from_mapping(profile_dict())}) == 1
