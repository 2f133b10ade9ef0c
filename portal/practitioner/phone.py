"""An assessment an assessor completes for a person on the phone, with the same questions the person would see."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from portal import chc, tool_service
from portal.extensions import db
from portal.forms import Form, SubmitInput, TextInput, error_summary
from portal.i18n.schema_text import Words
from portal.models import Role
from portal.person_details import AboutForm, covers, organisations_for_postcode
from portal.practitioner import bp
from portal.practitioner import service as work
from portal.questionnaire import Voice, notes_of, storable, with_note
from portal.questions_web import QuestionPage, said_last_time
from portal.security import roles_required
from portal.tools import DEFAULT_TOOL

#: Who may carry on with a draft they hold: an assessor's phone assessment, or a review an assessor or a manager
#: started to go through with the person (:func:`_draft` finds only the account's own held draft).
HOLDERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)


class PhoneForm(AboutForm):
    """The person's details, taken on the phone."""

    name = StringField(
        lazy_gettext("The person's full name"),
        widget=TextInput(),
        validators=[
            InputRequired(message=lazy_gettext("Enter the person's full name")),
            Length(max=200, message=lazy_gettext("The name must be 200 characters or fewer")),
        ],
    )


class FinishForm(Form):
    """Finish the phone assessment."""

    submit = SubmitField(lazy_gettext("Finish and start validating"), widget=SubmitInput())


def _draft(case_id: str) -> Any:
    """The draft this member of staff holds and is completing with the person, else 404."""
    case = work.find_phone_draft(current_user, case_id)
    if case is None:
        abort(404)
    return case


@bp.route("/assess/new", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR)
def phone_new() -> Any:
    """Start an assessment for a person on the phone, or a tool completed with the person (``?tool=<key>``)."""
    try:
        tool = tool_service.get(request.args.get("tool", DEFAULT_TOOL)[:40])
    except tool_service.ToolRefused:  # no such tool; one not offered here is refused when started, below
        abort(404)
    form = PhoneForm()
    form.adults_only = not chc.for_children(
        tool.key
    )  # children's Continuing Care takes a child's date of birth
    outside = False
    if form.validate_on_submit():
        if not organisations_for_postcode(form.postcode.data):
            form.postcode.errors = [
                gettext(
                    "The postcode %(postcode)s is not in an area that uses this service",
                    postcode=form.postcode.data,
                )
            ]
            outside = True
        elif not covers(current_user.organisation, form.postcode.data):
            form.postcode.errors = [gettext("This postcode is not in your organisation's area")]
        else:
            try:
                case = work.start_phone_assessment(
                    current_user,
                    name=form.name.data,
                    date_of_birth=form.date_of_birth.data,
                    postcode=form.postcode.data,
                    nhs_number=form.nhs_number.data,
                    address=form.address(),
                    tool_key=tool.key,
                )
            except tool_service.ToolRefused:
                form.name.errors = [gettext("Your organisation does not offer this assessment")]
            else:
                first = work.schema(case).first_unanswered({})
                return redirect(
                    url_for(".phone_question", case_id=case.public_id, question_id=first), code=303
                )
    return render_template(
        "practitioner/phone_new.html",
        form=form,
        errors=error_summary(form),
        outside=outside,
        tool=tool if tool.key != DEFAULT_TOOL else None,
        tool_name=tool_service.name_of(tool),
    )


@bp.route("/assess/<case_id>/questions/<question_id>", methods=["GET", "POST"])
@roles_required(*HOLDERS)
def phone_question(case_id: str, question_id: str) -> Any:
    """One question, asked on the phone; saved at once."""
    case = _draft(case_id)
    schema = work.schema(case)
    answers = schema.decode_answers(case.answers or {})
    if question_id not in schema:
        abort(404)
    place = schema.place(question_id, answers)  # one walk over the answers serves the whole page
    if not place.on_path:
        abort(404)
    words = Words(
        voice=Voice.CARER,
        name=case.person.name,
        self_funder=place.self_funder,
        domain=tool_service.of(case).domain,
    )
    page = QuestionPage.build(
        schema,
        question_id,
        words,
        answers.get(question_id),
        posted=request.form if request.method == "POST" else None,
        note=notes_of(case.answers).get(question_id, ""),
    )
    if request.method == "POST" and page.form.validate():  # validate() checks the CSRF token only
        accepted, value = page.read(request.form)
        if accepted:
            stored = dict(case.answers or {})
            stored[question_id] = storable(value)
            note = page.posted_note(request.form)
            if note is not None:
                stored = with_note(stored, question_id, note)
            case.answers = stored
            db.session.commit()
            answers = schema.decode_answers(case.answers)
            if page.form.later.data:
                flash(gettext("The answers are saved. Carry on from the staff home page."), "success")
                return redirect(url_for(".home"), code=303)
            following = schema.next_id(question_id, answers)
            if following is not None:
                return redirect(
                    url_for(".phone_question", case_id=case.public_id, question_id=following), code=303
                )
            return redirect(url_for(".phone_finish", case_id=case.public_id), code=303)
    previous = place.previous_id
    back = (
        url_for(".phone_question", case_id=case.public_id, question_id=previous)
        if previous
        else url_for(".home")
    )
    return page.render(
        place.position, case=case, back=back, last_time=said_last_time(case, page.question, words)
    )


@bp.route("/assess/<case_id>/finish", methods=["GET", "POST"])
@roles_required(*HOLDERS)
def phone_finish(case_id: str) -> Any:
    """Finish: the answers become the case's snapshot and the assessor validates them like any other."""
    case = _draft(case_id)
    schema = work.schema(case)
    answers = schema.decode_answers(case.answers or {})
    first = schema.first_unanswered(answers)
    if first is not None:
        return redirect(url_for(".phone_question", case_id=case.public_id, question_id=first))
    form = FinishForm()
    if form.validate_on_submit():
        work.finish_phone_assessment(current_user, case)
        return redirect(url_for(".case", case_id=case.public_id), code=303)
    return render_template("practitioner/phone_finish.html", case=case, form=form)
