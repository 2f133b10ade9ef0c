"""A question added to (a copy of) the schema appears everywhere with no code change."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from portal.questionnaire import (
    DEFAULT_SCHEMA_PATH,
    QuestionType,
    Schema,
    SectionStatus,
    build_schema,
    parse_yaml,
)

NEW_QUESTION: dict[str, Any] = {
    "id": "has-pets",
    "section": "about-you",
    "type": "single",
    "mandatory": True,
    "title": {"person": "Do you have a pet?", "carer": "Does {name} have a pet?"},
    "hint": "For example, a cat or a dog.",
    "summary": "Pets",
    "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
    "easy_read": {"title": {"person": "Do you have a pet?", "carer": "Does {name} have a pet?"}},
}
FOLLOW_UP: dict[str, Any] = {
    "id": "pet-care",
    "section": "about-you",
    "type": "single",
    "mandatory": True,
    "title": {"person": "Can you look after your pet?", "carer": "Can {name} look after their pet?"},
    "summary": "Looking after a pet",
    "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
    "skip_conditions": [{"when": {"!=": [{"answer": "has-pets"}, "yes"]}}],
}
NEW_RISK: dict[str, Any] = {
    "id": "pet-alone",
    "level": "at_risk",
    "description": "Has a pet they cannot look after",
    "when": {"==": [{"answer": "pet-care"}, "no"]},
}


class AnyAnswer(dict):
    """Posts a plain answer for whatever page the walker is shown (the first option, 0, a date in the last 3 months, blank)."""

    def __init__(self, schema: Schema, **given: Any) -> None:
        super().__init__(given)
        self.schema = schema

    def __missing__(self, qid: str) -> Any:
        question = self.schema.question(qid)
        if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            return question.option_values[0]
        return {QuestionType.NUMBER: "0", QuestionType.DATE: "2025-05-01"}.get(question.type, "")


@pytest.fixture(scope="module")
def base_data() -> dict[str, Any]:
    return parse_yaml(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def extended(base_data: dict[str, Any]) -> Schema:
    data = copy.deepcopy(base_data)
    after = next(i for i, q in enumerate(data["questions"]) if q["id"] == "live-alone") + 1
    data["questions"][after:after] = [NEW_QUESTION, FOLLOW_UP]
    data["risk_rules"].append(NEW_RISK)
    data["content_version"] = "1.1.0"
    return build_schema(data, source="extended copy")


def test_new_question_is_on_the_path(extended: Schema, schema: Schema) -> None:
    path = extended.path({})
    assert path[path.index("live-alone") + 1] == "has-pets"
    assert "pet-care" not in path
    assert "pet-care" in extended.path({"has-pets": "yes"})
    assert extended.next_id("live-alone", {}) == "has-pets"
    assert extended.content_hash != schema.content_hash


def test_new_question_is_walked_and_counted_in_its_section(extended: Schema, schema: Schema, walk) -> None:
    pages, answers = walk(extended, AnyAnswer(extended, **{"has-pets": "yes", "pet-care": "no"}))
    assert pages[pages.index("live-alone") + 1 : pages.index("live-alone") + 3] == ["has-pets", "pet-care"]
    assert extended.risk(answers).rule_ids[-1] == "pet-alone"
    missing_pets = {k: v for k, v in answers.items() if k != "has-pets"}
    assert extended.section_statuses(missing_pets)["about-you"] is SectionStatus.IN_PROGRESS
    assert extended.first_unanswered(missing_pets) == "has-pets"
    # The profile is untouched: the new question maps onto nothing.
    old_answers = {k: v for k, v in answers.items() if k in schema}
    assert extended.to_profile(answers) == schema.to_profile(old_answers)


def test_new_question_is_translatable_and_parsable(extended: Schema) -> None:
    strings = {s.msgctxt: s for s in extended.translatable_strings()}
    assert strings["has-pets.title.person"].text == "Do you have a pet?"
    assert strings["has-pets.title.carer"].text == "Does {name} have a pet?"
    assert strings["has-pets.easy_read.title.carer"].text == "Does {name} have a pet?"
    assert strings["has-pets.hint"].text == "For example, a cat or a dog."
    assert strings["has-pets.option.yes"].text == "Yes"
    assert strings["risk.pet-alone.description"].text == "Has a pet they cannot look after"
    assert extended.parse("has-pets", "yes") == ("yes", None)
    assert extended.parse("has-pets", "maybe").error == "INVALID_OPTION"
