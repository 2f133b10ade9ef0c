"""The Section 117 aftercare Needs Profile (seed 000): what it asks, how quickly, and the profile it gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portal.engine import NeedsProfile, estimate, load_configuration
from portal.questionnaire import Schema, SchemaError, build_schema, load_schema, parse_yaml

from .conftest import Walker

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "portal" / "tools" / "section_117" / "questionnaire.yaml"
CONFIG = ROOT / "portal" / "tools" / "section_117" / "configuration.yaml"

#: The answers shown in seed 000, plus the least else a walk needs.
SEED_ANSWERS: dict[str, Any] = {
    "where-you-live": "own_home",
    "live-alone": "yes",
    "getting-about": "none",
    "engaging-with-support": "sometimes_a_problem",  # "Engaging with support is sometimes a problem"
    "harder-times": "yes",
    "harder-times-how-often": "regularly",  # "Regularly - no more than once every two months"
    "harder-times-more-support": "a_little_more",  # "A little more"
    "clinical-risk": "some",
    "clinical-risk-unpaid": "none",
    "decision-making": "a_little",
    "mental-health": "some",
    "mental-health-unpaid": "most",  # "Most of the support I need"
    "support-areas": ["medication", "out_and_about"],
    "medicines": "a_lot",
    "medicines-unpaid": "none",
    "out-and-about": "some",
    "out-and-about-unpaid": "some",
    "night-help": "none",
    "anything-else": "",
}


@pytest.fixture(scope="module")
def s117() -> Schema:
    return load_schema(SCHEMA)


def test_it_loads_with_notes_and_a_fixed_client_group(s117: Schema) -> None:
    assert s117.answer_notes is True
    assert dict(s117.fixed_profile) == {"client_group": "mental_health", "carer_breaks_weeks": 0}
    for question_id in (
        "engaging-with-support",
        "harder-times",
        "harder-times-how-often",
        "harder-times-more-support",
        "clinical-risk",
        "decision-making",
        "mental-health-unpaid",
    ):
        assert question_id in s117


def test_the_seed_answers_give_the_profile(s117: Schema, walk: Walker) -> None:
    pages, answers = walk(s117, SEED_ANSWERS)
    assert s117.is_complete(answers)
    profile = s117.to_profile(answers)
    assert profile.is_complete
    assert profile["client_group"] == "mental_health"
    assert profile["behaviour_challenges"] == 1
    assert profile["fluctuating"] == 1
    assert profile["unpaid_mental_health"] == 0.75
    assert profile["need_mental_health"] == 2
    assert (profile["need_home_safety"], profile["unpaid_home_safety"]) == (2, 0.0)
    assert profile["memory_cognition"] == 1
    assert (profile["need_medication"], profile["need_community"], profile["unpaid_community"]) == (
        3,
        2,
        0.25,
    )
    assert profile["need_hygiene"] == 0  # not among the areas chosen: never asked
    assert profile["carer_breaks_weeks"] == 0
    assert "washing" not in pages and "two-people-to-move" not in pages
    NeedsProfile.from_mapping(profile.as_dict())


def test_it_is_quick_for_someone_with_few_needs(s117: Schema, walk: Walker) -> None:
    pages, _answers = walk(s117, SEED_ANSWERS)
    assert len(pages) == 19
    fewest = {
        **SEED_ANSWERS,
        "harder-times": "no",
        "clinical-risk": "none",
        "mental-health": "none",
        "support-areas": ["none_of_these"],
    }
    pages, _answers = walk(s117, fewest)
    assert len(pages) == 11


def test_the_seed_answers_give_a_budget_in_the_summary_order(s117: Schema, walk: Walker) -> None:
    _pages, answers = walk(s117, SEED_ANSWERS)
    result = estimate(
        NeedsProfile.from_mapping(s117.to_profile(answers).as_dict()), load_configuration(CONFIG)
    )
    assert [line.key for line in result.lines] == [
        "daily_living",
        "household",
        "night",
        "social",
        "work_learning",
        "childcare",
        "mental_health",
        "contingency",
        "medication",
    ]
    allocated = {line.key: line.funder for line in result.lines if line.allocated}
    assert allocated == {
        "daily_living": "council",  # staying safe (clinical risk) is a daily living task
        "social": "council",
        "mental_health": "nhs",
        "contingency": "nhs",
        "medication": "nhs",
    }


def test_engaging_often_and_living_alone_marks_the_case(s117: Schema, walk: Walker) -> None:
    _pages, answers = walk(s117, {**SEED_ANSWERS, "engaging-with-support": "often_a_problem"})
    assert s117.risk(answers).rule_ids == ("not-engaging-lives-alone",)
    _pages, answers = walk(s117, {**SEED_ANSWERS, "clinical-risk": "all_the_time"})
    risk = s117.risk(answers)
    assert risk.urgent and "high-risk-lives-alone" in risk.rule_ids


# -- fixed_profile: the loader's checks ----------------------------------------------------------------


def _minimal(**top: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format_version": 1,
        "content_version": "1.0.0",
        "sections": [{"id": "s", "title": "S"}],
        "questions": [
            {
                "id": "lives",
                "section": "s",
                "type": "single",
                "mandatory": True,
                "title": {"person": "Do you live alone?", "carer": "Does {name} live alone?"},
                "summary": "Lives alone",
                "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
                "maps_to": [{"field": "lives_alone", "values": {"yes": 1, "no": 0}}],
            }
        ],
        "risk_rules": [],
    }
    data.update(top)
    return data


def test_a_fixed_field_is_in_the_profile_without_a_question() -> None:
    schema = build_schema(_minimal(fixed_profile={"client_group": "autism"}), require_full_profile=False)
    assert schema.to_profile({"lives": "no"})["client_group"] == "autism"
    assert schema.answer_notes is False


@pytest.mark.parametrize(
    ("fixed", "message"),
    [
        (
            {"no_such_field": 1},
            "fixed_profile.no_such_field: 'no_such_field' is not a canonical Needs Profile field",
        ),
        (
            {"client_group": "teenagers"},
            "fixed_profile.client_group: 'teenagers' is not a value of client_group",
        ),
        (
            {"carer_breaks_weeks": 9},
            "fixed_profile.carer_breaks_weeks: 9 is not a value of carer_breaks_weeks",
        ),
        ({"lives_alone": 1}, "questions[0].maps_to[0].field: 'lives_alone' is fixed by fixed_profile"),
    ],
)
def test_a_bad_fixed_field_is_refused(fixed: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        build_schema(_minimal(fixed_profile=fixed), require_full_profile=False)
    assert message in str(caught.value)


def test_a_full_profile_counts_the_fixed_fields() -> None:
    """The real file maps no client group and no carer breaks: fixing them is what makes it complete."""
    data = parse_yaml(SCHEMA.read_text(encoding="utf-8"))
    del data["fixed_profile"]
    with pytest.raises(SchemaError) as caught:
        build_schema(data)
    assert "no question gives the canonical field 'client_group'" in str(caught.value)
    assert "no question gives the canonical field 'carer_breaks_weeks'" in str(caught.value)


def test_notes_must_be_true_or_false() -> None:
    with pytest.raises(SchemaError, match="answer_notes"):
        build_schema(_minimal(answer_notes="yes"), require_full_profile=False)
