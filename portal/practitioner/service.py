"""What staff do to cases, kept out of the views so tests can call it directly.

Every function takes the acting account and checks the organisation itself: a case of another organisation is
never found (the views answer 404). Moves between statuses are single conditional UPDATEs, so two people acting
at once cannot both succeed; edits to a validation use its version column (optimistic locking).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm.exc import StaleDataError

from portal import budgets
from portal.audit import record
from portal.case_record import (  # noqa: F401 (read by the staff views through this module too)
    current_validation,
    eligible_areas,
    final_decision,
    latest_snapshot,
    messages,
    own_estimate,
    pending_decision,
    person_answers,
    validated_answers,
)
from portal.extensions import db
from portal.mail import link_to, queue_email
from portal.models import (
    Account,
    Approval,
    Case,
    CaseMessage,
    CaseStatus,
    Decision,
    Person,
    PersonLink,
    Role,
    Snapshot,
    Validation,
    utcnow,
)
from portal.organisation_rules import OrganisationRules
from portal.questionnaire import Schema, load_schema, storable

PAGE_SIZE = 25
OPEN = (CaseStatus.SENT, CaseStatus.CLAIMED, CaseStatus.WAITING_FOR_PERSON, CaseStatus.WAITING_FOR_APPROVAL)


def schema() -> Schema:
    """The questionnaire."""
    return load_schema()


def find_case(account: Account, public_id: str) -> Case | None:
    """A case of the account's organisation that has been sent at least once; None otherwise."""
    if not re.fullmatch(r"[0-9a-f]{32}", public_id or "") or account.organisation_id is None:
        return None
    return db.session.scalar(
        select(Case).where(
            Case.public_id == public_id,
            Case.organisation_id == account.organisation_id,
            Case.status != CaseStatus.DRAFT,
        )
    )


# -- the queue --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: every filter reads a column written when the case was sent."""

    status: str = "open"
    client_group: str = ""
    holder: str = "any"  # any, me, unassigned
    waiting: str = "any"  # any, 7, 28 (days or more since sent)
    search: str = ""
    page: int = 1


def queue_query(account: Account, wanted: QueueFilter) -> Select[tuple[Case]]:
    """The queue's cases for the account's organisation: at risk (urgent first), then oldest."""
    query = select(Case).where(Case.organisation_id == account.organisation_id)
    if wanted.status == "open":
        query = query.where(Case.status.in_(OPEN))
    elif wanted.status in {s.value for s in CaseStatus} and wanted.status != CaseStatus.DRAFT.value:
        query = query.where(Case.status == CaseStatus(wanted.status))
    else:
        query = query.where(Case.status != CaseStatus.DRAFT)
    if wanted.client_group:
        query = query.where(Case.client_group == wanted.client_group)
    if wanted.holder == "me":
        query = query.where(Case.holder_id == account.id)
    elif wanted.holder == "unassigned":
        query = query.where(Case.holder_id.is_(None))
    if wanted.waiting in ("7", "28"):
        query = query.where(Case.sent_at <= utcnow() - timedelta(days=int(wanted.waiting)))
    term = wanted.search.strip()
    if term:
        born = _date_of_birth(term)
        if born is not None:
            query = query.where(Case.person_id.in_(select(Person.id).where(Person.date_of_birth == born)))
        else:
            like = f"%{term.lower()}%"
            query = query.where(or_(Case.reference == term.upper(), func.lower(Case.person_name).like(like)))
    return query.order_by(Case.risk_rank.desc(), Case.sent_at.asc(), Case.id.asc())


def _date_of_birth(term: str) -> Any:
    """A date typed as 14/2/1948, 14-02-1948 or 1948-02-14; None if it is not one."""
    from datetime import date

    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", term)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", term):
            return date.fromisoformat(term)
    except ValueError:
        return None
    return None


def queue_page(account: Account, wanted: QueueFilter) -> tuple[list[Case], int]:
    """One page of the queue and the number of matching cases."""
    query = queue_query(account, wanted)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = max(1, wanted.page)
    cases = list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return cases, total


# -- claiming ---------------------------------------------------------------------------------------


def claim(assessor: Account, case: Case, *, draw: float | None = None) -> bool:
    """Take a sent case to work on; False if someone else got it first or the person took it back.

    One conditional UPDATE: it only matches while the case is sent, unheld and in the assessor's organisation,
    so of two assessors (or an assessor and the person taking it back) exactly one wins, on any database. The
    winner opens the validation, choosing full or lighter validation by the organisation's rule.
    """
    claimed = db.session.execute(
        update(Case)
        .where(
            Case.id == case.id,
            Case.status == CaseStatus.SENT,
            Case.holder_id.is_(None),
            Case.organisation_id == assessor.organisation_id,
        )
        .values(status=CaseStatus.CLAIMED, holder_id=assessor.id, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    db.session.refresh(case)
    snapshot = latest_snapshot(case)
    validation = current_validation(case)
    if validation is None or validation.snapshot_id != snapshot.id:
        own = own_estimate(case)
        rules = OrganisationRules.from_settings(case.organisation.settings if case.organisation else None)
        path = rules.validation.path(
            at_risk=case.risk_rank > 0,
            estimate_pence=own.total_weekly_pence if own else None,
            draw=random.random() if draw is None else draw,  # noqa: S311 - a sampling share, not a secret
        )
        validation = Validation(
            case_id=case.id,
            snapshot_id=snapshot.id,
            assessor_id=assessor.id,
            items={},
            practitioner_items={},
            path_taken=path,
        )
        db.session.add(validation)
        db.session.flush()
        record("case.validation_path", actor=assessor, case=case, detail={"path": path})
    record("case.claimed", actor=assessor, case=case)
    db.session.commit()
    return True


def release(actor: Account, case: Case, *, to: Account | None = None, reason: str = "") -> bool:
    """The holder gives a case back to the queue, or an approver or admin reassigns it to another assessor."""
    if to is not None and (
        to.organisation_id != case.organisation_id or to.role != Role.ASSESSOR or not to.is_active
    ):
        raise ValueError("a case can only be reassigned to an active assessor of its organisation")
    values: dict[str, Any] = {"holder_id": to.id if to else None, "version": Case.version + 1}
    if to is None:
        values["status"] = CaseStatus.SENT
    moved = db.session.execute(
        update(Case)
        .where(
            Case.id == case.id,
            Case.status.in_((CaseStatus.CLAIMED, CaseStatus.WAITING_FOR_PERSON)),
            Case.holder_id == case.holder_id,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        return False
    record(
        "case.reassigned" if to else "case.released",
        actor=actor,
        case=case,
        detail={"from": case.holder_id, "to": to.id if to else None},
        reason=reason,
    )
    db.session.commit()
    db.session.refresh(case)
    return True


# -- history ----------------------------------------------------------------------------------------


# -- validation -------------------------------------------------------------------------------------


class Conflict(RuntimeError):
    """Someone else changed the validation since this person opened it."""


def validate_answer(
    assessor: Account,
    case: Case,
    question_id: str,
    *,
    action: str,
    value: Any = None,
    reason: str = "",
    note: str = "",
    expected_version: int,
) -> Validation:
    """Record agree / amend (with a reason) / answer (a question the amendments brought onto the path).

    ``expected_version`` is the validation version the assessor's page showed; if it has moved on, nothing is
    saved and :class:`Conflict` is raised, so nobody's work is silently overwritten.
    """
    validation = current_validation(case)
    if validation is None:
        raise Conflict("the case has no validation")
    if validation.version != expected_version:
        raise Conflict("the validation was changed by someone else")
    if action not in ("agree", "amend", "answer"):
        raise ValueError(f"unknown action {action!r}")
    if action == "amend" and not reason.strip():
        raise ValueError("an amendment needs a reason")
    before = (validation.items or {}).get(question_id)
    item = {
        "action": action,
        "reason": reason.strip(),
        "note": note.strip(),
        "by": assessor.id,
        "at": utcnow().isoformat(),
    }
    if action in ("amend", "answer"):
        item["value"] = storable(value)
    items = dict(validation.items or {})
    items[question_id] = item
    validation.items = items
    try:
        db.session.flush()  # the version_id_col makes this an UPDATE … WHERE version = expected
    except StaleDataError:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else") from None
    record(
        "validation.answer",
        actor=assessor,
        case=case,
        reason=reason.strip(),
        detail={"question": question_id, "before": before, "after": item},
    )
    db.session.commit()
    return validation


def save_practitioner_items(
    assessor: Account, case: Case, items: dict[str, Any], *, expected_version: int
) -> None:
    """The practitioner-only parts of the Needs Profile: risks, Section 117 items and the eligibility decision."""
    validation = current_validation(case)
    if validation is None or validation.version != expected_version:
        raise Conflict("the validation was changed by someone else")
    before = dict(validation.practitioner_items or {})
    validation.practitioner_items = items
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else") from None
    record("validation.needs_profile", actor=assessor, case=case, detail={"before": before, "after": items})
    db.session.commit()


# -- questions to the person -------------------------------------------------------------------------


def ask_person(assessor: Account, case: Case, question: str) -> CaseMessage:
    """Ask the person a question; the case waits for them, and they are told by email."""
    moved = db.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.status == CaseStatus.CLAIMED, Case.holder_id == assessor.id)
        .values(status=CaseStatus.WAITING_FOR_PERSON, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict("only the assessor holding the case can ask a question")
    message = CaseMessage(
        case_id=case.id, author_id=assessor.id, kind="question", body=question.strip(), lang=assessor.locale
    )
    db.session.add(message)
    record("case.question_asked", actor=assessor, case=case, detail={"question": question.strip()})
    _tell_people(case, "case_question", reference=case.reference)
    db.session.commit()
    db.session.refresh(case)
    return message


def _tell_people(case: Case, template: str, **context: Any) -> None:
    """Email every account that acts for the case's person, each in their own language."""
    link = link_to("selfassess.status", case_id=case.public_id)
    accounts = db.session.scalars(
        select(Account)
        .join(PersonLink, PersonLink.account_id == Account.id)
        .where(PersonLink.person_id == case.person_id)
    )
    for account in accounts:
        queue_email(
            account.email,
            template,
            account.locale,
            name=account.name,
            person_name=case.person.name,
            status_link=link,
            organisation=case.organisation.name if case.organisation else "",
            **context,
        )


# -- budgets and decisions --------------------------------------------------------------------------


def recalculate(case: Case) -> Any:
    """The engine on the validated answers, funding only the eligible areas once they are decided."""
    validation = current_validation(case)
    eligible = eligible_areas((validation.practitioner_items or {}) if validation else {})
    extra = ["night", "carer_breaks"] if eligible else []
    return budgets.run(
        schema(),
        validated_answers(case, validation),
        case.organisation,
        eligible=None if eligible is None else [*eligible, *extra],
    )


def confirm_budget(
    assessor: Account, case: Case, *, confirmed_pence: int, reason: str, contribution_pence: int | None = None
) -> Decision:
    """Confirm the calculated budget or another figure (which needs a reason); above the assessor's limit it goes
    to the next level for approval."""
    result = recalculate(case)
    if confirmed_pence != result.total_weekly_pence and not reason.strip():
        raise ValueError("a figure different from the calculated one needs a reason")
    rules = OrganisationRules.from_settings(case.organisation.settings if case.organisation else None)
    required = rules.required_level(confirmed_pence, result.total_weekly_pence)
    within = (assessor.approval_level or 0) >= required
    target = CaseStatus.DECIDED if within else CaseStatus.WAITING_FOR_APPROVAL
    moved = db.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.status == CaseStatus.CLAIMED, Case.holder_id == assessor.id)
        .values(status=target, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict("only the assessor holding the case can confirm its budget")
    stored = budgets.store(case, result, purpose="validated")
    decision = Decision(
        case_id=case.id,
        estimate_id=stored.id,
        confirmed_weekly_pence=confirmed_pence,
        reason=reason.strip(),
        reason_lang=assessor.locale,
        decided_by_id=assessor.id,
        required_level=required,
        contribution_pence=contribution_pence,
        outcome="approved" if within else "pending",
    )
    db.session.add(decision)
    db.session.flush()
    db.session.add(
        Approval(
            decision_id=decision.id,
            level=assessor.approval_level or 2,
            account_id=assessor.id,
            outcome="confirmed",
            reason=reason.strip(),
        )
    )
    record(
        "case.budget_confirmed",
        actor=assessor,
        case=case,
        reason=reason.strip(),
        detail={
            "calculated_pence": result.total_weekly_pence,
            "confirmed_pence": confirmed_pence,
            "required_level": required,
            "estimate_id": stored.id,
            "config_label": result.config_label,
        },
    )
    if within:
        _decided(case, decision)
    db.session.commit()
    db.session.refresh(case)
    return decision


def approve(approver: Account, case: Case, *, approved: bool, reason: str = "") -> Decision:
    """An approver signs off a budget above the assessor's limit, or returns it with a reason."""
    decision = pending_decision(case)
    if decision is None:
        raise Conflict("there is nothing to approve")
    if (approver.approval_level or 0) < decision.required_level:
        raise PermissionError("this budget needs a higher level of sign-off")
    if approver.id == decision.decided_by_id:
        raise PermissionError("nobody approves their own budget")
    if not approved and not reason.strip():
        raise ValueError("returning a budget needs a reason")
    moved = db.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.status == CaseStatus.WAITING_FOR_APPROVAL)
        .values(status=CaseStatus.DECIDED if approved else CaseStatus.CLAIMED, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict("the case is no longer waiting for approval")
    decision.outcome = "approved" if approved else "returned"
    db.session.add(
        Approval(
            decision_id=decision.id,
            level=approver.approval_level or 2,
            account_id=approver.id,
            outcome="approved" if approved else "returned",
            reason=reason.strip(),
        )
    )
    record(
        "case.budget_approved" if approved else "case.budget_returned",
        actor=approver,
        case=case,
        reason=reason.strip(),
        detail={"decision_id": decision.id, "level": approver.approval_level},
    )
    if approved:
        _decided(case, decision)
    db.session.commit()
    db.session.refresh(case)
    return decision


def _decided(case: Case, decision: Decision) -> None:
    """Tell the person, and queue their decision letter, in the same transaction as the decision."""
    from portal.jobs import enqueue

    _tell_people(case, "case_decided", reference=case.reference, weekly_pence=decision.confirmed_weekly_pence)
    accounts = db.session.scalars(
        select(Account)
        .join(PersonLink, PersonLink.account_id == Account.id)
        .where(PersonLink.person_id == case.person_id)
    )
    for lang in sorted({account.locale for account in accounts} or {"en"}):
        enqueue("decision_letter", {"decision_id": decision.id, "lang": lang})


# -- an assessment taken on the phone ---------------------------------------------------------------


def start_phone_assessment(
    assessor: Account, *, name: str, date_of_birth: Any, postcode: str, nhs_number: str
) -> Case:
    """A draft case an assessor completes for a person on the phone; the assessor holds it from the start."""
    person = Person(
        name=name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        nhs_number=nhs_number,
        created_by_id=assessor.id,
    )
    db.session.add(person)
    db.session.flush()
    case = Case(
        person_id=person.id,
        created_by_id=assessor.id,
        organisation_id=assessor.organisation_id,
        holder_id=assessor.id,
        answers={},
        questionnaire_version=schema().version,
        person_name=name,
    )
    db.session.add(case)
    db.session.flush()
    record("case.started_by_phone", actor=assessor, case=case)
    db.session.commit()
    return case


def find_phone_draft(assessor: Account, public_id: str) -> Case | None:
    """A draft this assessor is completing on the phone (nobody else's)."""
    if not re.fullmatch(r"[0-9a-f]{32}", public_id or ""):
        return None
    return db.session.scalar(
        select(Case).where(
            Case.public_id == public_id,
            Case.status == CaseStatus.DRAFT,
            Case.created_by_id == assessor.id,
            Case.holder_id == assessor.id,
            Case.organisation_id == assessor.organisation_id,
        )
    )


def finish_phone_assessment(assessor: Account, case: Case) -> Snapshot:
    """Send the phone assessment: a snapshot, the person's estimate, and the case held by the assessor to validate."""
    from portal.models import Authority

    current = schema()
    answers = current.decode_answers(case.answers or {})
    risk = current.risk(answers)
    profile = current.to_profile(answers)
    moved = db.session.execute(
        update(Case)
        .where(Case.id == case.id, Case.status == CaseStatus.DRAFT, Case.holder_id == assessor.id)
        .values(
            status=CaseStatus.CLAIMED,
            sent_at=utcnow(),
            urgent=risk.urgent,
            risk_rank=2 if risk.urgent else (1 if risk.at_risk else 0),
            client_group=str(profile["client_group"]) if "client_group" not in profile.missing else "",
            self_funder=current.is_self_funder(answers),
            version=Case.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise Conflict("the phone assessment has already been finished")
    snapshot = Snapshot(
        case_id=case.id,
        answers=dict(case.answers or {}),
        questionnaire_version=current.version,
        completed_by_id=assessor.id,
        authority=Authority.CONSENT,
        urgent=risk.urgent,
    )
    db.session.add(snapshot)
    db.session.flush()
    db.session.refresh(case)
    stored = budgets.store(
        case, budgets.run(current, answers, case.organisation), purpose="self_assessment", snapshot=snapshot
    )
    db.session.add(
        Validation(
            case_id=case.id,
            snapshot_id=snapshot.id,
            assessor_id=assessor.id,
            items={},
            practitioner_items={},
            path_taken="phone",
        )
    )  # the assessor took the answers
    record(
        "case.sent",
        actor=assessor,
        case=case,
        detail={
            "snapshot_id": snapshot.id,
            "by_phone": True,
            "estimate_id": stored.id,
            "risk_rules": list(risk.rule_ids),
        },
    )
    db.session.commit()
    return snapshot
