"""Forms of the citizen journey's fixed pages (a question's form is built by :mod:`portal.questions_web`)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.forms import CharacterCount, Form, RadioInput, SubmitInput, TextInput
from portal.models import Authority
from portal.person_details import AboutForm


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


class WithdrawForm(Form):
    """Withdraw a case before a decision."""

    reason = TextAreaField(
        lazy_gettext("Why are you withdrawing it? (optional)"),
        widget=CharacterCount(),
        validators=[Length(max=2000, message=lazy_gettext("This must be 2000 characters or fewer"))],
    )
    submit = SubmitField(lazy_gettext("Withdraw it"), widget=SubmitInput())


class DeleteDraftForm(Form):
    """Delete an unsent draft."""

    submit = SubmitField(lazy_gettext("Delete these answers"), widget=SubmitInput())


class TakeBackForm(Form):
    """Take a sent case back to change something."""

    submit = SubmitField(lazy_gettext("Take it back to change something"), widget=SubmitInput())


class PersonForm(AboutForm):
    """About the person: their full name as well as the details every front door asks."""

    name = StringField(
        lazy_gettext("Full name"),
        widget=TextInput(),
        description=lazy_gettext("As it appears on letters from the council or the NHS"),
        validators=[
            InputRequired(message=lazy_gettext("Enter the person's full name")),
            Length(max=200, message=lazy_gettext("The name must be 200 characters or fewer")),
        ],
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
