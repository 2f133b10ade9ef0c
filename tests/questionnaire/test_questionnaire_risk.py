"""Risk rules as data: urgent and at-risk flags from answers on the path only."""

from __future__ import annotations

import pytest

from portal.questionnaire import Risk, Schema


@pytest.fixture(scope="module")
def risky(load_fixture) -> Schema:
    return load_fixture("risk")


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, Risk(False, False, ())),
        ({"carer": "yes", "carer-copes": "yes"}, Risk(False, False, ())),
        ({"carer": "yes", "carer-copes": "no"}, Risk(True, True, ("carer-cannot-go-on",))),
        ({"carer": "yes", "carer-copes": "with_help"}, Risk(False, True, ("carer-needs-help",))),
        ({"nights": 3, "night-helpers": ["no_one"]}, Risk(False, True, ("nights-alone",))),
        ({"nights": 7, "night-helpers": ["no_one"]}, Risk(True, True, ("nights-alone", "every-night-alone"))),
        ({"nights": 7, "night-helpers": ["family"]}, Risk(False, False, ())),
        # Answers off the path do not count: no carer, so "cannot go on" is a leftover.
        ({"carer": "no", "carer-copes": "no"}, Risk(False, False, ())),
        ({"nights": 0, "night-helpers": ["no_one"]}, Risk(False, False, ())),
        # An invalid stored answer does not count either.
        ({"carer": "yes", "carer-copes": "NO"}, Risk(False, False, ())),
    ],
)
def test_risk_rules(risky: Schema, answers, expected: Risk) -> None:
    assert risky.risk(answers) == expected


def test_real_schema_risk_rules(schema: Schema) -> None:
    assert [(rule.id, rule.level) for rule in schema.risk_rules] == [
        ("unsafe-alone-at-night", "urgent"),
        ("unsafe-and-lives-alone", "urgent"),
        ("carer-cannot-go-on", "urgent"),
        ("daily-help-no-one-helps", "at_risk"),
        ("night-needs-no-support", "at_risk"),
        ("carer-needs-more-help", "at_risk"),
        ("memory-lives-alone", "at_risk"),
        ("not-always-safe-alone", "at_risk"),
    ]
    assert (
        schema.risk_rule("carer-cannot-go-on").text("description") == "Their unpaid carer cannot go on caring"
    )
    with pytest.raises(KeyError):
        schema.risk_rule("nowhere")


@pytest.mark.parametrize(
    ("answers", "rule_ids", "urgent"),
    [
        (
            {"safe-on-own": "no", "night-help": "sometimes", "night-who-helps": ["no_one"]},
            ("unsafe-alone-at-night", "night-needs-no-support"),
            True,
        ),
        ({"live-alone": "yes", "safe-on-own": "no"}, ("unsafe-and-lives-alone",), True),
        ({"has-unpaid-carer": "yes", "carer-can-continue": "no"}, ("carer-cannot-go-on",), True),
        ({"has-unpaid-carer": "no", "carer-can-continue": "no"}, (), False),
        ({"washing": "a_lot", "washing-unpaid": "none"}, ("daily-help-no-one-helps",), False),
        ({"washing": "a_lot", "washing-unpaid": "some"}, (), False),
        ({"washing": "some", "washing-unpaid": "none"}, (), False),
        (
            {"looks-after-child": "yes", "childcare": "all_the_time", "childcare-unpaid": "none"},
            ("daily-help-no-one-helps",),
            False,
        ),
        ({"looks-after-child": "no", "childcare": "all_the_time", "childcare-unpaid": "none"}, (), False),
        (
            {"night-help": "awake_all_night", "night-who-helps": ["no_one"]},
            ("night-needs-no-support",),
            False,
        ),
        ({"night-help": "none", "night-who-helps": ["no_one"]}, (), False),
        ({"live-alone": "yes", "memory-thinking": "severe"}, ("memory-lives-alone",), False),
        ({"live-alone": "yes", "safe-on-own": "not_always"}, ("not-always-safe-alone",), False),
    ],
)
def test_real_schema_risk(schema: Schema, answers, rule_ids, urgent) -> None:
    risk = schema.risk(answers)
    assert risk.rule_ids == rule_ids
    assert risk.urgent is urgent
    assert risk.at_risk is bool(rule_ids)
