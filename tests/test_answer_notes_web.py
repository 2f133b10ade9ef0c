"""The "Add note" field on a question page of a questionnaire that offers notes (the Section 117 Needs Profile)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from portal.i18n.schema_text import Words
from portal.questionnaire import MAX_NOTE_LENGTH, Voice, load_schema
from portal.questions_web import QuestionPage
from portal.tools import builtin_tools


def _s117():
    return builtin_tools()["section_117"].schema


def test_every_question_of_the_section_117_profile_offers_a_note(app):
    schema = _s117()
    with app.test_request_context():
        for question in schema.questions:
            page = QuestionPage.build(
                schema, question.id, Words(voice=Voice.CARER, name="Sam"), note="Said so"
            )
            assert page.notes
            assert page.form.note.data == "Said so"


def test_the_note_is_a_details_that_opens_when_it_has_text(app):
    schema = _s117()
    with app.test_request_context():
        empty = QuestionPage.build(schema, "engaging-with-support", Words(voice=Voice.PERSON))
        html = BeautifulSoup(empty.render((4, 19), case=None, back="/"), "html.parser")
        details = html.select_one("details.app-answer-note")
        assert details is not None and not details.has_attr("open")
        assert details.summary.get_text(strip=True) == "Add note"
        area = details.select_one("textarea[name=note]")
        assert area is not None and html.select_one(f"label[for={area['id']}]") is not None
        noted = QuestionPage.build(
            schema, "engaging-with-support", Words(voice=Voice.PERSON), note="Mornings"
        )
        html = BeautifulSoup(noted.render((4, 19), case=None, back="/"), "html.parser")
        assert html.select_one("details.app-answer-note").has_attr("open")
        assert html.select_one("textarea[name=note]").get_text().strip() == "Mornings"


def test_a_note_too_long_is_refused_and_kept_on_the_page(app):
    schema = _s117()
    long = "x" * (MAX_NOTE_LENGTH + 1)
    posted = MultiDict({"answer": "sometimes_a_problem", "note": long})
    with app.test_request_context(method="POST", data=posted):
        page = QuestionPage.build(schema, "engaging-with-support", Words(voice=Voice.PERSON), posted=posted)
        assert page.read(posted) == (False, None)
        assert page.form.note.errors and "2000 characters or fewer" in page.form.note.errors[0]
        html = BeautifulSoup(page.render((4, 19), case=None, back="/"), "html.parser")
        assert html.select_one("details.app-answer-note").has_attr("open")
        assert html.select_one("textarea[name=note]").get_text().strip() == long
        ok = MultiDict({"answer": "sometimes_a_problem", "note": " Better in the mornings \r\n"})
        page = QuestionPage.build(schema, "engaging-with-support", Words(voice=Voice.PERSON), posted=ok)
        assert page.read(ok) == (True, "sometimes_a_problem")
        assert page.posted_note(ok) == "Better in the mornings"


def test_the_adult_self_assessment_offers_no_note(app):
    schema = load_schema()
    with app.test_request_context():
        page = QuestionPage.build(schema, "live-alone", Words(voice=Voice.PERSON))
        assert not page.notes and "note" not in page.form
        assert page.posted_note(MultiDict({"note": "x"})) is None
        html = page.render((1, 40), case=None, back="/")
        assert "app-answer-note" not in html
