"""Forms of the citizen journey: the fixed pages, and one form per question built from the schema."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext, lazy_gettext
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from portal.forms import (
    CharacterCount,
    CheckboxesInput,
    DateInput,
    Form,
    RadioInput,
    SubmitInput,
    TextInput,
)
from portal.i18n.schema_text import Words
from portal.models import Authority
from portal.questionnaire import ErrorCode, Question, QuestionType
from portal.selfassess.service import normalise_postcode


class WhoForm(Form):
    """Who is filling this in."""

    who = RadioField(
        lazy_gettext("Who are you filling this in for?"),
        widget=RadioInput(),
        choices=[
            ("myself", lazy_gettext("Myself")),
            ("someone_else", lazy_gettext("Someone I care for or support")),
        ],
        validators=[InputRequired(message=lazy_gettext("Select who you are filling this in for"))],
    )
    submit = SubmitField(lazy_gettext("Continue"), widget=SubmitInput())


class CarerForm(Form):
    """About the person a carer fills it in for, and on what authority."""

    name = StringField(
        lazy_gettext("What is their name?"),
        widget=TextInput(),
        description=lazy_gettext(
            "We will use it in the questions, for example “Does Sam need help washing?”"
        ),
        validators=[
            InputRequired(message=lazy_gettext("Enter their name")),
            Length(max=200, message=lazy_gettext("Their name must be 200 characters or fewer")),
        ],
    )
    relationship = StringField(
        lazy_gettext("How are you related to them?"),
        widget=TextInput(),
        description=lazy_gettext("For example, daughter, husband, friend or neighbour"),
        validators=[
            InputRequired(message=lazy_gettext("Enter how you are related to them")),
            Length(max=100, message=lazy_gettext("This must be 100 characters or fewer")),
        ],
    )
    authority = RadioField(
        lazy_gettext("Which of these is true?"),
        widget=RadioInput(),
        choices=[
            (Authority.CONSENT.value, lazy_gettext("They know I am doing this and they agree")),
            (
                Authority.LPA_OR_DEPUTY.value,
                lazy_gettext(
                    "I have a lasting power of attorney for their health and welfare, or I am their deputy"
                ),
            ),
            (
                Authority.BEST_INTERESTS.value,
                lazy_gettext(
                    "They cannot decide this for themselves, and I am acting in their best interests"
                ),
            ),
        ],
        validators=[InputRequired(message=lazy_gettext("Select which of these is true"))],
    )
    submit = SubmitField(lazy_gettext("Continue"), widget=SubmitInput())


class DateOfBirthField(Field):
    """Day, month and year boxes kept as typed, checked by :meth:`AboutForm.validate_date_of_birth`."""

    widget = DateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        self.data = None

    def _value(self) -> str:
        return ""


class AboutForm(Form):
    """About the person: date of birth, postcode, NHS number."""

    date_of_birth = DateOfBirthField(
        lazy_gettext("Date of birth"),
        description=lazy_gettext("For example, 27 3 1950"),
    )
    postcode = StringField(
        lazy_gettext("Postcode"),
        widget=TextInput(),
        description=lazy_gettext("Where the person lives. This tells us which council to send it to."),
        validators=[
            InputRequired(message=lazy_gettext("Enter a postcode")),
            Length(max=10, message=lazy_gettext("Enter a real postcode, like LS6 1AA")),
        ],
        render_kw={"autocomplete": "postal-code"},
    )
    nhs_number = StringField(
        lazy_gettext("NHS number (optional)"),
        widget=TextInput(),
        description=lazy_gettext("A 10 digit number, like 943 476 5919. You can leave this out."),
        validators=[Length(max=20, message=lazy_gettext("An NHS number is 10 digits"))],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )
    submit = SubmitField(lazy_gettext("Save and continue"), widget=SubmitInput())

    def validate_date_of_birth(self, field: DateOfBirthField) -> None:
        """A real date in the past, for an adult (the portal is for adult social care)."""
        day, month, year = (part.strip() for part in (field.raw_data or ["", "", ""]))
        if not (day or month or year):
            raise ValidationError(gettext("Enter a date of birth"))
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(gettext("Date of birth must be a real date, like 27 3 1950"))
        try:
            born = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(gettext("Date of birth must be a real date, like 27 3 1950")) from None
        today = date.today()
        if born > today:
            raise ValidationError(gettext("Date of birth must be in the past"))
        if born.year < 1900:
            raise ValidationError(gettext("Date of birth must be after 1900"))
        if (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < 18:
            raise ValidationError(
                gettext(
                    "This service is for adults aged 18 or over. Contact your council about care for a child"
                )
            )
        field.data = born

    def validate_postcode(self, field: StringField) -> None:
        """A UK postcode."""
        normal = normalise_postcode(field.data)
        if normal is None:
            raise ValidationError(gettext("Enter a real postcode, like LS6 1AA"))
        field.data = normal

    def validate_nhs_number(self, field: StringField) -> None:
        """Ten digits with a valid Modulus 11 check digit, when given."""
        digits = "".join(ch for ch in (field.data or "") if not ch.isspace())
        if not digits:
            field.data = ""
            return
        if not (digits.isdigit() and len(digits) == 10) or not nhs_number_is_valid(digits):
            raise ValidationError(gettext("Enter a real NHS number, with 10 digits, or leave it out"))
        field.data = digits


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number Modulus 11 check: weights 10..2 on the first nine digits give the tenth."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


class CouncilForm(Form):
    """Choose the council (or NHS body) when the postcode alone does not decide."""

    organisation = RadioField(
        lazy_gettext("Which council should we send this to?"),
        widget=RadioInput(),
        validators=[InputRequired(message=lazy_gettext("Select a council"))],
    )
    submit = SubmitField(lazy_gettext("Continue"), widget=SubmitInput())


class DeclarationForm(Form):
    """The declaration before sending."""

    confirm = BooleanField(
        lazy_gettext("I confirm that the answers are right, as far as I know"),
        validators=[
            InputRequired(message=lazy_gettext("Confirm that the answers are right, as far as you know"))
        ],
    )
    submit = SubmitField(lazy_gettext("Send to the council"), widget=SubmitInput())


class ReplyForm(Form):
    """The person's answer to the assessor's question."""

    answer = TextAreaField(
        lazy_gettext("Your answer"),
        widget=CharacterCount(),
        validators=[
            InputRequired(message=lazy_gettext("Enter your answer")),
            Length(max=2000, message=lazy_gettext("Your answer must be 2000 characters or fewer")),
        ],
    )
    submit = SubmitField(lazy_gettext("Send your answer"), widget=SubmitInput())


class TakeBackForm(Form):
    """Take a sent case back to change something."""

    submit = SubmitField(lazy_gettext("Take it back to change something"), widget=SubmitInput())


# -- one form per question --------------------------------------------------------------------------

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


def error_message(question: Question, code: ErrorCode, words: Words) -> str:
    """The schema's own message for this question and code, else the general one; translated."""
    own = words.question(question, f"error.{code.value}")
    return own or str(ERRORS[code])


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


def question_form(question: Question, words: Words, value: Any = None, *, formdata: Any = None) -> Form:
    """A form with one field named ``answer`` for the question, labelled and hinted in the person's words."""
    label = words.question(question, "title")
    hint = words.question(question, "hint") or ""
    kind = question.type
    choices = [
        (option.value, words.question(question, f"option.{option.value}")) for option in question.options
    ]

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

    data = (
        {"answer": value if not isinstance(value, int | float) else str(value)} if value is not None else None
    )
    return QuestionForm(formdata=formdata, data=data)
