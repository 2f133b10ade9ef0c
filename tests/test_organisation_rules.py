"""An organisation's rules on their own: proportionate validation and approval limits, at their boundaries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.organisation_rules import DEFAULT_LIMITS, Limit, OrganisationRules, ValidationRule

RULE = ValidationRule(light_max_weekly_pence=30_000, full_check_percent=10)


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999])
def test_a_case_at_risk_always_gets_full_validation(draw):
    assert RULE.path(at_risk=True, estimate_pence=100, draw=draw) == "full"
    assert RULE.path(at_risk=False, estimate_pence=100, draw=0.5) == "light"  # the same case, not at risk


def test_the_light_check_maximum_is_inclusive():
    assert RULE.path(at_risk=False, estimate_pence=30_000, draw=0.5) == "light"
    assert RULE.path(at_risk=False, estimate_pence=30_001, draw=0.5) == "full"


def test_a_random_share_still_gets_full_validation():
    assert RULE.path(at_risk=False, estimate_pence=100, draw=0.0999) == "full"
    assert RULE.path(at_risk=False, estimate_pence=100, draw=0.1) == "light"
    everyone = ValidationRule(light_max_weekly_pence=30_000, full_check_percent=100)
    assert everyone.path(at_risk=False, estimate_pence=100, draw=0.999) == "full"
    nobody = ValidationRule(light_max_weekly_pence=30_000, full_check_percent=0)
    assert nobody.path(at_risk=False, estimate_pence=100, draw=0.0) == "light"


def test_no_light_check_or_no_estimate_means_full():
    assert (
        ValidationRule(light_max_weekly_pence=None).path(at_risk=False, estimate_pence=0, draw=0.9) == "full"
    )
    assert RULE.path(at_risk=False, estimate_pence=None, draw=0.9) == "full"


def test_a_weekly_limit_allows_up_to_and_including_it():
    limit = Limit(weekly_pence=50_000)
    assert limit.allows(50_000, 1)
    assert not limit.allows(50_001, 1)


def test_a_percentage_limit_is_above_the_calculated_figure_rounded_half_up():
    limit = Limit(percent_over=Decimal(10))
    assert limit.allows(11_000, 10_000) and not limit.allows(11_001, 10_000)
    # 10% over 10,005p is 11,005.5p: the ceiling rounds half up to 11,006p.
    assert limit.allows(11_006, 10_005) and not limit.allows(11_007, 10_005)


def test_where_both_are_set_the_stricter_applies():
    limit = Limit(weekly_pence=50_000, percent_over=Decimal(10))
    assert not limit.allows(45_000, 40_000)  # within the amount, over the percentage
    assert not limit.allows(60_000, 60_000)  # within the percentage, over the amount
    assert limit.allows(44_000, 40_000)


def test_the_required_level_is_the_lowest_that_allows_it():
    rules = OrganisationRules()
    assert rules.limits == DEFAULT_LIMITS
    assert rules.required_level(50_000, 50_000) == 2
    assert rules.required_level(50_001, 50_001) == 3
    assert rules.required_level(150_001, 150_001) == 4
    assert rules.required_level(55_001, 50_000) == 3  # over level 2's 10%


def test_settings_read_back_and_malformed_values_fall_back():
    rules = OrganisationRules(
        urgent_wording={"en": "Call us"},
        validation=ValidationRule(light_max_weekly_pence=None, full_check_percent=25),
        limits={2: Limit(100, Decimal("12.5")), 3: Limit(), 4: Limit()},
    )
    assert OrganisationRules.from_settings(rules.to_settings()) == rules
    odd = OrganisationRules.from_settings(
        {
            "validation": {"light_max_weekly_pence": "lots", "full_check_percent": 250},
            "approval_limits": {"2": {"weekly_pence": True, "percent_over": "-5"}, "9": {}},
            "urgent_wording": ["not", "a", "mapping"],
        }
    )
    assert odd.validation == ValidationRule(light_max_weekly_pence=30_000, full_check_percent=100)
    assert odd.limits[2] == Limit() and 9 not in odd.limits
    assert odd.urgent_wording == {}


# -- gaps the mutation run showed (scripts/mutation.py --target rules) -------------------------------------


def test_a_limit_answers_true_or_false():
    assert Limit(weekly_pence=100).allows(101, 0) is False
    assert Limit(percent_over=Decimal(0)).allows(101, 100) is False
    assert Limit(weekly_pence=100, percent_over=Decimal(0)).allows(100, 100) is True


def test_the_default_limits_at_their_edges():
    """Level 2: up to £500 a week and 10% over the calculated figure; level 3: £1,500 and 25%; level 4: any."""
    rules = OrganisationRules()
    assert rules.required_level(11_000, 10_000) == 2
    assert rules.required_level(11_001, 10_000) == 3
    assert rules.required_level(12_500, 10_000) == 3
    assert rules.required_level(12_501, 10_000) == 4
    assert rules.required_level(50_000, 50_000) == 2 and rules.required_level(50_001, 50_001) == 3
    assert rules.required_level(150_000, 150_000) == 3 and rules.required_level(150_001, 150_001) == 4


def test_a_budget_no_level_allows_goes_to_the_highest():
    tight = OrganisationRules(limits={level: Limit(weekly_pence=1) for level in (2, 3, 4)})
    assert tight.required_level(500, 500) == 4


def test_one_in_ten_get_a_full_check_by_default():
    rule = ValidationRule()
    assert rule.path(at_risk=False, estimate_pence=100, draw=0.0999) == "full"
    assert rule.path(at_risk=False, estimate_pence=100, draw=0.1) == "light"


def test_no_settings_are_the_defaults():
    rules = OrganisationRules.from_settings(None)
    assert rules.validation == ValidationRule() and rules.limits == DEFAULT_LIMITS
    assert rules.urgent_wording == {}


def test_urgent_wording_keeps_only_text_in_a_language():
    rules = OrganisationRules.from_settings({"urgent_wording": {"en": 5, 3: "x", "cy": "Ffoniwch ni"}})
    assert rules.urgent_wording == {"cy": "Ffoniwch ni"}


@pytest.mark.parametrize(
    ("stored", "percent"),
    [
        ({}, 10),
        ({"full_check_percent": None}, 0),
        ({"full_check_percent": -5}, 0),
        ({"full_check_percent": 250}, 100),
    ],
)
def test_the_full_check_share_read_from_settings(stored, percent):
    rules = OrganisationRules.from_settings({"validation": stored})
    assert rules.validation.full_check_percent == percent


def test_a_true_or_false_in_settings_is_not_a_number():
    rules = OrganisationRules.from_settings(
        {
            "validation": {"light_max_weekly_pence": True},
            "approval_limits": {"2": {"weekly_pence": 100, "percent_over": True}},
        }
    )
    assert rules.validation.light_max_weekly_pence == 30_000, "the default, not 1"
    assert rules.limits[2].percent_over is None


def test_no_leeway_over_the_calculated_figure_is_a_limit():
    rules = OrganisationRules.from_settings(
        {"approval_limits": {"2": {"weekly_pence": None, "percent_over": "0"}}}
    )
    assert rules.limits[2].percent_over == Decimal(0)
    assert rules.required_level(10_000, 10_000) == 2 and rules.required_level(10_001, 10_000) == 3
