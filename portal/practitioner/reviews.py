"""Staff pages for reviews: starting one with the person, its record, the person's timeline, and reviews due.

Every case is found inside the member of staff's organisation (:func:`portal.practitioner.load_case`, or the
assessor's own held draft), so another organisation's case is a 404; what may be done is decided by
:mod:`portal.reviews` and the lifecycle, which refuse by themselves (a 403 here).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from portal import cases, changes, review_copy, review_due, reviews, timeline, vocabulary
from portal.cases import Move
from portal.extensions import db
from portal.forms import Form, error_summary
from portal.models import CaseStatus, Role, utcnow
from portal.practitioner import bp, load_case
from portal.practitioner import service as work
from portal.review_forms import RecordForm, SectionsForm
from portal.security import roles_required

CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)


@bp.route("/cases/<case_id>/review/start", methods=["POST"])
@roles_required(*CASEWORKERS)
def start_review(case_id: str) -> Any:
    """Start a review with the person: a draft this assessor or manager holds, prefilled with the answers as
    confirmed (who may is :func:`portal.reviews.start`'s rule, from the lifecycle's table)."""
    found = load_case(case_id)
    if not Form().validate_on_submit():
        abort(400)
    try:
        review = reviews.start(current_user, found)
    except reviews.ReviewUnderWay:
        flash(gettext("A review of this person's support is already open."), "info")
        return redirect(url_for(".case", case_id=found.public_id), code=303)
    except cases.NotAllowed:
        abort(403)
    db.session.commit()
    flash(gettext("The review has started. Go through it with the person."), "success")
    return redirect(url_for(".review_with_person", case_id=review.public_id), code=303)


@bp.route("/assess/<case_id>/review", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def review_with_person(case_id: str) -> Any:
    """The review's own sections, written with the person, in their words; then the questions, as on the phone."""
    draft = work.find_phone_draft(current_user, case_id)
    record = reviews.review_of(draft) if draft is not None else None
    if draft is None or record is None:
        abort(404)
    form = SectionsForm() if request.method == "POST" else SectionsForm.filled(reviews.Sections.of(record))
    if form.validate_on_submit():
        try:
            reviews.save_sections(current_user, draft, form.sections())
        except cases.NotAllowed:
            abort(403)
        except ValueError:
            form.plan_meets.errors = [gettext("Select yes, partly or no")]
        else:
            db.session.commit()
            questions = work.schema(draft)  # the review's own tool: a Section 117 review asks its questions
            answers = questions.decode_answers(draft.answers or {})
            first = questions.first_unanswered(answers) or questions.path(answers)[0]
            return redirect(url_for(".phone_question", case_id=draft.public_id, question_id=first), code=303)
    return render_template(
        "practitioner/review_with_person.html", case=draft, form=form, errors=error_summary(form)
    )


@bp.route("/cases/<case_id>/review", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def review(case_id: str) -> Any:
    """A review: the person's own words, what changed, and what the review must record (by its holder)."""
    found = load_case(case_id)
    record = reviews.review_of(found)
    if record is None:
        abort(404)
    may_record = cases.can(current_user, found, Move.VALIDATE)
    form = RecordForm()
    if request.method == "POST":
        if not may_record:
            abort(403)
        if form.validate_on_submit():
            entry = form.entry()
            if entry is not None:
                try:
                    version = int(request.form.get("version", ""))
                except ValueError:
                    version = -1
                try:
                    reviews.record_review(current_user, found, entry, expected_version=version)
                except reviews.InvalidRecord as refused:
                    form.show_problems(refused.problems)
                except cases.Stale:
                    flash(gettext("Someone else recorded this review first. Check it and try again."), "info")
                else:
                    db.session.commit()
                    flash(gettext("The review is recorded. Confirm the budget next."), "success")
                    return redirect(url_for(".budget", case_id=found.public_id), code=303)
    elif may_record:
        entry = reviews.Entry.of(record)
        if entry.held_on is None:
            today = utcnow().date()
            entry = reviews.Entry(held_on=today, next_review_on=reviews.default_next_review(found, today))
        form.fill(entry)
    now = work.recalculate(found) if found.status not in cases.FINAL else None
    return render_template(
        "practitioner/review.html",
        case=found,
        record=record,
        form=form if may_record else None,
        errors=error_summary(form),
        review_rows=review_copy.section_rows(record),
        record_rows=review_copy.record_rows(record),
        changed=changes.for_review(found, now_result=now),
        level_words=vocabulary.NEED_LEVEL_WORDS,
        latest=review_due.latest_next_review(found, record.held_on or utcnow().date()),
    )


@bp.route("/cases/<case_id>/timeline")
@roles_required(*CASEWORKERS)
def person_timeline(case_id: str) -> Any:
    """The person's timeline in this organisation: assessments, reviews, budgets and decisions, with charts."""
    found = load_case(case_id)
    found_cases = timeline.cases_of_person(found.person, found.organisation)
    return render_template(
        "practitioner/timeline.html",
        case=found,
        timeline=timeline.context(found_cases),
        case_url=lambda other: url_for(".case", case_id=other.public_id),
        due=review_due.due_for_case(found),
        may_review=reviews.may_start(current_user, found),
        action=Form(),
    )


@bp.route("/reviews")
@roles_required(*CASEWORKERS)
def reviews_due() -> Any:
    """Reviews overdue, due and under way in the organisation, then those coming up."""
    rows = review_due.reviews_due(current_user.organisation_id) if current_user.organisation_id else []
    show_upcoming = request.args.get("upcoming") == "1"
    return render_template(
        "practitioner/reviews_due.html",
        rows=[r for r in rows if show_upcoming or r.state != "upcoming"],
        counts={
            state: sum(1 for r in rows if r.state == state)
            for state in ("overdue", "due", "under_way", "upcoming")
        },
        show_upcoming=show_upcoming,
        letters={
            r.case.id: review_due.reminder_letters(r.case) for r in rows if r.state in ("due", "overdue")
        },
    )


@bp.route("/cases/<case_id>/review.pdf")
@roles_required(*CASEWORKERS)
def review_pdf(case_id: str) -> Any:
    """The person's copy of a decided review, for staff to print and post (in the language chosen here)."""
    from portal.i18n.web import current_code
    from portal.pdf import pdf_response, render_pdf

    found = load_case(case_id)
    if reviews.review_of(found) is None or found.status != CaseStatus.DECIDED:
        abort(404)
    pdf = render_pdf(
        "review.html", lang=current_code(), title=gettext("Your review"), **review_copy.copy_context(found)
    )
    return pdf_response(pdf, f"review-{found.reference}.pdf")


@bp.route("/cases/<case_id>/reminders/<document_id>")
@roles_required(*CASEWORKERS)
def reminder_letter(case_id: str, document_id: str) -> Any:
    """A review reminder letter kept with the case, to print and post."""
    from portal.pdf import pdf_response

    found = load_case(case_id)
    letter = next((d for d in review_due.reminder_letters(found) if d.public_id == document_id), None)
    if letter is None:
        abort(404)
    return pdf_response(letter.content, letter.filename)
