"""Staff pages for Section 117 aftercare: the person's entitlement (detentions, discharge, the joint decision that
ends it), what a case's aftercare covers (lines that are not aftercare, a section 117A top-up), a split agreed for the
person and its approval, and a partnership's pooled split over time.

Each view turns a form into a call to :mod:`portal.section117`, which holds every rule and refuses by itself; a
refusal becomes a message beside its field, and what was typed stays on the page. Cases are loaded inside the member
of staff's organisation (another organisation's case is a 404) and every route declares its roles (403 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import Field, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from portal import budgets, money, section117
from portal.case_record import final_decision, read_once
from portal.extensions import db
from portal.forms import (
    CheckboxesInput,
    DateInput,
    Form,
    RadioInput,
    SubmitInput,
    TextArea,
    TextInput,
    error_summary,
)
from portal.models import Estimate as StoredEstimate
from portal.models import Organisation, Role
from portal.practitioner import bp, load_case
from portal.practitioner import service as work
from portal.practitioner.config_versions import DayField
from portal.section117_models import AgreedSplit, Detention
from portal.security import roles_required
from portal.vocabulary import line_title

CASEWORKERS = section117.CASEWORKERS
MANAGERS = section117.MANAGERS
_LONG = Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))

#: A refusal's words, by (field, code), else by code.
MESSAGES: dict[Any, Any] = {
    ("section", "not_qualifying"): lazy_gettext(
        "Section %(section)s does not give a right to aftercare. Only sections 3, 37, 45A, 47 and 48 do."
    ),
    ("section", "unknown"): lazy_gettext("Enter the section of the Mental Health Act, for example 3 or 37"),
    ("section", "required"): lazy_gettext("Enter the section of the Mental Health Act, for example 3 or 37"),
    ("detained_on", "required"): lazy_gettext("Enter the date the detention began"),
    ("detained_on", "in_future"): lazy_gettext("The date the detention began must be today or in the past"),
    ("detained_on", "overlaps"): lazy_gettext("This overlaps the detention recorded from %(day)s"),
    ("discharged_on", "required"): lazy_gettext("Enter the date of discharge"),
    ("discharged_on", "in_future"): lazy_gettext("The date of discharge must be today or in the past"),
    ("discharged_on", "before_detention"): lazy_gettext(
        "The date of discharge must be on or after the detention began"
    ),
    ("discharged_on", "already_discharged"): lazy_gettext("The discharge has already been recorded"),
    ("responsible_council", "required"): lazy_gettext("Enter the responsible council"),
    ("responsible_icb", "required"): lazy_gettext("Enter the responsible integrated care board"),
    ("ended_on", "required"): lazy_gettext("Enter the date entitlement ends"),
    ("ended_on", "in_future"): lazy_gettext("The date entitlement ends must be today or in the past"),
    ("ended_on", "not_entitled"): lazy_gettext("The person was not entitled to aftercare on that date"),
    ("reasons", "required"): lazy_gettext("Enter the reasons for the decision"),
    ("council_decided_by", "required"): lazy_gettext("Enter who decided for the council"),
    ("icb_decided_by", "required"): lazy_gettext("Enter who decided for the integrated care board"),
    ("person_involved", "without_person"): lazy_gettext(
        "Entitlement can only end by a decision made with the person. Involve them first."
    ),
    ("not_aftercare", "case_final"): lazy_gettext("This case is closed, so what it covers cannot change"),
    ("not_aftercare", "not_aftercare_case"): lazy_gettext(
        "The person is not entitled to aftercare on this case"
    ),
    ("not_aftercare", "unknown_line"): lazy_gettext("Select lines of this budget only"),
    ("not_aftercare_reason", "required"): lazy_gettext("Enter why these lines are not aftercare"),
    ("top_up", "not_positive"): lazy_gettext("Enter a top-up of more than £0"),
    ("top_up_paid_by", "required"): lazy_gettext("Enter who pays the top-up"),
    ("top_up_accommodation", "required"): lazy_gettext("Enter the accommodation the person chose"),
    ("council_percent", "not_partnership"): lazy_gettext("Only a partnership has a pooled budget"),
    ("council_percent", "not_a_percent"): lazy_gettext(
        "Enter the council's share as a percentage, like 57.5"
    ),
    ("council_percent", "too_precise"): lazy_gettext(
        "Enter the council's share with no more than 2 decimal places"
    ),
    ("council_percent", "out_of_range"): lazy_gettext(
        "Enter the council's share between %(low)s and %(high)s"
    ),
    ("effective_from", "required"): lazy_gettext("Enter the date it starts"),
    ("effective_from", "in_past"): lazy_gettext(
        "The date it starts must be today or later, so decisions already made keep their split"
    ),
    ("reason", "required"): lazy_gettext("Enter the reason"),
    ("outcome", "already_decided"): lazy_gettext("This split has already been decided"),
    ("outcome", "start_passed"): lazy_gettext("The day this split was to start has passed: propose it again"),
    "too_long": lazy_gettext("This must be %(limit)s characters or fewer"),
}


def _message(error: section117.Refused) -> str:
    """A refusal in the page's language."""
    words = MESSAGES.get((error.field, error.code)) or MESSAGES.get(error.code) or error.code
    values = {k: (v.strftime("%d/%m/%Y") if isinstance(v, date) else v) for k, v in error.values.items()}
    return str(words) % values if values else str(words)


def _place(form: Form, error: section117.Refused, aliases: dict[str, str] | None = None) -> None:
    """Put a refusal beside its field."""
    name = (aliases or {}).get(error.field, error.field)
    field = getattr(form, name, None) or form.submit
    field.errors = [*list(field.errors or []), _message(error)]


def _day(field: Field, *, required: bool) -> date | None:
    """The date typed in a day field; None when left empty and not required; an error beside it otherwise."""
    parts = [p.strip() for p in (field.raw_data or [])] + ["", "", ""]
    if not any(parts[:3]):
        if required:
            field.errors = [gettext("Enter a date, with a day, month and year")]
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except (ValueError, OverflowError):
        field.errors = [gettext("Enter a real date, with a day, month and year")]
        return None


def _load(case_id: str) -> Any:
    """The case, found inside the member of staff's organisation, where Section 117 can apply to it
    (:func:`portal.section117.applies_to`); a 404 otherwise, as for a case that is not there."""
    found = load_case(case_id)
    if not section117.applies_to(found):
        abort(404)
    return found


@bp.app_template_global("section117_applies")
def section117_applies(case: Any) -> bool:
    """Whether the case has a Section 117 tab and part (the case pages ask it, in the tabs and the summary).

    Asked once a read request for each case (``case_record.read_once``): the tabs and the summary both ask.
    """
    applies: bool = read_once(("section117_applies", case.id), lambda: section117.applies_to(case))
    return applies


def _organisation(case: Any) -> Organisation:
    """The case's organisation (a case found for staff always has the member of staff's own)."""
    organisation: Organisation | None = case.organisation
    if organisation is None:
        abort(404)
    return organisation


def _done(case: Any, text: str) -> Any:
    flash(text, "success")
    return redirect(url_for(".section117", case_id=case.public_id), code=303)


# -- the overview ------------------------------------------------------------------------------------------


@bp.route("/cases/<case_id>/section-117", endpoint="section117")
@roles_required(*CASEWORKERS)
def section117_page(case_id: str) -> str:
    """The person's Section 117 entitlement with this organisation, what the case's aftercare covers, and the split."""
    found = _load(case_id)
    organisation = found.organisation
    today = date.today()
    result, basis = work.recalculate_funded(found)
    return render_template(
        "practitioner/section117/overview.html",
        case=found,
        standing=section117.standing(found.person, organisation, today),
        detentions=section117.detentions(found.person, organisation),
        endings=section117.endings(found.person, organisation),
        aftercare=section117.is_aftercare(found),
        covers=section117.case_aftercare(found),
        titles={line.key: line.title for line in budgets.worded_lines(result)},
        funders=budgets.split_words(result, basis.to_dict()),
        basis=basis,
        agreed=section117.agreed_splits(found.person, organisation),
        pooled=section117.pooled_split_in_force(organisation, today),
        is_manager=current_user.role in MANAGERS,
    )


@dataclass(frozen=True)
class Summary:
    """What the case page shows of Section 117: the entitlement, and who funds the budget."""

    standing: section117.Standing
    basis: section117.SplitBasis
    funders: list[str]


@bp.app_template_global()
def section117_summary(case: Any) -> Summary:
    """The entitlement on the relevant day, the split in force and, once decided, the split the decision recorded."""
    day = section117.relevant_day(case)
    decision = final_decision(case)
    stored = db.session.get(StoredEstimate, decision.estimate_id) if decision is not None else None
    if stored is not None and stored.split_basis.get("kind") in ("pooled", "agreed"):
        recorded = stored.split_basis
        basis = section117.SplitBasis(
            recorded["kind"],
            Decimal(recorded["council_percent"]),
            date.fromisoformat(recorded["effective_from"]) if recorded.get("effective_from") else None,
        )
    else:
        basis = section117.split_for(case, day) if stored is None else section117.SplitBasis("lines")
    return Summary(
        section117.standing(case.person, case.organisation, day),
        basis,
        budgets.split_words(budgets.loaded(stored), stored.split_basis) if stored is not None else [],
    )


@bp.app_template_global("free_to_person")
def free_to_person(case: Any) -> bool:
    """Whether the case's care is free to the person (Section 117 aftercare, or NHS care), for the budget page."""
    return section117.free_to_person(case)


# -- detentions --------------------------------------------------------------------------------------------


class DetentionForm(Form):
    """A detention that gives the right to aftercare."""

    section = StringField(
        lazy_gettext("Section of the Mental Health Act 1983"),
        widget=TextInput(),
        description=lazy_gettext(
            "Only sections 3, 37, 45A, 47 and 48 give a right to aftercare. For example, 3"
        ),
    )
    detained_on = DayField(lazy_gettext("Date the detention began"), widget=DateInput())
    discharged_on = DayField(
        lazy_gettext("Date of discharge"),
        widget=DateInput(),
        description=lazy_gettext(
            "Leave empty if the person is still detained. Aftercare starts on this day."
        ),
    )
    responsible_council = StringField(
        lazy_gettext("Responsible council"),
        widget=TextInput(),
        description=lazy_gettext(
            "Where the person was ordinarily resident immediately before this detention. A later detention under "
            "one of these sections changes it."
        ),
    )
    responsible_icb = StringField(lazy_gettext("Responsible integrated care board (ICB)"), widget=TextInput())
    notes = TextAreaField(lazy_gettext("Notes (optional)"), widget=TextArea(), validators=[_LONG])
    submit = SubmitField(lazy_gettext("Record the detention"), widget=SubmitInput())


@bp.route("/cases/<case_id>/section-117/detentions/new", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def section117_detention(case_id: str) -> Any:
    """Record a detention under a section that gives the right to aftercare."""
    found = _load(case_id)
    form = DetentionForm()
    if form.validate_on_submit():
        start = _day(form.detained_on, required=True)
        end = _day(form.discharged_on, required=False)
        try:  # the section is told at once, even while a date is still to put right
            section117.qualifying_section(form.section.data)
        except section117.Refused as error:
            _place(form, error)
        if not (form.detained_on.errors or form.discharged_on.errors or form.section.errors):
            try:
                section117.record_detention(
                    current_user,
                    found.person,
                    _organisation(found),
                    section=form.section.data,
                    detained_on=start,
                    discharged_on=end,
                    responsible_council=form.responsible_council.data,
                    responsible_icb=form.responsible_icb.data,
                    notes=form.notes.data,
                )
            except section117.Refused as error:
                _place(form, error)
            else:
                return _done(found, gettext("The detention has been recorded."))
    return _form_page(found, form, gettext("Record a detention"), dates=("detained_on", "discharged_on"))


class DischargeForm(Form):
    """The discharge of a detention still open."""

    discharged_on = DayField(lazy_gettext("Date of discharge"), widget=DateInput())
    submit = SubmitField(lazy_gettext("Record the discharge"), widget=SubmitInput())


@bp.route("/cases/<case_id>/section-117/detentions/<detention_id>/discharge", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def section117_discharge(case_id: str, detention_id: str) -> Any:
    """Record the day the person was discharged: aftercare runs from it."""
    found = _load(case_id)
    detention = db.session.scalar(
        select(Detention).filter_by(
            public_id=detention_id, person_id=found.person_id, organisation_id=found.organisation_id
        )
    )
    if detention is None:
        abort(404)
    form = DischargeForm()
    if form.validate_on_submit():
        day = _day(form.discharged_on, required=True)
        if day is not None:
            try:
                section117.record_discharge(current_user, detention, discharged_on=day)
            except section117.Refused as error:
                _place(form, error)
            else:
                return _done(found, gettext("The discharge has been recorded."))
    return _form_page(found, form, gettext("Record the discharge"), dates=("discharged_on",))


# -- ending entitlement ------------------------------------------------------------------------------------


class EndForm(Form):
    """The joint decision that aftercare is no longer needed."""

    ended_on = DayField(lazy_gettext("Date entitlement ends"), widget=DateInput())
    reasons = TextAreaField(
        lazy_gettext("Reasons for the decision"),
        widget=TextArea(),
        description=lazy_gettext(
            "Why the person no longer needs aftercare services for their mental disorder."
        ),
        validators=[_LONG],
    )
    council_decided_by = StringField(
        lazy_gettext("Who decided for the council (name and role)"), widget=TextInput()
    )
    icb_decided_by = StringField(
        lazy_gettext("Who decided for the integrated care board (name and role)"), widget=TextInput()
    )
    person_involved = RadioField(
        lazy_gettext("Was the person involved in the decision?"),
        widget=RadioInput(),
        choices=[("yes", lazy_gettext("Yes")), ("no", lazy_gettext("No"))],
    )
    person_view = TextAreaField(
        lazy_gettext("What the person said (optional)"), widget=TextArea(), validators=[_LONG]
    )
    submit = SubmitField(lazy_gettext("Record the decision"), widget=SubmitInput())


@bp.route("/cases/<case_id>/section-117/end", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def section117_end(case_id: str) -> Any:
    """Record the joint decision of the council and the ICB, made with the person, that entitlement ends."""
    found = _load(case_id)
    form = EndForm()
    if form.validate_on_submit():
        day = _day(form.ended_on, required=True)
        if day is not None:
            try:
                section117.end_entitlement(
                    current_user,
                    found.person,
                    _organisation(found),
                    ended_on=day,
                    reasons=form.reasons.data,
                    council_decided_by=form.council_decided_by.data,
                    icb_decided_by=form.icb_decided_by.data,
                    person_involved=form.person_involved.data == "yes",
                    person_view=form.person_view.data,
                )
            except section117.Refused as error:
                _place(form, error)
            else:
                return _done(found, gettext("The decision to end entitlement has been recorded."))
    intro = gettext(
        "Entitlement to aftercare ends only when the council and the integrated care board decide together, with "
        "the person, that they no longer need aftercare services. Record who decided for each and why."
    )
    return _form_page(found, form, gettext("End entitlement to aftercare"), dates=("ended_on",), intro=intro)


# -- what the case's aftercare covers -------------------------------------------------------------------------


class CoversForm(Form):
    """Lines that are not aftercare, and a section 117A top-up."""

    not_aftercare = SelectMultipleField(
        lazy_gettext("Which lines are not aftercare?"),
        widget=CheckboxesInput(),
        description=lazy_gettext(
            "Support for needs that do not arise from or relate to the mental disorder. It is shown apart from "
            "the aftercare. Leave all unticked if everything is aftercare."
        ),
        choices=[],
        validate_choice=False,
    )
    not_aftercare_reason = TextAreaField(
        lazy_gettext("Why these lines are not aftercare"), widget=TextArea(), validators=[_LONG]
    )
    top_up = StringField(
        lazy_gettext("Top-up for preferred accommodation (section 117A), a week (optional)"),
        widget=TextInput(),
        description=lazy_gettext(
            "Only when the person chose accommodation that costs more than their aftercare."
        ),
    )
    top_up_paid_by = StringField(lazy_gettext("Who pays the top-up"), widget=TextInput())
    top_up_accommodation = TextAreaField(
        lazy_gettext("The accommodation the person chose"), widget=TextArea(), validators=[_LONG]
    )
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/cases/<case_id>/section-117/what-it-covers", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def section117_covers(case_id: str) -> Any:
    """Which lines of this case's budget are not aftercare, and a top-up for preferred accommodation."""
    found = _load(case_id)
    row = section117.case_aftercare(found)
    lines = [line for line in work.recalculate(found).lines if line.allocated]
    form = CoversForm(
        data={
            "not_aftercare": list(row.not_aftercare) if row else [],
            "not_aftercare_reason": row.not_aftercare_reason if row else "",
            "top_up": money.pounds_for_input(row.top_up_pence if row else None),
            "top_up_paid_by": row.top_up_paid_by if row else "",
            "top_up_accommodation": row.top_up_accommodation if row else "",
        }
    )
    form.not_aftercare.choices = [(line.key, line_title(line.key)[0]) for line in lines]
    if form.validate_on_submit():
        top_up = None
        try:
            top_up = money.parse_pounds(form.top_up.data, maximum=money.weekly_budget_maximum())
        except money.AmountError as error:
            form.top_up.errors = [money.amount_message(error, example="45.00")]
        if not form.top_up.errors:
            try:
                section117.save_case_aftercare(
                    current_user,
                    found,
                    line_keys=[line.key for line in lines],
                    not_aftercare=form.not_aftercare.data or [],
                    not_aftercare_reason=form.not_aftercare_reason.data,
                    top_up_pence=top_up,
                    top_up_paid_by=form.top_up_paid_by.data,
                    top_up_accommodation=form.top_up_accommodation.data,
                )
            except section117.Refused as error:
                _place(form, error)
            else:
                return _done(found, gettext("What the aftercare covers has been saved."))
    return _form_page(
        found,
        form,
        gettext("What the aftercare covers"),
        money_fields=("top_up",),
        checkboxes=("not_aftercare",),
    )


# -- a split agreed for the person -------------------------------------------------------------------------------


class SplitForm(Form):
    """A split the partners agree for one person."""

    council_percent = StringField(
        lazy_gettext("Council's share, as a percentage"),
        widget=TextInput(),
        description=lazy_gettext("The NHS pays the rest. For example, 60"),
    )
    effective_from = DayField(
        lazy_gettext("Date it starts"), widget=DateInput(), description=lazy_gettext("Today or later")
    )
    reason = TextAreaField(
        lazy_gettext("Why the partners agree this split"), widget=TextArea(), validators=[_LONG]
    )
    submit = SubmitField(lazy_gettext("Propose the split"), widget=SubmitInput())


@bp.route("/cases/<case_id>/section-117/splits/new", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def section117_split(case_id: str) -> Any:
    """Propose a split agreed for this person; a manager other than the proposer approves it."""
    found = _load(case_id)
    form = SplitForm(data={"effective_from": date.today()})
    if form.validate_on_submit():
        day = _day(form.effective_from, required=True)
        if day is not None:
            try:
                section117.propose_agreed_split(
                    current_user,
                    found.person,
                    _organisation(found),
                    council_percent=form.council_percent.data,
                    effective_from=day,
                    reason=form.reason.data,
                )
            except section117.Refused as error:
                _place(form, error)
            else:
                return _done(found, gettext("The split has been proposed. A manager will approve it."))
    return _form_page(
        found,
        form,
        gettext("Propose a split agreed for this person"),
        dates=("effective_from",),
        percent=True,
    )


class DecideSplitForm(Form):
    """Approve or refuse a proposed split."""

    outcome = RadioField(
        lazy_gettext("Do you approve this split?"),
        widget=RadioInput(),
        choices=[("approve", lazy_gettext("Yes, approve it")), ("refuse", lazy_gettext("No, refuse it"))],
    )
    reason = TextAreaField(
        lazy_gettext("Reason"),
        widget=TextArea(),
        description=lazy_gettext("Needed when you refuse it."),
        validators=[_LONG],
    )
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/cases/<case_id>/section-117/splits/<split_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def section117_decide_split(case_id: str, split_id: str) -> Any:
    """A manager approves or refuses a split proposed for the person (never their own proposal)."""
    found = _load(case_id)
    split = db.session.scalar(
        select(AgreedSplit).filter_by(
            public_id=split_id, person_id=found.person_id, organisation_id=found.organisation_id
        )
    )
    if split is None:
        abort(404)
    if split.proposed_by_id == current_user.id:
        abort(403)
    form = DecideSplitForm()
    if form.validate_on_submit():
        if form.outcome.data not in ("approve", "refuse"):
            form.outcome.errors = [gettext("Select whether you approve the split")]
        else:
            try:
                section117.decide_agreed_split(
                    current_user, split, approve=form.outcome.data == "approve", reason=form.reason.data
                )
            except section117.Refused as error:
                _place(form, error, {"outcome": "outcome"})
            else:
                return _done(found, gettext("The split has been decided."))
    return _form_page(found, form, gettext("Decide a proposed split"), split=split)


# -- a partnership's pooled split ----------------------------------------------------------------------------------


class PooledForm(Form):
    """A new pooled split from a day on."""

    council_percent = StringField(
        lazy_gettext("Council's share, as a percentage"),
        widget=TextInput(),
        description=lazy_gettext("The NHS pays the rest. For example, 57.5"),
    )
    effective_from = DayField(
        lazy_gettext("Date it starts"), widget=DateInput(), description=lazy_gettext("Today or later")
    )
    reason = TextAreaField(
        lazy_gettext("Reason, such as the agreement it comes from"), widget=TextArea(), validators=[_LONG]
    )
    submit = SubmitField(lazy_gettext("Record the pooled split"), widget=SubmitInput())


@bp.route("/organisation/pooled-split", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def pooled_split() -> Any:
    """A partnership's pooled split over time, and a new one from a day on (the history is kept)."""
    organisation = current_user.organisation
    if organisation is None or not section117.pooled_split_applies(organisation):
        abort(404)  # a council or an ICB on its own pools nothing
    form = PooledForm(data={"effective_from": date.today()})
    if form.validate_on_submit():
        day = _day(form.effective_from, required=True)
        if day is not None:
            try:
                section117.record_pooled_split(
                    current_user,
                    organisation,
                    council_percent=form.council_percent.data,
                    effective_from=day,
                    reason=form.reason.data,
                )
            except section117.Refused as error:
                _place(form, error)
            else:
                flash(gettext("The pooled split has been recorded."), "success")
                return redirect(url_for(".pooled_split"), code=303)
    return render_template(
        "practitioner/section117/pooled.html",
        form=form,
        errors=error_summary(form),
        splits=section117.pooled_splits(organisation),
        in_force=section117.pooled_split_in_force(organisation, date.today()),
    )


def _form_page(case: Any, form: Form, heading: str, **extra: Any) -> str:
    """One page holding one form about the case's Section 117 record."""
    return render_template(
        "practitioner/section117/form.html",
        case=case,
        form=form,
        heading=heading,
        errors=error_summary(form),
        dates=extra.pop("dates", ()),
        money_fields=extra.pop("money_fields", ()),
        checkboxes=extra.pop("checkboxes", ()),
        **extra,
    )
