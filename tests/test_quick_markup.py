"""The quick path for a question page's radios and buttons writes exactly what the GOV.UK macros write.

portal/quick_markup.py exists only for speed (issue 18); these tests render the same fields both ways and compare
the strings, over every single-choice question of the real questionnaire, in both voices, Easy Read and
self-funder wording, three languages (one right-to-left), answered and not, with and without an error.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from portal import quick_markup
from portal.i18n.schema_text import Words
from portal.questionnaire import QuestionType, Voice, load_schema
from portal.questions_web import QuestionPage, option_items, question_form

SINGLE = [q for q in load_schema().questions if q.type is QuestionType.SINGLE]
HOSTILE = 'Sam <b>&amp; "O\'Neil"</b>'


def _macro(form, heading, items):
    params = {
        "fieldset": {
            "legend": {"text": heading, "isPageHeading": True, "classes": "govuk-fieldset__legend--l"}
        },
        "items": [dict(item) for item in items],
        "idPrefix": "answer",
    }
    return str(form.answer(params=params))


@pytest.mark.parametrize("question", SINGLE, ids=lambda q: q.id)
def test_radios_match_the_macros_for_every_single_choice_question(app, question):
    cases = [
        (Words(voice=Voice.PERSON), "en", None, None),
        (Words(voice=Voice.CARER, name=HOSTILE, easy_read=True), "cy", question.options[0].value, "Bad <x>"),
        (Words(voice=Voice.PERSON, self_funder=True), "ur", question.options[-1].value, "Dewis un"),
    ]
    for words, lang, value, error in cases:
        with app.test_request_context(), force_locale(lang):
            form = question_form(question, words, value)
            if error:
                form.answer.errors = [error]
            items = option_items(question, words)
            heading = words.question(question, "title")
            quick = quick_markup.radios(
                form.answer,
                legend=heading,
                legend_classes="govuk-fieldset__legend--l",
                items=items,
                error_prefix=gettext("Error"),
            )
            assert str(quick) == _macro(form, heading, items), (question.id, lang, value, error)


def test_radios_match_the_macros_without_a_hint_and_with_a_checked_option(app):
    question = SINGLE[0]
    with app.test_request_context():
        form = question_form(question, Words(), question.options[1].value)
        form.answer.description = ""
        items = [{} for _ in question.options]
        quick = quick_markup.radios(
            form.answer, legend="<Heading>", legend_classes="", items=items, error_prefix="Error"
        )
        assert " checked" in str(quick)
        params = {"fieldset": {"legend": {"text": "<Heading>", "isPageHeading": True}}, "items": items}
        assert str(quick) == str(form.answer(params=params))


def test_buttons_match_the_macros(app):
    with app.test_request_context(), force_locale("cy"):
        form = question_form(SINGLE[0], Words())
        assert str(quick_markup.button(form.submit)) == str(form.submit())
        assert str(quick_markup.button(form.later, "govuk-button--secondary")) == str(
            form.later(params={"classes": "govuk-button--secondary"})
        )


@pytest.mark.parametrize("kind", [QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.DATE])
def test_the_whole_question_page_is_the_same_either_way(app, kind):
    schema = load_schema()
    question = next(q for q in schema.questions if q.type is kind)
    with app.test_request_context(f"/my/cases/x/questions/{question.id}"):
        page = QuestionPage.build(schema, question.id, Words(voice=Voice.CARER, name=HOSTILE))
        page.form.answer.errors = ["Select one <of> these"]
        quick = page.render((1, 40), case=None, back="/back")
        slow = page.render((1, 40), case=None, back="/back", quick=False)
    assert quick == slow
    assert "Select one &lt;of&gt; these" in quick
