"""The adult Continuing Healthcare record on a case: the Decision Support Tool as the multidisciplinary team
recorded it, and the ICB's eligibility decision. The rules are in :mod:`portal.chc`; nothing here works either out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, gettext, lazy_gettext
from flask_login import current_user
from wtforms import Field, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal import chc, phb, tool_service, transition
from portal.cases import NotAllowed, Stale
from portal.extensions import db
from portal.forms import Form, RadioInput, SubmitInput, TextArea, error_summary
from portal.models import Role
from portal.practitioner import bp, load_case
from portal.practitioner.config_forms import current_day
from portal.practitioner.config_versions import DayField
from portal.practitioner.phb_pages import typed_day
from portal.security import roles_required

CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)

DOMAIN_NAMES = {
    "breathing": lazy_gettext("Breathing"),
    "nutrition": lazy_gettext("Nutrition: food and drink"),
    "continence": lazy_gettext("Continence"),
    "skin": lazy_gettext("Skin integrity"),
    "mobility": lazy_gettext("Mobility"),
    "communication": lazy_gettext("Communication"),
    "psychological": lazy_gettext("Psychological and emotional needs"),
    "cognition": lazy_gettext("Cognition"),
    "behaviour": lazy_gettext("Behaviour"),
    "drug_therapies": lazy_gettext("Drug therapies and medication: symptom control"),
    "altered_states": lazy_gettext("Altered states of consciousness"),
    "other_needs": lazy_gettext("Other significant care needs"),
}

LEVEL_NAMES = {
    chc.Level.NO_NEEDS: lazy_gettext("No needs"),
    chc.Level.LOW: lazy_gettext("Low"),
    chc.Level.MODERATE: lazy_gettext("Moderate"),
    chc.Level.HIGH: lazy_gettext("High"),
    chc.Level.SEVERE: lazy_gettext("Severe"),
    chc.Level.PRIORITY: lazy_gettext("Priority"),
}


def _note_field(label: Any, hint: Any, *, required: Any = None) -> TextAreaField:
    validators: list[Any] = [Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))]
    if required is not None:
        validators.insert(0, InputRequired(message=required))
    return TextAreaField(label, widget=TextArea(), description=hint, validators=validators)


class _DayForm(Form):
    """A form with one date that happened (not in the future)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day: date | None = None


def dst_form_class() -> type[_DayForm]:
    """The Decision Support Tool's form: one question per domain, offering only that domain's levels."""

    class DstForm(_DayForm):
        completed_on = DayField(
            lazy_gettext("Date the team completed the Decision Support Tool"),
            description=lazy_gettext("For example, 27 3 2026"),
        )
        note = _note_field(
            lazy_gettext("Note (optional)"),
            lazy_gettext("For example, who was at the meeting and the team's recommendation."),
        )
        submit = SubmitField(lazy_gettext("Record the Decision Support Tool"), widget=SubmitInput())

        def validate_completed_on(self, field: Field) -> None:
            self.day = typed_day(
                field,
                missing=gettext("Enter the date the team completed it, with a day, month and year"),
                invalid=gettext("The date the team completed it must be a real date"),
                future=gettext("The date the team completed it must be today or in the past"),
            )

    for key, levels in chc.DOMAINS.items():
        missing = lazy_gettext("Select the level the team recorded for %(domain)s", domain=DOMAIN_NAMES[key])
        setattr(
            DstForm,
            f"domain_{key}",
            RadioField(
                DOMAIN_NAMES[key],
                widget=RadioInput(),
                choices=[(level.value, LEVEL_NAMES[level]) for level in levels],
                validators=[InputRequired(message=missing)],
            ),
        )
    return DstForm


class EligibilityForm(_DayForm):
    """The ICB's decision, as it made it."""

    eligible = RadioField(
        lazy_gettext("What did the ICB decide?"),
        widget=RadioInput(),
        choices=[
            ("yes", lazy_gettext("Eligible for NHS Continuing Healthcare")),
            ("no", lazy_gettext("Not eligible for NHS Continuing Healthcare")),
        ],
        validators=[InputRequired(message=lazy_gettext("Select what the ICB decided"))],
    )
    decided_on = DayField(
        lazy_gettext("Date of the decision"),
        description=lazy_gettext("For example, 27 3 2026"),
    )
    reasons = _note_field(
        lazy_gettext("The ICB's reasons"),
        lazy_gettext("As the ICB gave them. The person can ask to read them."),
        required=lazy_gettext("Enter the ICB's reasons"),
    )
    submit = SubmitField(lazy_gettext("Record the decision"), widget=SubmitInput())

    def validate_decided_on(self, field: Field) -> None:
        self.day = typed_day(
            field,
            missing=gettext("Enter the date of the decision, with a day, month and year"),
            invalid=gettext("The date of the decision must be a real date"),
            future=gettext("The date of the decision must be today or in the past"),
        )


def _chc_case(case_id: str) -> Any:
    """The case, if the member of staff's organisation has it and the ICB decides its eligibility; else 404."""
    found = load_case(case_id)
    if not chc.applies(found):
        abort(404)
    return found


def _may_record_or_403(found: Any) -> None:
    if not chc.may_record(current_user, found):
        abort(403)


def _changed(found: Any) -> Any:
    db.session.rollback()
    flash(gettext("The case changed while you were working on it. Check it and try again."), "info")
    return redirect(url_for(".chc_record", case_id=found.public_id), code=303)


@bp.route("/cases/<case_id>/continuing-healthcare")
@roles_required(*CASEWORKERS)
def chc_record(case_id: str) -> Any:
    """The Decision Support Tool's domains and levels as recorded, and the ICB's decision."""
    found = _chc_case(case_id)
    return render_template(
        "practitioner/chc/record.html",
        case=found,
        assessment=chc.latest_assessment(found),
        eligibility=chc.latest_eligibility(found),
        may_record=chc.may_record(current_user, found),
        dst=chc.dst_applies(found),
        child=chc.for_children(found.tool_key),
        domains=list(chc.DOMAINS),
        domain_names=DOMAIN_NAMES,
        level_names={level.value: name for level, name in LEVEL_NAMES.items()},
        heading=chc_label(found),
    )


@bp.route("/cases/<case_id>/continuing-healthcare/decision-support-tool", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def chc_dst(case_id: str) -> Any:
    """Record the Decision Support Tool as the team completed it (starting from the last one recorded)."""
    found = _chc_case(case_id)
    if not chc.dst_applies(found):
        abort(404)
    _may_record_or_403(found)
    form = dst_form_class()()
    if not form.is_submitted():
        form.completed_on.process_data(current_day())
        last = chc.latest_assessment(found)
        for key, value in ((last.domains if last else None) or {}).items():
            field = getattr(form, f"domain_{key}", None)
            if field is not None:
                field.data = value
    if form.validate_on_submit():
        try:
            chc.record_assessment(
                current_user,
                found,
                {key: getattr(form, f"domain_{key}").data for key in chc.DOMAINS},
                completed_on=form.day or current_day(),
                today=current_day(),
                note=form.note.data or "",
                note_lang=str(get_locale() or "en"),
            )
        except chc.Refused as refused:
            field = getattr(form, f"domain_{refused.field}", None) or form.completed_on
            field.errors = [*field.errors, gettext("Check this answer")]
        except (NotAllowed, Stale):
            return _changed(found)
        else:
            db.session.commit()
            flash(gettext("The Decision Support Tool is recorded."), "success")
            return redirect(url_for(".chc_record", case_id=found.public_id), code=303)
    return render_template(
        "practitioner/chc/dst.html",
        case=found,
        form=form,
        fields=[getattr(form, f"domain_{key}") for key in chc.DOMAINS],
        errors=error_summary(form),
        heading=gettext("Decision Support Tool"),
    )


@bp.route("/cases/<case_id>/continuing-healthcare/eligibility", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def chc_eligibility(case_id: str) -> Any:
    """Record the ICB's decision on eligibility, with its date and reasons."""
    found = _chc_case(case_id)
    _may_record_or_403(found)
    form = EligibilityForm()
    if not form.is_submitted():
        form.decided_on.process_data(current_day())
    if form.validate_on_submit():
        try:
            chc.record_eligibility(
                current_user,
                found,
                eligible=form.eligible.data == "yes",
                decided_on=form.day or current_day(),
                today=current_day(),
                reasons=form.reasons.data or "",
                reasons_lang=str(get_locale() or "en"),
            )
        except chc.Refused:
            form.reasons.errors = [*form.reasons.errors, gettext("Enter the ICB's reasons")]
        except (NotAllowed, Stale):
            return _changed(found)
        else:
            db.session.commit()
            flash(gettext("The ICB's decision is recorded."), "success")
            return redirect(url_for(".chc_record", case_id=found.public_id), code=303)
    return render_template(
        "practitioner/chc/eligibility.html",
        case=found,
        form=form,
        errors=error_summary(form),
        heading=gettext("The ICB's eligibility decision"),
    )


STAGE_NAMES = {
    transition.Stage.NOT_YET: lazy_gettext("Not 14 yet: to be flagged to adult services at 14"),
    transition.Stage.FLAG: lazy_gettext("14 or 15: flagged to adult services"),
    transition.Stage.CHECKLIST: lazy_gettext("16: screen with the adult Checklist"),
    transition.Stage.DECISION: lazy_gettext("17: decide adult eligibility in principle"),
    transition.Stage.ADULT: lazy_gettext("18: adult support in place"),
}

NEXT_NAMES = {
    transition.Stage.FLAG: lazy_gettext("Flag to adult services"),
    transition.Stage.CHECKLIST: lazy_gettext("Screen with the adult Checklist"),
    transition.Stage.DECISION: lazy_gettext("Decide adult eligibility in principle"),
    transition.Stage.ADULT: lazy_gettext("Adult support in place"),
}


@bp.route("/young-people-moving-to-adult-services")
@roles_required(*CASEWORKERS)
def chc_transition() -> Any:
    """Young people approaching the move from children's Continuing Care to adult NHS Continuing Healthcare."""
    if not chc.transition_applies(current_user.organisation):
        abort(404)  # a council follows no one there: the ICB does
    return render_template(
        "practitioner/chc/transition.html",
        young=chc.approaching_adult_services(current_user.organisation_id, current_day()),
        may_start=lambda case: chc.may_start_adult_case(current_user, case),
        action=StartAdultCaseForm(),
        stage_names=STAGE_NAMES,
        next_names=NEXT_NAMES,
        heading=gettext("Young people moving to adult services"),
    )


class StartAdultCaseForm(Form):
    """Start the adult case from a young person's children's case (a button, worded with their name on the page)."""


@bp.route("/cases/<case_id>/adult-case", methods=["POST"])
@roles_required(Role.ASSESSOR)
def chc_start_adult_case(case_id: str) -> Any:
    """Start the young person's adult CHC case from their decided children's case, with the answers that carry over;
    the assessor then completes it with them, question by question, as on the phone."""
    found = load_case(case_id)
    if not chc.may_start_adult_case(current_user, found):
        abort(403)
    if not StartAdultCaseForm().validate_on_submit():
        abort(400)
    try:
        adult = chc.start_adult_case(current_user, found)
    except NotAllowed:
        db.session.rollback()
        abort(403)
    db.session.commit()
    flash(gettext("The adult case is started, with the answers that mean the same in both tools."), "success")
    schema = tool_service.of(adult).schema
    first = schema.first_unanswered(schema.decode_answers(adult.answers or {}))
    if first is None:
        return redirect(url_for(".phone_finish", case_id=adult.public_id), code=303)
    return redirect(url_for(".phone_question", case_id=adult.public_id, question_id=first), code=303)


@bp.app_context_processor
def nhs_pages() -> dict[str, Any]:
    """What the case pages' navigation asks: does the case have a personal health budget, a CHC record?"""
    return {"phb_applies": phb.applies, "chc_applies": chc.applies, "chc_label": chc_label}


def chc_label(case: Any) -> str:
    """What the ICB decides for this case: adult NHS Continuing Healthcare or children's continuing care."""
    if chc.for_children(case.tool_key):
        return str(gettext("Children's continuing care"))
    return str(gettext("NHS Continuing Healthcare"))
