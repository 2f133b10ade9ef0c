"""Questions to the person: asked online when someone with an account acts for them, otherwise by phone, letter or
in person, with the answer recorded by the member of staff holding the case (the lifecycle's ``offline`` rows)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal import case_record, cases
from portal.cases import Move
from portal.forms import Form, RadioInput, SubmitInput, TextArea, error_summary
from portal.models import Role
from portal.practitioner import bp, load_case
from portal.practitioner import service as work
from portal.security import roles_required

#: How a question went, or an answer came, when the person has no account (the words staff read).
CHANNEL_CHOICES = [
    ("phone", lazy_gettext("By phone")),
    ("letter", lazy_gettext("By letter")),
    ("in_person", lazy_gettext("In person")),
]


_AT_MOST_2000 = Length(max=2000, message=lazy_gettext("This must be 2000 characters or fewer"))


def _channel_field(label: Any, message: Any) -> RadioField:
    """How a question was asked or answered offline: by phone, by letter or in person."""
    return RadioField(
        label, widget=RadioInput(), choices=CHANNEL_CHOICES, validators=[InputRequired(message=message)]
    )


class AskForm(Form):
    """A question to the person, online."""

    question = TextAreaField(
        lazy_gettext("What do you want to ask?"),
        widget=TextArea(),
        description=lazy_gettext("The person sees this on their status page and by email."),
        validators=[
            InputRequired(message=lazy_gettext("Enter your question")),
            _AT_MOST_2000,
        ],
    )
    submit = SubmitField(lazy_gettext("Send the question"), widget=SubmitInput())


class OfflineAskForm(AskForm):
    """A question to a person without an account: asked by phone, letter or in person."""

    question = TextAreaField(
        lazy_gettext("What are you asking?"),
        widget=TextArea(),
        description=lazy_gettext("Write it down as you ask it, so the case keeps a record."),
        validators=[
            InputRequired(message=lazy_gettext("Enter your question")),
            _AT_MOST_2000,
        ],
    )
    channel = _channel_field(
        lazy_gettext("How are you asking it?"), lazy_gettext("Select how you are asking the question")
    )
    submit = SubmitField(lazy_gettext("Record the question"), widget=SubmitInput())


class OfflineAnswerForm(Form):
    """The answer a person without an account gave by phone, letter or in person."""

    answer = TextAreaField(
        lazy_gettext("What did the person say?"),
        widget=TextArea(),
        description=lazy_gettext("Write their answer as they gave it."),
        validators=[
            InputRequired(message=lazy_gettext("Enter the person's answer")),
            _AT_MOST_2000,
        ],
    )
    channel = _channel_field(
        lazy_gettext("How did they answer?"), lazy_gettext("Select how the person answered")
    )
    submit = SubmitField(lazy_gettext("Record the answer"), widget=SubmitInput())


# A manager may hold a case (a review they went through with the person), and the holder asks and records answers.
CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)


@bp.route("/cases/<case_id>/ask", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)  # who of them: the holder, by the lifecycle
def ask(case_id: str) -> Any:
    """Ask the person a question; the case waits for their answer."""
    found = load_case(case_id)
    if not cases.can(current_user, found, Move.ASK):
        abort(403)
    offline = not cases.reachable(found)
    form = OfflineAskForm() if offline else AskForm()
    if form.validate_on_submit():
        channel = (form.channel.data or "") if isinstance(form, OfflineAskForm) else "online"
        try:
            work.ask_person(current_user, found, form.question.data or "", channel)
        except (work.Conflict, cases.NotAllowed):
            flash(gettext("You can only ask a question while you hold the case."), "info")
        else:
            flash(
                gettext("The question is recorded.") if offline else gettext("Your question has been sent."),
                "success",
            )
        return redirect(url_for(".case", case_id=found.public_id), code=303)
    return render_template(
        "practitioner/ask.html", case=found, form=form, errors=error_summary(form), offline=offline
    )


@bp.route("/cases/<case_id>/answer", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def record_answer(case_id: str) -> Any:
    """Record the answer a person without an account gave by phone, letter or in person; the case comes back."""
    found = load_case(case_id)
    if not cases.can(current_user, found, Move.ANSWER):
        abort(403)
    form = OfflineAnswerForm()
    if form.validate_on_submit():
        try:
            work.record_offline_answer(current_user, found, form.answer.data or "", form.channel.data or "")
        except (work.Conflict, cases.NotAllowed):
            flash(gettext("The case is no longer waiting for this answer."), "info")
        else:
            flash(gettext("The answer is recorded."), "success")
        return redirect(url_for(".case", case_id=found.public_id), code=303)
    question = next((m for m in reversed(case_record.messages(found)) if m.kind == "question"), None)
    return render_template(
        "practitioner/record_answer.html",
        case=found,
        form=form,
        errors=error_summary(form),
        question=question,
    )
