"""Each question's error names what it asks, in the person's voice and language, Easy Read too (issue 13 item 8):
"Select how much help you need with washing", not "Select an answer to the question “…”"."""

from __future__ import annotations

import re

import pytest

from portal.i18n.schema_text import Words
from portal.questionnaire import ErrorCode, QuestionType, Voice, load_schema
from portal.questionnaire.model import Question
from portal.questions_web import error_message
from tests.conftest import check_page, sign_in
from tests.journey.helpers import post, start
from tests.journey.test_easy_read_pages import MAX_WORDS

MANDATORY = [question for question in load_schema().questions if question.mandatory]


def test_there_are_mandatory_questions():
    assert len(MANDATORY) > 40


@pytest.mark.parametrize("question", MANDATORY, ids=lambda q: q.id)
def test_every_mandatory_question_has_its_own_wording_in_each_voice_and_easy_read(question: Question):
    person = question.text("error.REQUIRED", Voice.PERSON)
    carer = question.text("error.REQUIRED", Voice.CARER)
    assert person and carer, f"{question.id}: no error wording of its own for a missing answer"
    assert person.startswith(("Select", "Enter")), person
    assert "{name}" not in person
    for text in (person, carer):
        assert "“" not in text and "question" not in text.lower(), text
    easy = question.text("error.REQUIRED", Voice.PERSON, easy_read=True)
    easy_carer = question.text("error.REQUIRED", Voice.CARER, easy_read=True)
    for text in (easy, easy_carer):
        assert text, f"{question.id}: no Easy Read error wording"
        assert len(re.findall(r"\S+", text)) <= MAX_WORDS, text
    assert easy != person or len(person.split()) <= 8, f"{question.id}: Easy Read should be simpler"


def _bare(question_type: QuestionType) -> Question:
    """A question as a council might add it, with a title and summary but no error wording of its own."""
    return next(q for q in load_schema().questions if q.type == question_type)


@pytest.mark.parametrize(
    ("question_id", "expected"),
    [
        ("main-reason", "Select an answer about main reason for support"),
        ("communication-needs", "Select at least one answer about communication needs"),
        ("carer-breaks", "Enter a number for weeks of breaks for the carer"),
        ("hospital-leaving-date", "Enter the date you came out of hospital"),
        ("what-i-can-do", "Enter what I can do"),
    ],
)
def test_a_question_without_its_own_wording_gets_a_sentence_for_its_type(app, question_id, expected):
    question = load_schema().question(question_id)
    bare = _without_own_errors(question)
    with app.test_request_context():
        message = error_message(bare, ErrorCode.REQUIRED, Words())
    assert message == expected


def _without_own_errors(question: Question) -> Question:
    """The same question with its schema error wording taken away (the default is what is left)."""
    import copy

    bare = copy.copy(question)
    kept = {key: value for key, value in question._texts.items() if not key[1].startswith("error.")}
    object.__setattr__(bare, "_texts", kept)  # a frozen dataclass: a test-only copy
    return bare


@pytest.fixture
def org(make_organisation):
    return make_organisation("Northfield City Council", districts=("NF1",))


def _error(client, case_id: str, question_id: str, query: str = "") -> str:
    url = f"/my/cases/{case_id}/questions/{question_id}{query}"
    response = post(client, url, {"submit": "y"})
    page = check_page(response.get_data(as_text=True), errors=True)
    summary = page.select_one(".govuk-error-summary a").get_text(" ", strip=True)
    beside = page.select_one(".govuk-error-message").get_text(" ", strip=True)
    assert beside.endswith(summary), (beside, summary)
    return summary


def test_the_error_names_the_question_for_the_person(client, make_account, org):
    sign_in(client, make_account())
    case_id = start(client)
    assert _error(client, case_id, "washing") == "Select how much help you need with washing"


def test_the_error_names_the_person_for_a_carer(client, make_account, org):
    sign_in(client, make_account())
    case_id = start(client, carer_for="Sam")
    assert _error(client, case_id, "washing") == "Select how much help Sam needs with washing"


def test_the_error_in_easy_read(client, make_account, org):
    sign_in(client, make_account())
    case_id = start(client)
    message = _error(client, case_id, "washing", "?easy_read=1")
    assert message == load_schema().question("washing").text("error.REQUIRED", easy_read=True)
    assert message != "Select how much help you need with washing"


@pytest.mark.parametrize("question", load_schema().questions, ids=lambda q: q.id)
def test_every_error_a_question_words_has_an_easy_read_wording_too(question: Question):
    codes = {kind for kind in question.kinds() if kind.startswith("error.")}
    for kind in codes:
        for voice in (Voice.PERSON, Voice.CARER):
            plain = question.text(kind, voice)
            easy = question.text(kind, voice, easy_read=True)
            assert easy and easy != plain, f"{question.id} {kind}: no Easy Read wording of its own"
