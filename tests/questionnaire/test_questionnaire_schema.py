"""The real self-assessment schema: it validates, asks about every canonical field, and reads plainly."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from portal.questionnaire import (
    AREAS,
    CANONICAL_FIELDS,
    DEFAULT_SCHEMA_PATH,
    FIELD_NAMES,
    JSON_SCHEMA_PATH,
    QuestionType,
    Schema,
    Voice,
    parse_yaml,
)

NEED_QUESTIONS = {
    "nutrition": "eating-drinking",
    "hygiene": "washing",
    "toileting": "using-the-toilet",
    "dressing": "getting-dressed",
    "home_safety": "staying-safe",
    "home_environment": "keeping-home",
    "relationships": "family-friends",
    "work_learning": "work-learning",
    "community": "out-and-about",
    "childcare": "childcare",
    "mental_health": "mental-health",
    "medication": "medicines",
}


def test_json_schema_is_a_valid_schema_and_the_file_matches_it() -> None:
    meta = json.loads(JSON_SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(meta)
    data = parse_yaml(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(meta).iter_errors(data)) == []


def test_versions(schema: Schema) -> None:
    assert schema.format_version == 1
    assert re.fullmatch(r"\d+\.\d+\.\d+", schema.content_version)
    assert schema.version == f"1/{schema.content_version}"
    assert re.fullmatch(r"[0-9a-f]{64}", schema.content_hash)


def test_size_and_order(schema: Schema) -> None:
    assert 35 <= len(schema.questions) <= 60  # contact, communication and carer's assessment questions too
    assert [s.id for s in schema.sections] == [
        "about-you",
        "about-me",
        "health-and-moving",
        "daily-living",
        "home",
        "people-and-activities",
        "well-being",
        "unpaid-carer",
        "anything-else",
    ]
    assert [q.index for q in schema.questions] == list(range(len(schema.questions)))


def test_every_canonical_field_can_take_every_value(schema: Schema) -> None:
    """Each field has one question, and between its options every value of the CSV's domain can be given."""
    for name in FIELD_NAMES:
        question = schema.question_for_field(name)
        (mapping,) = [m for m in question.maps_to if m.field == name]
        spec = CANONICAL_FIELDS[name]
        if mapping.copy:
            assert (question.validation.min_value, question.validation.max_value) == (
                min(spec.domain),
                max(spec.domain),
            )
        else:
            assert set(mapping.values.values()) == set(spec.domain), name
            assert set(mapping.values) == set(question.option_values), name


def test_each_area_asks_level_then_unpaid_share_only_when_there_is_a_need(schema: Schema) -> None:
    assert set(NEED_QUESTIONS) == set(AREAS)
    for area, qid in NEED_QUESTIONS.items():
        need, unpaid = schema.question(qid), schema.question(f"{qid}-unpaid")
        assert schema.question_for_field(f"need_{area}") is need
        assert schema.question_for_field(f"unpaid_{area}") is unpaid
        assert unpaid.index == need.index + 1
        assert need.option_values == ("none", "a_little", "some", "a_lot", "all_the_time")
        assert unpaid.option_values == ("none", "some", "about_half", "most", "all")
        assert need.picture
        gate = {"looks-after-child": "yes"}
        assert f"{qid}-unpaid" not in schema.path({**gate, qid: "none"})
        assert f"{qid}-unpaid" not in schema.path(gate)  # not answered yet: not asked yet
        for level in ("a_little", "some", "a_lot", "all_the_time"):
            assert f"{qid}-unpaid" in schema.path({**gate, qid: level})


def test_gated_questions(schema: Schema) -> None:
    assert "night-who-helps" not in schema.path({"night-help": "none"})
    assert "night-who-helps" in schema.path({"night-help": "sometimes"})
    assert "two-people-to-move" not in schema.path({"getting-about": "none"})
    assert "two-people-to-move" in schema.path({"getting-about": "a_lot"})
    assert "hospital-leaving-date" not in schema.path({"recent-hospital-stay": "no"})
    assert "hospital-leaving-date" in schema.path({"recent-hospital-stay": "yes"})
    assert "childcare" not in schema.path({"looks-after-child": "no"})
    carer = ["carer-can-continue", "carer-breaks"]
    assert not set(carer) & set(schema.path({"has-unpaid-carer": "no"}))
    assert set(carer) <= set(schema.path({"has-unpaid-carer": "yes"}))
    periods = ["harder-times-how-often", "harder-times-more-support"]
    assert not set(periods) & set(schema.path({"harder-times": "no"}))
    assert set(periods) <= set(schema.path({"harder-times": "yes"}))


def test_question_types_in_use(schema: Schema) -> None:
    assert {q.type for q in schema.questions} == set(QuestionType)
    assert schema.question("hospital-leaving-date").validation.not_in_future
    for qid in ("what-i-can-do", "what-works-well", "what-matters", "anything-else"):
        question = schema.question(qid)
        assert question.type is QuestionType.TEXT and not question.mandatory and not question.maps_to
        assert question.validation.max_length


def test_strengths_are_in_the_first_person(schema: Schema) -> None:
    titles = [
        schema.question(q).text("title", Voice.PERSON)
        for q in ("what-i-can-do", "what-works-well", "what-matters")
    ]
    assert titles == ["What I can do", "What works well for me", "What matters to me"]


def test_voices_differ_and_carer_wording_names_the_person(schema: Schema) -> None:
    for question in schema.questions:
        person, carer = question.text("title", Voice.PERSON), question.text("title", Voice.CARER)
        assert "{name}" not in person
        if question.id not in ("harder-times-how-often",):
            assert person != carer, question.id


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text) if s]


@pytest.mark.parametrize("voice", list(Voice))
def test_easy_read_uses_short_sentences(schema: Schema, voice: Voice) -> None:
    for question in schema.questions:
        for kind in ("title", "hint"):
            text = question.text(kind, voice, easy_read=True)
            for sentence in _sentences(text or ""):
                assert len(sentence.split()) <= 16, (question.id, sentence)


def test_questions_are_plain(schema: Schema) -> None:
    jargon = re.compile(
        r"\b(domain|eligib|cognition|RAS|resource allocation|toileting|hygiene)\b", re.IGNORECASE
    )
    for string in schema.translatable_strings():
        if not string.msgctxt.startswith("risk."):
            assert not jargon.search(string.text), (string.msgctxt, string.text)


def test_the_engine_accepts_the_profile(schema: Schema) -> None:
    """The contract with portal/engine: to_profile's output is a Needs Profile it reads as is."""
    engine_profile = pytest.importorskip("portal.engine.profile")
    every_level = dict.fromkeys(NEED_QUESTIONS.values(), "all_the_time")
    every_share = {f"{qid}-unpaid": "most" for qid in NEED_QUESTIONS.values()}
    for answers in ({}, {"main-reason": "autism", "looks-after-child": "yes", **every_level, **every_share}):
        profile = schema.to_profile(answers)
        assert engine_profile.NeedsProfile.from_mapping(profile).to_dict() == profile.as_dict()
