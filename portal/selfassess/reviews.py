"""The person's side of reviews: starting one from a decision, their own sections, their timeline, and their copy.

Each case is found through the accounts that act for its person (:func:`portal.selfassess._case`), so anyone else
gets a 404; what may be done is decided by :mod:`portal.reviews`, which refuses by itself.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal import cases, reviews, timeline
from portal.extensions import db
from portal.forms import Form, error_summary
from portal.models import CaseStatus
from portal.review_forms import SectionsForm
from portal.selfassess import _case, bp, words_for


@bp.route("/cases/<case_id>/review/start", methods=["POST"])
def start_review(case_id: str) -> Any:
    """Start a review of a decision: a new case, prefilled with the answers as they were confirmed."""
    case = _case(case_id)
    if not Form().validate_on_submit():
        abort(400)
    try:
        review = reviews.start(current_user, case)
    except reviews.ReviewUnderWay:
        flash(gettext("A review has already been started. Carry on with it from your assessments."), "info")
        return redirect(url_for(".status", case_id=case.public_id), code=303)
    except cases.NotAllowed:
        abort(403)
    db.session.commit()
    flash(
        gettext(
            "Your review has started. Your answers from last time are filled in: change anything that is different now."
        ),
        "success",
    )
    return redirect(url_for(".review_sections", case_id=review.public_id), code=303)


@bp.route("/cases/<case_id>/review", methods=["GET", "POST"])
def review_sections(case_id: str) -> Any:
    """The review's own sections, in the person's words: what is working, worries, what matters, goals, the plan."""
    case = _case(case_id)
    record = reviews.review_of(case)
    if record is None:
        abort(404)
    if case.status != CaseStatus.DRAFT:
        return redirect(url_for(".status", case_id=case.public_id))
    form = SectionsForm() if request.method == "POST" else SectionsForm.filled(reviews.Sections.of(record))
    if form.validate_on_submit():
        try:
            reviews.save_sections(current_user, case, form.sections())
        except cases.NotAllowed:
            abort(403)
        except ValueError:
            form.plan_meets.errors = [gettext("Select yes, partly or no")]
        else:
            db.session.commit()
            flash(gettext("Your review is saved."), "success")
            return redirect(url_for(".tasks", case_id=case.public_id), code=303)
    return render_template(
        "selfassess/review.html",
        case=case,
        form=form,
        errors=error_summary(form),
        words=words_for(case),
    )


@bp.route("/cases/<case_id>/timeline")
def person_timeline(case_id: str) -> Any:
    """Everything that has happened for the person, with their budget and needs over time."""
    from portal.selfassess import resume_url

    case = _case(case_id)
    found = timeline.cases_of_person(case.person)
    return render_template(
        "selfassess/timeline.html",
        case=case,
        timeline=timeline.context(found),
        case_url=resume_url,
        words=words_for(case),
        may_review=reviews.may_start(current_user, case),
        action=Form(),
    )


@bp.route("/cases/<case_id>/review.pdf")
def review_pdf(case_id: str) -> Any:
    """The person's copy of their review, as an accessible PDF in their language."""
    from portal.i18n.web import current_code
    from portal.pdf import pdf_response, render_pdf
    from portal.review_copy import copy_context

    case = _case(case_id)
    if reviews.review_of(case) is None or case.status != CaseStatus.DECIDED:
        abort(404)
    pdf = render_pdf("review.html", lang=current_code(), title=gettext("Your review"), **copy_context(case))
    return pdf_response(pdf, f"review-{case.reference}.pdf")
