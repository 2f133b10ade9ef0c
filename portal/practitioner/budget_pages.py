"""The budget: the engine's figure on the validated Needs Profile beside the person's own, its confirmation (or
another figure, with reasons), and a signatory's approval or return; the approvals inbox.

Views only: the rules (full validation first, reasons, approval levels, a personal health budget's final budget)
are in :mod:`portal.practitioner.budget_service`. Every case is looked up inside the member of staff's own
organisation, so another organisation's case is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal import budgets, case_record, cases, money, phb, reviews, tool_service
from portal.cases import Move
from portal.forms import (
    Form,
    RadioInput,
    SubmitInput,
    TextArea,
    TextInput,
    error_summary,
)
from portal.models import Role
from portal.practitioner import bp, load_case, worklist
from portal.practitioner import service as work
from portal.practitioner.casework import CASEWORKERS
from portal.practitioner.validation_pages import worded_validation_rows
from portal.security import roles_required

_case = load_case  # loads the case and audits the page that shows it


# -- the approvals inbox ------------------------------------------------------------------------------


@bp.route("/approvals")
@roles_required(Role.APPROVER, Role.ADMIN)
def approvals() -> str:
    """Budgets waiting for sign-off that this approver may approve (the lifecycle decides; nothing else listed)."""
    return render_template("practitioner/approvals.html", rows=worklist.approvals_for(current_user))


# -- the budget ---------------------------------------------------------------------------------------


class BudgetForm(Form):
    """Confirm the calculated figure or set another, with a reason."""

    amount = StringField(
        lazy_gettext("Confirmed weekly budget, in pounds"),
        widget=TextInput(),
        validators=[InputRequired(message=lazy_gettext("Enter the weekly budget"))],
    )
    reason = TextAreaField(
        lazy_gettext("Reasons the person will read"),
        widget=TextArea(),
        description=lazy_gettext("Plain words. Needed when the figure differs from the calculated one."),
        validators=[Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))],
    )
    contribution = StringField(
        lazy_gettext("Assessed contribution a week, in pounds (optional)"),
        widget=TextInput(),
        description=lazy_gettext("Only if a separate financial assessment has set it."),
    )
    submit = SubmitField(lazy_gettext("Confirm the budget"), widget=SubmitInput())


@bp.route("/cases/<case_id>/budget", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def budget(case_id: str) -> Any:
    """The engine's figure on the validated profile, how it differs from the person's own, and the confirmation."""
    found = _case(case_id)
    result, basis = work.recalculate_funded(found)
    own_row = work.own_estimate(found)
    own = budgets.loaded(own_row) if own_row else None
    returned = worklist.returned_budget(found)
    # A budget returned by an approver: the form starts from the figure and reasons given before.
    earlier = returned.decision if returned and returned.decision.confirmed_weekly_pence is not None else None
    form = BudgetForm(
        data={
            "amount": money.pounds_for_input(
                earlier.confirmed_weekly_pence if earlier else result.total_weekly_pence
            ),
            "reason": earlier.reason if earlier else "",
            "contribution": money.pounds_for_input(earlier.contribution_pence if earlier else None),
        }
    )
    if request.method == "POST":  # noqa: SIM102 - a GET draws the form; the view audits nothing itself
        if form.validate_on_submit():
            maximum = money.weekly_budget_maximum()
            pence = contribution = None
            try:
                pence = money.parse_pounds(form.amount.data, maximum=maximum)
            except money.AmountError as error:
                form.amount.errors = [money.amount_message(error)]
            else:
                if pence is None:  # only spaces typed
                    form.amount.errors = [gettext("Enter the weekly budget")]
            try:
                contribution = money.parse_pounds(form.contribution.data, maximum=maximum)
            except money.AmountError as error:
                form.contribution.errors = [money.amount_message(error, example="12.50")]
            if (
                pence is not None
                and work.reasons_needed(found, pence, result.total_weekly_pence)
                and not (form.reason.data or "").strip()
            ):
                form.reason.errors = [
                    gettext("Enter the reasons for a figure different from the calculated one")
                    if pence != result.total_weekly_pence
                    else gettext("Enter the reasons: the person asked for the decision to be looked at again")
                ]
            # An amount without errors was parsed (pence is None only with an error on it).
            if pence is not None and not (
                form.amount.errors or form.reason.errors or form.contribution.errors
            ):
                try:
                    decision = work.confirm_budget(
                        current_user,
                        found,
                        confirmed_pence=pence,
                        reason=form.reason.data or "",
                        contribution_pence=contribution,
                    )
                except reviews.ReviewNotRecorded:
                    form.amount.errors = [gettext("Record the review before you confirm its budget")]
                except case_record.AwaitingIcbDecision:
                    form.amount.errors = [
                        gettext(
                            "You cannot confirm the budget yet: the ICB has not recorded its eligibility decision"
                        )
                    ]
                except work.IncompleteValidation as incomplete:
                    # Full validation: every answer is checked before a budget is confirmed (the service's rule).
                    form.amount.errors = [
                        ngettext(
                            "This case needs full validation: check %(num)d more answer first",
                            "This case needs full validation: check %(num)d more answers first",
                            incomplete.left,
                        )
                    ]
                except work.Conflict:
                    flash(
                        gettext("The case changed while you were working on it. Check it and try again."),
                        "info",
                    )
                else:
                    if decision.outcome == "approved":
                        flash(gettext("The budget is confirmed and the person has been told."), "success")
                    elif phb.awaits_final_budget(found):
                        flash(
                            gettext("The budget is confirmed. Sign off its final budget, then approve it."),
                            "success",
                        )
                    else:
                        flash(
                            gettext(
                                "The budget is above your limit and has gone to a level %(level)s approver.",
                                level=decision.required_level,
                            ),
                            "success",
                        )
                    return redirect(url_for(".case", case_id=found.public_id), code=303)
    changed = [r for r in worded_validation_rows(found) if r["state"] in ("amend", "answer")]
    return render_template(
        "practitioner/budget.html",
        case=found,
        form=form,
        errors=error_summary(form),
        result=result,
        own=own,
        lines=budgets.worded_lines(result, tool=tool_service.of(found)),
        split=budgets.split_words(result, basis.to_dict()),
        changed=changed,
        no_eligible_needs=work.eligible_areas(
            case_record.determination(found, work.current_validation(found))
        )
        == [],
        own_lines={line.key: line.amount_pence for line in own.lines} if own else {},
        returned=returned,
    )


class ApproveForm(Form):
    """Approve a budget, or return it with a reason."""

    outcome = RadioField(
        lazy_gettext("Do you approve this budget?"),
        widget=RadioInput(),
        choices=[
            ("approve", lazy_gettext("Yes, approve it")),
            ("return", lazy_gettext("No, return it to the assessor")),
        ],
        validators=[InputRequired(message=lazy_gettext("Select whether you approve the budget"))],
    )
    reason = TextAreaField(
        lazy_gettext("Reason"),
        widget=TextArea(),
        validators=[Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))],
    )
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/cases/<case_id>/approve", methods=["GET", "POST"])
@roles_required(Role.APPROVER, Role.ADMIN)
def approve(case_id: str) -> Any:
    """Sign off a budget above the assessor's limit, or return it."""
    found = _case(case_id)
    decision = work.pending_decision(found)
    if decision is None:
        abort(404)
    if not cases.can(current_user, found, Move.APPROVE):
        abort(403)  # the lifecycle decides: an approver of a high enough level who did not confirm it
    form = ApproveForm()
    if form.validate_on_submit():
        if form.outcome.data == "return" and not (form.reason.data or "").strip():
            form.reason.errors = [gettext("Enter why you are returning the budget")]
        else:
            try:
                work.approve(
                    current_user,
                    found,
                    approved=form.outcome.data == "approve",
                    reason=form.reason.data or "",
                )
            except work.Conflict:
                flash(gettext("This budget is no longer waiting for approval."), "info")
            except phb.Refused:  # a personal health budget is decided after its final budget (portal/phb.py)
                flash(
                    gettext("Sign off the final budget of the personal health budget before you approve it."),
                    "info",
                )
                return redirect(url_for(".phb_steps", case_id=found.public_id), code=303)
            return redirect(url_for(".approvals"), code=303)
    from portal.letters import decision_context

    return render_template(
        "practitioner/approve.html",
        case=found,
        form=form,
        errors=error_summary(form),
        decision=decision,
        context=decision_context(found, decision),
    )
