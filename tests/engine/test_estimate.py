"""Hand-made profiles through the engine: each step of the calculation, exact to the penny."""

from __future__ import annotations

import dataclasses
import json
import math
from decimal import Decimal
from typing import Any

import pytest

from portal.engine import (
    AREAS,
    ENGINE_VERSION,
    Configuration,
    Estimate,
    NeedsProfile,
    ProfileError,
    demo_configuration,
    estimate,
    load_configuration,
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
    Reason,
)

from .conftest import make_profile, reference_document, reference_profile


def config_with(**changes: Any) -> Configuration:
    """The reference configuration (every rate £14.00) with some top-level keys changed."""
    data = reference_document()
    data.update(changes)
    return load_configuration(data)


def with_terms(*terms: dict[str, Any]) -> Configuration:
    data = reference_document()
    data["model"]["terms"] = list(terms)
    return load_configuration(data)


def amounts(result: Estimate) -> dict[str, int]:
    return {line.key: line.amount_pence for line in result.lines if line.amount_pence}


def test_no_needs_no_money(reference: Configuration) -> None:
    result = estimate(make_profile(), reference)
    assert result.total_weekly_pence == 0
    assert result.total_yearly_pence == 0
    assert not any(line.allocated for line in result.lines)
    assert all(line.funder is None for line in result.lines)
    assert result.split == ()
    assert result.reasons == ()
    assert result.what_would_change == ()
    assert (result.engine_version, result.mode, result.eligible) == (ENGINE_VERSION, "personal", None)


# (profile changes, expected pence per allocated line): reference rates are £14.00 an hour and
# levels are 1, 3, 4 and 7 hours a week; contingency is 11 hours a year (£2.95 a week) when anything is funded.
TABLE = [
    ({"need_hygiene": 4}, {"daily_living": 9800, "contingency": 295}),
    ({"need_hygiene": 4, "unpaid_hygiene": 0.5}, {"daily_living": 4900, "contingency": 295}),
    ({"need_hygiene": 4, "unpaid_hygiene": 1}, {}),
    # 1 hour with three quarters covered: 15 minutes, exactly one increment
    ({"need_nutrition": 1, "unpaid_nutrition": 0.75}, {"daily_living": 350, "contingency": 295}),
    # 3 hours with three quarters covered: 45 minutes
    ({"need_nutrition": 2, "unpaid_nutrition": 0.75}, {"daily_living": 1050, "contingency": 295}),
    ({"need_home_environment": 3}, {"household": 5600, "contingency": 295}),
    # group activity: 7 hours at 1:3 = 2h20 paid, rounded half up to 2h15
    ({"need_relationships": 4}, {"social": 3150, "contingency": 295}),
    # 1 hour at 1:3 = 20 minutes, rounded half up to 15; 2 hours at 1:3 = 40 minutes, rounded to 45
    ({"need_community": 1}, {"social": 350, "contingency": 295}),
    ({"need_community": 1, "need_relationships": 1}, {"social": 1050, "contingency": 295}),  # 40 min -> 45
    ({"need_work_learning": 4}, {"work_learning": 9800, "contingency": 295}),
    (
        {"need_childcare": 2, "need_medication": 1},
        {"childcare": 4200, "medication": 1400, "contingency": 295},
    ),
    ({"night": 1}, {"night": 1400, "contingency": 295}),
    ({"night": 3}, {"night": 9800, "contingency": 295}),
    ({"carer_breaks_weeks": 3}, {}),  # the reference configuration has no carer breaks line
]


@pytest.mark.parametrize(("changes", "expected"), TABLE)
def test_table(reference: Configuration, changes: dict[str, Any], expected: dict[str, int]) -> None:
    result = estimate(make_profile(**changes), reference)
    assert amounts(result) == expected
    assert result.total_weekly_pence == sum(expected.values())
    assert sum(line.amount_pence for line in result.lines) == result.total_weekly_pence


def test_hours_and_ratio_on_lines(reference: Configuration) -> None:
    result = estimate(make_profile(need_relationships=4, need_nutrition=2, unpaid_nutrition=0.75), reference)
    social = result.line("social")
    assert (social.group_hours, social.ratio, social.hours) == (Decimal("7.00"), 3, Decimal("2.25"))
    assert result.line("daily_living").hours == Decimal("0.75")
    with pytest.raises(KeyError):
        result.line("nothing")


def test_minimum_allocation_time() -> None:
    data = reference_document()
    data["minimum_minutes"] = {"nutrition": 30}
    config = load_configuration(data)
    # 1 hour of help with food, three quarters met by family: 15 minutes, raised to the 30-minute minimum
    result = estimate(make_profile(need_nutrition=1, unpaid_nutrition=0.75), config)
    assert result.line("daily_living").amount_pence == 700
    assert Reason(MINIMUM_TIME, "need_nutrition", 1, "daily_living", Decimal("0.50")) in result.reasons
    # fully met by family: no minimum applies
    assert estimate(make_profile(need_nutrition=1, unpaid_nutrition=1), config).total_weekly_pence == 0


def test_two_carers_double_moving_and_handling_time() -> None:
    config = with_terms(
        {
            "key": "two_carers",
            "when": {"two_carers": {"at_least": 1}},
            "areas": ["hygiene", "toileting", "dressing"],
            "log_effect": math.log(2),
        }
    )
    one = estimate(make_profile(need_hygiene=4, need_nutrition=1), config)
    two = estimate(make_profile(need_hygiene=4, need_nutrition=1, two_carers=1), config)
    assert one.line("daily_living").hours == Decimal("8.00")
    assert two.line("daily_living").hours == Decimal("15.00")  # 7 x 2 + 1
    assert Reason(MORE_TIME, "two_carers", 1, "daily_living", Decimal("100.0"), "two_carers") in two.reasons


def test_pairwise_interaction_and_negative_factor() -> None:
    config = with_terms(
        {
            "key": "memory_alone",
            "when": {"memory_cognition": {"at_least": 2}, "lives_alone": {"equals": 1}},
            "areas": ["home_safety"],
            "log_effect": math.log(1.5),
        },
        {
            "key": "supported_living",
            "when": {"setting": {"in": ["supported_living"]}},
            "areas": ["home_safety"],
            "log_effect": math.log(0.5),
        },
    )
    base = make_profile(need_home_safety=3)  # 4 hours
    assert estimate(base, config).line("daily_living").hours == Decimal("4.00")
    both = dataclasses.replace(base, memory_cognition=2, lives_alone=1)
    result = estimate(both, config)
    assert result.line("daily_living").hours == Decimal("6.00")
    assert (
        Reason(
            MORE_TIME,
            "memory_cognition",
            2,
            "daily_living",
            Decimal("50.0"),
            "memory_alone",
            "lives_alone",
            1,
        )
        in result.reasons
    )
    assert estimate(dataclasses.replace(both, lives_alone=0), config).line("daily_living").hours == Decimal(
        "4.00"
    )
    shared = estimate(dataclasses.replace(base, setting="supported_living"), config)
    assert shared.line("daily_living").hours == Decimal("2.00")
    assert Reason(
        LESS_TIME, "setting", "supported_living", "daily_living", Decimal("50.0"), "supported_living"
    ) in (shared.reasons)


def test_behaviour_changes_staffing_ratio(demo: Configuration) -> None:
    calm = make_profile(need_community=3)
    result = estimate(calm, demo)
    social = result.line("social")
    assert social.ratio == 3
    assert Reason(STAFFING_RATIO, "behaviour_challenges", 0, "social", Decimal(3)) in result.reasons
    challenged = estimate(dataclasses.replace(calm, behaviour_challenges=1), demo).line("social")
    assert challenged.ratio == 1
    assert challenged.hours == challenged.group_hours
    assert challenged.amount_pence > social.amount_pence


def test_reasons_explain_each_line(reference: Configuration) -> None:
    profile = make_profile(need_nutrition=4, unpaid_nutrition=0.25, need_community=2, night=2)
    result = estimate(profile, reference)
    assert result.reasons == (
        Reason(NEED_LEVEL, "need_nutrition", 4, "daily_living", Decimal("7.00")),
        Reason(UNPAID_SUPPORT, "unpaid_nutrition", Decimal("0.25"), "daily_living", Decimal("1.75")),
        Reason(NIGHT_SUPPORT, "night", 2, "night", Decimal(7)),
        Reason(NEED_LEVEL, "need_community", 2, "social", Decimal("3.00")),
        Reason(STAFFING_RATIO, "behaviour_challenges", 0, "social", Decimal(3)),
    )
    for reason in result.reasons:
        assert isinstance(reason.magnitude, Decimal)
        assert " " not in reason.effect  # codes, never sentences


def test_eligibility_funds_only_eligible_areas(reference: Configuration) -> None:
    profile = make_profile(need_hygiene=4, need_medication=4, unpaid_medication=0.5, night=2)
    result = estimate(profile, reference, eligible=["hygiene"])
    assert amounts(result) == {"daily_living": 9800, "contingency": 295}
    assert result.eligible == ("hygiene",)
    assert Reason(NOT_ELIGIBLE, "need_medication", 4, "medication", Decimal("7.00")) in result.reasons
    assert result.what_would_change == ()  # unpaid help in an area not funded changes nothing
    both = estimate(profile, reference, eligible=("night", "medication", "hygiene", "hygiene"))
    assert both.eligible == ("hygiene", "medication", "night")
    assert amounts(both) == {"daily_living": 9800, "night": 9800, "medication": 4900, "contingency": 295}
    assert estimate(profile, reference, eligible=[]).total_weekly_pence == 0
    with pytest.raises(ProfileError, match="'swimming' is not an area of need"):
        estimate(profile, reference, eligible=["swimming"])
    with pytest.raises(ProfileError, match="not a single string"):
        estimate(profile, reference, eligible="hygiene")


def test_carer_breaks_and_rates_by_group_and_setting() -> None:
    data = reference_document()
    data["rates"]["respite"] = {"per": "week", "default": 61000}
    data["rates"]["daily_living"]["autism"] = {"supported_living": 2000}
    data["carer_breaks"] = {"kind": "respite"}
    data["lines"].append({"key": "carer_breaks", "funder": "council", "source": "carer_breaks"})
    config = load_configuration(data)
    result = estimate(make_profile(carer_breaks_weeks=2), config)
    # 2 weeks x £610 / (365.25 / 7) weeks = £23.381...
    assert amounts(result) == {"carer_breaks": 2338, "contingency": 295}
    assert result.line("carer_breaks").breaks_weeks == 2
    assert Reason(CARER_BREAKS, "carer_breaks_weeks", 2, "carer_breaks", Decimal(2)) in result.reasons
    assert estimate(make_profile(carer_breaks_weeks=2), config, eligible=AREAS).total_weekly_pence == 0
    local = estimate(make_profile(need_hygiene=4, client_group="autism", setting="supported_living"), config)
    assert local.line("daily_living").amount_pence == 14000
    assert local.line("daily_living").rate_pence == 2000
    assert (
        Reason(
            LOCAL_RATE,
            "client_group",
            "autism",
            "daily_living",
            Decimal(2000),
            None,
            "setting",
            "supported_living",
        )
        in local.reasons
    )


def test_contingency_percent_and_fluctuating_uplift() -> None:
    config = config_with(
        contingency={"kind": "daily_living", "hours_per_year": 0, "percent": 2, "fluctuating_percent": 3}
    )
    steady = estimate(make_profile(need_hygiene=4), config)
    # 2% of £98 a week over a year = 102.27 hours... at £14: 7.3 hours a year, rounded half up to 7.25 hours
    assert steady.line("contingency").hours_per_year == Decimal("7.25")
    assert steady.line("contingency").amount_pence == 195  # 7.25 x £14 / 52.18 = £1.945
    varying = estimate(make_profile(need_hygiene=4, fluctuating=1), config)
    assert varying.line("contingency").hours_per_year == Decimal("18.25")  # 5% of £98 x 52.18 / £14 = 18.26
    assert varying.line("contingency").amount_pence == 490
    assert Reason(CONTINGENCY_UPLIFT, "fluctuating", 1, "contingency", Decimal(3)) in varying.reasons
    assert CONTINGENCY_UPLIFT not in {r.effect for r in steady.reasons}


def test_range_and_yearly_total() -> None:
    config = config_with(indicative_range={"below_percent": 10, "above_percent": 15})
    result = estimate(reference_profile(), config)
    assert result.total_weekly_pence == 24095
    assert (result.range_low_pence, result.range_high_pence) == (21686, 27709)  # 216.855 -> 216.86; 277.0925
    assert result.total_yearly_pence == 1257243


def test_pooled_split_rounds_council_half_up() -> None:
    data = reference_document()
    data["pooled_split"] = {"council": 57.5, "nhs": 42.5}
    for line in data["lines"]:
        line["funder"] = "pooled"
    config = load_configuration(data)
    result = estimate(reference_profile(), config)
    # each line split: 9800 -> 5635 + 4165; 1400 -> 805 + 595 (x3); 295 -> 169.625 -> 170 + 125; 9800 again
    assert [(s.funder, s.amount_pence, s.percent) for s in result.split] == [
        ("council", 5635 * 2 + 805 * 3 + 170, Decimal("57.50")),
        ("nhs", 4165 * 2 + 595 * 3 + 125, Decimal("42.50")),
    ]
    assert [line.funder for line in result.lines if line.allocated] == ["pooled"] * 6


def test_single_funder_split() -> None:
    council_only = estimate(make_profile(need_hygiene=1), config_with(contingency={"kind": "daily_living"}))
    assert [(s.funder, s.percent) for s in council_only.split] == [("council", Decimal("100.00"))]
    nhs_only = estimate(make_profile(need_medication=1), config_with(contingency={"kind": "daily_living"}))
    assert [(s.funder, s.percent) for s in nhs_only.split] == [("nhs", Decimal("100.00"))]


def test_independent_personal_budget_without_cap(reference: Configuration) -> None:
    result = estimate(reference_profile(), reference, mode="ipb")
    assert result.mode == "ipb"
    assert result.total_weekly_pence == 24095  # the same money at the council's own rates
    assert result.split == ()
    assert all(line.funder is None for line in result.lines)
    assert result.care_account is None


def test_independent_personal_budget_care_account() -> None:
    config = config_with(
        care_cap={"cap_pence": 8_600_000, "weekly_deduction_pence": 1000, "excluded_lines": ["medication"]}
    )
    result = estimate(reference_profile(), config, mode="ipb", already_counted_pence=100_000)
    account = result.care_account
    assert account is not None
    # £240.95 less medication (£98.00) less a £10.00 deduction = £132.95 a week toward the cap
    assert account.weekly_counting_pence == 13295
    assert account.remaining_pence == 8_500_000
    assert account.weeks_to_cap == 640  # 8,500,000 / 13,295 = 639.3..., so reached in week 640
    reached = estimate(reference_profile(), config, mode="ipb", already_counted_pence=9_000_000).care_account
    assert reached is not None and (reached.remaining_pence, reached.weeks_to_cap) == (0, 0)
    nothing = estimate(make_profile(), config, mode="ipb").care_account
    assert nothing is not None and (nothing.weekly_counting_pence, nothing.weeks_to_cap) == (0, None)
    assert estimate(reference_profile(), config).care_account is None  # personal budgets have no care account


def test_bad_arguments(reference: Configuration) -> None:
    with pytest.raises(ValueError, match="mode must be"):
        estimate(reference_profile(), reference, mode="cash")
    with pytest.raises(ValueError, match="must not be negative"):
        estimate(reference_profile(), reference, mode="ipb", already_counted_pence=-1)


def _without_unpaid(profile: NeedsProfile, area: str) -> NeedsProfile:
    return dataclasses.replace(profile, **_changes(f"unpaid_{area}", Decimal(0)))


def test_what_would_change_matches_a_full_recalculation(
    demo: Configuration, sample_profiles: list[NeedsProfile]
) -> None:
    checked = 0
    for profile in sample_profiles:
        for eligible in (None, AREAS[::2]):
            result = estimate(profile, demo, eligible=eligible)
            for change in result.what_would_change:
                again = estimate(_without_unpaid(profile, change.area), demo, eligible=eligible)
                assert change.increase_pence == again.total_weekly_pence - result.total_weekly_pence
                assert change.increase_pence >= 0
                assert change.field == f"unpaid_{change.area}"
                checked += 1
            # Only what would move the budget is listed: an area whose unpaid help changes nothing is left out.
            counted = {
                a
                for a in AREAS
                if profile.unpaid(a)
                and profile.need(a)
                and (eligible is None or a in eligible)
                and estimate(_without_unpaid(profile, a), demo, eligible=eligible).total_weekly_pence
                > result.total_weekly_pence
            }
            assert {c.area for c in result.what_would_change} == counted
    assert checked > 300


def test_what_would_change_never_lists_a_change_worth_nothing(
    demo: Configuration, sample_profiles: list[NeedsProfile]
) -> None:
    unchanged = 0
    for profile in sample_profiles:
        result = estimate(profile, demo)
        assert all(change.increase_pence > 0 for change in result.what_would_change)
        for area in AREAS:
            if profile.unpaid(area) and profile.need(area):
                again = estimate(_without_unpaid(profile, area), demo)
                unchanged += again.total_weekly_pence == result.total_weekly_pence
    assert unchanged  # the sample has unpaid help that changes nothing, so the test can fail


def test_unpaid_help_at_night_is_optional_and_defaults_to_none(reference: Configuration) -> None:
    from tests.engine.conftest import profile_dict

    old_file = profile_dict(night=2)
    assert "unpaid_night" not in old_file  # a case file written before the field existed still loads
    profile = NeedsProfile.from_mapping(old_file)
    assert profile.unpaid_night == Decimal(0)
    assert NeedsProfile.from_mapping(profile.to_dict()) == profile
    with pytest.raises(ProfileError, match="unpaid_night"):
        NeedsProfile.from_mapping(profile_dict(night=2, unpaid_night=0.3))


def test_the_night_line_takes_unpaid_help_at_night_into_account(reference: Configuration) -> None:
    alone = estimate(make_profile(night=2, need_hygiene=2), reference)
    shared = estimate(make_profile(night=2, need_hygiene=2, unpaid_night=0.5), reference)
    assert shared.line("night").amount_pence == alone.line("night").amount_pence // 2 > 0
    assert shared.line("night").nights_per_week == Decimal("3.5")
    (reason,) = [r for r in shared.reasons if r.effect == "unpaid_support" and r.line == "night"]
    assert reason.field == "unpaid_night" and reason.value == Decimal("0.5")
    (change,) = [c for c in shared.what_would_change if c.area == "night"]
    assert change.increase_pence == alone.total_weekly_pence - shared.total_weekly_pence > 0
    assert change.line == "night" and change.field == "unpaid_night"
    # All the help at night given unpaid: no money for nights, and the reasons say why.
    covered = estimate(make_profile(night=2, need_hygiene=2, unpaid_night=1), reference)
    assert not covered.line("night").allocated
    assert {r.effect for r in covered.reasons if r.line == "night"} == {"night_support", "unpaid_support"}
    assert Estimate.from_dict(shared.to_dict()) == shared


def test_what_would_change_through_a_ratio_and_percent_contingency() -> None:
    config = config_with(contingency={"kind": "daily_living", "percent": 5})
    profile = make_profile(need_community=4, unpaid_community=0.5, need_hygiene=1)
    result = estimate(profile, config)
    (change,) = result.what_would_change
    again = estimate(_without_unpaid(profile, "community"), config)
    assert change.increase_pence == again.total_weekly_pence - result.total_weekly_pence > 0
    assert change.line == "social"


def test_round_trip_and_json(demo: Configuration, sample_profiles: list[NeedsProfile]) -> None:
    for profile in sample_profiles[:50]:
        for mode in ("personal", "ipb"):
            result = estimate(profile, demo, mode=mode)
            data = result.to_dict()
            assert Estimate.from_dict(json.loads(json.dumps(data))) == result
    data = estimate(reference_profile(), demo).to_dict()
    assert (
        data["total_weekly_pounds"]
        == f"{data['total_weekly_pence'] // 100}.{data['total_weekly_pence'] % 100:02d}"
    )
    assert all(isinstance(line["amount_pence"], int) for line in data["lines"])


def test_care_account_round_trip() -> None:
    config = config_with(care_cap={"cap_pence": 8_600_000})
    result = estimate(reference_profile(), config, mode="ipb", already_counted_pence=5)
    assert Estimate.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    assert result.to_dict()["care_account"]["cap_pounds"] == "86000.00"


def test_results_do_not_depend_on_caches(sample_profiles: list[NeedsProfile]) -> None:
    warm = demo_configuration()
    first = [estimate(p, warm) for p in sample_profiles]
    again = [estimate(p, warm) for p in sample_profiles]
    other = demo_configuration()
    backwards = [estimate(p, other) for p in reversed(sample_profiles)][
        ::-1
    ]  # caches filled in another order
    assert first == again == backwards
    assert all(
        estimate(p, demo_configuration()) == r for p, r in zip(sample_profiles[:5], first, strict=False)
    )


def test_estimates_are_frozen(reference: Configuration) -> None:
    result = estimate(reference_profile(), reference)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total_weekly_pence = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.lines[0].amount_pence = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.reasons[0].magnitude = Decimal(1)  # type: ignore[misc]


def test_configuration_without_contingency_or_night() -> None:
    data = reference_document()
    data["lines"] = [line for line in data["lines"] if line.get("source") not in ("contingency", "night")]
    data["contingency"] = {"kind": "daily_living"}
    data["night_support"] = []
    config = load_configuration(data)
    result = estimate(make_profile(need_hygiene=4, unpaid_hygiene=0.5, night=3), config)
    assert amounts(result) == {"daily_living": 4900}
    assert [c.increase_pence for c in result.what_would_change] == [4900]


def test_memo_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal.engine import calculator

    monkeypatch.setattr(calculator, "_MEMO_LIMIT", 0)
    assert calculator._hours(12345 * 60) == Decimal("12345.00")
    assert calculator._hundredths(987654) == Decimal("9876.54")
    assert 12345 * 60 not in calculator._MINUTE_HOURS and 987654 not in calculator._HUNDREDTHS


def test_factor_cache_is_bounded(
    monkeypatch: pytest.MonkeyPatch, sample_profiles: list[NeedsProfile]
) -> None:
    from portal.engine import calculator, configuration

    monkeypatch.setattr(configuration, "FACTOR_CACHE_LIMIT", 3)
    monkeypatch.setattr(calculator, "_AREA_CACHE_LIMIT", 5)
    config = demo_configuration()
    bounded = [estimate(p, config) for p in sample_profiles[:40]]
    assert len(config._factor_cache) <= 3
    assert len(config._multipliers) <= 3 + len(config.areas)  # one key's parts past the bound
    assert len(config._term_groups) <= 3 + len(config.terms)
    tables = config._engine_cache["tables"]
    assert max(len(tables.areas), len(tables.level_reasons), len(tables.unpaid_reasons)) <= 5
    assert bounded == [estimate(p, demo_configuration()) for p in sample_profiles[:40]]


def _changes(field: str, value: Any) -> dict[str, Any]:
    return {field: value}


def test_factor_info_is_kept(demo: Configuration) -> None:
    key = make_profile(memory_cognition=2).factor_key
    assert demo.factor_info(key) is demo.factor_info(key)
    assert demo.factor_info(key).multipliers[0] > 1  # memory difficulties lengthen help with food


def test_from_dict_refuses_odd_values(reference: Configuration) -> None:
    data = estimate(reference_profile(), reference).to_dict()
    data["reasons"][0]["value"] = [1]
    with pytest.raises(ValueError, match="unexpected value"):
        Estimate.from_dict(data)


def _factor_info_by_scan(config: Configuration, key: tuple[int, ...]) -> tuple[Any, ...]:
    """factor_info as the plain definition: every term's conditions tested one by one, logs summed per area."""
    from portal.engine.configuration import _factor_value

    logs = [0.0] * len(config.areas)
    hits = []
    grouped: dict[tuple[str, ...], list[Any]] = {}
    for term in config.terms:
        if all(key[i] in values for i, values in term.conditions):
            hits.append(term)
            grouped.setdefault(term.fields, []).append(term)
            for a in term.areas:
                logs[a] += term.log_effect
    groups = []
    for fields, terms in grouped.items():
        mask = 0
        for term in terms:
            mask |= term.mask
        values = tuple(_factor_value(key, name) for name in fields)
        ids = tuple(t.index for t in terms)
        groups.append((fields, values, tuple(terms), ids, mask, all(t.mask == mask for t in terms)))
    return tuple(math.exp(v) for v in logs), tuple(hits), tuple(groups)


@pytest.mark.parametrize("which", ["demo", "reference", "reversed"])
def test_factor_info_by_bit_masks_is_the_plain_scan(which: str, request: pytest.FixtureRequest) -> None:
    """Every factor key there is: the bit-mask look-up meets the same terms and gives the same floats.

    "reversed" is the demo's terms in the opposite order, so a group's first term touches more areas than its
    last (behaviour at level 2 before level 1).
    """
    import itertools

    config: Configuration = request.getfixturevalue("reference" if which == "reference" else "demo")
    model = config.to_dict()["model"]
    if which == "reversed":
        model["terms"].reverse()
    config = config.with_changes(label="fresh", model=model)  # empty caches
    sizes = (5, 2, 2, 4, 3, 4, 2, 2)
    for key in itertools.product(*(range(n) for n in sizes)):
        info = config.factor_info(key)
        groups = tuple((g.fields, g.values, g.terms, g.ids, g.mask, g.uniform) for g in info.groups)
        assert (info.multipliers, info.terms, groups) == _factor_info_by_scan(config, key), key


def test_term_reasons_follow_the_areas_met_whatever_came_first(demo: Configuration) -> None:
    """A group whose terms touch different areas of one line explains only the terms on the areas paid.

    Here behaviour at level 1 touches only nutrition, at level 2 every area; both are on the daily living line.
    Estimating someone with nutrition needs first must not leave its reason for someone without them.
    """
    model = demo.to_dict()["model"]
    for term in model["terms"]:
        if term["key"] == "behaviour_1":
            term["areas"] = ["nutrition"]
    both = make_profile(behaviour_challenges=2, need_nutrition=2, need_hygiene=2)
    hygiene_only = make_profile(behaviour_challenges=2, need_hygiene=2)
    config = demo.with_changes(label="split", model=model)
    estimate(both, config)
    after = estimate(hygiene_only, config)
    assert after == estimate(hygiene_only, demo.with_changes(label="split", model=model))  # fresh caches
    terms = [r.term for r in after.reasons if r.field == "behaviour_challenges" and r.line == "daily_living"]
    assert terms == ["behaviour_2"]
