"""The adult questionnaire speaks to the right person in each voice (the check in tests/questionnaire_voice.py)."""

from __future__ import annotations

from portal.tools import builtin_tools
from tests.questionnaire_voice import wrongly_voiced

#: Shared words that speak to, or as, whoever answers (the person, a carer, or staff with the person), not about
#: the person: how to answer, and the answerer's own "I'm not sure"; the carer's hint quotes the person's own words.
TO_WHOEVER_ANSWERS = {
    "main-reason.hint",
    "paying-for-care.option.not_sure",
    "paying-for-care.easy_read.option.not_sure",
    "contact-phone.easy_read.hint",
    "communication-needs.easy_read.hint",
    "night-who-helps.easy_read.hint",
    "what-i-can-do.hint.carer",
}


def _texts(tool) -> dict[str, str]:
    return {s.msgctxt: s.text for s in tool.schema.translatable_strings()}


def test_every_question_speaks_to_the_right_person_in_each_voice() -> None:
    tool = builtin_tools()["adult_social_care"]
    assert wrongly_voiced(tool.schema, TO_WHOEVER_ANSWERS) == []
    assert "A home you own or rent" not in _texts(tool).values()


def test_the_voiced_hints_say_whose_home_work_and_carer() -> None:
    texts = _texts(builtin_tools()["adult_social_care"])
    assert texts["where-you-live.option.own_home.hint.person"] == "A home I own or rent"
    assert texts["where-you-live.option.own_home.hint.carer"] == "A home they own or rent"
    assert "{name} does not want to work" in texts["work-learning.easy_read.hint.carer"]
    assert "{name} can make toast" in texts["what-i-can-do.easy_read.hint.carer"]
    # The person is not their own unpaid carer: only a carer is asked how they are related to {name}.
    assert "If this is you" not in texts["unpaid-carer-relationship.hint.person"]
    assert "related to {name}" in texts["unpaid-carer-relationship.hint.carer"]


def test_the_allowed_shared_words_are_still_there() -> None:
    """Each exception names a string that exists (a renamed question would otherwise slip past the check)."""
    assert TO_WHOEVER_ANSWERS - _texts(builtin_tools()["adult_social_care"]).keys() == set()
