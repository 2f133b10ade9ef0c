"""Budgets and decisions: the engine on the validated answers, confirming a budget (or another figure, with
reasons), deciding that no needs are eligible, a signatory's approval or return, and what a decision sets off
(the person told, their letters queued, the next review kept).

The rules that are not moves refuse by themselves: full validation before a budget, reasons for another figure
or a decision looked at again, the approval level, a personal health budget's final budget, no contribution for
care free to the person.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from portal import budgets, cases, phb, review_due, reviews, section117, staff_notices, tool_service
from portal.case_record import (
    current_validation,
    determination,
    eligible_areas,
    funded_areas,
    pending_decision,
    require_icb_decision,
    validated_answers,
)
from portal.cases import Move, NotAllowed
from portal.extensions import db
from portal.i18n.schema_text import Words
from portal.models import Account, Approval, Case, CaseKind, Decision, Document, PersonLink
from portal.organisation_rules import OrganisationRules
from portal.practitioner.questions_service import tell_people
from portal.practitioner.validation_service import Conflict, schema, still_to_check


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

    The lifecycle refuses anyone else (an assessor, a level too low, the person who confirmed it) and a return
    without a reason.
    """
    decision = pending_decision(case)
    if decision is None:
        raise Conflict("there is nothing to approve")
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
    tell_people(
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
