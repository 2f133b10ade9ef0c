"""The person's way in: their own cases, whom an assessment is for, their details and which council.

Views only: the rules are in :mod:`portal.selfassess.service`, :mod:`portal.tool_service` and
:mod:`portal.cases`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import account_service, tool_service
from portal.audit import record
from portal.extensions import db
from portal.forms import error_summary
from portal.models import Authority, Case
from portal.person_details import organisations_for_postcode
from portal.questionnaire import SectionStatus
from portal.selfassess import _draft, bp, resume_url, service, words_for
from portal.selfassess.forms import CarerForm, CouncilForm, PersonForm, WhoForm
from portal.tools import DEFAULT_TOOL


@bp.route("/")
def dashboard() -> str:
    """Your assessments, and those of people you care for."""
    cases = service.cases_for(current_user)
    # Tools besides the adult self-assessment that a person may prepare themselves, where someone offers them.
    offered = tool_service.offered_anywhere_keys()
    other_tools = [
        (tool.key, tool_service.name_of(tool))
        for tool in tool_service.available().values()
        if tool.key != DEFAULT_TOOL and tool.completed_by_person() and tool.key in offered
    ]
    return render_template(
        "selfassess/dashboard.html",
        cases=cases,
        other_tools=other_tools,
        resume_url=resume_url,
        deletable=lambda case: account_service.deletable(current_user, case),
    )


def _tool_asked() -> str:
    """The tool a start page was asked for (``?tool=``), else the adult self-assessment."""
    return request.args.get("tool", "") or DEFAULT_TOOL


@bp.route("/new", methods=["GET", "POST"])
def who() -> Any:
    """Who is filling this in."""
    form = WhoForm()
    tool_key = _tool_asked()
    if form.validate_on_submit():
        if form.who.data == "someone_else":
            asked = None if tool_key == DEFAULT_TOOL else tool_key
            return redirect(url_for(".someone_else", tool=asked), code=303)
        try:
            case = service.start_for_self(current_user, tool_key)
        except tool_service.ToolRefused:
            abort(404)
        db.session.commit()
        return redirect(url_for(".about", case_id=case.public_id), code=303)
    return render_template("selfassess/who.html", form=form, errors=error_summary(form))


@bp.route("/new/someone-else", methods=["GET", "POST"])
def someone_else() -> Any:
    """A carer names the person, says how they are related and on what authority they act."""
    form = CarerForm()
    if form.validate_on_submit():
        try:
            case = service.start_for_someone_else(
                current_user,
                form.name.data or "",
                form.relationship.data or "",
                Authority(form.authority.data),
                _tool_asked(),
            )
        except tool_service.ToolRefused:
            abort(404)
        db.session.commit()
        return redirect(url_for(".about", case_id=case.public_id), code=303)
    return render_template("selfassess/someone_else.html", form=form, errors=error_summary(form))


@bp.route("/cases/<case_id>/about", methods=["GET", "POST"])
def about(case_id: str) -> Any:
    """About the person: date of birth, postcode (which decides the organisation), NHS number."""
    case = _draft(case_id)
    if isinstance(case, Response):
        return case
    person = case.person
    form = PersonForm(
        data={
            "name": person.name,
            "postcode": person.postcode,
            "nhs_number": person.nhs_number,
            "address_line_1": person.address_line_1,
            "address_line_2": person.address_line_2,
            "town": person.town,
        }
    )
    if request.method == "GET" and person.date_of_birth:
        form.date_of_birth.raw_data = [
            str(person.date_of_birth.day),
            str(person.date_of_birth.month),
            str(person.date_of_birth.year),
        ]
    if request.method == "POST" and "name" not in request.form:
        # A page from before the name was asked here (still open in a tab) keeps the name already given.
        form.name.raw_data = [person.name]
        form.name.data = person.name
    if form.validate_on_submit():
        person.name = (form.name.data or "").strip()
        person.date_of_birth = form.date_of_birth.data
        person.postcode = form.postcode.data or ""
        person.nhs_number = form.nhs_number.data or ""
        for key, value in form.address().items():
            setattr(person, key, value)
        matches = organisations_for_postcode(person.postcode, case.tool_key)
        if len(matches) == 1:
            case.organisation_id = matches[0].id
        elif case.organisation_id not in {m.id for m in matches}:
            case.organisation_id = None
        record("case.person_details", actor=current_user, case=case)
        db.session.commit()
        if case.organisation_id is None:
            return redirect(
                url_for(".council", case_id=case.public_id, next=request.args.get("next", "")), code=303
            )
        return redirect(_after_about(case), code=303)
    return render_template(
        "selfassess/about.html", form=form, errors=error_summary(form), case=case, words=words_for(case)
    )


def _after_about(case: Case) -> str:
    """Back where the person came from (the urgent page, check your answers), else on with "About you"."""
    came_from = request.args.get("next")
    if came_from == "urgent":
        return url_for(".urgent", case_id=case.public_id)
    if came_from == "check":
        return url_for(".check", case_id=case.public_id)
    current = service.schema_for(case)
    answers = service.stored_answers(case)
    # The person's details and the questions about them are one task, "About you": carry on with its questions.
    if current.section_statuses(answers).get(service.ABOUT_SECTION) != SectionStatus.COMPLETED:
        start_at = current.section_start(service.ABOUT_SECTION, answers)
        if start_at is not None:
            return url_for(".question", case_id=case.public_id, question_id=start_at)
    return url_for(".tasks", case_id=case.public_id)


@bp.route("/cases/<case_id>/council", methods=["GET", "POST"])
def council(case_id: str) -> Any:
    """Choose where to send it, when the postcode matches several organisations or none."""
    case = _draft(case_id)
    if isinstance(case, Response):
        return case
    if not case.person.postcode:
        return redirect(url_for(".about", case_id=case.public_id))
    matches = organisations_for_postcode(case.person.postcode, case.tool_key)
    if not matches:
        # No organisation using this service covers the postcode: say so, and never offer one that does not.
        return render_template(
            "selfassess/council.html", case=case, form=None, errors=[], overlap=False, words=words_for(case)
        )
    overlap = len(matches) > 1
    choices = matches
    form = CouncilForm(data={"organisation": case.organisation.public_id if case.organisation else None})
    form.organisation.choices = [(o.public_id, o.name) for o in choices]
    if form.validate_on_submit():
        chosen = next((o for o in choices if o.public_id == form.organisation.data), None)
        if chosen is None:
            form.organisation.errors = [gettext("Select a council")]
        else:
            case.organisation_id = chosen.id
            record(
                "case.organisation_chosen",
                actor=current_user,
                case=case,
                detail={"organisation": chosen.name},
            )
            db.session.commit()
            return redirect(_after_about(case), code=303)
    return render_template(
        "selfassess/council.html",
        form=form,
        errors=error_summary(form),
        case=case,
        overlap=overlap,
        words=words_for(case),
    )
