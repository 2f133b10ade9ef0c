"""The citizen and carer side: a person's own assessments and those of the people they care for.

Every page here needs a signed-in citizen account, and every case is looked up through the accounts that act for
its person (:func:`service.find_case`), so anyone else gets a 404 and learns nothing. Views stay thin: the
questionnaire's routing and parsing are in :mod:`portal.questionnaire`, case changes in :mod:`.service`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal import account_service, budgets, cases, changes, held, review_copy, tool_service, vocabulary
from portal import reviews as review_rules
from portal.cases import Move
from portal.extensions import db
from portal.forms import error_summary
from portal.i18n.schema_text import Words
from portal.i18n.web import easy_read
from portal.models import Case, CaseStatus, Document, Role
from portal.questionnaire import SectionStatus, notes_of
from portal.questions_web import QuestionPage, display_answer, said_last_time
from portal.selfassess import service
from portal.selfassess.forms import (
    DeclarationForm,
    DeleteDraftForm,
    ReplyForm,
    TakeBackForm,
    WithdrawForm,
)

bp = Blueprint("selfassess", __name__, url_prefix="/my")


@bp.record_once
def _offer_demo_cases(state: Any) -> None:
    """The demo seeder (a core module) sends its example cases through the citizen's services, found here."""
    from portal.selfassess.demo_cases import send_demo_case

    state.app.extensions["portal.send_demo_case"] = send_demo_case


@bp.before_request
@login_required
def require_citizen() -> None:
    """Only citizen accounts use these pages; staff have their own."""
    if current_user.role != Role.CITIZEN:
        abort(403)


def _case(case_id: str) -> Case:
    """The case if this account acts for its person, else 404."""
    case = service.find_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


def _draft(case_id: str) -> Case | Response:
    """The case if it can still be changed; otherwise a redirect to its status page."""
    case = _case(case_id)
    if case.status != CaseStatus.DRAFT:
        return redirect(url_for(".status", case_id=case.public_id))
    return case


def words_for(case: Case, answers: dict[str, Any] | None = None, *, self_funder: bool | None = None) -> Words:
    """The wording for this case: the person's or the carer's voice, Easy Read if chosen, self-funder if so.

    ``self_funder`` when the caller has already walked the answers (a question page's :class:`Place`).
    """
    speaker = service.Speaker.for_case(current_user, case)
    if self_funder is None:
        answers = service.stored_answers(case) if answers is None else answers
        self_funder = service.schema_for(case).is_self_funder(answers)
    return Words(
        voice=speaker.voice,
        name=speaker.name,
        easy_read=easy_read(),
        self_funder=self_funder,
        domain=tool_service.of(case).domain,
    )


def resume_url(case: Case) -> str:
    """Where to carry on: the person's details, the first unanswered question, or check your answers."""
    if case.status != CaseStatus.DRAFT:
        return url_for("selfassess.status", case_id=case.public_id)
    if not service.about_done(case):
        return url_for("selfassess.about", case_id=case.public_id)
    first = service.schema_for(case).first_unanswered(service.stored_answers(case))
    if first is not None:
        return url_for("selfassess.question", case_id=case.public_id, question_id=first)
    return url_for("selfassess.check", case_id=case.public_id)


# -- the questions -----------------------------------------------------------------------------------


@bp.route("/cases/<case_id>/")
def tasks(case_id: str) -> Any:
    """The task list: the person's details, each section with its status, then check and send."""
    case = _draft(case_id)
    if isinstance(case, Response):
        return case
    current = service.schema_for(case)
    answers = service.stored_answers(case)
    statuses = current.section_statuses(answers)
    sections = [
        (section, statuses[section.id], current.section_start(section.id, answers))
        for section in current.sections
        if statuses[section.id] != SectionStatus.NOT_APPLICABLE and section.id != service.ABOUT_SECTION
    ]
    return render_template(
        "selfassess/tasks.html",
        case=case,
        sections=sections,
        about_done=service.about_done(case),
        about_state=service.about_status(case, statuses.get(service.ABOUT_SECTION)),
        complete=current.is_complete(answers),
        risk=current.risk(answers),
        words=words_for(case, answers),
        first_unanswered=current.first_unanswered(answers),
        review=review_rules.review_of(case),
    )


@bp.route("/cases/<case_id>/continue")
def carry_on(case_id: str) -> Response:
    """Carry on where the person left off."""
    return redirect(resume_url(_case(case_id)))


@bp.errorhandler(CSRFError)
def stale_form(error: CSRFError) -> Response:
    """A form gone stale. On a question page what was typed is held (never saved) and shown back later."""
    if request.endpoint == "selfassess.question" and request.method == "POST" and request.view_args:
        kept = _hold_typed(request.view_args["case_id"], request.view_args["question_id"])
        if kept is not None:
            return kept
    flash(gettext("Your session has timed out or the form was out of date. Please try again."), "error")
    return redirect(request.path, code=303)


def _hold_typed(case_id: str, question_id: str) -> Response | None:
    """Hold the typed answer for the ticket's account; say what happened and where to go (None if nothing held)."""
    account = held.account_from_ticket(request.form.get(held.TICKET_FIELD), case_id, question_id)
    case = service.find_case(account, case_id) if account is not None else None
    if account is None or case is None:
        return None
    sent = case.status != CaseStatus.DRAFT
    if not held.hold(
        account, case, question_id, held.typed_values(request.form), "sent" if sent else "stale"
    ):
        return None
    db.session.commit()
    held.flag_session(account)
    if sent:
        flash(_SENT_MESSAGE(), "info")
    here = url_for(".question", case_id=case_id, question_id=question_id, **_change_arg())
    signed_in_as_owner = current_user.is_authenticated and current_user.id == account.id
    if not signed_in_as_owner:
        if not sent:
            flash(
                gettext(
                    "You were signed out before your answer could be saved. Sign in again and we will show you "
                    "what you typed."
                ),
                "info",
            )
        return redirect(url_for("accounts.sign_in", next=here), code=303)
    if not sent:
        flash(
            gettext(
                "Your answer could not be saved because this page was out of date. Check it and save it again."
            ),
            "info",
        )
    return redirect(here, code=303)


def _change_arg() -> dict[str, Any]:
    """Keep "changing from check your answers" across the detour."""
    return {"change": "1"} if request.args.get("change") == "1" else {}


def _SENT_MESSAGE() -> str:  # noqa: N802 - reads as a constant, translated per request
    return str(
        gettext(
            "These answers were already sent from another window or tab, so the answer you just typed was not "
            "saved. If you take them back to change them, we will show you what you typed."
        )
    )


@bp.route("/cases/<case_id>/questions/<question_id>", methods=["GET", "POST"])
def question(case_id: str, question_id: str) -> Any:
    """One question per page. The answer is saved on the server the moment the page is sent."""
    case = _draft(case_id)
    if isinstance(case, Response):
        if request.method == "POST":
            # Sent from another tab: keep what was typed and say so plainly on the status page.
            found = _case(case_id)
            if held.hold(current_user, found, question_id, held.typed_values(request.form), "sent"):
                held.flag_session(current_user)
            db.session.commit()
            flash(_SENT_MESSAGE(), "info")
        return case
    current = service.schema_for(case)
    answers = service.stored_answers(case)
    # A page off the current path (or an unknown id) cannot be reached by typing its URL.
    if question_id not in current:
        abort(404)
    place = current.place(question_id, answers)  # one walk over the answers serves the whole page
    if not place.on_path:
        abort(404)
    words = words_for(case, self_funder=place.self_funder)
    changing = request.args.get("change") == "1"
    kept = held.find(current_user, case, question_id) if request.method == "GET" else None
    posted: Any = request.form if request.method == "POST" else None
    if kept is not None:
        posted = MultiDict([(name, value) for name, values in kept.values.items() for value in values])
    note = notes_of(case.answers).get(question_id, "")
    page = QuestionPage.build(current, question_id, words, answers.get(question_id), posted=posted, note=note)

    if request.method == "POST" and page.form.validate():  # validate() checks the CSRF token only
        accepted, value = page.read(request.form)
        if accepted:
            was_urgent = current.risk(answers).urgent
            before = len(current.path(answers))
            held.release(current_user, case, question_id)
            service.save_answer(current_user, case, question_id, value, note=page.posted_note(request.form))
            answers = service.stored_answers(case)
            added = len(current.path(answers)) - before
            if added > 0:
                # The count of questions only grows with a reason the person is told.
                flash(
                    ngettext(
                        "Your answer adds %(num)d more question.",
                        "Your answer adds %(num)d more questions.",
                        added,
                    ),
                    "info",
                )
            if current.risk(answers).urgent and not was_urgent:
                return redirect(url_for(".urgent", case_id=case.public_id), code=303)
            if page.form.later.data:
                flash(
                    gettext("Your answers have been saved. You can come back to them at any time."), "success"
                )
                return redirect(url_for(".tasks", case_id=case.public_id), code=303)
            return redirect(_next_page(case, question_id, answers, changing), code=303)

    if changing:
        back = url_for(".check", case_id=case.public_id)
    elif place.previous_id:
        back = url_for(".question", case_id=case.public_id, question_id=place.previous_id)
    else:
        back = url_for(".tasks", case_id=case.public_id)
    return page.render(
        place.position,
        case=case,
        back=back,
        changing=changing,
        held_ticket=held.make_ticket(current_user, case, question_id),
        kept=kept,
        last_time=said_last_time(case, page.question, words),
    )


def _next_page(case: Case, question_id: str, answers: dict[str, Any], changing: bool) -> str:
    """After an answer: the next question, or back to check your answers when changing one."""
    current = service.schema_for(case)
    if changing:
        # A changed answer may bring new questions onto the path: ask those, then return to the check page.
        following = current.path(answers)
        later = following[following.index(question_id) + 1 :]
        pending = next((q for q in later if not current.is_answered(q, answers)), None)
        if pending:
            return url_for(".question", case_id=case.public_id, question_id=pending, change="1")
        return url_for(".check", case_id=case.public_id)
    following_id = current.next_id(question_id, answers)
    if following_id is not None:
        return url_for(".question", case_id=case.public_id, question_id=following_id)
    if current.is_complete(answers) and service.about_done(case):
        return url_for(".check", case_id=case.public_id)
    return url_for(".tasks", case_id=case.public_id)


# -- check, send, status -----------------------------------------------------------------------------


def answer_rows(case: Case, words: Words, *, change_links: bool) -> list[dict[str, Any]]:
    """Sections with their answered questions, worded for the person, for the check page and PDFs."""
    current = service.schema_for(case)
    answers = service.stored_answers(case)
    notes = notes_of(case.answers)  # "Add note": kept with each answer, shown with it
    answered = current.effective_answers(answers)  # the valid answers on the path: one walk for every row
    path = set(current.path(answers))
    sections = []
    for section in current.sections:
        rows = []
        for asked in current.section_questions(section.id):
            if asked.id not in path:
                continue
            rows.append(
                {
                    "question": asked,
                    "key": words.question(asked, "summary") or words.question(asked, "title"),
                    "value": display_answer(asked, answers.get(asked.id), words)
                    if asked.id in answered
                    else "",
                    "note": notes.get(asked.id, ""),
                    "href": url_for(".question", case_id=case.public_id, question_id=asked.id, change="1")
                    if change_links
                    else None,
                }
            )
        if rows:
            sections.append({"title": words.of(section, "title"), "rows": rows})
    return sections


@bp.route("/cases/<case_id>/check")
def check(case_id: str) -> Any:
    """Check your answers, with a link to change each one."""
    case = _draft(case_id)
    if isinstance(case, Response):
        return case
    current = service.schema_for(case)
    answers = service.stored_answers(case)
    words = words_for(case, answers)
    return render_template(
        "selfassess/check.html",
        case=case,
        sections=answer_rows(case, words, change_links=True),
        complete=current.is_complete(answers),
        about_done=service.about_done(case),
        words=words,
        first_unanswered=current.first_unanswered(answers),
    )


@bp.route("/cases/<case_id>/estimate")
def estimate(case_id: str) -> Any:
    """The indicative budget straight away: breakdown, split, range, reasons and what would change it."""
    case = _draft(case_id)
    if isinstance(case, Response):
        return case
    current = service.schema_for(case)
    answers = service.stored_answers(case)
    if not (current.is_complete(answers) and service.about_done(case)):
        return redirect(url_for(".check", case_id=case.public_id))
    tool = tool_service.of(case)
    result = budgets.run(current, answers, case.organisation, tool=tool)
    words = words_for(case, answers)
    return render_template(
        "selfassess/estimate.html",
        case=case,
        result=result,
        summary=budgets.summary(result, tool),
        lines=budgets.worded_lines(result, quotes=budgets.Quotes.of(current, answers, words), tool=tool),
        split=budgets.split_words(result),
        changes=budgets.changes_words(result, tool),
        words=words,
    )


@bp.route("/cases/<case_id>/send", methods=["GET", "POST"])
def send(case_id: str) -> Any:
    """The declaration, then send to the organisation."""
    case = _draft(case_id)
    if isinstance(case, Response):
        return case
    current = service.schema_for(case)
    answers = service.stored_answers(case)
    if not (current.is_complete(answers) and service.about_done(case)):
        return redirect(url_for(".check", case_id=case.public_id))
    form = DeclarationForm()
    if form.validate_on_submit():
        return _send(case, urgent=False)
    return render_template(
        "selfassess/send.html",
        case=case,
        form=form,
        errors=error_summary(form),
        words=words_for(case, answers),
        link=service.link_for(current_user, case),
    )


def _send(case: Case, *, urgent: bool) -> Response:
    """Send the case and go to the confirmation page."""
    try:
        service.send(current_user, case, urgent=urgent)
    except service.CaseMoved:
        flash(gettext("This has already been sent."), "info")
        return redirect(url_for(".status", case_id=case.public_id), code=303)
    return redirect(url_for(".sent", case_id=case.public_id), code=303)


@bp.route("/cases/<case_id>/urgent", methods=["GET", "POST"])
def urgent(case_id: str) -> Any:
    """Answers show the person may be unsafe now: who to contact today, and send what there is, marked urgent."""
    case = _draft(case_id)
    if isinstance(case, Response):
        return case
    answers = service.stored_answers(case)
    risk = service.schema_for(case).risk(answers)
    form = DeclarationForm()
    if form.validate_on_submit() and service.about_done(case):
        return _send(case, urgent=True)
    from portal.selfassess.display import urgent_wording

    return render_template(
        "selfassess/urgent.html",
        case=case,
        form=form,
        errors=error_summary(form),
        risk=risk,
        words=words_for(case, answers),
        about_done=service.about_done(case),
        organisation_wording=urgent_wording(case.organisation),
    )


@bp.route("/cases/<case_id>/sent")
def sent(case_id: str) -> Any:
    """Confirmation with the reference number."""
    case = _case(case_id)
    if case.status == CaseStatus.DRAFT:
        return redirect(url_for(".tasks", case_id=case.public_id))
    from portal.selfassess.display import urgent_wording

    return render_template(
        "selfassess/sent.html",
        case=case,
        words=words_for(case),
        organisation_wording=urgent_wording(case.organisation) if case.urgent else None,
    )


@bp.route("/cases/<case_id>/status", methods=["GET", "POST"])
def status(case_id: str) -> Any:
    """Where the case is, the assessor's questions (answered here), and the decision with its reasons."""
    from portal import case_record
    from portal.letters import decision_context

    case = _case(case_id)
    if case.status == CaseStatus.DRAFT:
        return redirect(url_for(".tasks", case_id=case.public_id))
    reply = ReplyForm()
    if request.method == "POST" and reply.validate_on_submit():
        try:
            service.answer_question(current_user, case, reply.answer.data)
        except (cases.Stale, cases.NotAllowed):
            flash(gettext("Your answer was not needed any more."), "info")
        else:
            flash(gettext("Your answer has been sent."), "success")
        return redirect(url_for(".status", case_id=case.public_id), code=303)
    decision = case_record.final_decision(case) if case.status == CaseStatus.DECIDED else None
    letter = None
    if decision is not None:
        letter = db.session.scalar(
            db.select(Document)
            .filter_by(case_id=case.id, kind="decision_letter")
            .order_by((Document.lang == current_user.locale).desc(), Document.id.desc())
            .limit(1)
        )
    review = review_rules.review_of(case)
    own = case_record.own_estimate(case) if review is not None else None
    words = words_for(case)
    return render_template(
        "selfassess/status.html",
        review=review,
        review_rows=review_copy.section_rows(review) if review else [],
        record_rows=review_copy.record_rows(review) if review else [],
        changed=changes.for_review(case, now_result=budgets.loaded(own) if own else None) if review else None,
        level_words=vocabulary.NEED_LEVEL_WORDS,
        may_review=review_rules.may_start(current_user, case),
        action=TakeBackForm(),
        case=case,
        form=TakeBackForm(),
        reply=reply,
        errors=error_summary(reply),
        words=words,
        messages=case_record.messages(case),
        decision=decision_context(case, decision, words) if decision else None,
        letter=letter,
        estimate_partial=case_record.own_estimate_is_partial(case),
        asking=asking.status_context(case),
    )


@bp.route("/cases/<case_id>/documents/<document_id>")
def document(case_id: str, document_id: str) -> Any:
    """Download a letter kept with the case."""
    from portal.pdf import pdf_response

    case = _case(case_id)
    found = db.session.scalar(db.select(Document).filter_by(case_id=case.id, public_id=document_id))
    if found is None:
        abort(404)
    return pdf_response(found.content, found.filename)


@bp.route("/cases/<case_id>/answers.pdf")
def answers_pdf(case_id: str) -> Any:
    """The person's answers as an accessible PDF, in their language."""
    from portal.i18n.web import current_code
    from portal.pdf import pdf_response, render_pdf

    case = _case(case_id)
    words = words_for(case)
    sections = [
        {
            "title": s["title"],
            "rows": [
                {"key": r["key"], "value": r["value"] or gettext("Not answered yet"), "note": r["note"]}
                for r in s["rows"]
            ],
        }
        for s in answer_rows(case, words, change_links=False)
    ]
    from portal.selfassess.documents import details

    pdf = render_pdf(
        "answers.html",
        lang=current_code(),
        title=gettext("Your answers"),
        sections=sections,
        details=details(case),
        notes=[],
    )
    return pdf_response(pdf, f"answers-{case.reference}.pdf")


@bp.route("/cases/<case_id>/estimate.pdf")
def estimate_pdf(case_id: str) -> Any:
    """The person's own estimate as an accessible PDF, in their language."""
    from portal import case_record
    from portal.i18n.web import current_code
    from portal.pdf import pdf_response, render_pdf
    from portal.selfassess.documents import details, estimate_document

    case = _case(case_id)
    current = service.schema_for(case)
    if case.status == CaseStatus.DRAFT:
        answers = service.stored_answers(case)
        result = budgets.run(current, answers, case.organisation, tool=tool_service.of(case))
        partial = not current.is_complete(answers)
    else:
        stored = case_record.own_estimate(case)
        if stored is None:
            abort(404)
        result = budgets.loaded(stored)
        answers = case_record.person_answers(case)
        partial = case_record.own_estimate_is_partial(case)
    quotes = budgets.Quotes.of(current, answers, words_for(case, answers))
    pdf = render_pdf(
        "answers.html",
        lang=current_code(),
        title=gettext("Your indicative budget"),
        details=details(case),
        **estimate_document(
            result, quotes, partial=partial, easy_read=easy_read(), tool=tool_service.of(case)
        ),
    )
    return pdf_response(pdf, f"estimate-{case.reference}.pdf")


@bp.route("/cases/<case_id>/withdraw", methods=["GET", "POST"])
def withdraw(case_id: str) -> Any:
    """Withdraw a case before a decision: it is closed for good (a new assessment can be started later)."""
    case = _case(case_id)
    if not cases.can(current_user, case, Move.WITHDRAW):
        abort(403)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            service.withdraw(current_user, case, reason=form.reason.data or "")
        except cases.Stale:
            flash(gettext("This changed while you were looking at it. Check where it is now."), "info")
        else:
            flash(gettext("You have withdrawn it. The council will not look at it any more."), "success")
        return redirect(url_for(".dashboard"), code=303)
    return render_template(
        "selfassess/withdraw.html", case=case, form=form, errors=error_summary(form), words=words_for(case)
    )


@bp.route("/cases/<case_id>/delete", methods=["GET", "POST"])
def delete(case_id: str) -> Any:
    """Delete an unsent draft (asked first). A case sent to the council is the council's record now."""
    case = _case(case_id)
    if not account_service.deletable(current_user, case):
        abort(404)
    form = DeleteDraftForm()
    if form.validate_on_submit():
        account_service.delete_draft(current_user, case)
        db.session.commit()
        flash(gettext("Your unsent answers have been deleted."), "success")
        return redirect(url_for(".dashboard"), code=303)
    return render_template("selfassess/delete.html", case=case, form=form, words=words_for(case))


@bp.route("/cases/<case_id>/take-back", methods=["POST"])
def take_back(case_id: str) -> Response:
    """Take a sent case back to change it, unless an assessor has already claimed it."""
    case = _case(case_id)
    form = TakeBackForm()
    if not form.validate_on_submit():
        abort(400)
    if service.take_back(current_user, case):
        flash(gettext("You can change your answers now. Send them again when you are ready."), "success")
        return redirect(url_for(".check", case_id=case.public_id), code=303)
    flash(
        gettext(
            "Someone at the council has started checking this, so it cannot be taken back. "
            "Contact them to change anything."
        ),
        "info",
    )
    return redirect(url_for(".status", case_id=case.public_id), code=303)


from portal.selfassess import (  # noqa: E402,F401 - each module registers its views on bp
    asking,
    reviews,
    starting,
)
