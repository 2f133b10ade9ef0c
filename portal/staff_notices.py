"""Telling staff that something needs them: an email through the job table with no personal data, only a link.

The case page behind the link shows the rest after sign-in (and audits the view). Each member of staff can turn
these emails off (``Account.staff_emails``); the counts on their home page stay either way. Called by the services
in the same transaction as the change that causes it, so nobody is told about something that was rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select

from portal import cases
from portal.cases import Move
from portal.extensions import db
from portal.mail import link_to, queue_email
from portal.models import Account, Case, Role


class Notice(StrEnum):
    """What happened: each has its own subject and sentence in emails/staff_notice.txt."""

    WAITING_FOR_APPROVAL = "waiting_for_approval"
    RETURNED = "returned"
    ANSWERED = "answered"


def tell(accounts: Iterable[Account | None], notice: Notice, case: Case) -> int:
    """Email each active member of staff who has not turned these emails off; returns how many were queued."""
    link = link_to("practitioner.case", case_id=case.public_id)
    sent = 0
    for account in accounts:
        if account is None or not account.is_active or not account.role.is_staff or not account.staff_emails:
            continue
        queue_email(account.email, "staff_notice", account.locale, notice=notice.value, link=link)
        sent += 1
    return sent


def tell_holder(case: Case, notice: Notice) -> int:
    """Tell the member of staff holding the case."""
    holder = db.session.get(Account, case.holder_id) if case.holder_id is not None else None
    return tell([holder], notice, case)


def tell_signatories(case: Case) -> int:
    """Tell every approver or admin of the case's organisation whom the lifecycle lets approve it now."""
    managers = db.session.scalars(
        select(Account).where(
            Account.organisation_id == case.organisation_id,
            Account.role.in_((Role.APPROVER, Role.ADMIN)),
            Account.is_active.is_(True),
        )
    )
    return tell([a for a in managers if cases.can(a, case, Move.APPROVE)], Notice.WAITING_FOR_APPROVAL, case)
