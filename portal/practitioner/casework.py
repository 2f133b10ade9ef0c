"""Casework: the queue, a case at a glance, and who holds it (claiming, releasing, reassigning).

Validation answer by answer and the Needs Profile are in :mod:`portal.practitioner.validation_pages`; the budget
and its approval in :mod:`portal.practitioner.budget_pages`. Every page that shows personal data writes an audit
event (who looked, when). Every case is looked up inside the member of staff's own organisation, so another
organisation's case is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from portal import case_record, cases, review_due, tool_service, vocabulary
from portal.engine import CLIENT_GROUPS
from portal.extensions import db
from portal.forms import (
    Form,
    SelectInput,
    SubmitInput,
    TextInput,
)
from portal.i18n.schema_text import Words
from portal.models import Account, CaseKind, CaseStatus, Role
from portal.practitioner import bp, load_case, worklist
from portal.practitioner import service as work
from portal.questionnaire import QuestionType, Voice
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
def claim(case_id: str) -> WerkzeugResponse:
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
def release(case_id: str) -> WerkzeugResponse:
    """Give a case back to the queue (its holder, or an approver or admin)."""
    found = _case(case_id)
    if ActionForm().validate_on_submit() and work.release(current_user, found):
        flash(gettext("The case is back in the queue."), "success")
    return redirect(url_for(".case", case_id=found.public_id), code=303)


@bp.route("/cases/<case_id>/reassign", methods=["POST"])
@roles_required(Role.APPROVER, Role.ADMIN)
def reassign(case_id: str) -> WerkzeugResponse:
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


QUESTION_TYPES = QuestionType  # re-exported for templates
