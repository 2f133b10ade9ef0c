"""Closing a case, deciding that no needs are eligible, and correcting a decided case (a new, linked case).

Each page is offered only when the lifecycle allows its move (:func:`portal.cases.allowed_moves`), and each
service refuses by itself if it is not allowed any more: these views only turn a form into a call.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal import case_record, cases, reviews
from portal.cases import Move
from portal.extensions import db
from portal.forms import Form, SubmitInput, TextArea, error_summary
from portal.models import CaseKind, Role
from portal.practitioner import bp, load_case
from portal.practitioner import service as work
from portal.security import roles_required

CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)


_case = load_case


def _reason_field(label: Any, hint: Any, missing: Any) -> TextAreaField:
    """A required reason the person will read."""
    return TextAreaField(
        label,
        widget=TextArea(),
        description=hint,
        validators=[
            InputRequired(message=missing),
            Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer")),
        ],
    )


class CloseForm(Form):
    """Close a case as withdrawn, with the reason the person reads."""

    reason = _reason_field(
        lazy_gettext("Why are you closing this case?"),
        lazy_gettext("For example, it is a duplicate of case CP-ABCD-2345. The person reads this."),
        lazy_gettext("Enter why you are closing this case"),
    )
    submit = SubmitField(lazy_gettext("Close the case"), widget=SubmitInput())


class NotEligibleForm(Form):
    """Decide that no needs are eligible, with the reasons and advice the person reads."""

    reason = _reason_field(
        lazy_gettext("Reasons and advice for the person"),
        lazy_gettext(
            "Say why the needs are not eligible, and what could help meet or reduce them or stop them "
            "getting worse."
        ),
        lazy_gettext("Enter the reasons and advice for the person"),
    )
    submit = SubmitField(lazy_gettext("Decide: no eligible needs"), widget=SubmitInput())


class CorrectForm(Form):
    """Start a correction of a decided case: a new case, linked to it."""

    reason = _reason_field(
        lazy_gettext("What needs correcting?"),
        lazy_gettext("The decided case stays as it is. The correction's decision will replace it."),
        lazy_gettext("Enter what needs correcting"),
    )
    submit = SubmitField(lazy_gettext("Start a correction"), widget=SubmitInput())


@bp.route("/cases/<case_id>/close", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def close(case_id: str) -> Any:
    """Close an open case as withdrawn (for example a duplicate), with a reason."""
    found = _case(case_id)
    if not cases.can(current_user, found, Move.WITHDRAW):
        abort(403)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            work.close(current_user, found, reason=form.reason.data)
        except work.Conflict:
            flash(gettext("The case changed while you were working on it. Check it and try again."), "info")
        else:
            flash(gettext("The case is closed."), "success")
        return redirect(url_for(".case", case_id=found.public_id), code=303)
    return render_template(
        "practitioner/close.html",
        case=found,
        form=form,
        errors=error_summary(form),
        heading=gettext("Close this case"),
    )


@bp.route("/cases/<case_id>/not-eligible", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def not_eligible(case_id: str) -> Any:
    """Decide that no needs are eligible: a decision without a budget."""
    found = _case(case_id)
    if not cases.can(current_user, found, Move.DECIDE):
        abort(403)
    validation = work.current_validation(found)
    if work.eligible_areas(case_record.determination(found, validation)) != []:
        flash(gettext("Record in the Needs Profile that no needs are eligible first."), "info")
        return redirect(url_for(".needs_profile", case_id=found.public_id), code=303)
    form = NotEligibleForm()
    if form.validate_on_submit():
        try:
            work.decide_not_eligible(current_user, found, reason=form.reason.data)
        except reviews.ReviewNotRecorded:
            flash(gettext("Record the review before you decide it."), "info")
            return redirect(url_for(".review", case_id=found.public_id), code=303)
        except work.Conflict:
            flash(gettext("The case changed while you were working on it. Check it and try again."), "info")
        else:
            flash(gettext("The decision is made and the person has been told."), "success")
        return redirect(url_for(".case", case_id=found.public_id), code=303)
    return render_template(
        "practitioner/close.html",
        case=found,
        form=form,
        errors=error_summary(form),
        heading=gettext("Decide that no needs are eligible"),
    )


@bp.route("/cases/<case_id>/correct", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def correct(case_id: str) -> Any:
    """Correct a decided case: it stays as it is, and a new linked case is opened, held by this member of staff."""
    found = _case(case_id)
    if not cases.may_start_linked(current_user, found, CaseKind.CORRECTION):
        abort(403)
    form = CorrectForm()
    if form.validate_on_submit():
        linked = cases.start_linked_case(current_user, found, CaseKind.CORRECTION, reason=form.reason.data)
        db.session.commit()
        flash(gettext("The correction is open. Its decision will replace the one before."), "success")
        return redirect(url_for(".case", case_id=linked.public_id), code=303)
    return render_template(
        "practitioner/close.html",
        case=found,
        form=form,
        errors=error_summary(form),
        heading=gettext("Correct this decision"),
    )


@bp.route("/cases/<case_id>/documents/<document_id>")
@roles_required(*CASEWORKERS)
def case_document(case_id: str, document_id: str) -> Any:
    """A letter kept with the case, for staff to print or send (the person may have no account to read it)."""
    from portal.pdf import pdf_response

    found = _case(case_id)
    document = work.decision_letter(found, document_id)
    if document is None:
        abort(404)
    return pdf_response(document.content, document.filename)


@bp.route("/cases/<case_id>/duplicates")
@roles_required(*CASEWORKERS)
def duplicates(case_id: str) -> Any:
    """The case beside its possible duplicates, to compare them and close the one not needed."""
    from portal.case_record import filled_in_by, own_estimate

    found = _case(case_id)
    others = work.possible_duplicates(found)
    columns = []
    for each in [found, *others]:
        sender, link = filled_in_by(each)
        own = own_estimate(each)
        columns.append({"case": each, "sender": sender, "link": link, "own": own})
    return render_template("practitioner/duplicates.html", case=found, columns=columns)
