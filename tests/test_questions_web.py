"""A question's compiled form is built once per questionnaire version, language and voice, never per person."""

from __future__ import annotations

from flask_babel import force_locale

from portal.i18n.schema_text import Words
from portal.questionnaire import Voice, load_schema
from portal.questions_web import question_form


def _named_question():
    """A question whose carer-voice title names the person."""
    schema = load_schema()
    return next(q for q in schema.questions if "{name}" in (q.text("title", Voice.CARER) or ""))


def test_one_compiled_form_per_language_and_voice(app):
    question = _named_question()
    with app.test_request_context():
        first = question_form(question, Words(voice=Voice.CARER, name="Sam"))
        again = question_form(question, Words(voice=Voice.CARER, name="Ola"), formdata=None)
        assert type(first) is type(again)  # built once, whoever the person is
        assert type(question_form(question, Words(voice=Voice.PERSON))) is not type(first)
        with force_locale("cy"):
            assert type(question_form(question, Words(voice=Voice.CARER, name="Sam"))) is not type(first)


def test_each_form_carries_its_own_persons_name_and_the_shared_class_none(app):
    question = _named_question()
    with app.test_request_context():
        sam = question_form(question, Words(voice=Voice.CARER, name="Sam"))
        ola = question_form(question, Words(voice=Voice.CARER, name="Ola"))
        assert "Sam" in sam.answer.label.text and "Ola" not in sam.answer.label.text
        assert "Ola" in ola.answer.label.text and "Sam" not in ola.answer.label.text
        assert "Sam" in str(sam.answer.label) and "{name}" not in str(sam.answer.label)
        shared = type(sam).answer.args[0]  # the unbound field's label text, shared by every form of the class
        assert "{name}" in shared and "Sam" not in shared and "Ola" not in shared
