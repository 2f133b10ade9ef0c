"""Sending a case, and the person's other moves on it (taking it back, withdrawing it, answering a question).

One send serves the person's own (or their carer's) and an assessment taken on the phone.

The lifecycle (:mod:`portal.cases`) decides who may send and where the case goes: a person's case goes to the
queue; a phone assessment stays with the assessor who took it, who validates it next. Either way the answers are
kept as an immutable snapshot beside the estimate computed from them, the queue columns are written in the same
UPDATE that moves the case, and the receipt goes out in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from portal import budgets, cases, staff_notices, tool_service
from portal.cases import Move
from portal.extensions import db
from portal.mail import link_to, queue_email
from portal.models import (
    Account,
    Authority,
    Case,
    CaseMessage,
    CaseStatus,
    Person,
    PersonLink,
    Snapshot,
    Validation,
    utcnow,
)


class CaseMoved(RuntimeError):
    """The case changed status under us (for example an assessor claimed it first, or another tab sent it)."""


def send(account: Account, case: Case, *, urgent: bool = False) -> Snapshot:
    """Send the case: an immutable snapshot, the queue columns, the estimate, an audit event and a receipt.

    One conditional UPDATE (the lifecycle's) moves the case out of draft, so a double submit sends once.
    """
    tool = tool_service.of(case)
    tool_service.check_enabled(case, case.organisation)  # refuses a tool the organisation does not offer
    current = tool.schema
    answers = current.decode_answers(case.answers or {})
    risk = current.risk(answers)
    profile = current.to_profile(answers)
    urgent = urgent or risk.urgent
    link = db.session.scalar(select(PersonLink).filter_by(account_id=account.id, person_id=case.person_id))
    by_phone = link is None  # the assessor holding a draft taken on the phone
    duplicates = find_duplicates(case)
    try:
        cases.move(
            account,
            case,
            Move.SEND,
            values={
                "sent_at": utcnow(),
                "urgent": urgent,
                "risk_rank": 2 if urgent else (1 if risk.at_risk else 0),
                "client_group": str(profile["client_group"]) if "client_group" not in profile.missing else "",
                "self_funder": current.is_self_funder(answers),
                "person_name": case.person.name,
                "possible_duplicate": bool(duplicates),
                "tool_version": tool.version,
            },
            detail={"by_phone": True} if by_phone else {"authority": link.authority.value if link else ""},
        )
    except cases.Stale:
        raise CaseMoved("the case is no longer a draft") from None
    except cases.NotAllowed:
        if case.status != CaseStatus.DRAFT:
            raise CaseMoved("the case is no longer a draft") from None
        raise
    if duplicates:
        # The earlier case is marked too, so whichever an assessor opens first shows the other.
        db.session.execute(
            update(Case)
            .where(Case.id.in_([d.id for d in duplicates]))
            .values(possible_duplicate=True)
            .execution_options(synchronize_session=False)
        )
    snapshot = Snapshot(
        case_id=case.id,
        answers=dict(case.answers or {}),
        questionnaire_version=current.version,
        completed_by_id=account.id,
        authority=link.authority if link else Authority.CONSENT,
        urgent=urgent,
    )
    db.session.add(snapshot)
    db.session.flush()
    # The person's own estimate, kept whole with its versions, beside the snapshot it was computed from.
    stored = budgets.store(
        case,
        budgets.run(current, answers, case.organisation, tool=tool),
        purpose="self_assessment",
        snapshot=snapshot,
    )
    from portal.audit import record

    record(
        "case.snapshot",
        actor=account,
        case=case,
        detail={
            "snapshot_id": snapshot.id,
            "urgent": urgent,
            "risk_rules": list(risk.rule_ids),
            "complete": current.is_complete(answers),
            "estimate_id": stored.id,
            "estimate_weekly_pence": stored.total_weekly_pence,
        },
    )
    if by_phone:
        # The assessor took the answers with the person: they hold the case and validate it next.
        db.session.add(
            Validation(
                case_id=case.id,
                snapshot_id=snapshot.id,
                assessor_id=account.id,
                items={},
                practitioner_items={},
                path_taken="phone",
            )
        )
    else:
        assert link is not None
        queue_email(
            account.email,
            "case_sent",
            account.locale,
            name=account.name,
            person_name=case.person.name,
            reference=case.reference,
            organisation=case.organisation.name if case.organisation else "",
            status_link=link_to("selfassess.status", case_id=case.public_id),
            for_self=link.authority == Authority.SELF,
            urgent=urgent,
        )
    db.session.commit()
    return snapshot


def find_duplicates(case: Case) -> list[Case]:
    """Open cases of the same organisation for a person with the same name and date of birth.

    A person may be sent twice (by themselves and by a carer, each with their own person record): the queue
    marks both as possible duplicates for an assessor to look at, and merges nothing by itself.
    """
    if case.organisation_id is None or case.person.date_of_birth is None:
        return []
    return list(
        db.session.scalars(
            select(Case)
            .join(Person, Person.id == Case.person_id)
            .where(
                Case.id != case.id,
                Case.organisation_id == case.organisation_id,
                Case.status.in_(cases.OPEN),
                func.lower(Person.name) == case.person.name.lower(),
                Person.date_of_birth == case.person.date_of_birth,
            )
        )
    )


def take_back(account: Account, case: Case) -> bool:
    """Take a sent case back to change it; False if an assessor has claimed it in the meantime.

    The lifecycle's UPDATE only matches while the case is sent and nobody holds it, and a claim is the
    mirror-image UPDATE, so exactly one of the two can win.
    """
    try:
        cases.move(account, case, Move.TAKE_BACK, values={"urgent": False})
    except (cases.Stale, cases.NotAllowed):
        db.session.rollback()
        return False
    db.session.commit()
    return True


def withdraw(account: Account, case: Case, *, reason: str = "") -> None:
    """The person (or who acts for them) withdraws their case before a decision; it is final after that."""
    cases.move(account, case, Move.WITHDRAW, reason=reason)
    db.session.commit()


def answer_question(account: Account, case: Case, answer: str) -> CaseMessage:
    """The person (or who acts for them) answers the assessor's question; the case returns to its assessor."""
    cases.move(account, case, Move.ANSWER)
    message = CaseMessage(
        case_id=case.id, author_id=account.id, kind="answer", body=answer.strip(), lang=account.locale
    )
    db.session.add(message)
    staff_notices.tell_holder(case, staff_notices.Notice.ANSWERED)
    db.session.commit()
    return message
