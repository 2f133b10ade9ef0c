"""The questionnaire on the web, shared by every front door that asks its questions.

The citizen's own pages, the assessor's phone assessment and the assessor's answer checks all build a question's
form, read a posted answer and word an answer here, and render a question page with one template
(``questions/question.html``), so a question looks and behaves the same whoever asks it. The questionnaire's
routing and parsing stay in the pure package :mod:`portal.questionnaire`; this module only adds the web.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from flask import render_template
from flask_babel import format_decimal, get_locale, gettext, lazy_gettext
from wtforms import Field, Label, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField

from portal import quick_markup
from portal.formatting import format_day
from portal.forms import (
    CharacterCount,
    CheckboxesInput,
    DateInput,
    Form,
    RadioInput,
    SubmitInput,
    TextInput,
    error_summary,
)
from portal.i18n.schema_text import Words
from portal.questionnaire import (
    MAX_NOTE_LENGTH,
    ErrorCode,
    Question,
    QuestionType,
    Schema,
    Voice,
    clean_note,
    fill_name,
    note_too_long,
)
from portal.questionnaire.model import NAME_PLACEHOLDER

#: Error messages for the questionnaire's error codes, worded from a noun where the schema gives none.
ERRORS: dict[ErrorCode, Any] = {
    ErrorCode.REQUIRED: lazy_gettext("Select or enter an answer"),
    ErrorCode.INVALID_OPTION: lazy_gettext("Select one of the answers shown"),
    ErrorCode.EXCLUSIVE_OPTION: lazy_gettext("You cannot choose “none” together with another answer"),
    ErrorCode.NOT_A_NUMBER: lazy_gettext("Enter a number, like 2"),
    ErrorCode.NOT_A_WHOLE_NUMBER: lazy_gettext("Enter a whole number, like 2"),
    ErrorCode.TOO_SMALL: lazy_gettext("The number is too small"),
    ErrorCode.TOO_LARGE: lazy_gettext("The number is too big"),
    ErrorCode.TOO_LONG: lazy_gettext("Your answer is too long"),
    ErrorCode.INVALID_DATE: lazy_gettext("Enter a real date, like 27 3 2026"),
    ErrorCode.DATE_IN_FUTURE: lazy_gettext("The date must be today or in the past"),
    ErrorCode.DATE_TOO_EARLY: lazy_gettext("The date is too long ago"),
    ErrorCode.DATE_TOO_LATE: lazy_gettext("The date is too late"),
    ErrorCode.INVALID_VALUE: lazy_gettext("Select or enter an answer"),
    ErrorCode.UNKNOWN_QUESTION: lazy_gettext("Select or enter an answer"),
}


#: Codes whose general message would not say which question it is about: these name the question instead.
_NAMED = frozenset({ErrorCode.REQUIRED, ErrorCode.INVALID_VALUE, ErrorCode.UNKNOWN_QUESTION})

#: A missing answer, worded for each type of question from the question's short label (its ``summary``), for
#: a question whose schema gives no wording of its own: a sentence, never a quotation of the question.
#: Translators: %(topic)s is a question's short label, starting lower case, e.g. "washing and keeping clean".
_BY_TYPE: dict[QuestionType, Any] = {
    QuestionType.SINGLE: lazy_gettext("Select an answer about %(topic)s"),
    QuestionType.MULTIPLE: lazy_gettext("Select at least one answer about %(topic)s"),
    QuestionType.NUMBER: lazy_gettext("Enter a number for %(topic)s"),
    QuestionType.DATE: lazy_gettext("Enter the %(topic)s"),
    QuestionType.TEXT: lazy_gettext("Enter %(topic)s"),
}


def _topic(question: Question, words: Words) -> str:
    """The question's short label as the middle of a sentence: its first letter lower case, unless it is a name
    or an abbreviation ("NHS number")."""
    label = words.question(question, "summary")
    if len(label) < 2 or (words.name and label.startswith(words.name)) or not label[1].islower():
        return label
    return label[0].lower() + label[1:]


def error_message(question: Question, code: ErrorCode, words: Words) -> str:
    """The schema's own message for this question and code, else one that names what it asks; translated.

    Each question of the packaged questionnaire words a missing answer itself, in both voices and in Easy Read
    ("Select how much help you need with washing"); a question without its own wording gets a sentence for
    its type built from its short label, so the error summary always says which question it is about.
    """
    own = words.question(question, f"error.{code.value}")
    if own:
        return own
    if code in _NAMED:
        if _topic(question, words):
            return str(_BY_TYPE[question.type] % {"topic": _topic(question, words)})
        title = words.question(question, "title")
        if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            return str(gettext("Select an answer to the question “%(question)s”", question=title))
        return str(gettext("Enter an answer to the question “%(question)s”", question=title))
    return str(ERRORS[code])


class QuestionDateField(Field):
    """Day, month and year boxes for a date question; the raw parts go to the schema's parser."""

    widget = DateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]

    def process_data(self, value: Any) -> None:
        self.data = value
        if isinstance(value, str) and len(value) == 10:
            year, month, day = value.split("-")
            self.raw_data = [day.lstrip("0"), month.lstrip("0"), year]

    def _value(self) -> str:
        return ""


#: Compiled question forms, one per question, language, voice, Easy Read and self-funder wording, with the
#: person's name left as ``{name}``: immutable, versioned data (a new questionnaire version has new Question
#: objects, so new keys), built once per process rather than on every request. Never keyed by a person.
_FORM_CLASSES: dict[tuple[Any, ...], tuple[Question, type[Form], bool]] = {}


def _compiled_form(question: Question, words: Words, notes: bool = False) -> tuple[type[Form], bool]:
    """The form class for the question in these words (name not filled in), and whether any text names them.

    ``notes``: the questionnaire offers "Add note" on every question, so the form has a ``note`` field too.
    """
    key = (id(question), str(get_locale()), words.voice, words.easy_read, words.self_funder, notes)
    found = _FORM_CLASSES.get(key)
    if found is not None and found[0] is question:
        return found[1], found[2]
    unnamed = replace(words, name=NAME_PLACEHOLDER)  # translate() leaves the placeholder where the name goes
    label = unnamed.question(question, "title")
    hint = unnamed.question(question, "hint") or ""
    choices = [
        (option.value, unnamed.question(question, f"option.{option.value}")) for option in question.options
    ]
    kind = question.type
    field: Any
    if kind is QuestionType.SINGLE:
        field = RadioField(
            label, widget=RadioInput(), choices=choices, description=hint, validate_choice=False
        )
    elif kind is QuestionType.MULTIPLE:
        field = SelectMultipleField(
            label, widget=CheckboxesInput(), choices=choices, description=hint, validate_choice=False
        )
    elif kind is QuestionType.DATE:
        field = QuestionDateField(label, description=hint)
    elif kind is QuestionType.TEXT:
        field = TextAreaField(label, widget=CharacterCount(), description=hint)
    else:
        field = StringField(
            label,
            widget=TextInput(),
            description=hint,
            render_kw={"inputmode": "decimal", "spellcheck": "false"},
        )

    class QuestionForm(Form):
        answer = field
        submit = SubmitField(lazy_gettext("Save and continue"), widget=SubmitInput())
        later = SubmitField(lazy_gettext("Save and come back later"), widget=SubmitInput())

    form_class: type[Form] = QuestionForm
    if notes:

        class NotedQuestionForm(QuestionForm):
            """The same form with "Add note"."""

            note = TextAreaField(
                lazy_gettext("Note about this answer (optional)"),
                widget=CharacterCount(),
                description=lazy_gettext(
                    "Anything that explains this answer. It is kept with the answer, and the staff working on "
                    "this case will read it."
                ),
            )

        form_class = NotedQuestionForm

    named = any(NAME_PLACEHOLDER in text for text in (label, hint, *(c[1] for c in choices)))
    _FORM_CLASSES[key] = (question, form_class, named)
    return form_class, named


def question_form(
    question: Question,
    words: Words,
    value: Any = None,
    *,
    formdata: Any = None,
    notes: bool = False,
    note: str = "",
) -> Form:
    """A form with one field named ``answer`` for the question, labelled and hinted in the person's words.

    With ``notes`` it has a ``note`` field too, filled with the note kept with the answer.
    """
    form_class, named = _compiled_form(question, words, notes)
    data: dict[str, Any] | None = (
        {"answer": value if not isinstance(value, int | float) else str(value)} if value is not None else None
    )
    if notes and note:
        data = {**(data or {}), "note": note}
    form = form_class(formdata=formdata, data=data)
    if named:  # the person's name goes into this form's own copy of the texts, never into the shared class
        answer = form.answer
        answer.label = Label(answer.id, fill_name(answer.label.text, words.name))
        answer.description = fill_name(answer.description, words.name)
        if getattr(answer, "choices", None):
            answer.choices = [(value, fill_name(text, words.name)) for value, text in answer.choices]
    return form


def posted_answer(kind: QuestionType, posted: Any) -> Any:
    """What the form posted for the ``answer`` field, in the shape the schema's parser takes."""
    if kind is QuestionType.MULTIPLE:
        return posted.getlist("answer")
    if kind is QuestionType.DATE:
        return (posted.getlist("answer") + ["", "", ""])[:3]
    return posted.get("answer", "")


@dataclass
class QuestionPage:
    """One question asked on the web: the question, its form, and the words it is asked in."""

    schema: Schema
    question: Question
    words: Words
    form: Form

    @classmethod
    def build(
        cls,
        schema: Schema,
        question_id: str,
        words: Words,
        value: Any = None,
        *,
        posted: Any = None,
        note: str = "",
    ) -> QuestionPage:
        """The page for a question on the path, filled with the current answer or with what was posted.

        When the questionnaire offers notes on answers, ``note`` is the note kept with this answer.
        """
        question = schema.question(question_id)
        form = question_form(question, words, value, formdata=posted, notes=schema.answer_notes, note=note)
        return cls(schema, question, words, form)

    @property
    def notes(self) -> bool:
        """Whether the page offers "Add note"."""
        return self.schema.answer_notes

    def read(self, posted: Any) -> tuple[bool, Any]:
        """Parse the posted answer: ``(True, typed value)``, or ``(False, None)`` with the message beside the field.

        The form's own check (its CSRF token) must have passed first; the schema decides what an answer may be.
        A note longer than a note may be is refused beside the note, and the answer is not saved either, so
        nothing typed is lost.
        """
        parsed = self.schema.parse(self.question.id, posted_answer(self.question.type, posted))
        accepted = parsed.error is None
        if parsed.error is not None:
            self.form.answer.errors = [error_message(self.question, ErrorCode(parsed.error), self.words)]
        if self.notes and note_too_long(posted.get("note", "")):
            self.form.note.errors = [
                gettext("The note must be %(num)d characters or fewer", num=MAX_NOTE_LENGTH)
            ]
            accepted = False
        return (True, parsed.value) if accepted else (False, None)

    def posted_note(self, posted: Any) -> str | None:
        """The note posted with the answer, as kept; None when the page offers no notes."""
        return clean_note(posted.get("note", "")) if self.notes else None

    def render(
        self,
        position: tuple[int, int] | None,
        *,
        case: Any,
        back: str,
        changing: bool = False,
        quick: bool = True,
        **extra: Any,
    ) -> str:
        """The question page (one template for every front door); ``position`` from :meth:`Schema.place`.

        ``quick`` writes single-choice radios and the buttons with :mod:`portal.quick_markup` (the same HTML as
        the GOV.UK macros, at a fraction of the cost); ``quick=False`` uses the macros throughout, which the
        tests compare against. ``extra`` is more for the template.
        """
        question = self.question
        heading = self.words.question(question, "title")
        items = option_items(question, self.words)
        answer_html = buttons = None
        if quick:
            if question.type is QuestionType.SINGLE:
                answer_html = quick_markup.radios(
                    self.form.answer,
                    legend=heading,
                    legend_classes="govuk-fieldset__legend--l",
                    items=items,
                    error_prefix=gettext("Error"),
                )
            buttons = (
                quick_markup.button(self.form.submit),
                quick_markup.button(self.form.later, "govuk-button--secondary"),
            )
        return render_template(
            "questions/question.html",
            case=case,
            question=question,
            form=self.form,
            errors=error_summary(self.form),
            words=self.words,
            heading=heading,
            section_title=self.words.of(self.schema.section(question.section), "title"),
            position=position,
            back=back,
            changing=changing,
            items=items,
            answer_html=answer_html,
            buttons=buttons,
            notes=self.notes,
            note_limit=MAX_NOTE_LENGTH,
            **extra,
        )


def option_items(question: Question, words: Words) -> list[dict[str, Any]]:
    """The GOV.UK items for a choice question's options: each option's hint, and "none" as exclusive."""
    items: list[dict[str, Any]] = []
    for option in question.options:
        hint = words.question(question, f"option.{option.value}.hint")
        item: dict[str, Any] = {"hint": {"text": hint}} if hint else {}
        if option.exclusive:
            item["behaviour"] = "exclusive"
        items.append(item)
    return items


# -- staff wording ------------------------------------------------------------------------------------


def staff_hint(question: Question, name: str) -> str:
    """A question's hint as staff read it while checking the answer: about the person, by name.

    The questionnaire's own ``staff_hint`` where the carer's hint speaks to whoever filled the form in ("this
    could be you"), otherwise the carer's hint, which is already about the person; empty when there is none.
    """
    words = Words(voice=Voice.CARER, name=name)
    return words.question(question, "staff_hint") or words.question(question, "hint")


# -- showing answers ---------------------------------------------------------------------------------


def display_answer(question: Question, value: Any, words: Words) -> str:
    """An answer as the person would say it: option labels, a formatted date or number, or their text."""
    if value is None or value == [] or value == "":
        return words_not_given()
    if question.type is QuestionType.SINGLE:
        return words.question(question, f"option.{value}") or str(value)
    if question.type is QuestionType.MULTIPLE:
        return ", ".join(words.question(question, f"option.{v}") or str(v) for v in value)
    if question.type is QuestionType.DATE:
        try:
            return format_day(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if question.type is QuestionType.NUMBER:
        return str(format_decimal(Decimal(str(value))))
    return str(value)


def said_last_time(case: Any, question: Question, words: Words) -> str | None:
    """In a review, what was said to this question last time (the answers as confirmed then); None otherwise."""
    from portal.reviews import last_time

    before = last_time(case)
    if before is None:
        return None
    if question.id not in before:
        return str(gettext("Not asked last time"))
    return display_answer(question, before[question.id], words)


def words_not_given() -> str:
    """Shown for an optional question left blank."""
    return gettext("Not given")
