"""What staff do to cases, kept out of the views so tests can call it directly."""

from __future__ import annotations

from sqlalchemy import update

from portal.audit import record
from portal.extensions import db
from portal.models import Account, Case, CaseStatus


def claim(assessor: Account, case: Case) -> bool:
    """Take a sent case to work on; False if someone else got it first or the person took it back.

    One conditional UPDATE: it only matches while the case is sent, unheld and in the assessor's organisation,
    so of two assessors (or an assessor and the person taking it back) exactly one wins, on any database.
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
    record("case.claimed", actor=assessor, case=case)
    db.session.commit()
    db.session.refresh(case)
    return True
