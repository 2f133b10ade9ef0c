"""The two NHS personal health budget tools as data (decision 0015): adult NHS Continuing Healthcare and children
and young people's Continuing Care, free to the person, every line NHS-funded, answers carried over at 18."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portal.carry_over import load_carry_over
from portal.case_record import eligible_areas, funded_areas
from portal.engine import estimate
from portal.engine.profile import make_profile
from portal.tools import ToolError, builtin_tools, load_tool, load_tools

TOOLS = ("continuing_healthcare", "continuing_care")
#: Words a tool free to the person never shows: nothing about paying towards it or being assessed for it.
NEVER = ("contribution", "financial assessment", "means test", "means-test", "charge", "charging", "afford")


def answers_for(tool, need="some", unpaid="none", **overrides):
    """Every question on the path answered: the same need everywhere, the same unpaid share."""
    answers = {}
    for question in tool.schema.questions:
        if question.id.startswith("need-"):
            answers[question.id] = need
        elif question.id.startswith("unpaid-") or question.id == "unpaid-night":
            answers[question.id] = unpaid
        elif question.type == "single":
            answers[question.id] = question.options[0].value
    answers.update(overrides)
    return answers


def estimate_for(tool, answers):
    profile = make_profile(dict(tool.schema.to_profile(answers)), tool.areas, tool.need_levels)
    return estimate(profile, tool.configuration)


@pytest.mark.parametrize("key", TOOLS)
def test_each_tool_is_shipped_free_completed_by_a_practitioner_and_decided_by_the_icb(key):
    tool = builtin_tools()[key]
    assert tool.domain == key
    assert tool.completed_by == frozenset({"practitioner"})
    assert tool.free_to_person is True and tool.charging == "none"
    assert tool.eligibility_test == "icb_decision"
    assert tool.schema.answer_notes is True


def test_the_areas_of_need():
    tools = builtin_tools()
    adult, child = tools["continuing_healthcare"], tools["continuing_care"]
    assert len(adult.areas) == 13 and "cognition" in adult.areas
    assert set(child.areas) == set(adult.areas) - {"cognition"}
    assert child.text("areas.daily_life").text == "Play, learning and going out"
    assert adult.text("areas.daily_life").text == "Going out, relationships and activities"


@pytest.mark.parametrize("key", TOOLS)
def test_nothing_a_person_reads_asks_them_to_pay(key):
    tool = builtin_tools()[key]
    texts = [source.text for source in tool.translatable_strings()]
    assert texts
    for text in texts:
        assert not any(word in text.lower() for word in NEVER), text
    paying = tool.text("letter.paying").text
    assert "free" in paying and "not be asked to pay" in paying


@pytest.mark.parametrize("key", TOOLS)
def test_every_line_is_nhs_funded_and_unpaid_support_counts(key):
    tool = builtin_tools()[key]
    assert {line.funder for line in tool.configuration.lines} == {"nhs"}
    alone = estimate_for(tool, answers_for(tool))
    helped = estimate_for(tool, answers_for(tool, unpaid="about_half"))
    assert alone.total_weekly_pence > helped.total_weekly_pence > 0
    assert [(s.funder, str(s.percent)) for s in alone.split] == [("nhs", "100.00")]
    more = estimate_for(tool, answers_for(tool, need="a_lot"))
    assert more.total_weekly_pence > alone.total_weekly_pence


def test_the_unpaid_question_is_skipped_where_no_help_is_needed():
    tool = builtin_tools()["continuing_healthcare"]
    answers = answers_for(tool, **{"need-breathing": "none"})
    assert not tool.schema.is_on_path("unpaid-breathing", answers)
    assert tool.schema.is_on_path("unpaid-skin", answers)


def test_answers_carry_over_where_the_questions_mean_the_same():
    tools = builtin_tools()
    carry = load_carry_over(tools["continuing_healthcare"], tools)
    assert carry is not None and carry.source == "continuing_care"
    assert "need-daily-life" not in carry.answers and "main-reason" not in carry.answers
    assert carry.answers["need-breathing"] == "need-breathing"
    child = answers_for(
        tools["continuing_care"], need="a_lot", **{"need-skin": "", "what-matters": "Swimming"}
    )
    adult = carry.apply(child)
    assert adult["need-breathing"] == "a_lot" and adult["two-people"] == child["two-people"]
    assert "need-skin" not in adult and "what-matters" not in adult and "need-daily-life" not in adult
    for question_id in adult:
        tools["continuing_healthcare"].schema.question(question_id)  # every carried answer has its question
    assert load_carry_over(tools["continuing_care"], tools) is None


def test_a_carry_over_that_no_longer_matches_is_refused(tmp_path: Path):
    import portal.tools

    folder = tmp_path / "continuing_healthcare"
    shutil.copytree(Path(portal.tools.__file__).parent / "continuing_healthcare", folder)
    tools = {**load_tools(), "continuing_healthcare": load_tool(folder)}
    carry = folder / "carry_over.yaml"
    carry.write_text(carry.read_text() + "  need-cognition: need-cognition\n", encoding="utf-8")
    with pytest.raises(ToolError, match="need-cognition: names a question one of the tools does not have"):
        load_carry_over(tools["continuing_healthcare"], tools)
    carry.write_text("from: continuing_care\nanswers:\n  night: need-skin\n", encoding="utf-8")
    with pytest.raises(ToolError, match="answers.night: the two questions do not offer the same answers"):
        load_carry_over(tools["continuing_healthcare"], tools)


def test_the_icb_decision_is_the_eligibility_test():
    decided = {"eligibility": {"test": "icb_decision", "eligible": "yes", "areas": ["breathing", "night"]}}
    assert eligible_areas(decided) == ["breathing", "night"]
    assert funded_areas(decided) == ["breathing", "night"]
    refused = {"eligibility": {"test": "icb_decision", "eligible": "no", "areas": ["breathing"]}}
    assert eligible_areas(refused) == [] and funded_areas(refused) == []
