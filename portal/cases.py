"""The case lifecycle: the one door every change to a case goes through (docs/decisions/0001-data-model.md).

A case changes only by a named :class:`Move`. :func:`move` works out the actor's relations to the case (the
person, a carer on recorded authority, the member of staff holding it, an assessor or manager of its
organisation, a signatory whose level covers the budget waiting for sign-off), looks the move up in
:data:`TRANSITIONS`, and runs one conditional UPDATE built from the same row of the table, so a move that was
allowed when the page was drawn but is not any more (someone claimed the case first, the budget was approved in
another tab) changes nothing. Services call :func:`move` and refuse by themselves; views and templates only ask
:func:`allowed_moves` what to offer.

"Open" and "final" are defined here and nowhere else. A final case never changes again: a correction, a
reconsideration or a review is a new case linked to it (:func:`start_linked_case`), whose decision becomes the
budget in force (:func:`decision_in_force`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask import g, has_request_context
from sqlalchemy import ColumnElement, CursorResult, exists, select, true, update

from portal.audit import record
from portal.case_record import current_validation, latest_snapshot_or_none, pending_decision
from portal.extensions import db
from portal.models import (
    Account,
    Approval,
    Authority,
    Case,
    CaseKind,
    Decision,
    PersonLink,
    Role,
    Snapshot,
    Validation,
    utcnow,
)
from portal.models import CaseStatus as S


class Move(StrEnum):
    """Every way a case can change."""

    CHANGE = "change"  # answer questions on a draft
    SEND = "send"  # the person sends it; or the assessor finishes an assessment taken on the phone
    TAKE_BACK = "take_back"  # the person takes a sent case back to change it, while nobody holds it
    WITHDRAW = "withdraw"  # the person withdraws it; or staff close it (a duplicate), with a reason
    CLAIM = "claim"
    RELEASE = "release"
    REASSIGN = "reassign"
    ASK = "ask"  # the holder asks the person a question (online, or by phone, letter or in person)
    ANSWER = "answer"  # the person answers it online; or the holder records an answer given offline
    VALIDATE = "validate"  # the holder checks answers and writes the Needs Profile
    CONFIRM = "confirm"  # the holder confirms a budget above their own level: it goes for approval
    DECIDE = "decide"  # the holder decides within their own level (or that no needs are eligible)
    APPROVE = "approve"
    RETURN = "return"  # a signatory returns the budget to the holder, with a reason


class Relation(StrEnum):
    """Who the acting account is to the case."""

    PERSON = "person"  # the person themselves
    CARER = "carer"  # acts for the person on recorded authority (consent, attorney or deputy, best interests)
    HOLDER = "holder"  # the member of staff holding the case
    ASSESSOR = "assessor"  # an active assessor of the case's organisation
    MANAGER = "manager"  # an active approver or admin of the case's organisation
    SIGNATORY = (
        "signatory"  # a manager whose level covers the budget waiting for sign-off, who did not confirm it
    )


class Condition(StrEnum):
    """What else a move needs, beyond the status and the actor's relation."""

    UNHELD = "unheld"  # nobody holds the case (claim, take back)
    REASON = "reason"  # a reason in words is required
    REACHABLE = "reachable"  # the person has an account that can read and answer a question
    OFFLINE = (
        "offline"  # nobody with an account acts for the person: questions go by phone, letter or in person
    )
    # A reconsideration: whoever takes it (claims it, is given it, or signs it off) neither confirmed nor
    # approved the decision it asks about. Vacuous for every other kind of case.
    INDEPENDENT = "independent"


@dataclass(frozen=True)
class Transition:
    """One row of the table: a move from a status to a status, who may make it, and what else it needs."""

    move: Move
    source: S
    target: S
    actors: frozenset[Relation]
    conditions: frozenset[Condition]


def _row(
    move: Move, sources: Iterable[S], target: S | None, actors: Iterable[Relation], *conditions: Condition
) -> list[Transition]:
    """Rows for one move from several statuses (``target=None`` keeps the status)."""
    return [
        Transition(move, source, target or source, frozenset(actors), frozenset(conditions))
        for source in sources
    ]


R = Relation
OPEN: frozenset[S] = frozenset({S.SENT, S.CLAIMED, S.WAITING_FOR_PERSON, S.WAITING_FOR_APPROVAL})
"""With the organisation: sent and not yet decided or withdrawn."""
FINAL: frozenset[S] = frozenset({S.DECIDED, S.WITHDRAWN})
"""Nothing about a case in these statuses ever changes again."""
HELD: frozenset[S] = frozenset({S.CLAIMED, S.WAITING_FOR_PERSON})
"""A member of staff holds the case and may give it back or have it reassigned."""
PEOPLE = (R.PERSON, R.CARER)

#: The whole lifecycle. Nothing else moves a case; the diagram in docs/lifecycle.md is generated from it.
TRANSITIONS: tuple[Transition, ...] = (
    *_row(Move.CHANGE, [S.DRAFT], None, [*PEOPLE, R.HOLDER]),
    *_row(Move.SEND, [S.DRAFT], S.SENT, PEOPLE),
    *_row(Move.SEND, [S.DRAFT], S.CLAIMED, [R.HOLDER]),  # taken on the phone: the assessor keeps it
    *_row(Move.TAKE_BACK, [S.SENT], S.DRAFT, PEOPLE, Condition.UNHELD),
    *_row(Move.WITHDRAW, [S.DRAFT, *sorted(OPEN)], S.WITHDRAWN, PEOPLE),
    *_row(Move.WITHDRAW, sorted(HELD), S.WITHDRAWN, [R.HOLDER], Condition.REASON),
    *_row(Move.WITHDRAW, [S.SENT, *sorted(HELD)], S.WITHDRAWN, [R.MANAGER], Condition.REASON),
    *_row(Move.CLAIM, [S.SENT], S.CLAIMED, [R.ASSESSOR], Condition.UNHELD, Condition.INDEPENDENT),
    *_row(Move.RELEASE, sorted(HELD), S.SENT, [R.HOLDER, R.MANAGER]),
    *_row(Move.REASSIGN, [S.SENT], S.CLAIMED, [R.MANAGER], Condition.UNHELD, Condition.INDEPENDENT),
    *_row(Move.REASSIGN, sorted(HELD), None, [R.MANAGER], Condition.INDEPENDENT),
    *_row(Move.ASK, [S.CLAIMED], S.WAITING_FOR_PERSON, [R.HOLDER], Condition.REACHABLE),
    *_row(Move.ASK, [S.CLAIMED], S.WAITING_FOR_PERSON, [R.HOLDER], Condition.OFFLINE),
    *_row(Move.ANSWER, [S.WAITING_FOR_PERSON], S.CLAIMED, PEOPLE),
    *_row(Move.ANSWER, [S.WAITING_FOR_PERSON], S.CLAIMED, [R.HOLDER], Condition.OFFLINE),
    *_row(Move.VALIDATE, [S.CLAIMED], None, [R.HOLDER]),
    *_row(Move.CONFIRM, [S.CLAIMED], S.WAITING_FOR_APPROVAL, [R.HOLDER]),
    *_row(Move.DECIDE, [S.CLAIMED], S.DECIDED, [R.HOLDER]),
    *_row(Move.APPROVE, [S.WAITING_FOR_APPROVAL], S.DECIDED, [R.SIGNATORY], Condition.INDEPENDENT),
    *_row(
        Move.RETURN,
        [S.WAITING_FOR_APPROVAL],
        S.CLAIMED,
        [R.SIGNATORY],
        Condition.REASON,
        Condition.INDEPENDENT,
    ),
)

#: The audit event each move writes (the names the history page and the open figures read).
EVENTS: Mapping[Move, str] = {
    Move.CHANGE: "case.changed",
    Move.SEND: "case.sent",
    Move.TAKE_BACK: "case.taken_back",
    Move.WITHDRAW: "case.withdrawn",
    Move.CLAIM: "case.claimed",
    Move.RELEASE: "case.released",
    Move.REASSIGN: "case.reassigned",
    Move.ASK: "case.question_asked",
    Move.ANSWER: "case.question_answered",
    Move.VALIDATE: "validation.answer",
    Move.CONFIRM: "case.budget_confirmed",
    Move.DECIDE: "case.budget_confirmed",
    Move.APPROVE: "case.budget_approved",
    Move.RETURN: "case.budget_returned",
}

#: Moves that are only work on the case, not a step anyone else needs to hear about in the audit as a move:
#: their services write their own, more specific, audit events.
QUIET: frozenset[Move] = frozenset({Move.CHANGE, Move.VALIDATE})


class NotAllowed(PermissionError):
    """This account may not make this move on this case now (views answer 403, or say why)."""


class Stale(RuntimeError):
    """The case moved on between reading it and changing it (someone else acted first)."""


# -- who the actor is to the case ---------------------------------------------------------------------------


def _staff_of(account: Account, case: Case) -> bool:
    """An active member of staff of the case's organisation."""
    return (
        account.role.is_staff
        and account.is_active
        and account.organisation_id is not None
        and account.organisation_id == case.organisation_id
    )


def relations(account: Account | None, case: Case) -> frozenset[Relation]:
    """Every relation the account has to the case (none for a stranger, or staff of another organisation)."""
    if account is None or not getattr(account, "is_authenticated", False) or not account.is_active:
        return frozenset()
    found: set[Relation] = set()
    if _staff_of(account, case):
        if case.holder_id == account.id:
            found.add(R.HOLDER)
        if account.role == Role.ASSESSOR:
            found.add(R.ASSESSOR)
        if account.role in (Role.APPROVER, Role.ADMIN):
            found.add(R.MANAGER)
            if case.status == S.WAITING_FOR_APPROVAL:
                pending = pending_decision(case)
                if (
                    pending is not None
                    and (account.approval_level or 0) >= pending.required_level
                    and pending.decided_by_id != account.id  # nobody approves their own budget
                ):
                    found.add(R.SIGNATORY)
    elif account.role == Role.CITIZEN:
        link = case.__dict__.get("_acting_link")  # read with the case by the person's own pages
        if link is None or link.account_id != account.id or link.person_id != case.person_id:
            link = db.session.scalar(
                select(PersonLink).filter_by(account_id=account.id, person_id=case.person_id)
            )
        if link is not None:
            found.add(R.PERSON if link.authority == Authority.SELF else R.CARER)
    return frozenset(found)


def reachable(case: Case) -> bool:
    """Whether someone with an account acts for the person (an assessment taken on the phone may have none)."""
    return bool(db.session.scalar(select(exists().where(PersonLink.person_id == case.person_id))))


def first_deciders(case: Case) -> frozenset[int]:
    """For a reconsideration, everyone who confirmed or approved the decision it asks about; else nobody."""
    if case.kind != CaseKind.RECONSIDERATION or case.follows_id is None:
        return frozenset()
    decisions = select(Decision.id).where(Decision.case_id == case.follows_id, Decision.outcome == "approved")
    confirmed = db.session.scalars(
        select(Decision.decided_by_id).where(
            Decision.case_id == case.follows_id, Decision.outcome == "approved"
        )
    )
    signed = db.session.scalars(
        select(Approval.account_id).where(
            Approval.decision_id.in_(decisions), Approval.outcome.in_(("confirmed", "approved"))
        )
    )
    return frozenset([*confirmed, *signed])


def _independent(transition: Transition, account: Account, case: Case, new_holder: int | None) -> bool:
    """Whether the row's INDEPENDENT condition holds: the one who will hold or sign off the case (the actor;
    for a reassignment, the account it is given to, unknown until the move is made) did not decide the first."""
    if Condition.INDEPENDENT not in transition.conditions:
        return True
    who = new_holder if transition.move == Move.REASSIGN else account.id
    return who is None or who not in first_deciders(case)


# -- the table ------------------------------------------------------------------------------------------


def transitions_for(name: Move, source: S) -> list[Transition]:
    """The rows for a move from a status."""
    return [t for t in TRANSITIONS if t.move == name and t.source == source]


def _permitting(
    account: Account | None, case: Case, name: Move, *, new_holder: int | None = None
) -> tuple[Transition, Relation] | None:
    """The row and relation that let the account make the move now, or None."""
    mine = relations(account, case)
    for transition in transitions_for(name, case.status):
        if Condition.UNHELD in transition.conditions and case.holder_id is not None:
            continue
        if Condition.REACHABLE in transition.conditions and not reachable(case):
            continue
        if Condition.OFFLINE in transition.conditions and reachable(case):
            continue
        # The holder's own relation first: its conditional UPDATE is the narrowest.
        for relation in sorted(transition.actors & mine, key=lambda r: r != R.HOLDER):
            assert account is not None  # an account with no relations has no moves
            if not _independent(transition, account, case, new_holder):
                break
            return transition, relation
    return None


def can(account: Account | None, case: Case, name: Move) -> bool:
    """Whether the account may make the move on the case as it stands."""
    return bool(_permitting(account, case, name))


def allowed_moves(account: Account | None, case: Case) -> frozenset[Move]:
    """Every move the account may make on the case now: what pages offer, and nothing else.

    Asked several times a page, so it is kept for the request (the case's status and holder key it).
    """
    key = (
        account.id if account is not None and getattr(account, "is_authenticated", False) else None,
        case.id,
    )
    state = (case.status, case.holder_id, case.version)
    memo: dict[Any, tuple[Any, frozenset[Move]]] | None = None
    if has_request_context():
        memo = g.setdefault("_allowed_moves", {})
        cached = memo.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
    moves = frozenset(name for name in Move if can(account, case, name))
    if memo is not None:
        memo[key] = (state, moves)
    return moves


def is_open(case: Case) -> bool:
    """With the organisation and not yet decided or withdrawn."""
    return case.status in OPEN


def is_final(case: Case) -> bool:
    """Decided or withdrawn: nothing about it changes again."""
    return case.status in FINAL


# -- the door -------------------------------------------------------------------------------------------


def move(
    account: Account,
    case: Case,
    name: Move,
    *,
    values: Mapping[str, Any] | None = None,
    reason: str = "",
    detail: Mapping[str, Any] | None = None,
    event: str | None = None,
) -> Transition:
    """Make the move, or refuse: :class:`NotAllowed` before anything is written, :class:`Stale` if the case moved.

    The UPDATE's WHERE clause repeats what made the move allowed (the status, and the holder or the absence of
    one), so of two people acting at once exactly one wins, on SQLite and PostgreSQL alike. ``values`` are the
    move's own columns (the queue columns written on send, the new holder on a claim). The caller commits, in
    the same transaction as whatever else the move brings (a decision, an email, a letter job).
    """
    permitted = _permitting(account, case, name, new_holder=(values or {}).get("holder_id"))
    if permitted is None:
        raise NotAllowed(f"{name.value} is not allowed on a {case.status.value} case for this account")
    transition, relation = permitted
    if Condition.REASON in transition.conditions and not reason.strip():
        raise ValueError(f"{name.value} needs a reason")
    where: list[ColumnElement[bool]] = [Case.id == case.id, Case.status == transition.source]
    if relation == R.HOLDER:
        where.append(Case.holder_id == account.id)
    elif Condition.UNHELD in transition.conditions:
        where.append(Case.holder_id.is_(None))
    elif relation in (R.MANAGER, R.SIGNATORY):
        where.append(Case.holder_id.is_(None) if case.holder_id is None else Case.holder_id == case.holder_id)
    if relation in (R.HOLDER, R.ASSESSOR, R.MANAGER, R.SIGNATORY):
        where.append(Case.organisation_id == account.organisation_id)
    new_values: dict[str, Any] = dict(values or {})
    new_values.setdefault("status", transition.target)
    if name == Move.CLAIM:
        new_values.setdefault("holder_id", account.id)
    elif name == Move.RELEASE:
        new_values["holder_id"] = None
    before = {"status": case.status.value, "holder_id": case.holder_id}
    changed: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(Case)
        .where(true(), *where)
        .values(**new_values, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.rollback()
        raise Stale(f"the case is no longer {transition.source.value}, or someone else holds it")
    db.session.refresh(case)
    if name not in QUIET or event is not None:
        record(
            event or EVENTS[name],
            actor=account,
            case=case,
            reason=reason.strip(),
            detail={
                "move": name.value,
                "from": before["status"],
                "to": case.status.value,
                "as": relation.value,
                **(
                    {"holder_from": before["holder_id"], "holder_to": case.holder_id}
                    if name in _HOLDING
                    else {}
                ),
                **dict(detail or {}),
            },
        )
    return transition


_HOLDING = frozenset({Move.CLAIM, Move.RELEASE, Move.REASSIGN})


def hold_open(case: Case) -> None:
    """Refuse with :class:`Stale` unless the case is still open, for a record that only an open case takes.

    A personal health budget's sign-off or the Continuing Healthcare record is not a move: it changes neither
    the status nor the holder. One conditional UPDATE touching only ``updated_at`` checks the case is open and,
    on PostgreSQL, holds its row until the caller commits, so a decision made at the same moment waits and
    cannot slip in between the check and the record. Nothing on a final case ever changes.
    """
    changed: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
        update(Case)
        .where(Case.id == case.id, Case.status.in_(sorted(OPEN)))
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.rollback()
        raise Stale("the case is no longer open")


# -- linked cases and the budget in force ---------------------------------------------------------------


#: Who may start a new case linked to a decided one, by kind (the only place this is said: services do not narrow
#: it, and docs/lifecycle.md is generated from it too).
LINKS: Mapping[CaseKind, frozenset[Relation]] = {
    CaseKind.CORRECTION: frozenset({R.ASSESSOR, R.MANAGER}),
    # The person or their carer, as their own draft; an assessor or a manager of the organisation, as a draft they
    # hold and go through with the person.
    CaseKind.REVIEW: frozenset({*PEOPLE, R.ASSESSOR, R.MANAGER}),
    # Asked for by the person or their carer; staff of the organisation record one asked for by phone or post.
    CaseKind.RECONSIDERATION: frozenset({*PEOPLE, R.ASSESSOR, R.MANAGER}),
}


def may_start_linked(account: Account | None, case: Case, kind: CaseKind) -> bool:
    """Whether the account may start a correction, review or reconsideration of this decided case.

    A reconsideration asks about the decision in force, once: not one already being looked at again, not one a
    later decision has replaced, and not the outcome of a reconsideration (after that come the complaints
    procedure and the ombudsman).
    """
    if case.status != S.DECIDED or not relations(account, case) & LINKS.get(kind, frozenset()):
        return False
    if kind == CaseKind.RECONSIDERATION:
        if case.kind == CaseKind.RECONSIDERATION or open_reconsideration(case) is not None:
            return False
        in_force = decision_in_force(case)
        return in_force is not None and in_force[0].id == case.id
    return True


def open_reconsideration(case: Case) -> Case | None:
    """The reconsideration of this decided case that is under way (sent and not yet decided), if any."""
    return db.session.scalar(
        select(Case)
        .where(
            Case.follows_id == case.id,
            Case.kind == CaseKind.RECONSIDERATION,
            Case.status.in_(OPEN),
        )
        .limit(1)
    )


def start_linked_case(account: Account, case: Case, kind: CaseKind, *, reason: str = "") -> Case:
    """A new case for the same person, linked to the decided one, which stays exactly as it was.

    A correction by staff starts held by them, with the decided case's answers and checks copied as a new
    snapshot and validation to work from; a review or reconsideration starts as a draft prefilled with the
    answers as validated (a review staff start is a draft they hold, gone through with the person as on the
    phone). The caller commits.
    """
    if not may_start_linked(account, case, kind):
        raise NotAllowed(f"a {kind.value} cannot be started on this case by this account")
    if kind == CaseKind.CORRECTION and not reason.strip():
        raise ValueError("a correction needs a reason")
    previous_snapshot = latest_snapshot_or_none(case)
    previous_validation = current_validation(case)
    answers = dict(previous_snapshot.answers) if previous_snapshot else dict(case.answers or {})
    for question_id, item in ((previous_validation.items if previous_validation else None) or {}).items():
        if item.get("action") in ("amend", "answer"):
            answers[question_id] = item.get("value")
    staff = kind == CaseKind.CORRECTION
    linked = Case(
        person_id=case.person_id,
        organisation_id=case.organisation_id,
        created_by_id=account.id,
        holder_id=account.id if staff or account.role.is_staff else None,
        status=S.CLAIMED if staff else S.DRAFT,
        kind=kind,
        follows_id=case.id,
        line_id=case.line_id or case.id,
        answers=answers,
        questionnaire_version=case.questionnaire_version,
        tool_key=case.tool_key,  # a review of a Continuing Healthcare decision is one too
        tool_version=case.tool_version,
        self_funder=case.self_funder,
        urgent=case.urgent if staff else False,
        risk_rank=case.risk_rank if staff else 0,
        client_group=case.client_group,
        sent_at=case.sent_at if staff else None,
        person_name=case.person_name,
    )
    db.session.add(linked)
    db.session.flush()
    if staff and previous_snapshot is not None:
        snapshot = Snapshot(
            case_id=linked.id,
            answers=dict(previous_snapshot.answers),
            questionnaire_version=previous_snapshot.questionnaire_version,
            completed_by_id=previous_snapshot.completed_by_id,
            authority=previous_snapshot.authority,
            urgent=previous_snapshot.urgent,
        )
        db.session.add(snapshot)
        db.session.flush()
        db.session.add(
            Validation(
                case_id=linked.id,
                snapshot_id=snapshot.id,
                assessor_id=account.id,
                items=dict((previous_validation.items if previous_validation else None) or {}),
                practitioner_items=dict(
                    (previous_validation.practitioner_items if previous_validation else None) or {}
                ),
                path_taken="full",
            )
        )
    record(
        f"case.{kind.value}_started",
        actor=account,
        case=linked,
        reason=reason.strip(),
        detail={"follows": case.reference},
    )
    record(
        f"case.{kind.value}_opened",
        actor=account,
        case=case,
        reason=reason.strip(),
        detail={"by": linked.reference},
    )
    return linked


def may_start_adult_case(account: Account | None, case: Case) -> bool:
    """Whether the account may start the adult assessment that follows this decided children's case (only once)."""
    if case.status != S.DECIDED or R.ASSESSOR not in relations(account, case):
        return False
    return not db.session.scalar(
        select(exists().where(Case.follows_id == case.id, Case.kind == CaseKind.ASSESSMENT))
    )


def start_adult_case(
    account: Account,
    case: Case,
    *,
    tool_key: str,
    tool_version: str,
    questionnaire_version: str,
    answers: Mapping[str, Any],
) -> Case:
    """A young person's adult assessment, following their decided children's case: a new case for the same person,
    linked to it (``follows_id``), which the assessor completes with the person as a draft they hold (as on the
    phone), starting from ``answers`` (those that carry over). The children's case stays exactly as it was; once
    decided, the adult case's decision is the one in force. The caller commits.
    """
    if not may_start_adult_case(account, case):
        raise NotAllowed("the adult case cannot be started from this case by this account")
    adult = Case(
        person_id=case.person_id,
        organisation_id=case.organisation_id,
        created_by_id=account.id,
        holder_id=account.id,
        status=S.DRAFT,
        kind=CaseKind.ASSESSMENT,
        follows_id=case.id,
        line_id=case.line_id or case.id,
        answers=dict(answers),
        questionnaire_version=questionnaire_version,
        tool_key=tool_key,
        tool_version=tool_version,
        person_name=case.person_name,
    )
    db.session.add(adult)
    db.session.flush()
    record("case.adult_case_started", actor=account, case=adult, detail={"follows": case.reference})
    record("case.adult_case_opened", actor=account, case=case, detail={"by": adult.reference})
    return adult


def chain(case: Case) -> list[Case]:
    """The case and every case linked after it, oldest first (a person's line of decisions)."""
    first = case
    while first.follows_id is not None:
        earlier = db.session.get(Case, first.follows_id)
        if earlier is None:
            break
        first = earlier
    found = [first]
    frontier = [first.id]
    while frontier:
        later = list(db.session.scalars(select(Case).where(Case.follows_id.in_(frontier)).order_by(Case.id)))
        found.extend(later)
        frontier = [c.id for c in later]
    return found


def decision_in_force(case: Case) -> tuple[Case, Decision] | None:
    """The decision in force in the case's line: the latest, as a later correction, review or reconsideration
    replaces the one before it.

    A linked case that is still open changes nothing: the decided budget stays in place meanwhile. And while
    someone is asking for a decision to be looked at again, if that decision cut the budget (it gives less a week
    than the decision before it in the line, or no budget), the decision before it stays in force until the new
    decision (:func:`kept_while_looked_at_again` says when this is so).
    """
    found = _in_force(case)
    return found[0] if found else None


def kept_while_looked_at_again(case: Case) -> tuple[Case, Decision] | None:
    """The decision that cut the budget and is being looked at again, when the one before it is kept in force
    meanwhile (the one in force is then :func:`decision_in_force`); None otherwise."""
    found = _in_force(case)
    return found[1] if found else None


def kept_if_looked_at_again(case: Case) -> tuple[Case, Decision] | None:
    """For the latest decision in a line that cut the budget: the decision before it, which would stay in force
    if this one were looked at again (what the person is told before they ask); None otherwise."""
    _, decided = _decided_line(case)
    if len(decided) > 1 and decided[-1][0].id == case.id and _cut(decided[-1][1], decided[-2][1]):
        return decided[-2]
    return None


def _in_force(case: Case) -> tuple[tuple[Case, Decision], tuple[Case, Decision] | None] | None:
    """The decision in force, and the cut being looked at again that it stands in for (if so)."""
    members, decided = _decided_line(case)
    if not decided:
        return None
    latest = decided[-1]
    if len(decided) > 1 and _cut(latest[1], decided[-2][1]) and _being_looked_at_again(latest[0], members):
        return decided[-2], latest
    return latest, None


def _decided_line(case: Case) -> tuple[list[Case], list[tuple[Case, Decision]]]:
    """The case's line, and its decided cases with their decisions in the order they were made (of two at the
    same moment, the later case last)."""
    members = chain(case)
    decided: list[tuple[Case, Decision]] = []
    for member in members:
        if member.status != S.DECIDED:
            continue
        decision = db.session.scalar(
            select(Decision)
            .filter_by(case_id=member.id, outcome="approved")
            .order_by(Decision.id.desc())
            .limit(1)
        )
        if decision is not None:
            decided.append((member, decision))
    decided.sort(key=lambda pair: pair[1].created_at)
    return members, decided


def _cut(decision: Decision, before: Decision) -> bool:
    """Whether the decision gives less a week than the one before it (no budget counts as nothing)."""
    return (decision.confirmed_weekly_pence or 0) < (before.confirmed_weekly_pence or 0)


def _being_looked_at_again(decided: Case, members: list[Case]) -> bool:
    """Whether a reconsideration of this decided case is under way (sent, not yet decided or withdrawn)."""
    return any(
        m.kind == CaseKind.RECONSIDERATION and m.follows_id == decided.id and m.status in OPEN
        for m in members
    )


# -- the lifecycle as a document ------------------------------------------------------------------------


def document() -> str:
    """docs/lifecycle.md, generated from :data:`TRANSITIONS` (a test fails when the file is stale).

    Regenerate with ``python -m portal.cases > docs/lifecycle.md``.
    """
    lines = [
        "# The case lifecycle",
        "",
        "Generated from `portal/cases.py` (`TRANSITIONS`) by `python -m portal.cases > docs/lifecycle.md`;",
        "a test fails when this file and the table disagree. Decided and withdrawn are final: a correction,",
        "a review or a reconsideration is a new case linked to the decided one.",
        "",
        "```mermaid",
        "stateDiagram-v2",
        "    [*] --> draft",
    ]
    edges: dict[tuple[S, S], list[str]] = {}
    for t in TRANSITIONS:
        if t.source != t.target:
            edges.setdefault((t.source, t.target), []).append(t.move.value)
    for (source, target), names in edges.items():
        lines.append(f"    {source.value} --> {target.value}: {', '.join(dict.fromkeys(names))}")
    lines += [f"    {status.value} --> [*]" for status in sorted(FINAL)]
    lines += ["```", "", "| move | from | to | who | needs |", "| --- | --- | --- | --- | --- |"]
    for t in TRANSITIONS:
        who = ", ".join(sorted(r.value for r in t.actors))
        needs = ", ".join(sorted(c.value for c in t.conditions)) or "—"
        shown = "(same)" if t.target == t.source else t.target.value
        lines.append(f"| {t.move.value} | {t.source.value} | {shown} | {who} | {needs} |")
    lines += ["", "| linked case | who may start one from a decided case |", "| --- | --- |"]
    for kind, actors in LINKS.items():
        lines.append(f"| {kind.value} | {', '.join(sorted(r.value for r in actors))} |")
    lines += [
        "",
        "Who: `person` is the person themselves; `carer` acts for them on recorded authority; `holder` is the",
        "member of staff holding the case; `assessor` and `manager` (approver or admin) are active staff of the",
        "case's organisation; `signatory` is a manager whose approval level covers the budget waiting for sign-off",
        "and who did not confirm it. Needs: `unheld` nobody holds the case; `reason` a reason in words;",
        "`reachable` someone with an account acts for the person; `offline` nobody does (a question goes by",
        "phone, letter or in person, and the holder records the answer); `independent` for a reconsideration, whoever",
        "takes it, is given it or signs it off neither confirmed nor approved the decision it asks about.",
        "",
        f"Open: {', '.join(sorted(s.value for s in OPEN))}. Final: {', '.join(sorted(s.value for s in FINAL))}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(document(), end="")
