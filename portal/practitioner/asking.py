"""Staff and a request to look at a decision again: what the person asked and the files they added, shown on
the case page, and each file to download (never shown inline).

Who may take the request is the lifecycle's rule (``Condition.INDEPENDENT`` in :mod:`portal.cases`): the case
page offers the claim only to someone who neither confirmed nor approved the decision asked about, and says why
to anyone else.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal import asking_again, cases
from portal.asking_again import MAX_FILE_BYTES, MAX_TEXT, EvidenceProblem
from portal.forms import CharacterCount, FileInput, Form, RadioInput, SubmitInput, error_summary
from portal.models import Account, Case, CaseKind, CaseStatus, Role
from portal.practitioner import bp, load_case
from portal.request_guard import accepts_uploads, refused_body
from portal.security import roles_required

CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)


@bp.app_template_global()
def reconsideration_of(case: Case) -> dict[str, Any] | None:
    """For a staff page: the request a reconsideration case carries, its files, the decision asked about, and
    whether the member of staff signed in made or approved that decision (so cannot take this one)."""
    asked = asking_again.request_for(case)
    if asked is None:
        return None
    from portal.extensions import db

    deciders = cases.first_deciders(case)
    return {
        "request": asked,
        "asked_by": db.session.get(Account, asked.asked_by_id),
        "asked_about": asking_again.asked_about(case),
        "files": asking_again.evidence(case),
        "not_you": current_user.id in deciders and case.status == CaseStatus.SENT,
    }


@bp.route("/cases/<case_id>/evidence/<document_id>")
@roles_required(*CASEWORKERS)
def evidence(case_id: str, document_id: str) -> Any:
    """A file the person added, to download (an attachment, never shown in the page; its type as its content)."""
    found = load_case(case_id)  # another organisation's case is a 404
    item = asking_again.evidence_file(found, document_id)
    if item is None:
        abort(404)
    response = send_file(
        BytesIO(item.content),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.app_template_global()
def received_letters(case: Case) -> list[tuple[Any, str]]:
    """For the staff case page: the letters saying a request to look again was received, with their language."""
    from portal.pdf import language_name

    if case.kind != CaseKind.RECONSIDERATION:
        return []
    return [(letter, language_name(letter.lang)) for letter in asking_again.received_letters(case)]


@bp.route("/cases/<case_id>/ask-again/letters/<document_id>")
@roles_required(*CASEWORKERS)
def received_letter(case_id: str, document_id: str) -> Any:
    """The letter saying the request was received, to print and post (the person may have no account)."""
    from portal.pdf import pdf_response

    found = load_case(case_id)  # another organisation's case is a 404
    letter = asking_again.received_letter(found, document_id)
    if letter is None:
        abort(404)
    return pdf_response(letter.content, letter.filename)


@bp.app_template_global()
def may_record_asking_again(case: Case) -> bool:
    """Whether the member of staff may record a request, made by phone or post, to look at this decision again."""
    return case.status == CaseStatus.DECIDED and asking_again.may_ask_again(current_user, case)


class RecordForm(Form):
    """A request the person made by phone or post, recorded in their words."""

    how = RadioField(
        lazy_gettext("How did the person ask?"),
        widget=RadioInput(),
        choices=[("phone", lazy_gettext("By phone")), ("post", lazy_gettext("By post"))],
        validators=[InputRequired(message=lazy_gettext("Select how the person asked"))],
    )
    reason = TextAreaField(
        lazy_gettext("Why should the decision be looked at again?"),
        widget=CharacterCount(),
        description=lazy_gettext("In the person's words, as they said or wrote them."),
        validators=[
            InputRequired(message=lazy_gettext("Enter why the decision should be looked at again")),
            Length(max=MAX_TEXT, message=lazy_gettext("This must be 4000 characters or fewer")),
        ],
    )
    considered = TextAreaField(
        lazy_gettext("What do they want considered? (optional)"),
        widget=CharacterCount(),
        validators=[Length(max=MAX_TEXT, message=lazy_gettext("This must be 4000 characters or fewer"))],
    )
    evidence = MultipleFileField(
        lazy_gettext("Add what they sent (optional)"),
        widget=FileInput(),
        description=lazy_gettext(
            "PDF, PNG or JPEG files, such as a scanned letter. Up to 5 files, each 5 MB or smaller."
        ),
    )
    submit = SubmitField(lazy_gettext("Record the request"), widget=SubmitInput())


@bp.route("/cases/<case_id>/ask-again", methods=["GET", "POST"])
@accepts_uploads("evidence", request_limit=asking_again.REQUEST_LIMIT, shows_too_large=True)
@roles_required(*CASEWORKERS)
def record_asking_again(case_id: str) -> Any:
    """Record a request the person made by phone or post to look at the decision again (files together over the
    request's limit: the form again, with a message beside the file field and what was typed, if it was kept)."""
    found = load_case(case_id)
    if not may_record_asking_again(found):
        abort(403)
    refused = refused_body()
    typed = refused is None or refused.kept_text
    form = RecordForm() if typed else RecordForm(formdata=None)
    files_dropped = False
    if request.method == "POST":
        uploads = []
        for upload in request.files.getlist("evidence"):
            if upload.filename:
                uploads.append((upload.filename, upload.stream.read(MAX_FILE_BYTES + 1)))
            upload.close()
        valid = form.validate_on_submit() if typed else False
        try:
            asking_again.check_files(uploads)
        except EvidenceProblem as problem:
            form.evidence.errors = [asking_again.problem_words(problem)]
            valid = False
        if refused is not None:
            form.evidence.errors = [asking_again.too_large_words()]
            valid = False
        files_dropped = (bool(uploads) or refused is not None) and not valid
        if valid:
            try:
                linked = asking_again.ask_again(
                    current_user,
                    found,
                    reason=form.reason.data or "",
                    considered=form.considered.data or "",
                    files=uploads,
                    how=form.how.data,
                )
            except (cases.NotAllowed, cases.Stale):
                flash(
                    gettext("This decision is already being looked at again, or has been replaced."), "info"
                )
                return redirect(url_for(".case", case_id=found.public_id), code=303)
            flash(gettext("The request is recorded and in the queue."), "success")
            return redirect(url_for(".case", case_id=linked.public_id), code=303)
    return render_template(
        "practitioner/record_asking_again.html",
        case=found,
        form=form,
        errors=error_summary(form),
        files_dropped=files_dropped,
        typing_lost=not typed,
    ), (413 if refused is not None else 200)
