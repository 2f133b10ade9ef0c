"""Walk the real schema page by page as a few people would, and check the path, profile, risk and wording."""

from __future__ import annotations

from typing import Any

from portal.questionnaire import FIELD_NAMES, Risk, Schema, SectionStatus, fill_name

NO_NEEDS: dict[str, Any] = {
    "main-reason": "older_people",
    "where-you-live": "own_home",
    "live-alone": "no",
    "paying-for-care": "no",
    "contact-phone": "",
    "preferred-contact": "email",
    "communication-needs": ["large_print"],
    "communication-needs-details": "",
    "what-i-can-do": "I can cook and I garden every day.",
    "what-works-well": "",
    "what-matters": "My garden and my grandchildren.",
    "memory-thinking": "none",
    "engaging-with-support": "no",
    "getting-about": "none",
    "recent-hospital-stay": "no",
    "eating-drinking": "none",
    "washing": "none",
    "using-the-toilet": "none",
    "getting-dressed": "none",
    "medicines": "none",
    "staying-safe": "none",
    "safe-on-own": "yes",
    "keeping-home": "none",
    "night-help": "none",
    "family-friends": "none",
    "work-learning": "none",
    "out-and-about": "none",
    "looks-after-child": "no",
    "mental-health": "none",
    "harder-times": "no",
    "has-unpaid-carer": "no",
    "anything-else": "",
}

NO_NEEDS_PATH = list(NO_NEEDS)

NO_NEEDS_PROFILE = {
    "client_group": "older_people",
    "setting": "community",
    "lives_alone": 0,
    "memory_cognition": 0,
    "behaviour_challenges": 0,
    "mobility": 0,
    "fluctuating": 0,
    "two_carers": 0,
    "need_nutrition": 0,
    "unpaid_nutrition": 0.0,
    "need_hygiene": 0,
    "unpaid_hygiene": 0.0,
    "need_toileting": 0,
    "unpaid_toileting": 0.0,
    "need_dressing": 0,
    "unpaid_dressing": 0.0,
    "need_home_safety": 0,
    "unpaid_home_safety": 0.0,
    "need_home_environment": 0,
    "unpaid_home_environment": 0.0,
    "need_relationships": 0,
    "unpaid_relationships": 0.0,
    "need_work_learning": 0,
    "unpaid_work_learning": 0.0,
    "need_community": 0,
    "unpaid_community": 0.0,
    "need_childcare": 0,
    "unpaid_childcare": 0.0,
    "need_mental_health": 0,
    "unpaid_mental_health": 0.0,
    "need_medication": 0,
    "unpaid_medication": 0.0,
    "night": 0,
    "carer_breaks_weeks": 0,
    "unpaid_night": 0.0,
}

HIGH_NEEDS: dict[str, Any] = {
    "main-reason": "learning_disability",
    "where-you-live": "supported_living",
    "live-alone": "yes",
    "paying-for-care": "no",
    "contact-phone": "",
    "preferred-contact": "email",
    "communication-needs": ["large_print"],
    "communication-needs-details": "",
    "what-i-can-do": "I can choose my clothes.",
    "what-works-well": "Staff I know.",
    "what-matters": "Music.",
    "memory-thinking": "a_lot",
    "engaging-with-support": "sometimes",
    "getting-about": "cannot_without_help",
    "two-people-to-move": "yes",
    "recent-hospital-stay": "yes",
    "hospital-leaving-date": ["14", "5", "2025"],
    "eating-drinking": "a_lot",
    "eating-drinking-unpaid": "some",
    "washing": "all_the_time",
    "washing-unpaid": "none",
    "using-the-toilet": "all_the_time",
    "using-the-toilet-unpaid": "none",
    "getting-dressed": "a_lot",
    "getting-dressed-unpaid": "some",
    "medicines": "some",
    "medicines-unpaid": "most",
    "staying-safe": "a_lot",
    "staying-safe-unpaid": "about_half",
    "safe-on-own": "not_always",
    "keeping-home": "all_the_time",
    "keeping-home-unpaid": "none",
    "night-help": "awake_all_night",
    "night-who-helps": ["staff"],
    "family-friends": "some",
    "family-friends-unpaid": "all",
    "work-learning": "a_little",
    "work-learning-unpaid": "none",
    "out-and-about": "a_lot",
    "out-and-about-unpaid": "some",
    "looks-after-child": "no",
    "mental-health": "some",
    "mental-health-unpaid": "some",
    "harder-times": "yes",
    "harder-times-how-often": "every_few_months",
    "harder-times-more-support": "a_little_more",
    "has-unpaid-carer": "yes",
    "carer-can-continue": "only_with_more_help",
    "carer-breaks": "4",
    "unpaid-carer-relationship": "Daughter",
    "carer-assessment": "yes",
    "anything-else": "",
}

HIGH_NEEDS_PROFILE = {
    "client_group": "learning_disability",
    "setting": "supported_living",
    "lives_alone": 1,
    "memory_cognition": 2,
    "behaviour_challenges": 1,
    "mobility": 3,
    "fluctuating": 1,
    "two_carers": 1,
    "need_nutrition": 3,
    "unpaid_nutrition": 0.25,
    "need_hygiene": 4,
    "unpaid_hygiene": 0.0,
    "need_toileting": 4,
    "unpaid_toileting": 0.0,
    "need_dressing": 3,
    "unpaid_dressing": 0.25,
    "need_home_safety": 3,
    "unpaid_home_safety": 0.5,
    "need_home_environment": 4,
    "unpaid_home_environment": 0.0,
    "need_relationships": 2,
    "unpaid_relationships": 1.0,
    "need_work_learning": 1,
    "unpaid_work_learning": 0.0,
    "need_community": 3,
    "unpaid_community": 0.25,
    "need_childcare": 0,
    "unpaid_childcare": 0.0,
    "need_mental_health": 2,
    "unpaid_mental_health": 0.25,
    "need_medication": 2,
    "unpaid_medication": 0.75,
    "night": 3,
    "carer_breaks_weeks": 4,
    "unpaid_night": 0.0,
}

SELF_FUNDER: dict[str, Any] = {
    "main-reason": "physical_disability",
    "where-you-live": "own_home",
    "live-alone": "yes",
    "paying-for-care": "yes",
    "contact-phone": "",
    "preferred-contact": "email",
    "communication-needs": ["large_print"],
    "communication-needs-details": "",
    "what-i-can-do": "Most things, slowly.",
    "what-works-well": "My neighbour pops in.",
    "what-matters": "Staying in my home.",
    "memory-thinking": "none",
    "engaging-with-support": "no",
    "getting-about": "a_little",
    "two-people-to-move": "no",
    "recent-hospital-stay": "no",
    "eating-drinking": "some",
    "eating-drinking-unpaid": "most",
    "washing": "a_little",
    "washing-unpaid": "none",
    "using-the-toilet": "none",
    "getting-dressed": "a_little",
    "getting-dressed-unpaid": "all",
    "medicines": "none",
    "staying-safe": "none",
    "safe-on-own": "yes",
    "keeping-home": "some",
    "keeping-home-unpaid": "some",
    "night-help": "none",
    "family-friends": "none",
    "work-learning": "none",
    "out-and-about": "some",
    "out-and-about-unpaid": "about_half",
    "looks-after-child": "no",
    "mental-health": "a_little",
    "mental-health-unpaid": "all",
    "harder-times": "no",
    "has-unpaid-carer": "yes",
    "carer-can-continue": "yes",
    "carer-breaks": "2",
    "unpaid-carer-relationship": "Daughter",
    "carer-assessment": "yes",
    "anything-else": "",
}

SELF_FUNDER_PROFILE = {
    **NO_NEEDS_PROFILE,
    "client_group": "physical_disability",
    "lives_alone": 1,
    "mobility": 1,
    "need_nutrition": 2,
    "unpaid_nutrition": 0.75,
    "need_hygiene": 1,
    "need_dressing": 1,
    "unpaid_dressing": 1.0,
    "need_home_environment": 2,
    "unpaid_home_environment": 0.25,
    "need_community": 2,
    "unpaid_community": 0.5,
    "need_mental_health": 1,
    "unpaid_mental_health": 1.0,
    "carer_breaks_weeks": 2,
    "unpaid_night": 0.0,
}

# Filled in by Sam's daughter, who cares for Sam and cannot go on.
CARER_CANNOT_GO_ON: dict[str, Any] = {
    "main-reason": "older_people",
    "where-you-live": "family_home",
    "live-alone": "no",
    "paying-for-care": "not_sure",
    "contact-phone": "",
    "preferred-contact": "email",
    "communication-needs": ["large_print"],
    "communication-needs-details": "",
    "what-i-can-do": "Sam can feed the cat and loves to sing.",
    "what-works-well": "A routine.",
    "what-matters": "Family.",
    "memory-thinking": "severe",
    "engaging-with-support": "often",
    "getting-about": "a_lot",
    "two-people-to-move": "no",
    "recent-hospital-stay": "yes",
    "hospital-leaving-date": {"day": "20", "month": "5", "year": "2025"},
    "eating-drinking": "a_lot",
    "eating-drinking-unpaid": "most",
    "washing": "a_lot",
    "washing-unpaid": "most",
    "using-the-toilet": "some",
    "using-the-toilet-unpaid": "all",
    "getting-dressed": "a_lot",
    "getting-dressed-unpaid": "most",
    "medicines": "all_the_time",
    "medicines-unpaid": "all",
    "staying-safe": "all_the_time",
    "staying-safe-unpaid": "most",
    "safe-on-own": "never_alone",
    "keeping-home": "all_the_time",
    "keeping-home-unpaid": "all",
    "night-help": "most_nights",
    "night-who-helps": ["family_or_friends"],
    "night-unpaid": "most",
    "family-friends": "a_little",
    "family-friends-unpaid": "all",
    "work-learning": "none",
    "out-and-about": "a_lot",
    "out-and-about-unpaid": "most",
    "looks-after-child": "no",
    "mental-health": "some",
    "mental-health-unpaid": "most",
    "harder-times": "yes",
    "harder-times-how-often": "every_month",
    "harder-times-more-support": "a_lot_more",
    "has-unpaid-carer": "yes",
    "carer-can-continue": "no",
    "carer-breaks": "6",
    "unpaid-carer-relationship": "Daughter",
    "carer-assessment": "yes",
    "anything-else": "Sam speaks Welsh at home.",
}

CARER_CANNOT_GO_ON_PROFILE = {
    "client_group": "older_people",
    "setting": "community",
    "lives_alone": 0,
    "memory_cognition": 3,
    "behaviour_challenges": 2,
    "mobility": 2,
    "fluctuating": 1,
    "two_carers": 0,
    "need_nutrition": 3,
    "unpaid_nutrition": 0.75,
    "need_hygiene": 3,
    "unpaid_hygiene": 0.75,
    "need_toileting": 2,
    "unpaid_toileting": 1.0,
    "need_dressing": 3,
    "unpaid_dressing": 0.75,
    "need_home_safety": 4,
    "unpaid_home_safety": 0.75,
    "need_home_environment": 4,
    "unpaid_home_environment": 1.0,
    "need_relationships": 1,
    "unpaid_relationships": 1.0,
    "need_work_learning": 0,
    "unpaid_work_learning": 0.0,
    "need_community": 3,
    "unpaid_community": 0.75,
    "need_childcare": 0,
    "unpaid_childcare": 0.0,
    "need_mental_health": 2,
    "unpaid_mental_health": 0.75,
    "need_medication": 4,
    "unpaid_medication": 1.0,
    "night": 2,
    "carer_breaks_weeks": 6,
    "unpaid_night": 0.75,
}


def _check_profile(schema: Schema, answers: dict[str, Any], expected: dict[str, Any]) -> None:
    profile = schema.to_profile(answers)
    assert profile.as_dict() == expected
    assert list(profile) == list(FIELD_NAMES)
    assert profile.missing == ()
    for name, value in expected.items():
        assert type(profile[name]) is type(value), name


def test_person_with_no_needs(schema: Schema, walk) -> None:
    pages, answers = walk(schema, NO_NEEDS)
    assert pages == NO_NEEDS_PATH
    assert len(pages) == 32  # 28, and the contact and communication questions
    _check_profile(schema, answers, NO_NEEDS_PROFILE)
    assert schema.risk(answers) == Risk(urgent=False, at_risk=False, rule_ids=())
    assert not schema.is_self_funder(answers)
    assert answers["what-works-well"] is None  # optional and left blank: answered, stored as None
    assert set(schema.section_statuses(answers).values()) == {SectionStatus.COMPLETED}


def test_person_with_high_needs(schema: Schema, walk) -> None:
    pages, answers = walk(schema, HIGH_NEEDS)
    assert pages == list(HIGH_NEEDS)
    assert len(pages) == 52  # 46, and the contact, communication and carer questions
    assert "childcare" not in pages and "childcare-unpaid" not in pages
    assert answers["hospital-leaving-date"] == "2025-05-14"
    assert answers["carer-breaks"] == 4
    _check_profile(schema, answers, HIGH_NEEDS_PROFILE)
    assert schema.risk(answers) == Risk(
        urgent=False,
        at_risk=True,
        rule_ids=("daily-help-no-one-helps", "carer-needs-more-help", "not-always-safe-alone"),
    )


def test_self_funder_gets_self_funder_wording(schema: Schema, walk) -> None:
    pages, answers = walk(schema, SELF_FUNDER)
    assert pages == list(SELF_FUNDER)
    _check_profile(schema, answers, SELF_FUNDER_PROFILE)
    assert schema.is_self_funder(answers)
    assert schema.risk(answers) == Risk(False, False, ())
    unpaid = schema.question("eating-drinking-unpaid")
    sf = schema.is_self_funder(answers)
    assert "what the council would pay for your care" in unpaid.text("hint", "person", self_funder=sf)
    assert "personal budget" in unpaid.text("hint", "person", self_funder=False)
    easy = unpaid.source("hint", "person", easy_read=True, self_funder=sf)
    assert easy is not None and easy.msgctxt == "eating-drinking-unpaid.easy_read.self_funder.hint"
    assert "what the council would pay" in easy.text
    # Questions without self-funder wording fall back to the standard wording.
    assert (
        schema.question("washing").text("title", "person", self_funder=True)
        == "Do you need help to wash and keep clean?"
    )


def test_not_sure_about_paying_is_not_a_self_funder(schema: Schema) -> None:
    assert not schema.is_self_funder({"paying-for-care": "not_sure"})
    assert schema.is_self_funder({"paying-for-care": "yes"})


def test_carer_who_cannot_go_on_is_urgent(schema: Schema, walk) -> None:
    pages, answers = walk(schema, CARER_CANNOT_GO_ON)
    assert pages == list(CARER_CANNOT_GO_ON)
    _check_profile(schema, answers, CARER_CANNOT_GO_ON_PROFILE)
    assert schema.risk(answers) == Risk(urgent=True, at_risk=True, rule_ids=("carer-cannot-go-on",))
    question = schema.question("carer-can-continue")
    assert (
        fill_name(question.text("title", "carer"), "Sam")
        == "Can the person who looks after Sam keep caring for them?"
    )
    assert question.text("title", "person") == "Can the person who looks after you keep caring for you?"


def test_urgent_is_known_as_soon_as_the_answer_is_given(schema: Schema, walk) -> None:
    """Urgent risk shows before sending: it holds on a half-finished questionnaire."""
    posted = dict(CARER_CANNOT_GO_ON)
    _pages, answers = walk(schema, posted)
    partial = {qid: answers[qid] for qid in list(answers)[: list(answers).index("carer-can-continue") + 1]}
    assert not schema.is_complete(partial)
    assert schema.risk(partial).urgent
    assert schema.first_unanswered(partial) == "carer-breaks"


def test_changing_an_answer_brings_skipped_questions_onto_the_path(schema: Schema, walk) -> None:
    """An assessor's amendment can make new questions apply; they are listed as unanswered."""
    _pages, answers = walk(schema, NO_NEEDS)
    amended = {**answers, "eating-drinking": "a_lot", "looks-after-child": "yes"}
    assert schema.unanswered(amended) == ["eating-drinking-unpaid", "childcare"]
    assert schema.first_unanswered(amended) == "eating-drinking-unpaid"
    assert schema.to_profile(amended).missing == ("unpaid_nutrition", "need_childcare")
    assert schema.section_statuses(amended)["daily-living"] is SectionStatus.IN_PROGRESS


def test_changing_an_answer_drops_answers_that_no_longer_apply(schema: Schema, walk) -> None:
    _pages, answers = walk(schema, HIGH_NEEDS)
    amended = {**answers, "washing": "none", "has-unpaid-carer": "no"}
    assert "washing-unpaid" not in schema.path(amended)
    effective = schema.effective_answers(amended)
    assert "washing-unpaid" not in effective and "carer-breaks" not in effective
    profile = schema.to_profile(amended)
    assert profile["need_hygiene"] == 0 and profile["unpaid_hygiene"] == 0.0
    assert profile["carer_breaks_weeks"] == 0
    assert "carer-needs-more-help" not in schema.risk(amended).rule_ids
