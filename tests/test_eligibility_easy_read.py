"""Every tool's own eligibility wording has its Easy Read variants, for the person and for a carer, in short
sentences with one idea each (decision 0015; the measure of tests/practitioner/test_decision_easy_read.py)."""

from __future__ import annotations

import re

import pytest

from portal import tool_service
from portal.i18n.schema_text import Words
from portal.questionnaire import Voice
from portal.tools import builtin_tools
from tests.practitioner.test_decision_easy_read import assert_easy_read

#: The tools with their own eligibility wording (the adult tool words the Care Act's in portal/letters.py).
OWN_WORDING = ("section_117", "continuing_healthcare", "continuing_care")


def _eligibility_keys(tool) -> list[str]:
    return [key for key in tool.standard_keys() if key.startswith("eligibility.")]


def test_the_tools_with_their_own_eligibility_wording() -> None:
    assert sorted(key for key, tool in builtin_tools().items() if _eligibility_keys(tool)) == sorted(
        OWN_WORDING
    )


@pytest.mark.parametrize("key", OWN_WORDING)
def test_every_eligibility_wording_has_its_easy_read_variants(key: str) -> None:
    tool = builtin_tools()[key]
    keys = _eligibility_keys(tool)
    assert {k.split(".", 1)[1] for k in keys} >= {"heading", "eligible", "not_met", "no_budget"}
    for standard in keys:
        rest = standard.split(".", 1)[1]
        assert f"eligibility.easy_read.{rest}" in tool.wording, f"{key}: {standard} has no Easy Read"
        assert f"eligibility.easy_read.carer.{rest}" in tool.wording, (
            f"{key}: {standard} has no carer's Easy Read"
        )


@pytest.mark.parametrize("key", OWN_WORDING)
def test_the_easy_read_eligibility_is_short_sentences_in_the_readers_voice(app, key: str) -> None:
    tool = builtin_tools()[key]
    with app.test_request_context("/?lang=en"):
        plain = tool_service.words_of(tool, Words(voice=Voice.PERSON, name="Rhys"))
        easy = tool_service.words_of(tool, Words(voice=Voice.PERSON, name="Rhys", easy_read=True))
        easy_carer = tool_service.words_of(tool, Words(voice=Voice.CARER, name="Rhys", easy_read=True))
    for standard in _eligibility_keys(tool):
        assert easy[standard] != plain[standard], standard
        sentences = [s for s in re.split(r"(?<=[.?!:])\s+", easy[standard] + " " + easy_carer[standard]) if s]
        assert_easy_read(sentences)
        assert "Rhys" not in easy[standard]  # the person reads "you"
        assert "your" not in easy_carer[standard].lower(), standard  # a carer reads about Rhys
    assert "Rhys" in easy_carer["eligibility.not_met"] and "Rhys" in easy_carer["eligibility.no_budget"]


@pytest.mark.parametrize("key", ("continuing_healthcare", "continuing_care"))
def test_the_nhs_tools_say_in_easy_read_that_the_icb_decided(app, key: str) -> None:
    tool = builtin_tools()[key]
    with app.test_request_context("/?lang=en"):
        for voice in Voice:
            easy = tool_service.words_of(tool, Words(voice=voice, name="Rhys", easy_read=True))
            for outcome in ("eligible", "not_met", "no_budget"):
                assert easy[f"eligibility.{outcome}"].startswith("The ICB decided"), (voice, outcome)
            assert "ask the ICB to look at" in easy["eligibility.no_budget"]


def test_a_carer_or_staff_reads_nhs_continuing_healthcare_eligibility_about_the_person(app) -> None:
    """Staff pages and a carer read the decision in the carer's voice: never "your eligibility"."""
    tool = builtin_tools()["continuing_healthcare"]
    with app.test_request_context("/?lang=en"):
        carer = tool_service.words_of(tool, Words(voice=Voice.CARER, name="Rhys"))
    for standard in _eligibility_keys(tool):
        assert not re.search(r"\byou(r)?\b", carer[standard].split("ask the ICB")[0], re.IGNORECASE), standard
    assert "Rhys" in carer["eligibility.eligible"] and "Rhys" in carer["eligibility.no_budget"]


@pytest.mark.parametrize("weekly_pence", [12_000, None])
@pytest.mark.parametrize("voice", list(Voice))
def test_an_icb_decision_in_easy_read_is_the_nhs_s(app, weekly_pence, voice) -> None:
    """The decision's Easy Read sentences (portal.decision_easy_read) for an ICB's decision: the NHS decided, by
    its rules, and the person tells the NHS; the council only as somewhere else to ask about other help."""
    from portal.decision_easy_read import decision_lines

    with app.test_request_context("/?lang=en"):
        lines = decision_lines(
            weekly_pence=weekly_pence, changed=True, voice=voice, name="Rhys", html=False, icb=True
        )
        council = decision_lines(
            weekly_pence=weekly_pence, changed=True, voice=voice, name="Rhys", html=False
        )
    sentences = [str(line.sentence) for line in lines]
    assert_easy_read(sentences)
    assert sentences[0].startswith("The NHS has decided") and "Tell the NHS." in sentences
    assert [s for s in sentences if "council" in s] in (
        [],
        ["The NHS or the council can tell you about other help."],
    )
    assert [str(line.sentence) for line in council][0].startswith("The council has decided")
    assert ("Rhys" in sentences[0]) == (voice == Voice.CARER)


@pytest.mark.parametrize(
    ("voice", "pays"), [(Voice.PERSON, "You do not pay for it."), (Voice.CARER, "Rhys does not pay for it.")]
)
def test_aftercare_in_easy_read_says_it_is_free(app, voice, pays) -> None:
    """Section 117 aftercare is free: the Easy Read decision says so beside the money, in the reader's voice."""
    from portal.decision_easy_read import decision_lines

    with app.test_request_context("/?lang=en"):
        free = [
            str(line.sentence)
            for line in decision_lines(
                weekly_pence=25080, changed=False, voice=voice, name="Rhys", html=False, aftercare=True
            )
        ]
        plain = [
            str(line.sentence)
            for line in decision_lines(
                weekly_pence=25080, changed=False, voice=voice, name="Rhys", html=False
            )
        ]
        none = [
            str(line.sentence)
            for line in decision_lines(
                weekly_pence=None, changed=False, voice=voice, name="Rhys", html=False, aftercare=True
            )
        ]
    assert_easy_read(free)
    assert free[3:5] == ["This is aftercare after a stay in hospital under the Mental Health Act.", pays]
    assert not any("aftercare" in s for s in plain + none)


@pytest.mark.parametrize("voice", [Voice.PERSON, Voice.CARER])
def test_the_care_acts_eligibility_has_easy_read_words(app, voice) -> None:
    """The adult self-assessment's eligibility (the Care Act's, worded in portal.letters) in Easy Read: every key
    the standard wording has, in short sentences, in the reader's voice."""
    from portal.letters import eligibility_words

    with app.test_request_context("/?lang=en"):
        easy = eligibility_words(Words(voice=voice, name="Rhys", easy_read=True))
        standard = eligibility_words(Words(voice=voice, name="Rhys"))
    assert set(easy) == set(standard)
    assert all(easy[key] != standard[key] for key in easy)
    assert "Care Act" not in " ".join(easy.values()) and "criteria" not in " ".join(easy.values())
    assert_easy_read([part for value in easy.values() for part in re.split(r"(?<=[.?:])\s+", value)])
    assert ("Rhys" in easy["heading"]) == (voice == Voice.CARER)
