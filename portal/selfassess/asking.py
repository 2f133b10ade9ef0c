"""The person's side of asking for a decision to be looked at again: the request (why, what to consider, files)
and what the status pages say about it. The rules are in :mod:`portal.asking_again` and :mod:`portal.cases`;
these views only turn the form into a call.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from flask_wtf.file import MultipleFileField
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal import asking_again, cases
from portal import asking_again_easy_read as easy
from portal.asking_again import MAX_FILE_BYTES, MAX_TEXT, EvidenceProblem
from portal.decision_easy_read import Line
from portal.forms import CharacterCount, FileInput, Form, SubmitInput, error_summary
from portal.i18n.web import easy_read
from portal.models import Case, CaseKind, CaseStatus
from portal.request_guard import accepts_uploads, refused_body
from portal.selfassess import _case, bp, words_for


class AskAgainForm(Form):
    """Why the decision should be looked at again, what to consider, and files to add."""

    reason = TextAreaField(
        lazy_gettext("Why should the decision be looked at again?"),
        widget=CharacterCount(),
        description=lazy_gettext(
            "Say what you think is wrong with it. For example, something was missed, misunderstood, or has "
            "changed."
        ),
        validators=[
            InputRequired(message=lazy_gettext("Enter why the decision should be looked at again")),
            Length(max=MAX_TEXT, message=lazy_gettext("This must be 4000 characters or fewer")),
        ],
    )
    considered = TextAreaField(
        lazy_gettext("What do you want the council to consider? (optional)"),
        widget=CharacterCount(),
        description=lazy_gettext(
            "For example, a letter from a doctor, or what a usual day or night is like."
        ),
        validators=[Length(max=MAX_TEXT, message=lazy_gettext("This must be 4000 characters or fewer"))],
    )
    evidence = MultipleFileField(
        lazy_gettext("Add documents or photos (optional)"),
        widget=FileInput(),
        description=lazy_gettext("PDF, PNG or JPEG files. Up to 5 files, each 5 MB or smaller."),
    )
    submit = SubmitField(lazy_gettext("Send the request"), widget=SubmitInput())


evidence_message = asking_again.problem_words


def _uploads() -> list[tuple[str, bytes]]:
    """The files sent, each read no further than one byte past the limit (enough to know it is too large), and
    closed (a large one is spooled to a temporary file)."""
    found = []
    for upload in request.files.getlist("evidence"):
        if upload.filename:
            found.append((upload.filename, upload.stream.read(MAX_FILE_BYTES + 1)))
        upload.close()
    return found


@bp.route("/cases/<case_id>/ask-again", methods=["GET", "POST"])
@accepts_uploads("evidence", request_limit=asking_again.REQUEST_LIMIT, shows_too_large=True)
def ask_again(case_id: str) -> Any:
    """Ask for the decision to be looked at again, with reasons, what to consider and files.

    Files together over the request's limit are refused unread (:func:`portal.request_guard.refused_body`): the
    form comes back with a message beside the file field and what was typed, when it could be kept.
    """
    case = _case(case_id)  # another account's case is a 404
    if not asking_again.may_ask_again(current_user, case):
        under_way = cases.open_reconsideration(case) if case.status == CaseStatus.DECIDED else None
        if under_way is not None:
            return redirect(url_for(".status", case_id=under_way.public_id), code=303)
        abort(403)
    refused = refused_body()
    typed = refused is None or refused.kept_text
    form = AskAgainForm() if typed else AskAgainForm(formdata=None)
    files_dropped = False
    if request.method == "POST":
        uploads = _uploads()
        valid = form.validate_on_submit() if typed else False
        try:
            asking_again.check_files(uploads)
        except EvidenceProblem as problem:
            form.evidence.errors = [evidence_message(problem)]
            valid = False
        if refused is not None:
            form.evidence.errors = [asking_again.too_large_words()]
            valid = False
        files_dropped = (bool(uploads) or refused is not None) and not valid
        if valid:
            try:
                linked = asking_again.ask_again(
                    current_user,
                    case,
                    reason=form.reason.data or "",
                    considered=form.considered.data or "",
                    files=uploads,
                )
            except (cases.NotAllowed, cases.Stale):
                flash(
                    gettext("This decision is already being looked at again, or has been replaced."), "info"
                )
                return redirect(url_for(".status", case_id=case.public_id), code=303)
            flash(gettext("Your request has been sent."), "success")
            return redirect(url_for(".status", case_id=linked.public_id), code=303)
    from portal import case_record
    from portal.letters import decision_context

    decision = case_record.final_decision(case)
    words = words_for(case)
    kept = cases.kept_if_looked_at_again(case)
    lines: list[Line] = []
    if easy_read():
        easy.reword_form(form)
        meanwhile = kept[1] if kept else decision  # the decision whose budget stays meanwhile
        weekly = meanwhile.confirmed_weekly_pence if meanwhile is not None else None
        lines = [
            *easy.start_lines(
                voice=words.voice, name=words.name, lowered=kept is not None, weekly_pence=weekly
            ),
            *easy.form_lines(),
        ]
    return render_template(
        "selfassess/ask_again.html",
        case=case,
        form=form,
        errors=error_summary(form),
        words=words,
        files_dropped=files_dropped,
        typing_lost=not typed,
        decision=decision_context(case, decision) if decision else None,
        kept=kept,
        easy_read_lines=lines,
    ), (413 if refused is not None else 200)


def status_context(case: Case) -> dict[str, Any]:
    """What a status page says about asking again: for a decided case, whether it may be asked about and any
    request under way (with the budget kept meanwhile); for a request, what was asked and how it ended."""
    seen = case.status != CaseStatus.DRAFT
    context: dict[str, Any] = {
        "may_ask": case.status == CaseStatus.DECIDED and asking_again.may_ask_again(current_user, case),
        "under_way": cases.open_reconsideration(case) if case.status == CaseStatus.DECIDED else None,
        "in_force": cases.decision_in_force(case) if seen else None,
        "kept": cases.kept_while_looked_at_again(case) if seen else None,
        "request": None,
    }
    if case.kind == CaseKind.RECONSIDERATION:
        context.update(
            request=asking_again.request_for(case),
            asked_about=asking_again.asked_about(case),
            files=asking_again.evidence(case),
            letters=asking_again.received_letters(case),
        )
    context["easy_read"] = _easy_read_lines(case, context) if easy_read() else []
    return context


def _easy_read_lines(case: Case, context: dict[str, Any]) -> list[Line]:
    """The Easy Read sentences of a status page about asking again: beside the way to ask, or on the request."""
    if not context["may_ask"] and context["request"] is None:
        return []
    words = words_for(case)
    if context["may_ask"]:
        kept = cases.kept_if_looked_at_again(case)
        in_force = kept or context["in_force"]
        return easy.start_lines(
            voice=words.voice,
            name=words.name,
            lowered=kept is not None,
            weekly_pence=in_force[1].confirmed_weekly_pence if in_force else None,
        )
    return easy.request_lines(
        outcome=context["request"].outcome,
        open_=case.status not in (CaseStatus.DECIDED, CaseStatus.WITHDRAWN),
        voice=words.voice,
        name=words.name,
        lowered=context["kept"] is not None,
        weekly_pence=context["in_force"][1].confirmed_weekly_pence if context["in_force"] else None,
    )
