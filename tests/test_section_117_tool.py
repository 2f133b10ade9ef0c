"""The Section 117 aftercare tool as a folder (decision 0015): manifest, questionnaire, configuration, wording."""

from __future__ import annotations

from portal.tools import builtin_tools
from tests.questionnaire_voice import wrongly_voiced


def test_the_tool_is_shipped_free_and_completed_with_the_person() -> None:
    tool = builtin_tools()["section_117"]
    assert tool.domain == "section_117"
    assert tool.completed_by == frozenset({"practitioner", "person"})
    assert tool.free_to_person is True and tool.charging == "none"
    assert tool.schema.answer_notes is True
    assert [line.key for line in tool.configuration.lines] == [
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


def test_its_eligibility_is_aftercare_not_the_care_act() -> None:
    tool = builtin_tools()["section_117"]
    meaning = tool.wording["eligibility.meaning"]
    assert "not decided by the Care Act eligibility criteria" in meaning
    assert "arise from, or relate to" in meaning
    assert "going back into hospital" in meaning
    for key in ("heading", "eligible", "not_met", "not_eligible_needs", "no_budget"):
        text = tool.wording[f"eligibility.{key}"]
        assert "Care Act" not in text or key == "meaning"
        assert "eligible needs" not in text


def test_every_string_goes_to_its_own_domain() -> None:
    tool = builtin_tools()["section_117"]
    contexts = [source.msgctxt for source in tool.translatable_strings()]
    assert "tool.eligibility.meaning" in contexts
    assert "tool.lines.social" in contexts
    assert any(context.startswith("engaging-with-support.") for context in contexts)
    assert len(contexts) == len(set(contexts))


def test_its_eligibility_speaks_to_a_carer_by_name_and_in_easy_read(app) -> None:
    from portal import tool_service
    from portal.i18n.schema_text import Words
    from portal.questionnaire import Voice

    tool = builtin_tools()["section_117"]
    with app.test_request_context():
        person = tool_service.words_of(tool, Words(voice=Voice.PERSON, name="Rhys"))
        carer = tool_service.words_of(tool, Words(voice=Voice.CARER, name="Rhys"))
        easy = tool_service.words_of(tool, Words(voice=Voice.PERSON, name="Rhys", easy_read=True))
        easy_carer = tool_service.words_of(tool, Words(voice=Voice.CARER, name="Rhys", easy_read=True))
    keys = ("heading", "meaning", "eligible", "not_met", "not_eligible_needs", "no_budget")
    for key in keys:
        assert "your" in person[f"eligibility.{key}"].lower() or key == "heading"
        assert "your" not in carer[f"eligibility.{key}"].lower(), key
        assert "your" not in easy_carer[f"eligibility.{key}"].lower(), key
        assert "{name}" not in carer[f"eligibility.{key}"] + easy_carer[f"eligibility.{key}"]
        assert easy[f"eligibility.{key}"] != person[f"eligibility.{key}"], key
    assert "Rhys" in carer["eligibility.eligible"] and "Rhys" in easy_carer["eligibility.no_budget"]
    assert not any(".carer." in k or ".easy_read." in k for k in person)  # variants stand in for their key
    assert person["lines.social"] == carer["lines.social"]  # a key without variants reads the same


#: Shared words that speak to whoever answers (the person, a carer, or staff with the person), not about the person.
TO_WHOEVER_ANSWERS = {"support-areas.easy_read.hint"}


def test_every_question_speaks_to_the_right_person_in_each_voice() -> None:
    """The check in tests/questionnaire_voice.py: no "I" in the carer's voice or one text for both, no "you" about
    the person's own life in one text for both."""
    tool = builtin_tools()["section_117"]
    assert wrongly_voiced(tool.schema, TO_WHOEVER_ANSWERS) == []
    assert "A home you own or rent" not in {s.text for s in tool.schema.translatable_strings()}
