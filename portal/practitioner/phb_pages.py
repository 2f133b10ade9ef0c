"""A personal health budget on the case: its steps, who signed each off, when and at which governance level.

The rules are in :mod:`portal.phb`; these views only turn a form into a call and a refusal into a message on
the field, keeping what was typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, gettext, lazy_gettext
from flask_login import current_user
from wtforms import Field, RadioField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation

from portal import phb
from portal.cases import NotAllowed, Stale
from portal.extensions import db
from portal.forms import Form, RadioInput, SubmitInput, TextArea, error_summary
from portal.models import Role
from portal.phb import PhbForm, ReviewOutcome, Step
from portal.practitioner import bp, load_case
from portal.practitioner.config_forms import current_day
from portal.practitioner.config_versions import DayField
from portal.security import roles_required

CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)

STEP_NAMES = {
    Step.ASSESSED_NEEDS: lazy_gettext("Understanding the person's assessed needs"),
    Step.INDICATIVE_BUDGET: lazy_gettext("Indicative budget"),
    Step.PHB_METHOD: lazy_gettext("How the budget is held"),
    Step.PLAN: lazy_gettext("Personalised care and support plan"),
    Step.FINAL_BUDGET: lazy_gettext("Final budget"),
    Step.PLAN_REVIEW: lazy_gettext("Review of the care and support plan"),
    Step.BUDGET_REVIEW: lazy_gettext("Budget review: continue or stop"),
    Step.AUDIT: lazy_gettext("Audit"),
}

STEP_HINTS = {
    Step.ASSESSED_NEEDS: lazy_gettext("The person's needs are understood and agreed, with them."),
    Step.INDICATIVE_BUDGET: lazy_gettext("The indicative amount the plan starts from is authorised."),
    Step.PHB_METHOD: lazy_gettext(
        "How the person wants the budget held: notional, third party or direct payment."
    ),
    Step.PLAN: lazy_gettext("The plan, its outcomes and how the budget was set are signed off."),
    Step.FINAL_BUDGET: lazy_gettext("The budget that pays for the plan is authorised."),
    Step.PLAN_REVIEW: lazy_gettext("The plan is reviewed with the person and the professionals."),
    Step.BUDGET_REVIEW: lazy_gettext("Whether the budget continues, or stops and the NHS arranges the care."),
    Step.AUDIT: lazy_gettext("The findings of the quality review and the financial audit."),
}

LEVEL_NAMES = {
    1: lazy_gettext("Level 1: the person's own decision"),
    2: lazy_gettext("Level 2: clinical decision by the professional or service manager"),
    3: lazy_gettext("Level 3: higher organisational accountability"),
    4: lazy_gettext("Level 4: highest organisational accountability"),
}

FORM_NAMES = {
    PhbForm.NOTIONAL: lazy_gettext("Notional budget: the NHS arranges the care the person chooses"),
    PhbForm.THIRD_PARTY: lazy_gettext(
        "Third party budget: an organisation holds the money and arranges the care"
    ),
    PhbForm.DIRECT_PAYMENT: lazy_gettext("Direct payment: the person, or someone for them, holds the money"),
}

OUTCOME_NAMES = {
    ReviewOutcome.CONTINUE: lazy_gettext("The budget continues"),
    ReviewOutcome.STOP: lazy_gettext("The budget stops"),
}


def refusal(code: str, needed: int, upcoming: Step | None) -> str:
    """A refusal of :func:`portal.phb.sign_off` in words."""
    if code == "out_of_order" and upcoming is not None:
        return str(
            gettext("Sign the steps off in order. The next step is: %(step)s", step=STEP_NAMES[upcoming])
        )
    words: dict[str, str] = {
        "already_signed": gettext("This step is already signed off"),
        "level_too_low": gettext("This step needs sign-off at level %(level)d or above", level=needed),
        "date_in_future": gettext("The date it was signed off must be today or in the past"),
        "form_missing": gettext("Select how the budget is held"),
        "outcome_missing": gettext("Select whether the budget continues or stops"),
        "no_confirmed_budget": gettext(
            "The final budget authorises the budget the assessor confirmed: confirm the budget on the case first"
        ),
    }
    return words.get(code) or str(gettext("This step cannot be signed off on this case"))


class SignOffForm(Form):
    """Record a step's sign-off."""

    who = RadioField(
        lazy_gettext("Who signed it off?"),
        widget=RadioInput(),
        choices=[],  # worded with the signatory's level by the view
        default="me",
        validate_choice=False,
        validators=[Optional()],
    )
    signed_on = DayField(
        lazy_gettext("Date it was signed off"),
        description=lazy_gettext("For example, 27 3 2026"),
    )
    phb_form = RadioField(
        lazy_gettext("How is the budget held?"),
        widget=RadioInput(),
        choices=[(form.value, FORM_NAMES[form]) for form in PhbForm],
        validate_choice=False,
        validators=[Optional()],
    )
    outcome = RadioField(
        lazy_gettext("What did the budget review decide?"),
        widget=RadioInput(),
        choices=[(outcome.value, OUTCOME_NAMES[outcome]) for outcome in ReviewOutcome],
        validate_choice=False,
        validators=[Optional()],
    )
    note = TextAreaField(
        lazy_gettext("Note (optional)"),
        widget=TextArea(),
        description=lazy_gettext("For example, the meeting it was agreed at, or what the audit found."),
        validators=[Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))],
    )
    submit = SubmitField(lazy_gettext("Record the sign-off"), widget=SubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day: date | None = None

    def validate_signed_on(self, field: Field) -> None:
        """A real date, not in the future."""
        self.day = typed_day(
            field,
            missing=gettext("Enter the date it was signed off, with a day, month and year"),
            invalid=gettext("The date it was signed off must be a real date"),
            future=gettext("The date it was signed off must be today or in the past"),
        )


def typed_day(field: Field, *, missing: str, invalid: str, future: str) -> date:
    """The day typed into a date field's three boxes: a real date since 2000, not after today; else why not."""
    parts = [p.strip() for p in (field.raw_data or [])] + ["", "", ""]
    day_text, month_text, year_text = parts[:3]
    if not (day_text and month_text and year_text):
        raise StopValidation(missing)
    try:
        day = date(int(year_text), int(month_text), int(day_text))
    except (ValueError, OverflowError):  # OverflowError: a year of hundreds of digits
        raise StopValidation(invalid) from None
    if day.year < 2000:
        raise StopValidation(invalid)
    if day > current_day():
        raise StopValidation(future)
    return day


def _step(name: str) -> Step:
    try:
        return Step(name.replace("-", "_"))
    except ValueError:
        abort(404)


@bp.route("/cases/<case_id>/personal-health-budget")
@roles_required(*CASEWORKERS)
def phb_steps(case_id: str) -> Any:
    """The budget's steps: each sign-off with who, when and at which level, and the one to sign next."""
    found = load_case(case_id)
    if not phb.applies(found):
        abort(404)
    return render_template(
        "practitioner/phb/steps.html",
        case=found,
        rows=phb.progress(found),
        form_in_force=phb.form_in_force(found),
        may_record=phb.may_record(current_user, found),
        step_names=STEP_NAMES,
        level_names=LEVEL_NAMES,
        form_names=FORM_NAMES,
        outcome_names=OUTCOME_NAMES,
        heading=gettext("Personal health budget"),
    )


@bp.route("/cases/<case_id>/personal-health-budget/<step_name>", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def phb_sign(case_id: str, step_name: str) -> Any:
    """Record the next step's sign-off: by me at my level, or by the person themselves at level 1."""
    found = load_case(case_id)
    step = _step(step_name)
    if not phb.applies(found) or step not in phb.steps_for(found):
        abort(404)
    if not phb.may_record(current_user, found):
        abort(403)
    needed = phb.required_level(found.organisation, step)
    form = SignOffForm()
    form.who.choices = [
        ("me", gettext("I sign it off (level %(level)d)", level=current_user.approval_level or 0)),
        ("person", gettext("The person signed it off themselves (level 1)")),
    ]
    if not form.is_submitted():
        form.signed_on.process_data(current_day())
    if form.validate_on_submit():
        by_person = needed == phb.PERSON_LEVEL and form.who.data == "person"
        try:
            phb.sign_off(
                current_user,
                found,
                step,
                signed_on=form.day or current_day(),
                today=current_day(),
                by_person=by_person,
                note=form.note.data or "",
                note_lang=str(get_locale() or "en"),
                phb_form=PhbForm(form.phb_form.data) if form.phb_form.data in set(PhbForm) else None,
                outcome=ReviewOutcome(form.outcome.data) if form.outcome.data in set(ReviewOutcome) else None,
            )
        except phb.Refused as refused:
            field = {
                "date_in_future": form.signed_on,
                "form_missing": form.phb_form,
                "outcome_missing": form.outcome,
                "level_too_low": form.who if needed == phb.PERSON_LEVEL else form.submit,
            }.get(refused.code, form.submit)
            field.errors = [*field.errors, refusal(refused.code, needed, phb.next_step(found))]
        except (NotAllowed, Stale):
            db.session.rollback()
            flash(gettext("The case changed while you were working on it. Check it and try again."), "info")
            return redirect(url_for(".phb_steps", case_id=found.public_id), code=303)
        else:
            db.session.commit()
            flash(gettext("Signed off: %(step)s.", step=STEP_NAMES[step]), "success")
            return redirect(url_for(".phb_steps", case_id=found.public_id), code=303)
    return render_template(
        "practitioner/phb/sign.html",
        case=found,
        step=step,
        form=form,
        errors=error_summary(form),
        needed=needed,
        authorises=phb.budget_in_question(found) if step == Step.FINAL_BUDGET else None,
        my_level=current_user.approval_level or 0,
        step_names=STEP_NAMES,
        step_hints=STEP_HINTS,
        level_names=LEVEL_NAMES,
        heading=STEP_NAMES[step],
    )
