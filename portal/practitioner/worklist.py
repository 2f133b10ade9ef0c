"""What needs a member of staff: budgets they can sign off, budgets returned to them, answers from the person,
cases they hold; and a returned budget's reason and figures, so the holder starts from them.

The lifecycle decides who may do what (:func:`portal.cases.can`); this module only gathers the cases where the
answer is yes, so nobody is offered a budget they cannot approve.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal import cases
from portal.cases import Move
from portal.extensions import db
from portal.models import Account, Approval, Case, CaseMessage, CaseStatus, Decision


def approvals_for(account: Account) -> list[tuple[Case, Decision]]:
    """Budgets waiting for sign-off that this account may approve now (the lifecycle's own answer)."""
    if account.organisation_id is None:
        return []
    rows = db.session.execute(
        select(Case, Decision)
        .join(Decision, Decision.case_id == Case.id)
        .where(
            Case.organisation_id == account.organisation_id,
            Case.status == CaseStatus.WAITING_FOR_APPROVAL,
            Decision.outcome == "pending",
            Decision.required_level <= (account.approval_level or 0),
        )
        .order_by(Case.risk_rank.desc(), Decision.created_at)
    ).all()
    return [(case, decision) for case, decision in rows if cases.can(account, case, Move.APPROVE)]


@dataclass(frozen=True)
class Returned:
    """A budget an approver sent back: the figure and reasons given, and the approver's reason."""

    decision: Decision
    approval: Approval
    approver: Account | None


def returned_budget(case: Case) -> Returned | None:
    """The latest budget returned to the holder, while the case is back with them and nothing newer was confirmed."""
    if case.status != CaseStatus.CLAIMED:
        return None
    latest = db.session.scalar(
        select(Decision).filter_by(case_id=case.id).order_by(Decision.id.desc()).limit(1)
    )
    if latest is None or latest.outcome != "returned":
        return None
    approval = db.session.scalar(
        select(Approval)
        .filter_by(decision_id=latest.id, outcome="returned")
        .order_by(Approval.id.desc())
        .limit(1)
    )
    if approval is None:
        return None
    return Returned(latest, approval, db.session.get(Account, approval.account_id))


def _answered(case: Case) -> bool:
    """The person's answer is the latest message on the case."""
    last = db.session.scalar(
        select(CaseMessage).filter_by(case_id=case.id).order_by(CaseMessage.id.desc()).limit(1)
    )
    return last is not None and last.kind == "answer"


@dataclass(frozen=True)
class NeedsMe:
    """Counts for the staff home page, each with the cases behind it."""

    to_approve: list[Case]
    returned: list[Case]
    answered: list[Case]
    held: list[Case]


def needs_me(account: Account) -> NeedsMe:
    """What is waiting for this member of staff now."""
    to_approve = [case for case, _ in approvals_for(account)]
    held = list(
        db.session.scalars(
            select(Case)
            .where(
                Case.organisation_id == account.organisation_id,
                Case.holder_id == account.id,
                Case.status.in_(cases.HELD),
            )
            .order_by(Case.risk_rank.desc(), Case.sent_at)
        )
    )
    return NeedsMe(
        to_approve=to_approve,
        returned=[case for case in held if returned_budget(case) is not None],
        answered=[case for case in held if case.status == CaseStatus.CLAIMED and _answered(case)],
        held=held,
    )


def set_staff_emails(account: Account, on: bool) -> None:
    """A member of staff turns their "something needs you" emails on or off (recorded in the audit trail)."""
    from portal.audit import record

    if account.staff_emails == on:
        return
    account.staff_emails = on
    record("account.staff_emails", actor=account, detail={"on": on})
    db.session.commit()
