"""An organisation's staff: adding them, their role and approval level, deactivating leavers.

No request or template code lives here: the views in :mod:`portal.practitioner.admin_staff` parse what was
typed, call these and word a :class:`StaffRefused`. A member of staff is always looked up by public id *and*
organisation, so another organisation's staff are "not found", never "forbidden" (which would confirm they
exist). Every change is added to the caller's transaction with its audit event (what it was before and after)
and the caller commits.

The rules: an admin never removes their own admin role or deactivates their own account (another admin does
it), and an organisation always keeps at least one active admin. A change that depends on the rest of the
organisation first locks the organisation's row, so two admins demoting each other at once on PostgreSQL are
serialised rather than both passing the check and leaving nobody in charge.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select

from portal import settings_service
from portal.accounts import issue_password_link
from portal.audit import record
from portal.extensions import db
from portal.mail import queue_email
from portal.models import Account, Case, CaseStatus, Organisation, Role
from portal.organisation_rules import LEVELS

STAFF_ROLES = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)
CLOSED = (CaseStatus.DECIDED, CaseStatus.WITHDRAWN, CaseStatus.DRAFT)  # cases nobody works on


class StaffRefused(Exception):
    """A change the rules do not allow. ``code``: ``own_admin_role``, ``own_account`` or ``only_admin``."""

    def __init__(self, code: str, member: Account) -> None:
        super().__init__(code)
        self.code = code
        self.member = member


def member(organisation_id: int | None, public_id: str) -> Account | None:
    """A member of the organisation's staff, or None (someone else's staff, a citizen, no such account)."""
    return db.session.scalar(
        select(Account).where(
            Account.public_id == public_id,
            Account.organisation_id == organisation_id,
            Account.role.in_(STAFF_ROLES),
        )
    )


def listing(organisation_id: int) -> Select[tuple[Account]]:
    """The organisation's staff, active first, then by name."""
    return (
        select(Account)
        .where(Account.organisation_id == organisation_id, Account.role.in_(STAFF_ROLES))
        .order_by(Account.is_active.desc(), func.lower(Account.name), Account.id)
    )


def email_in_use(email: str) -> bool:
    """Whether any account (in any organisation) already has this email address: one account per address."""
    return (
        db.session.scalar(select(Account.id).where(func.lower(Account.email) == email.strip().lower()))
        is not None
    )


def on_staff_list(organisation_id: int, email: str) -> bool:
    """Whether a member of this organisation's staff (whom its admins can see) has this email address."""
    return (
        db.session.scalar(
            select(Account.id).where(
                func.lower(Account.email) == email.strip().lower(), Account.organisation_id == organisation_id
            )
        )
        is not None
    )


def add(
    actor: Account, organisation: Organisation, *, name: str, email: str, role: Role, level: int
) -> Account | None:
    """A new member of staff with no password yet; they are emailed a link to set one.

    An address that already has an account elsewhere (a citizen's, or another organisation's staff) is not
    added, and None is returned: its holder is told by email. The admin is not told on screen, since that
    would tell any council admin who uses the portal (for a citizen, that they may need care).
    """
    if role not in STAFF_ROLES or level not in LEVELS:
        raise ValueError("role or level")
    existing = db.session.scalar(select(Account).where(func.lower(Account.email) == email.strip().lower()))
    if existing is not None:
        queue_email(
            existing.email,
            "staff_email_taken",
            existing.locale,
            name=existing.name,
            organisation=organisation.name,
        )
        record(
            "staff.add_refused",
            actor=actor,
            organisation=organisation,
            detail={"reason": "email in use", "account": existing.public_id},
        )
        return None
    new = Account(
        email=email.strip().lower(),
        name=name,
        role=role,
        organisation_id=organisation.id,
        approval_level=level,
        password_hash=None,
    )
    db.session.add(new)
    db.session.flush()
    issue_password_link(new, purpose="setup")
    record(
        "staff.created",
        actor=actor,
        organisation=organisation,
        detail={
            "account": new.public_id,
            "after": {
                "name": new.name,
                "email": new.email,
                "role": new.role.value,
                "approval_level": new.approval_level,
                "is_active": True,
            },
        },
    )
    return new


def change(actor: Account, changed: Account, *, role: Role, level: int) -> bool:
    """Set a member's role and approval level; False if nothing changed. Raises :class:`StaffRefused`."""
    if role not in STAFF_ROLES or level not in LEVELS:
        raise ValueError("role or level")
    organisation = _locked(changed)
    if changed.role == Role.ADMIN and role != Role.ADMIN:
        if changed.id == actor.id:
            raise StaffRefused("own_admin_role", changed)
        if changed.is_active and _other_active_admins(changed) == 0:
            raise StaffRefused("only_admin", changed)
    before = {"role": changed.role.value, "approval_level": changed.approval_level}
    after = {"role": role.value, "approval_level": level}
    if before == after:
        return False
    changed.role = role
    changed.approval_level = level
    record(
        "staff.changed",
        actor=actor,
        organisation=organisation,
        detail={"account": changed.public_id, "before": before, "after": after},
    )
    return True


def refusal(actor: Account, changed: Account, *, active: bool) -> StaffRefused | None:
    """Why ``actor`` may not (de)activate ``changed``, or None. Reactivating is always allowed."""
    if active:
        return None
    if changed.id == actor.id:
        return StaffRefused("own_account", changed)
    if changed.role == Role.ADMIN and _other_active_admins(changed) == 0:
        return StaffRefused("only_admin", changed)
    return None


def set_active(actor: Account, changed: Account, *, active: bool) -> bool:
    """Deactivate (ending every session they have) or reactivate; False if it was already so.

    Raises :class:`StaffRefused`.
    """
    organisation = _locked(changed)
    blocked = refusal(actor, changed, active=active)
    if blocked is not None:
        raise blocked
    if changed.is_active == active:
        return False
    changed.is_active = active
    if not active:
        changed.session_version += 1  # every session they have ends now
    record(
        "staff.reactivated" if active else "staff.deactivated",
        actor=actor,
        organisation=organisation,
        detail={
            "account": changed.public_id,
            "before": {"is_active": not active},
            "after": {"is_active": active},
        },
    )
    return True


def held_cases(held_by: Account) -> int:
    """How many open cases the member holds (they go back to the queue's view of the team when they leave)."""
    return int(
        db.session.scalar(
            select(func.count(Case.id)).where(Case.holder_id == held_by.id, Case.status.not_in(CLOSED))
        )
        or 0
    )


def _locked(changed: Account) -> Organisation:
    """The member's organisation, its row locked, and the member read afresh after the lock."""
    organisation = settings_service.organisation(changed.organisation_id, lock=True)
    if organisation is None:
        raise LookupError(changed.organisation_id)
    db.session.refresh(changed)
    return organisation


def _other_active_admins(changed: Account) -> int:
    """How many active admins the member's organisation has besides them."""
    return int(
        db.session.scalar(
            select(func.count(Account.id)).where(
                Account.organisation_id == changed.organisation_id,
                Account.role == Role.ADMIN,
                Account.is_active.is_(True),
                Account.id != changed.id,
            )
        )
        or 0
    )
