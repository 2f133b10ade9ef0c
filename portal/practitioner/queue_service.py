"""The staff queue and who holds a case: the queue's filters and pages, claiming a sent case (which opens its
validation on the path the organisation's rule chooses), giving it back, reassigning it, and closing a duplicate.

Every function takes the acting account and checks the organisation itself. Every change to a case goes through
the lifecycle's one door (:func:`portal.cases.move`): its conditional UPDATE lets exactly one of two people acting
at once succeed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from portal import cases
from portal.audit import record
from portal.case_record import current_validation, latest_snapshot, own_estimate
from portal.cases import Move, NotAllowed
from portal.extensions import db
from portal.models import Account, Case, CaseStatus, Person, Role, Validation, utcnow
from portal.organisation_rules import OrganisationRules

PAGE_SIZE = 25


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
