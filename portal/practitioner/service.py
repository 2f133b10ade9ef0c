"""What staff do to cases, kept out of the views so tests can call it directly.

Every function takes the acting account and checks the organisation itself: a case of another organisation is
never found (the views answer 404). Every change to a case goes through the lifecycle's one door
(:func:`portal.cases.move`), which refuses what the actor may not do (:class:`NotAllowed`) and runs one
conditional UPDATE, so two people acting at once cannot both succeed (:class:`Conflict`); edits to a validation
also use its version column (optimistic locking). The rules that are not moves (full validation before a
budget, a reason for another figure, the approval level) are here, and refuse by themselves.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from portal import budgets, cases, phb, review_due, reviews, section117, staff_notices, tool_service
from portal.audit import record
from portal.case_record import (  # noqa: F401 (read by the staff views through this module too)
    OFFLINE_CHANNELS,
    AwaitingIcbDecision,
    current_validation,
    determination,
    eligible_areas,
    final_decision,
    find_case_for_staff,
    funded_areas,
    latest_snapshot,
    messages,
    own_estimate,
    pending_decision,
    person_answers,
    require_icb_decision,
    validated_answers,
)
from portal.cases import Move, NotAllowed
from portal.extensions import db
from portal.i18n.schema_text import Words
from portal.mail import link_to, queue_email
from portal.models import (
    Account,
    Approval,
    Authority,
    Case,
    CaseKind,
    CaseMessage,
    CaseStatus,
    Decision,
    Document,
    Person,
    PersonLink,
    Role,
    Snapshot,
    Validation,
    utcnow,
)
from portal.organisation_rules import OrganisationRules
from portal.questionnaire import Schema, Voice, load_schema, storable
from portal.tools import DEFAULT_TOOL

PAGE_SIZE = 25
Conflict = cases.Stale  # someone else changed the case or its validation first


def schema(case: Case | None = None) -> Schema:
    """The questionnaire of the case's tool (the adult self-assessment's without a case)."""
    if case is None:
        return load_schema()
    return tool_service.schema_of(case)


find_case = find_case_for_staff


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
    tool: str = ""  # a tool's key (decision 0015), or any


def queue_query(account: Account, wanted: QueueFilter) -> Select[tuple[Case]]:
    """The queue's cases for the account's organisation: at risk (urgent first), then oldest."""
    query = select(Case).where(Case.organisation_id == account.organisation_id)
    if wanted.status == "open":
        query = query.where(Case.status.in_(cases.OPEN))
    elif wanted.status in {s.value for s in CaseStatus} and wanted.status != CaseStatus.DRAFT.value:
        query = query.where(Case.status == CaseStatus(wanted.status))
    else:
        query = query.where(Case.status != CaseStatus.DRAFT)
    if wanted.client_group:
        query = query.where(Case.client_group == wanted.client_group)
    if wanted.tool:
        query = query.where(Case.tool_key == wanted.tool)
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

    The lifecycle's conditional UPDATE only matches while the case is sent and unheld, so of two assessors (or an
    assessor and the person taking it back) exactly one wins, on any database. The winner opens the validation,
    choosing full or lighter validation by the organisation's rule.
    """
    try:
        cases.move(assessor, case, Move.CLAIM)
    except (cases.Stale, NotAllowed):
        db.session.rollback()
        return False
    _open_validation(assessor, case, draw=draw)
    db.session.commit()
    return True


def _open_validation(assessor: Account, case: Case, *, draw: float | None = None) -> None:
    """The holder's validation of the latest snapshot, its path chosen by the organisation's rule."""
    snapshot = latest_snapshot(case)
    validation = current_validation(case)
    if validation is not None and validation.snapshot_id == snapshot.id:
        return
    own = own_estimate(case)
    rules = OrganisationRules.from_settings(case.organisation.settings if case.organisation else None)
    path = rules.validation.path(
        at_risk=case.risk_rank > 0,
        estimate_pence=own.total_weekly_pence if own else None,
        draw=random.random() if draw is None else draw,  # noqa: S311 - a sampling share, not a secret
    )
    db.session.add(
        Validation(
            case_id=case.id,
            snapshot_id=snapshot.id,
            assessor_id=assessor.id,
            items={},
            practitioner_items={},
            path_taken=path,
        )
    )
    db.session.flush()
    record("case.validation_path", actor=assessor, case=case, detail={"path": path})


def release(actor: Account, case: Case, *, reason: str = "") -> bool:
    """The holder gives a case back to the queue, or an approver or admin takes it from its holder."""
    try:
        cases.move(actor, case, Move.RELEASE, reason=reason)
    except cases.Stale:
        return False
    db.session.commit()
    return True


def reassign(actor: Account, case: Case, to: Account, *, reason: str = "") -> bool:
    """An approver or admin gives the case to another active assessor of its organisation."""
    if to.organisation_id != case.organisation_id or to.role != Role.ASSESSOR or not to.is_active:
        raise ValueError("a case can only be reassigned to an active assessor of its organisation")
    try:
        cases.move(actor, case, Move.REASSIGN, values={"holder_id": to.id}, reason=reason)
    except cases.Stale:
        return False
    if case.status == CaseStatus.CLAIMED:
        _open_validation(to, case)
    db.session.commit()
    return True


def close(actor: Account, case: Case, *, reason: str) -> None:
    """Staff close a case as withdrawn (a duplicate of another), with a reason the person reads."""
    cases.move(actor, case, Move.WITHDRAW, values={"closed_reason": reason.strip()}, reason=reason)
    db.session.commit()


def possible_duplicates(case: Case) -> list[Case]:
    """The other open cases of the organisation for a person of the same name and date of birth."""
    from portal.sending import find_duplicates

    return find_duplicates(case)


# -- history ----------------------------------------------------------------------------------------


# -- validation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationRow:
    """One question on the validated path and where its check stands.

    ``state`` is ``to_check`` (the person answered it, nobody has checked it), ``to_answer`` (an amendment
    brought it onto the path: the assessor answers it), or the action recorded: ``agree``, ``amend``, ``answer``.
    """

    id: str
    section: str
    state: str
    asked: bool  # the person was asked it and answered it (so there is an answer to agree with)
    item: dict[str, Any]


def validation_rows(case: Case, validation: Validation | None = None) -> list[ValidationRow]:
    """Every question on the validated path, in order, with its state: the one reading of what is left."""
    validation = validation or current_validation(case)
    items = (validation.items if validation else None) or {}
    current = schema(case)
    person = person_answers(case)
    rows = []
    for question_id in current.path(validated_answers(case, validation)):
        asked = current.is_answered(question_id, person) and current.is_on_path(question_id, person)
        item = items.get(question_id) or {}
        rows.append(
            ValidationRow(
                id=question_id,
                section=current.question(question_id).section,
                state=item["action"] if item else ("to_check" if asked else "to_answer"),
                asked=asked,
                item=dict(item),
            )
        )
    return rows


class UnchangedAmendment(ValueError):
    """An "amendment" that gives the person's own answer: it is an agreement, or a slip."""


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
    if action not in ("agree", "amend", "answer"):
        raise ValueError(f"unknown action {action!r}")
    if action == "amend" and not reason.strip():
        raise ValueError("an amendment needs a reason")
    if action == "amend" and storable(value) == storable(person_answers(case).get(question_id)):
        raise UnchangedAmendment("the amendment gives the person's own answer")
    cases.move(assessor, case, Move.VALIDATE)  # only the holder, only while claimed: a decided case is final
    validation = current_validation(case)
    if validation is None:
        raise Conflict("the case has no validation")
    if validation.version != expected_version:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else")
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


def agree_with_section(assessor: Account, case: Case, section_id: str, *, expected_version: int) -> list[str]:
    """Agree with every answer of a section the person gave that is not yet checked, in one step.

    Each answer is recorded on its own (one item and one audit event each, as if agreed one by one); answers
    already agreed, amended or answered, and questions the person was not asked, are left as they are. Returns
    the questions agreed. A page drawn before someone else changed the validation agrees with nothing.
    """
    cases.move(assessor, case, Move.VALIDATE)
    validation = current_validation(case)
    if validation is None or validation.version != expected_version:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else")
    agreed = [
        row.id
        for row in validation_rows(case, validation)
        if row.section == section_id and row.state == "to_check"
    ]
    if not agreed:
        return []
    items = dict(validation.items or {})
    at = utcnow().isoformat()
    for question_id in agreed:
        items[question_id] = {"action": "agree", "reason": "", "note": "", "by": assessor.id, "at": at}
    validation.items = items
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else") from None
    for question_id in agreed:
        record(
            "validation.answer",
            actor=assessor,
            case=case,
            detail={
                "question": question_id,
                "before": None,
                "after": items[question_id],
                "section": section_id,
            },
        )
    db.session.commit()
    return agreed


def save_practitioner_items(
    assessor: Account, case: Case, items: dict[str, Any], *, expected_version: int
) -> None:
    """The practitioner-only parts of the Needs Profile: risks, Section 117 items and the eligibility decision."""
    cases.move(assessor, case, Move.VALIDATE)  # only the holder, only while claimed: a decided case is final
    validation = current_validation(case)
    if validation is None or validation.version != expected_version:
        db.session.rollback()
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


def ask_person(assessor: Account, case: Case, question: str, channel: str = "online") -> CaseMessage:
    """Ask the person a question; the case waits for them.

    Online when someone with an account acts for the person (they are told by email and answer on their status
    page); otherwise by phone, letter or in person (``channel``), and the holder records the answer
    (:func:`record_offline_answer`). A channel that does not fit the person is refused before anything is written.
    """
    _check_channel(case, channel)
    cases.move(assessor, case, Move.ASK, detail={"question": question.strip(), "channel": channel})
    message = CaseMessage(
        case_id=case.id,
        author_id=assessor.id,
        kind="question",
        channel=channel,
        body=question.strip(),
        lang=assessor.locale,
    )
    db.session.add(message)
    _tell_people(case, "case_question", reference=case.reference)
    db.session.commit()
    return message


def record_offline_answer(holder: Account, case: Case, answer: str, channel: str) -> CaseMessage:
    """The holder records the answer a person without an account gave by phone, letter or in person.

    The lifecycle allows it only to the holder, only while the case waits for the person, and only when nobody
    with an account acts for them (who would answer for themselves).
    """
    if channel not in OFFLINE_CHANNELS:
        raise ValueError(f"an answer recorded by staff came by phone, letter or in person, not {channel!r}")
    if not answer.strip():
        raise ValueError("an answer is needed")
    cases.move(holder, case, Move.ANSWER, detail={"channel": channel})
    message = CaseMessage(
        case_id=case.id,
        author_id=holder.id,
        kind="answer",
        channel=channel,
        body=answer.strip(),
        lang=holder.locale,
    )
    db.session.add(message)
    db.session.commit()
    return message


def _check_channel(case: Case, channel: str) -> None:
    """Online for a person someone with an account acts for; phone, letter or in person for anyone else."""
    fits = channel == "online" if cases.reachable(case) else channel in OFFLINE_CHANNELS
    if not fits:
        raise ValueError(f"a question to this person cannot go {channel!r}")


def _tell_people(case: Case, template: str, **context: Any) -> None:
    """Email every account that acts for the case's person, each in their own language."""
    link = link_to("selfassess.status", case_id=case.public_id)
    accounts = db.session.execute(
        select(Account, PersonLink.authority)
        .join(PersonLink, PersonLink.account_id == Account.id)
        .where(PersonLink.person_id == case.person_id)
    )
    for account, authority in accounts:
        queue_email(
            account.email,
            template,
            account.locale,
            name=account.name,
            person_name=case.person.name,
            status_link=link,
            organisation=case.organisation.name if case.organisation else "",
            # Each reader's own choice of Easy Read, and whose voice: "you", or the person's name for a carer.
            easy_read=account.easy_read,
            voice=Voice.PERSON if authority == Authority.SELF else Voice.CARER,
            **context,
        )


# -- budgets and decisions --------------------------------------------------------------------------


def recalculate(case: Case) -> Any:
    """The engine on the validated answers, funding only the eligible areas once they are decided, with the
    funding split in force for the case today (portal.section117.split_for)."""
    return recalculate_funded(case)[0]


def recalculate_funded(case: Case) -> tuple[Any, section117.SplitBasis]:
    """:func:`recalculate`, and which funding split it used."""
    validation = current_validation(case)
    result = budgets.run(
        schema(case),
        validated_answers(case, validation),
        case.organisation,
        eligible=funded_areas(determination(case, validation)),
        tool=tool_service.of(case),
    )
    return section117.funded(case, result)


class IncompleteValidation(ValueError):
    """Full validation: some answers on the path are not yet checked (``left`` of them)."""

    def __init__(self, left: int) -> None:
        super().__init__(f"{left} answers are still to check")
        self.left = left


def still_to_check(case: Case, validation: Validation | None = None) -> list[str]:
    """Questions on the validated path that the assessor has not yet agreed with, amended or answered.

    The validation page's count and the budget's refusal both read this, so they never disagree: it includes the
    questions an amendment brought onto the path, which the assessor answers like any other.
    """
    return [row.id for row in validation_rows(case, validation) if not row.item]


def reasons_needed(case: Case, confirmed_pence: int | None, calculated_pence: int) -> bool:
    """Whether the budget needs reasons in words: a figure other than the calculated one does, and so does every
    decision on a request to look at a decision again (the person asked why)."""
    return confirmed_pence != calculated_pence or case.kind == CaseKind.RECONSIDERATION


def confirm_budget(
    assessor: Account,
    case: Case,
    *,
    confirmed_pence: int,
    reason: str,
    contribution_pence: int | None = None,
) -> Decision:
    """Confirm the calculated budget or another figure (which needs a reason); above the assessor's own level it
    goes to the next level for approval.

    Refuses by itself: only the holder of a claimed case (the lifecycle), every answer checked first on full
    validation, a reason for a figure other than the calculated one.
    """
    if not cases.can(assessor, case, Move.CONFIRM):
        raise NotAllowed("only the assessor holding the case can confirm its budget")
    if contribution_pence is not None and section117.free_to_person(case):
        raise ValueError(
            "this care is free to the person (Section 117 aftercare or NHS care): no contribution"
        )
    reviews.require_recorded(case)
    require_icb_decision(case)
    validation = current_validation(case)
    if validation is not None and validation.path_taken == "full":
        left = still_to_check(case, validation)
        if left:
            raise IncompleteValidation(len(left))
    result, basis = recalculate_funded(case)
    if reasons_needed(case, confirmed_pence, result.total_weekly_pence) and not reason.strip():
        raise ValueError(
            "a figure different from the calculated one, or a decision looked at again, needs reasons"
        )
    rules = OrganisationRules.from_settings(case.organisation.settings if case.organisation else None)
    required = rules.required_level(confirmed_pence, result.total_weekly_pence)
    # A personal health budget under way is decided only after its final budget is signed off (portal.phb).
    within = (assessor.approval_level or 0) >= required and not phb.awaits_final_budget(case)
    stored = budgets.store(case, result, purpose="validated", split_basis=basis.to_dict())
    detail = {
        "split": basis.to_dict(),
        "calculated_pence": result.total_weekly_pence,
        "confirmed_pence": confirmed_pence,
        "required_level": required,
        "estimate_id": stored.id,
        "config_label": result.config_label,
    }
    cases.move(assessor, case, Move.DECIDE if within else Move.CONFIRM, reason=reason, detail=detail)
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
    db.session.flush()
    if within:
        _decided(case, decision)
    else:
        staff_notices.tell_signatories(case)
    db.session.commit()
    return decision


def decide_not_eligible(assessor: Account, case: Case, *, reason: str) -> Decision:
    """Decide that no needs are eligible: a decision without a budget, with the reasons the person reads."""
    reviews.require_recorded(case)
    validation = current_validation(case)
    eligible = eligible_areas(determination(case, validation))
    if eligible is None or eligible:
        raise ValueError("record an eligibility determination with no eligible needs first")
    if not reason.strip():
        raise ValueError("a decision that no needs are eligible needs its reasons")
    result, basis = recalculate_funded(case)
    stored = budgets.store(case, result, purpose="validated", split_basis=basis.to_dict())
    cases.move(
        assessor, case, Move.DECIDE, reason=reason, detail={"eligible": False, "estimate_id": stored.id}
    )
    decision = Decision(
        case_id=case.id,
        estimate_id=stored.id,
        confirmed_weekly_pence=None,
        reason=reason.strip(),
        reason_lang=assessor.locale,
        decided_by_id=assessor.id,
        required_level=assessor.approval_level or 2,
        outcome="approved",
    )
    db.session.add(decision)
    db.session.flush()
    _decided(case, decision)
    db.session.commit()
    return decision


def approve(approver: Account, case: Case, *, approved: bool, reason: str = "") -> Decision:
    """A signatory signs off a budget above the assessor's level, or returns it with a reason.

    The lifecycle refuses anyone else: an assessor, a level too low, or the person who confirmed it.
    """
    decision = pending_decision(case)
    if decision is None:
        raise Conflict("there is nothing to approve")
    if not approved and not reason.strip():
        raise ValueError("returning a budget needs a reason")
    if approved:
        phb.require_final_budget(case)
    cases.move(
        approver,
        case,
        Move.APPROVE if approved else Move.RETURN,
        reason=reason,
        detail={"decision_id": decision.id, "level": approver.approval_level},
    )
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
    if approved:
        _decided(case, decision)
    else:
        staff_notices.tell_holder(case, staff_notices.Notice.RETURNED)
    db.session.commit()
    return decision


def _decided(case: Case, decision: Decision) -> None:
    """Tell the person, and queue their decision letter, in the same transaction as the decision; and keep the
    review it brings (portal.review_due) for the count of reviews due."""
    from portal.asking_again import record_outcome
    from portal.jobs import enqueue
    from portal.letters import changed_answers

    review_due.store_next_review(case)
    outcome = record_outcome(case, decision)  # a decision looked at again: upheld or changed
    changed = bool(changed_answers(case, current_validation(case), Words(name=case.person.name)))
    _tell_people(
        case,
        "reconsideration_decided" if outcome else "case_decided",
        reference=case.reference,
        weekly_pence=decision.confirmed_weekly_pence,
        changed=changed,
        outcome=outcome,
        aftercare=section117.is_aftercare(case),
        icb_decision=tool_service.of(case).eligibility_test == "icb_decision",
    )
    accounts = list(
        db.session.scalars(
            select(Account)
            .join(PersonLink, PersonLink.account_id == Account.id)
            .where(PersonLink.person_id == case.person_id)
        )
    )
    for lang in sorted({account.locale for account in accounts} or {"en"}):
        # One letter a language; it opens in Easy Read when anyone who reads it in that language chose Easy Read.
        easy_read = any(account.easy_read for account in accounts if account.locale == lang)
        enqueue("decision_letter", {"decision_id": decision.id, "lang": lang, "easy_read": easy_read})


def decision_letters(case: Case) -> list[Document]:
    """The decision letters kept with the case, newest first (one per language)."""
    return list(
        db.session.scalars(
            select(Document).filter_by(case_id=case.id, kind="decision_letter").order_by(Document.id.desc())
        )
    )


def decision_letter(case: Case, public_id: str) -> Document | None:
    """One decision letter of this case (the case itself already found inside the member of staff's organisation)."""
    if not re.fullmatch(r"[0-9a-f]{32}", public_id or ""):
        return None
    return db.session.scalar(
        select(Document).filter_by(case_id=case.id, kind="decision_letter", public_id=public_id)
    )


# -- an assessment taken on the phone ---------------------------------------------------------------


def start_phone_assessment(
    assessor: Account,
    *,
    name: str,
    date_of_birth: Any,
    postcode: str,
    nhs_number: str,
    address: Mapping[str, str] | None = None,
    tool_key: str = DEFAULT_TOOL,
) -> Case:
    """A draft case an assessor completes for a person on the phone (or with them in person); the assessor holds
    it from the start.

    ``address`` is the postal address before the postcode (``address_line_1``, ``address_line_2``, ``town``):
    without an account, the person's letters go by post. ``tool_key``: the tool completed with the person (the
    adult self-assessment by default); ``tool_service.ToolRefused`` unless the assessor's organisation offers it
    and a practitioner completes it (decision 0015), before anything is written.
    """
    tool = tool_service.check_start_with_person(tool_key, assessor.organisation)
    person = Person(
        name=name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        nhs_number=nhs_number,
        created_by_id=assessor.id,
        **{key: (address or {}).get(key, "") for key in ("address_line_1", "address_line_2", "town")},
    )
    db.session.add(person)
    db.session.flush()
    case = Case(
        person_id=person.id,
        created_by_id=assessor.id,
        organisation_id=assessor.organisation_id,
        holder_id=assessor.id,
        answers={},
        questionnaire_version=tool.schema.version,
        tool_key=tool.key,
        tool_version=tool.version,
        person_name=name,
    )
    db.session.add(case)
    db.session.flush()
    record("case.started_by_phone", actor=assessor, case=case, detail={"tool": tool.key})
    db.session.commit()
    return case


ADDRESS_KEYS = ("address_line_1", "address_line_2", "town")


def record_address(holder: Account, case: Case, address: Mapping[str, str]) -> None:
    """The member of staff holding the case records or corrects the person's postal address, for letters.

    Refused (:class:`NotAllowed`) to anyone else, and once the case is decided; an address is whole (a street and
    a town) or empty. Audited with the address before and after.
    """
    if not cases.can(holder, case, Move.VALIDATE):
        raise NotAllowed("only the member of staff holding the case records the person's address")
    lines = {key: (address.get(key) or "").strip() for key in ADDRESS_KEYS}
    if bool(lines["address_line_1"]) != bool(lines["town"]) or (
        lines["address_line_2"] and not lines["town"]
    ):
        raise ValueError("an address needs its building and street and its town, or nothing")
    person = case.person
    before = person.postal_address()
    for key, value in lines.items():
        setattr(person, key, value)
    record(
        "person.address_recorded",
        actor=holder,
        case=case,
        detail={"before": before, "after": person.postal_address()},
    )
    db.session.commit()


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
    """Send the phone assessment: the same send as the person's, and the case stays with the assessor."""
    from portal.sending import send

    return send(assessor, case)
