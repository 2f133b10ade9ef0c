"""Validation answer by answer (the person's answer beside the assessor's: agreed, amended with why, or still to
check; a section agreed with in one step) and the formal Needs Profile with the eligibility determination.

Views only: the rules (who may validate, optimistic locking, what is still to check) are in
:mod:`portal.practitioner.validation_service`. Every case is looked up inside the member of staff's own
organisation, so another organisation's case is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal import budgets, case_record, cases, tool_service, vocabulary
from portal.case_record import ELIGIBILITY_OUTCOMES, ICB_DECISION, SECTION_117
from portal.cases import Move
from portal.engine import AREAS
from portal.extensions import db
from portal.forms import (
    CheckboxesInput,
    Form,
    RadioInput,
    SubmitInput,
    TextArea,
    error_summary,
)
from portal.models import OrganisationKind
from portal.practitioner import bp, load_case
from portal.practitioner import service as work
from portal.practitioner.aftercare import aftercare_form, aftercare_items
from portal.practitioner.casework import CASEWORKERS, ActionForm, staff_words
from portal.practitioner.icb_profile import decision_words, icb_form, icb_items
from portal.questionnaire import ErrorCode, QuestionType
from portal.questions_web import display_answer, error_message, posted_answer, question_form, staff_hint
from portal.security import roles_required

_case = load_case  # loads the case and audits the page that shows it


# -- validation ---------------------------------------------------------------------------------------


@bp.route("/cases/<case_id>/validate")
@roles_required(*CASEWORKERS)
def validate(case_id: str) -> str:
    """Each answer the person gave beside the assessor's: agreed, amended (with why), or still to check."""
    found = _case(case_id)
    rows = worded_validation_rows(found)
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


def worded_validation_rows(found: Any) -> list[dict[str, Any]]:
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
                latest = work.current_validation(found)
                assert latest is not None, "a claimed case has its validation"
                db.session.refresh(latest)
                form.version.data = str(latest.version)
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
                latest = work.current_validation(found)
                assert latest is not None, "the validation was there when the form was sent"
                form.version.data = str(latest.version)
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
