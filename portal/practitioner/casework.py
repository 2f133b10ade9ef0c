"""Casework: the queue, claiming, validation answer by answer, the Needs Profile, budgets and approvals.

Every page that shows personal data writes an audit event (who looked, when). Every case is looked up inside
the member of staff's own organisation, so another organisation's case is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal import budgets, case_record, cases, money, phb, review_due, reviews, tool_service, vocabulary
from portal.case_record import ELIGIBILITY_OUTCOMES, ICB_DECISION, SECTION_117
from portal.cases import Move
from portal.engine import AREAS, CLIENT_GROUPS
from portal.extensions import db
from portal.forms import (
    CheckboxesInput,
    Form,
    RadioInput,
    SelectInput,
    SubmitInput,
    TextArea,
    TextInput,
    error_summary,
)
from portal.i18n.schema_text import Words
from portal.models import Account, CaseKind, CaseStatus, OrganisationKind, Role
from portal.practitioner import bp, load_case, worklist
from portal.practitioner import service as work
from portal.practitioner.aftercare import aftercare_form, aftercare_items
from portal.practitioner.icb_profile import decision_words, icb_form, icb_items
from portal.questionnaire import ErrorCode, QuestionType, Voice
from portal.questions_web import display_answer, error_message, posted_answer, question_form, staff_hint
from portal.security import roles_required
from portal.tools import DEFAULT_TOOL

CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)
KIND_LABELS = {
    CaseKind.ASSESSMENT.value: lazy_gettext("Assessment"),
    CaseKind.CORRECTION.value: lazy_gettext("Correction"),
    CaseKind.REVIEW.value: lazy_gettext("Review"),
    CaseKind.RECONSIDERATION.value: lazy_gettext("Looked at again"),
}
STAFF_WORDS = Words(voice=Voice.CARER, name=lazy_gettext("the person"))


_case = load_case  # loads the case and audits the page that shows it


def staff_words(case: Any) -> Words:
    """Questions worded about the person, by name, for staff."""
    return Words(voice=Voice.CARER, name=case.person.name, domain=tool_service.of(case).domain)


# -- the queue ----------------------------------------------------------------------------------------


@bp.route("/queue")
@roles_required(*CASEWORKERS)
def queue() -> str:
    """Every sent case of the organisation: at risk first (urgent above all), then the oldest."""
    args = request.args
    try:
        page = max(1, min(10_000, int(args.get("page", "1"))))
    except ValueError:
        page = 1
    tools = tool_service.available()
    wanted = work.QueueFilter(
        tool=args.get("tool", "") if args.get("tool") in tools else "",
        status=args.get("status", "open")[:32],
        client_group=args.get("client_group", "") if args.get("client_group") in CLIENT_GROUPS else "",
        holder=args.get("holder", "any") if args.get("holder") in ("any", "me", "unassigned") else "any",
        waiting=args.get("waiting", "any") if args.get("waiting") in ("any", "7", "28") else "any",
        search=args.get("q", "")[:100],
        page=page,
    )
    cases, total = work.queue_page(current_user, wanted)
    pages = max(1, -(-total // work.PAGE_SIZE))
    return render_template(
        "practitioner/queue.html",
        cases=cases,
        total=total,
        wanted=wanted,
        pages=pages,
        client_groups=CLIENT_GROUPS,
        group_names=vocabulary.CLIENT_GROUP_NAMES,
        now=_now(),
        reviews_due=review_due.counts(current_user.organisation_id),
        tools=[
            (tool.key, tool_service.name_of(tool))
            for tool in tools.values()
            if wanted.tool == tool.key or tool_service.is_enabled(current_user.organisation, tool.key)
        ],
    )


def _now() -> Any:
    from portal.models import utcnow

    return utcnow()


@bp.route("/approvals")
@roles_required(Role.APPROVER, Role.ADMIN)
def approvals() -> str:
    """Budgets waiting for sign-off that this approver may approve (the lifecycle decides; nothing else listed)."""
    return render_template("practitioner/approvals.html", rows=worklist.approvals_for(current_user))


# -- a case -------------------------------------------------------------------------------------------


class ActionForm(Form):
    """A button that changes something (claim, release): only the CSRF token."""

    submit = SubmitField(lazy_gettext("Continue"), widget=SubmitInput())


class ReassignForm(Form):
    """Give the case to another assessor."""

    assessor = SelectField(
        lazy_gettext("Assessor"),
        widget=SelectInput(),
        validate_choice=True,
        validators=[InputRequired(message=lazy_gettext("Select an assessor"))],
    )
    reason = StringField(
        lazy_gettext("Reason"),
        widget=TextInput(),
        validators=[
            Optional(),
            Length(max=500, message=lazy_gettext("This must be 500 characters or fewer")),
        ],
    )
    submit = SubmitField(lazy_gettext("Reassign"), widget=SubmitInput())


@bp.route("/cases/<case_id>")
@roles_required(*CASEWORKERS)
def case(case_id: str) -> str:
    """A case at a glance: the person, the flags, who holds it, and what can be done next."""
    found = _case(case_id)
    assessors = db.session.scalars(
        select(Account)
        .where(
            Account.organisation_id == found.organisation_id,
            Account.role == Role.ASSESSOR,
            Account.is_active.is_(True),
        )
        .order_by(Account.name)
    ).all()
    reassign = ReassignForm()
    reassign.assessor.choices = [(a.public_id, a.name) for a in assessors]
    from portal.pdf import language_name  # the PDF module loads its renderer lazily too

    schema = work.schema(found)
    words = staff_words(found)
    risks = [
        words.of(schema.risk_rule(rule_id), "description")
        for rule_id in schema.risk(case_record.person_answers(found)).rule_ids
    ]
    sender, sender_link = case_record.filled_in_by(found)

    return render_template(
        "practitioner/case.html",
        case=found,
        # Named when it is not the adult self-assessment, so the page reads as before for every adult case.
        tool_name="" if found.tool_key == DEFAULT_TOOL else tool_service.name_of(tool_service.of(found)),
        action=ActionForm(),
        reassign=reassign,
        validation=work.current_validation(found),
        own=work.own_estimate(found),
        messages=work.messages(found),
        pending=work.pending_decision(found),
        decision=work.final_decision(found),
        returned=worklist.returned_budget(found),
        letters=[(letter, language_name(letter.lang)) for letter in work.decision_letters(found)]
        if found.status == CaseStatus.DECIDED
        else [],
        reachable=cases.reachable(found),
        risks=risks,
        sender=sender,
        sender_link=sender_link,
        may_correct=cases.may_start_linked(current_user, found, CaseKind.CORRECTION),
        linked=cases.chain(found) if found.follows_id or found.status == CaseStatus.DECIDED else [],
        kind_labels=KIND_LABELS,
        contact=case_record.contact_rows(found),
    )


@bp.route("/cases/<case_id>/claim", methods=["POST"])
@roles_required(Role.ASSESSOR)
def claim(case_id: str) -> Response:
    """Claim a case: only one assessor can ever hold it."""
    found = _case(case_id)
    if ActionForm().validate_on_submit() and work.claim(current_user, found):
        flash(gettext("You have claimed %(reference)s.", reference=found.reference), "success")
    elif current_user.id in cases.first_deciders(found):  # the lifecycle's reason for refusing, worded
        flash(
            gettext("You confirmed or approved the decision this asks about, so someone else must take it."),
            "info",
        )
    else:
        flash(
            gettext("Someone else has already claimed this case, or it was taken back by the person."), "info"
        )
    return redirect(url_for(".case", case_id=found.public_id), code=303)


@bp.route("/cases/<case_id>/release", methods=["POST"])
@roles_required(Role.ASSESSOR, Role.APPROVER, Role.ADMIN)
def release(case_id: str) -> Response:
    """Give a case back to the queue (its holder, or an approver or admin)."""
    found = _case(case_id)
    if ActionForm().validate_on_submit() and work.release(current_user, found):
        flash(gettext("The case is back in the queue."), "success")
    return redirect(url_for(".case", case_id=found.public_id), code=303)


@bp.route("/cases/<case_id>/reassign", methods=["POST"])
@roles_required(Role.APPROVER, Role.ADMIN)
def reassign(case_id: str) -> Response:
    """An approver or admin gives the case to another assessor."""
    found = _case(case_id)
    form = ReassignForm()
    assessors = db.session.scalars(
        select(Account).where(
            Account.organisation_id == found.organisation_id,
            Account.role == Role.ASSESSOR,
            Account.is_active.is_(True),
        )
    ).all()
    form.assessor.choices = [(a.public_id, a.name) for a in assessors]
    if form.validate_on_submit():
        target = next(a for a in assessors if a.public_id == form.assessor.data)
        if work.reassign(current_user, found, target, reason=form.reason.data or ""):
            flash(gettext("The case is now with %(name)s.", name=target.name), "success")
    return redirect(url_for(".case", case_id=found.public_id), code=303)


# -- validation ---------------------------------------------------------------------------------------


@bp.route("/cases/<case_id>/validate")
@roles_required(*CASEWORKERS)
def validate(case_id: str) -> str:
    """Each answer the person gave beside the assessor's: agreed, amended (with why), or still to check."""
    found = _case(case_id)
    rows = _validation_rows(found)
    validation = work.current_validation(found)
    return render_template(
        "practitioner/validate.html",
        case=found,
        sections=_sections(found, rows),
        validation=validation,
        left=sum(1 for r in rows if r["state"] in ("to_check", "to_answer")),
        agree=ActionForm(),
    )


@bp.route("/cases/<case_id>/validate/sections/<section>", methods=["POST"])
@roles_required(*CASEWORKERS)  # the holder only (the lifecycle's validate move): a manager may hold a review
def agree_with_section(case_id: str, section: str) -> Any:
    """Agree with the rest of a section's answers in one step (each recorded on its own)."""
    found = _case(case_id)
    if not cases.can(current_user, found, Move.VALIDATE):
        abort(403)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = -1
    try:
        agreed = work.agree_with_section(current_user, found, section, expected_version=version)
    except work.Conflict:
        flash(
            gettext("Someone else changed this case while you were working on it. Check the answers again."),
            "info",
        )
    else:
        flash(
            ngettext("You agreed with %(num)d answer.", "You agreed with %(num)d answers.", len(agreed)),
            "success",
        )
    return redirect(url_for(".validate", case_id=found.public_id) + f"#section-{section}", code=303)


def _validation_rows(found: Any) -> list[dict[str, Any]]:
    """Every question on the validated path (the service's rows), worded: the person's answer and the assessor's."""
    schema = work.schema(found)
    validation = work.current_validation(found)
    person = work.person_answers(found)
    person_notes = case_record.person_notes(found)
    validated = work.validated_answers(found, validation)
    words = staff_words(found)
    rows = []
    for row in work.validation_rows(found, validation):
        question = schema.question(row.id)
        rows.append(
            {
                "id": row.id,
                "section": row.section,
                "question": words.question(question, "summary") or words.question(question, "title"),
                "hint": staff_hint(question, words.name),
                "person": display_answer(question, person.get(row.id), words) if row.asked else "",
                "person_note": person_notes.get(row.id, "") if row.asked else "",
                "assessor": display_answer(question, validated.get(row.id), words)
                if row.item.get("action") in ("amend", "answer")
                else "",
                "reason": row.item.get("reason", ""),
                "note": row.item.get("note", ""),
                "state": row.state,
            }
        )
    return rows


def _sections(found: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The validation table by section, each with how many of its answers are still to check."""
    schema = work.schema(found)
    words = staff_words(found)
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = grouped.setdefault(
            row["section"],
            {
                "id": row["section"],
                "title": words.of(schema.section(row["section"]), "title"),
                "rows": [],
                "to_check": 0,
            },
        )
        group["rows"].append(row)
        group["to_check"] += row["state"] == "to_check"
    return list(grouped.values())


class ValidateForm(Form):
    """Agree with the person's answer, or amend it with a reason; a note either way."""

    action = RadioField(
        lazy_gettext("Do you agree with this answer?"),
        widget=RadioInput(),
        choices=[("agree", lazy_gettext("Yes, I agree")), ("amend", lazy_gettext("No, I will change it"))],
        validators=[InputRequired(message=lazy_gettext("Select whether you agree with the answer"))],
    )
    reason = TextAreaField(
        lazy_gettext("Why are you changing it?"),
        widget=TextArea(),
        validators=[Length(max=2000, message=lazy_gettext("This must be 2000 characters or fewer"))],
    )
    note = TextAreaField(
        lazy_gettext("Note (optional)"),
        widget=TextArea(),
        validators=[Length(max=2000, message=lazy_gettext("This must be 2000 characters or fewer"))],
    )
    version = StringField(widget=None)
    submit = SubmitField(lazy_gettext("Save"), widget=SubmitInput())


@bp.route("/cases/<case_id>/validate/<question_id>", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def validate_answer(case_id: str, question_id: str) -> Any:
    """One answer: the person's beside a form to agree or amend. Saving uses optimistic locking."""
    found = _case(case_id)
    schema = work.schema(found)
    validation = work.current_validation(found)
    validated = work.validated_answers(found, validation)
    if question_id not in schema or not schema.is_on_path(question_id, validated):
        abort(404)
    question = schema.question(question_id)
    words = staff_words(found)
    person = work.person_answers(found)
    rows = work.validation_rows(found, validation)
    position = next(n for n, row in enumerate(rows, start=1) if row.id == question_id)
    answered_by_person = rows[position - 1].asked
    item = rows[position - 1].item
    form = ValidateForm(
        data={
            "action": item.get("action") if item.get("action") in ("agree", "amend") else None,
            "reason": item.get("reason", ""),
            "note": item.get("note", ""),
            "version": str(validation.version) if validation else "0",
        }
    )
    answer_form = question_form(
        question,
        words,
        validated.get(question_id),
        formdata=request.form if request.method == "POST" else None,
    )
    if not answered_by_person:
        # A question an amendment brought onto the path: the assessor answers it, there is nothing to agree with.
        form.action.validators = [Optional()]
    conflict = False
    if request.method == "POST" and form.validate_on_submit():
        action = form.action.data if answered_by_person else "answer"
        value = None
        if action in ("amend", "answer"):
            parsed = schema.parse(question_id, posted_answer(question.type, request.form))
            if parsed.error is not None:
                answer_form.answer.errors = [error_message(question, ErrorCode(parsed.error), words)]
            value = parsed.value
        if action == "amend" and not (form.reason.data or "").strip():
            form.reason.errors = [gettext("Enter why you are changing the answer")]
        if not form.reason.errors and not answer_form.answer.errors:
            try:
                version = int(form.version.data or "0")
            except ValueError:
                version = -1
            try:
                work.validate_answer(
                    current_user,
                    found,
                    question_id,
                    action=action,
                    value=value,
                    reason=form.reason.data or "",
                    note=form.note.data or "",
                    expected_version=version,
                )
            except work.UnchangedAmendment:
                answer_form.answer.errors = [
                    gettext("Choose a different answer, or agree with the person's answer")
                ]
            except work.Conflict:
                conflict = True
                form.version.errors = [
                    gettext(
                        "Someone else changed this case while you were working on it. Your changes have not been "
                        "saved: they are still below. Check the latest answers, then save again."
                    )
                ]
                db.session.refresh(work.current_validation(found))
                form.version.data = str(work.current_validation(found).version)
            else:
                return redirect(_next_to_validate(found, question_id), code=303)
    errors = error_summary(form)
    anchor = "#answer-day" if question.type is QuestionType.DATE else "#answer"
    errors["errorList"] += [{"text": e, "href": anchor} for e in answer_form.answer.errors]
    return render_template(
        "practitioner/validate_answer.html",
        case=found,
        question=question,
        form=form,
        answer_form=answer_form,
        errors=errors,
        person=display_answer(question, person.get(question_id), words) if answered_by_person else None,
        heading=words.question(question, "title"),
        hint=staff_hint(question, words.name),
        conflict=conflict,
        item=item,
        position=position,
        total=len(rows),
    )


def _next_to_validate(found: Any, question_id: str) -> str:
    """The next answer still to check (after this one first, then any earlier), else on to the Needs Profile."""
    rows = work.validation_rows(found)
    ids = [row.id for row in rows]
    start = ids.index(question_id) + 1 if question_id in ids else 0
    for row in [*rows[start:], *rows[:start]]:
        if row.state in ("to_check", "to_answer"):
            return url_for(".validate_answer", case_id=found.public_id, question_id=row.id)
    return url_for(".needs_profile", case_id=found.public_id)


# -- the Needs Profile ---------------------------------------------------------------------------------

AREA_LABELS = {area: vocabulary.AREA_NAMES[area] for area in AREAS}


class ProfileForm(Form):
    """The practitioner-only parts of the Needs Profile, and the Care Act eligibility determination."""

    cannot_achieve = SelectMultipleField(
        lazy_gettext("Which outcomes can the person not achieve?"),
        widget=CheckboxesInput(),
        # The ten outcomes of regulation 2(2): mental health and medication are funded, not counted.
        choices=[(area, AREA_LABELS[area]) for area in ELIGIBILITY_OUTCOMES],
        description=lazy_gettext(
            "Without help, or only with significant pain, distress, risk, or taking much longer."
        ),
    )
    impairment = RadioField(
        lazy_gettext("Do the needs arise from a physical or mental impairment or illness?"),
        widget=RadioInput(),
        choices=[("yes", lazy_gettext("Yes")), ("no", lazy_gettext("No"))],
        validators=[InputRequired(message=lazy_gettext("Select yes or no"))],
    )
    wellbeing = RadioField(
        lazy_gettext("Is there, or is there likely to be, a significant impact on well-being?"),
        widget=RadioInput(),
        choices=[("yes", lazy_gettext("Yes")), ("no", lazy_gettext("No"))],
        validators=[InputRequired(message=lazy_gettext("Select yes or no"))],
    )
    risks = TextAreaField(
        lazy_gettext("Risks"),
        widget=TextArea(),
        validators=[Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))],
    )
    clinical_risk = TextAreaField(
        lazy_gettext("Clinical risk (Section 117 aftercare)"),
        widget=TextArea(),
        validators=[Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))],
    )
    decision_making = TextAreaField(
        lazy_gettext("Decision making (Section 117 aftercare)"),
        widget=TextArea(),
        validators=[Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))],
    )
    version = StringField(widget=None)
    submit = SubmitField(lazy_gettext("Save the Needs Profile"), widget=SubmitInput())


@bp.route("/cases/<case_id>/needs-profile", methods=["GET", "POST"])
@roles_required(*CASEWORKERS)
def needs_profile(case_id: str) -> Any:
    """The formal Needs Profile: validated answers as canonical fields, plus the practitioner's items."""
    found = _case(case_id)
    validation = work.current_validation(found)
    items = (validation.practitioner_items if validation else None) or {}
    eligibility = items.get("eligibility") or {}
    aftercare = tool_service.of(found).eligibility_test == SECTION_117  # the tool's own test (aftercare.py)
    icb = tool_service.of(found).eligibility_test == ICB_DECISION  # the ICB decides (icb_profile.py)
    form: Any = (
        aftercare_form(items, validation.version if validation else 0)
        if aftercare
        else icb_form(items, validation.version if validation else 0)
        if icb
        else ProfileForm(
            data={
                "cannot_achieve": eligibility.get("cannot_achieve", []),
                "impairment": eligibility.get("impairment"),
                "wellbeing": eligibility.get("wellbeing"),
                "risks": items.get("risks", ""),
                "clinical_risk": items.get("clinical_risk", ""),
                "decision_making": items.get("decision_making", ""),
                "version": str(validation.version) if validation else "0",
            }
        )
    )
    conflict = False
    if request.method == "POST":  # noqa: SIM102 - a GET draws the form; the view audits nothing itself
        if validation is not None and form.validate_on_submit():
            if aftercare:
                new = aftercare_items(form)
            elif icb:
                new = icb_items(form, items)
            else:
                chosen = [a for a in (form.cannot_achieve.data or []) if a in ELIGIBILITY_OUTCOMES]
                new = {
                    "eligibility": {
                        "cannot_achieve": chosen,
                        "impairment": form.impairment.data,
                        "wellbeing": form.wellbeing.data,
                    },
                    "risks": form.risks.data or "",
                    "clinical_risk": form.clinical_risk.data or "",
                    "decision_making": form.decision_making.data or "",
                }
            try:
                work.save_practitioner_items(
                    current_user, found, new, expected_version=int(form.version.data or 0)
                )
            except work.Conflict:
                conflict = True
                form.version.errors = [
                    gettext(
                        "Someone else changed this case while you were working on it. Your changes have not been "
                        "saved: they are still below. Check the latest, then save again."
                    )
                ]
                form.version.data = str(work.current_validation(found).version)
            else:
                flash(gettext("The Needs Profile has been saved."), "success")
                return redirect(url_for(".needs_profile", case_id=found.public_id), code=303)
    profile = work.schema(found).to_profile(work.validated_answers(found, validation))
    eligible = work.eligible_areas(case_record.determination(found, validation))
    tool = tool_service.of(found)
    return render_template(
        "practitioner/needs_profile.html",
        case=found,
        form=form,
        errors=error_summary(form),
        profile=profile,
        eligible=eligible,
        conflict=conflict,
        section_117=aftercare
        or (found.organisation is not None and found.organisation.kind == OrganisationKind.PARTNERSHIP),
        aftercare=aftercare,
        icb_decision=decision_words(found) if icb else None,
        area_labels={area: budgets.area_name(area, tool) for area in tool.areas},
        outcomes=ELIGIBILITY_OUTCOMES,
        levels={
            level: tool_service.text_of(tool, f"levels.{level}")
            or (vocabulary.need_level_label(level) if level <= 4 else str(level))
            for level in range(tool.need_levels + 1)
        },
        factors=[
            (label, vocabulary.factor_value(field, profile[field]))
            for field, label in vocabulary.FACTOR_NAMES.items()
        ],
        validation=validation,
        answer_notes=case_record.answer_note_rows(found, staff_words(found)),
    )


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
            if not (form.amount.errors or form.reason.errors or form.contribution.errors):
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
    changed = [r for r in _validation_rows(found) if r["state"] in ("amend", "answer")]
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


QUESTION_TYPES = QuestionType  # re-exported for templates
