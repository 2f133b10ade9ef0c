"""Wording in voices, Easy Read and self-funder variants, and the strings handed to gettext."""

from __future__ import annotations

import pytest

from portal.questionnaire import Schema, SourceString, Voice, fill_name


@pytest.fixture(scope="module")
def wording(load_fixture) -> Schema:
    return load_fixture("wording")


@pytest.mark.parametrize(
    ("kind", "voice", "easy_read", "self_funder", "msgctxt", "text"),
    [
        ("title", "person", False, False, "meals.title.person", "Do you need help with meals?"),
        ("title", "carer", False, False, "meals.title.carer", "Does {name} need help with meals?"),
        ("title", "carer", True, False, "meals.easy_read.title.carer", "Meals: does {name} need help?"),
        ("title", "person", False, True, "meals.title.person", "Do you need help with meals?"),
        ("hint", "carer", False, False, "meals.hint.carer", "Think about {name}'s typical week."),
        ("hint", "person", False, True, "meals.self_funder.hint", "Self-funder hint."),
        ("hint", "person", True, False, "meals.easy_read.hint", "Easy Read hint."),
        ("hint", "carer", True, True, "meals.easy_read.self_funder.hint", "Easy Read self-funder hint."),
        ("summary", "carer", True, True, "meals.summary", "Meals"),
        ("option.none", "person", True, False, "meals.easy_read.option.none", "No"),
        ("option.none", "person", False, False, "meals.option.none", "No help"),
        ("option.some", "person", True, True, "meals.self_funder.option.some", "Some help (self-funder)"),
        ("option.none.hint", "carer", False, False, "meals.option.none.hint.carer", "They manage"),
        ("option.none.hint", "carer", True, False, "meals.option.none.hint.carer", "They manage"),
        ("option.some.hint", "person", True, False, "meals.easy_read.option.some.hint", "Help on some days"),
        ("picture.alt", "person", False, False, "meals.picture.alt", "A plate of food"),
        ("picture.alt", "person", True, False, "meals.easy_read.picture.alt", "Food on a plate"),
        (
            "error.REQUIRED",
            "carer",
            False,
            False,
            "meals.error.REQUIRED.carer",
            "Select whether {name} needs help with meals",
        ),
    ],
)
def test_wording_lookup(wording: Schema, kind, voice, easy_read, self_funder, msgctxt, text) -> None:
    question = wording.question("meals")
    found = question.source(kind, voice, easy_read=easy_read, self_funder=self_funder)
    assert found is not None
    assert (found.msgctxt, found.text) == (msgctxt, text)
    assert question.text(kind, voice, easy_read=easy_read, self_funder=self_funder) == text


def test_wording_is_looked_up_once_per_item_and_variant(wording: Schema) -> None:
    """A page asks the same strings on every request: the second ask is the string kept, per variant asked."""
    question = wording.question("meals")
    first = question.source("title", "carer", easy_read=True)
    assert question.source("title", Voice.CARER, easy_read=True) is first
    assert question.source("title", "person", easy_read=True) != first
    assert question.source("title", "carer") != first
    assert question.source("option.some.hint", "person") is None  # kept as none too
    assert question.source("option.some.hint", "person") is None
    with pytest.raises(ValueError):  # a refusal is never kept as an answer
        question.source("option.lots", "person")
    with pytest.raises(ValueError):
        question.source("option.lots", "person")


def test_absent_text_is_none_and_unknown_kind_is_an_error(wording: Schema) -> None:
    question = wording.question("meals")
    assert question.text("option.some.hint", "person") is None
    assert question.text("error.TOO_LONG", "person") is None
    with pytest.raises(ValueError, match="unknown kind of text"):
        question.text("option.lots", "person")
    with pytest.raises(ValueError):
        question.text("title", "someone")


def test_section_and_risk_wording(wording: Schema) -> None:
    section = wording.section("only")
    assert section.text("title", Voice.CARER) == "About {name}"
    assert section.source("title", "carer", easy_read=True) == SourceString(
        "section.only.easy_read.title",
        "You",
        "Type: Section title in the task list (Easy Read: short sentences, everyday words)",
    )
    assert wording.risk_rules[0].text("description") == "Needs some help with meals"


def test_translatable_strings_cover_every_lookup(wording: Schema) -> None:
    strings = list(wording.translatable_strings())
    contexts = {s.msgctxt: s for s in strings}
    assert len(contexts) == len(strings)
    question = wording.question("meals")
    used = set()
    for kind in question.kinds():
        for voice in Voice:
            for easy_read in (False, True):
                for self_funder in (False, True):
                    found = question.source(kind, voice, easy_read=easy_read, self_funder=self_funder)
                    if found is not None:  # e.g. an option hint given only in Easy Read
                        assert contexts[found.msgctxt].text == found.text
                        used.add(found.msgctxt)
    # ...and nothing is extracted that is never shown.
    assert used == {c for c in contexts if c.startswith("meals.")}
    assert contexts["meals.title.carer"].comment == (
        "Type: Question (said to a carer filling it in; {name} is the person's name, keep it as it is)"
    )
    assert contexts["meals.easy_read.self_funder.hint"].comment == (
        "Type: Hint under the question (Easy Read: short sentences, everyday words; "
        "for a person who expects to pay for their own care)"
    )
    assert "risk.always.description" in contexts
    assert "section.only.title.person" in contexts


def test_fill_name_is_plain_replacement() -> None:
    assert fill_name("Does {name} need help?", "Sam") == "Does Sam need help?"
    assert fill_name("Does {name} need help?", "{0.__class__}") == "Does {0.__class__} need help?"


def test_real_schema_strings(schema: Schema) -> None:
    strings = list(schema.translatable_strings())
    assert len({s.msgctxt for s in strings}) == len(strings)
    for string in strings:
        assert string.text.strip() == string.text and string.text
        assert string.comment.startswith("Type: ")
        if "{name}" in string.text:
            assert string.msgctxt.endswith(".carer"), string.msgctxt
        assert string.msgctxt.split(".")[0] in {"section", "risk"} | {q.id for q in schema.questions}
    # Every question has a title in both voices, in standard and Easy Read wording.
    for question in schema.questions:
        for voice in Voice:
            assert question.source("title", voice).msgctxt == f"{question.id}.title.{voice}"
            assert (
                question.source("title", voice, easy_read=True).msgctxt
                == f"{question.id}.easy_read.title.{voice}"
            )
            assert question.text("summary", voice)
            for value in question.option_values:
                assert question.text(f"option.{value}", voice)
                assert question.text(f"option.{value}", voice, easy_read=True)
