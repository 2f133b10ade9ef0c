"""Routing rules and skip conditions, on small fixture schemas walked page by page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.questionnaire import Schema, SectionStatus


@pytest.fixture(scope="module")
def routing(load_fixture) -> Schema:
    return load_fixture("routing")


@pytest.fixture(scope="module")
def skips(load_fixture) -> Schema:
    return load_fixture("skips")


@pytest.fixture(scope="module")
def small(load_fixture) -> Schema:
    return load_fixture("small")


# -- routing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posted", "pages"),
    [
        ({"start": "a", "text-page": "hi"}, ["start", "text-page"]),
        ({"start": "b"}, ["start"]),  # goto: end
        ({"start": "c", "count": "3", "text-page": "hi"}, ["start", "count", "text-page"]),
        (
            {"start": "c", "count": "10", "when-page": ["1", "1", "1999"]},
            ["start", "count", "when-page"],  # a date before 2000 ends it
        ),
        (
            {"start": "c", "count": "10", "when-page": "2001-05-01", "last": ""},
            ["start", "count", "when-page", "last"],
        ),
    ],
)
def test_routing_walks(routing: Schema, walk, posted, pages) -> None:
    walked, _answers = walk(routing, posted)
    assert walked == pages


def test_unanswered_question_follows_its_default_route(routing: Schema) -> None:
    assert routing.path({}) == ["start", "count", "text-page"]
    assert routing.first_unanswered({}) == "start"
    assert routing.path({"start": "c", "count": 11}) == ["start", "count", "when-page", "last"]


def test_next_and_previous(routing: Schema) -> None:
    answers = {"start": "c", "count": 12}
    assert routing.next_id("start", answers) == "count"
    assert routing.next_id("count", answers) == "when-page"
    assert routing.next_id("last", answers) is None
    assert routing.previous_id("when-page", answers) == "count"
    assert routing.previous_id("start", answers) is None
    # A page off the path: next and previous are taken from where it would sit.
    assert not routing.is_on_path("text-page", answers)
    assert routing.next_id("text-page", answers) == "when-page"
    assert routing.previous_id("text-page", answers) == "count"
    assert routing.next_id("nowhere", answers) is None
    assert routing.previous_id("nowhere", answers) is None
    assert routing.position("when-page", answers) == (3, 4)
    assert routing.position("text-page", answers) is None


def test_end_means_no_more_questions(routing: Schema) -> None:
    answers = {"start": "b", "count": 50, "text-page": "left over"}
    assert routing.path(answers) == ["start"]
    assert routing.is_complete(answers)
    assert routing.effective_answers(answers) == {"start": "b"}
    assert routing.section_statuses(answers) == {
        "one": SectionStatus.COMPLETED,
        "two": SectionStatus.NOT_APPLICABLE,
    }


def test_invalid_stored_answer_counts_as_unanswered(routing: Schema) -> None:
    answers = {"start": "z", "count": "12"}  # not an option; a string where a number belongs
    assert routing.first_unanswered(answers) == "start"
    assert routing.path(answers) == ["start", "count", "text-page"]
    assert routing.effective_answers(answers) == {}
    assert routing.is_answered("count", {"start": "c", "count": 7})
    assert not routing.is_answered("count", {"start": "c", "count": 700})


def test_optional_question_left_blank_is_answered(routing: Schema) -> None:
    answers = {"start": "c", "count": 10, "when-page": "2001-01-01", "last": None}
    assert routing.is_complete(answers)
    assert routing.first_unanswered(answers) is None


def test_answers_mapping_may_be_anything(routing: Schema) -> None:
    assert routing.path(None) == routing.path({})  # type: ignore[arg-type]
    assert routing.path({1: "x", None: [], "start": ["c"]}) == ["start", "count", "text-page"]  # type: ignore[dict-item]


# -- skip conditions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "pages"),
    [
        ({}, ["pets", "end-page"]),
        ({"pets": ["no_pets"]}, ["pets", "end-page"]),
        ({"pets": ["cat"]}, ["pets", "pet-care", "end-page"]),
        ({"pets": ["cat"], "pet-care": 8}, ["pets", "pet-care", "busy", "end-page"]),
        ({"pets": ["cat"], "pet-care": Decimal("7.5")}, ["pets", "pet-care", "end-page"]),
        ({"pets": ["cat", "dog"]}, ["pets", "dog-walks", "pet-care", "end-page"]),
        ({"pets": ["dog"], "dog-walks": "yes"}, ["pets", "dog-walks", "pet-care", "end-page"]),
        ({"pets": ["dog"], "dog-walks": "no"}, ["pets", "dog-walks", "walker", "pet-care", "end-page"]),
    ],
)
def test_skip_conditions(skips: Schema, answers, pages) -> None:
    assert skips.path(answers) == pages


def test_a_skipped_answer_does_not_drive_later_skips(skips: Schema) -> None:
    """dog-walks is off the path once the dog is gone, so its stale "no" no longer brings walker back."""
    answers = {"pets": ["cat"], "dog-walks": "no", "walker": "Sam"}
    assert skips.path(answers) == ["pets", "pet-care", "end-page"]
    assert "walker" not in skips.effective_answers(answers)


def test_exclusive_option_stored_with_others_is_invalid(skips: Schema) -> None:
    assert skips.first_unanswered({"pets": ["cat", "no_pets"]}) == "pets"


def test_walk_with_skips(skips: Schema, walk) -> None:
    pages, answers = walk(
        skips,
        {"pets": ["dog"], "dog-walks": "no", "walker": "A neighbour", "pet-care": "2.5", "end-page": "yes"},
    )
    assert pages == ["pets", "dog-walks", "walker", "pet-care", "end-page"]
    assert answers["pet-care"] == Decimal("2.5")


# -- the small schema: sections, profile, task list ------------------------------------------------------


def test_section_statuses_and_starts(small: Schema) -> None:
    assert small.section_statuses({}) == {
        "first": SectionStatus.NOT_STARTED,
        "second": SectionStatus.NOT_STARTED,
    }
    answers = {"pays": "no", "level": "some"}
    assert small.section_statuses(answers) == {
        "first": SectionStatus.IN_PROGRESS,
        "second": SectionStatus.NOT_STARTED,
    }
    assert small.section_start("first", answers) == "share"
    assert small.section_start("second", answers) == "weeks"
    answers.update({"share": "half", "weeks": 2})
    assert small.section_statuses(answers)["first"] is SectionStatus.COMPLETED
    assert small.section_statuses(answers)["second"] is SectionStatus.IN_PROGRESS
    assert small.section_start("first", answers) == "pays"  # all answered: back to its first page
    assert small.section_start("nowhere", answers) is None


def test_profile_from_the_small_schema(small: Schema) -> None:
    answers = {
        "pays": "no",
        "level": "a_lot",
        "share": "half",
        "weeks": 3,
        "helpers": ["family"],
        "notes": None,
    }
    profile = small.to_profile(answers)
    assert profile["need_nutrition"] == 3 and profile["unpaid_nutrition"] == 0.5
    assert profile["carer_breaks_weeks"] == 3
    assert profile.missing == ()
    assert profile.sources == {
        "need_nutrition": "level",
        "unpaid_nutrition": "share",
        "carer_breaks_weeks": "weeks",
    }
    assert small.question_for_field("carer_breaks_weeks").id == "weeks"


def test_profile_missing_lists_unanswered_fields_on_the_path(small: Schema) -> None:
    profile = small.to_profile({"pays": "no", "level": "some"})
    assert profile.missing == ("unpaid_nutrition", "carer_breaks_weeks")
    assert profile["unpaid_nutrition"] == 0.0 and not profile.is_complete
    # A field whose question is skipped takes its default and is not missing.
    assert small.to_profile({"pays": "yes", "level": "none"}).missing == ()


def test_place_agrees_with_the_path_questions_one_by_one(schema) -> None:
    """``Schema.place`` (one walk, for a question page) says what the separate path questions say."""
    from portal.questionnaire import QuestionType

    for pick in (0, -1):
        answers: dict = {}
        for _ in range(len(schema.questions)):
            for question in schema.questions:
                place = schema.place(question.id, answers)
                assert place.on_path == schema.is_on_path(question.id, answers)
                assert place.position == schema.position(question.id, answers)
                assert place.previous_id == schema.previous_id(question.id, answers)
                assert place.next_id == schema.next_id(question.id, answers)
                assert place.self_funder == schema.is_self_funder(answers)
            following = schema.first_unanswered(answers)
            if following is None:
                break
            asked = schema.question(following)
            if asked.type is QuestionType.SINGLE:
                answers[following] = asked.options[pick].value
            elif asked.type is QuestionType.MULTIPLE:
                answers[following] = [asked.options[pick].value]
            elif asked.type is QuestionType.NUMBER:
                answers[following] = 2
            elif asked.type is QuestionType.DATE:
                answers[following] = "2024-02-01"
            else:
                answers[following] = "Gardening"
        assert schema.first_unanswered(answers) is None
