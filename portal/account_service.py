"""What a person may do to their own account: choose the language of letters and emails, change their password
or email address, delete an unsent draft, and close the account (docs/decisions/0013-accounts-passwords-and-closing.md).

Every change is audited in the same transaction. Views call these and commit; the rules live here.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from portal import held, sessions
from portal.audit import record
from portal.extensions import db
from portal.i18n import BY_CODE
from portal.mail import link_to, queue_email
from portal.models import (
    Account,
    Case,
    CaseStatus,
    EmailChange,
    Person,
    PersonLink,
    Snapshot,
    utcnow,
)
from portal.security import hash_password

EMAIL_LINK_HOURS = 24


def _token_hash(token: str) -> str:
    """Only a hash of a one-time token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def email_taken(email: str, *, other_than: Account | None = None) -> bool:
    """Whether another account uses this address (ignoring case)."""
    query = select(Account.id).where(func.lower(Account.email) == email.strip().lower())
    if other_than is not None:
        query = query.where(Account.id != other_than.id)
    return db.session.scalar(query.limit(1)) is not None


# -- language ----------------------------------------------------------------------------------------


def choose_language(account: Account, code: str, easy_read: bool) -> bool:
    """Set the language of the account's letters and emails, and its Easy Read preference; False if unknown."""
    if code not in BY_CODE:
        return False
    before = {"locale": account.locale, "easy_read": account.easy_read}
    account.locale = code
    account.easy_read = easy_read
    after = {"locale": account.locale, "easy_read": account.easy_read}
    if before != after:
        record("account.preferences_changed", actor=account, detail={"before": before, "after": after})
    return True


# -- password ----------------------------------------------------------------------------------------


def change_password(account: Account, new_password: str) -> None:
    """Save a new password (already checked), end every other session, and tell the person by email.

    The caller signs the person in again under a new session (:func:`portal.sessions.begin`).
    """
    account.password_hash = hash_password(new_password)
    account.session_version += 1
    sessions.end_all(account, "password_changed")
    record("account.password_changed", actor=account, detail={"purpose": "change"})
    queue_email(account.email, "password_changed", account.locale, name=account.name)


# -- email address -----------------------------------------------------------------------------------


def request_email_change(account: Account, new_email: str) -> None:
    """Send a one-time link to the new address; nothing changes until it is opened and confirmed.

    If another account already uses the address, that address is told so instead (the screen says the same
    either way, so nobody learns from it which addresses have accounts).
    """
    new_email = new_email.strip().lower()
    if email_taken(new_email, other_than=account):
        queue_email(new_email, "email_change_taken", account.locale, name="")
        record("account.email_change_refused", actor=account, detail={"reason": "taken"})
        return
    token = secrets.token_urlsafe(32)
    # Only the newest link works: earlier ones end here.
    for earlier in db.session.scalars(
        select(EmailChange).where(EmailChange.account_id == account.id, EmailChange.used_at.is_(None))
    ):
        earlier.used_at = utcnow()
    db.session.add(
        EmailChange(
            account_id=account.id,
            new_email=new_email,
            token_hash=_token_hash(token),
            expires_at=utcnow() + timedelta(hours=EMAIL_LINK_HOURS),
        )
    )
    queue_email(
        new_email,
        "email_change",
        account.locale,
        name=account.name,
        link=link_to("account_settings.confirm_email", token=token),
        hours=EMAIL_LINK_HOURS,
    )
    record("account.email_change_requested", actor=account)


def pending_email_change(token: str) -> EmailChange | None:
    """The unused, unexpired change for this link, or None."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(EmailChange).filter_by(token_hash=_token_hash(token)))
    if row is None or row.used_at is not None or row.expires_at < utcnow() or not row.account.is_active:
        return None
    return row


def confirm_email_change(row: EmailChange) -> bool:
    """Make the new address the account's; tell the old one. False if another account took it meanwhile."""
    account = row.account
    row.used_at = utcnow()
    if email_taken(row.new_email, other_than=account):
        return False
    old = account.email
    account.email = row.new_email
    record("account.email_changed", actor=account)
    queue_email(old, "email_changed", account.locale, name=account.name, new_email=row.new_email)
    return True


# -- drafts ------------------------------------------------------------------------------------------


def deletable(account: Account, case: Case) -> bool:
    """Only a draft never sent to a council can be deleted (one taken back was seen there: withdraw it)."""
    if case.status != CaseStatus.DRAFT or case.deleted_at is not None or case.sent_at is not None:
        return False
    if db.session.scalar(select(Snapshot.id).filter_by(case_id=case.id).limit(1)) is not None:
        return False
    return (
        db.session.scalar(
            select(PersonLink.id).filter_by(account_id=account.id, person_id=case.person_id).limit(1)
        )
        is not None
    )


def delete_draft(account: Account, case: Case) -> bool:
    """Erase an unsent draft's answers and mark it deleted; the person's details go too if nothing else
    needs them. The row stays only so the audit trail's references hold. False if it cannot be deleted."""
    if not deletable(account, case):
        return False
    case.answers = {}
    case.deleted_at = utcnow()
    case.person_name = ""
    db.session.execute(held.delete_for_case(case))
    person = db.session.get(Person, case.person_id)
    others = db.session.scalar(
        select(func.count(Case.id)).where(
            Case.person_id == case.person_id, Case.id != case.id, Case.deleted_at.is_(None)
        )
    )
    if person is not None and not others:
        person.date_of_birth = None
        person.postcode = ""
        person.nhs_number = ""
        if person.id != _own_person_id(account):
            person.name = ""
    record("case.draft_deleted", actor=account, case=case)
    return True


def _own_person_id(account: Account) -> int | None:
    """The person record of the account holder themselves (kept: their own name is on the account)."""
    from portal.models import Authority

    return db.session.scalar(
        select(PersonLink.person_id).filter_by(account_id=account.id, authority=Authority.SELF).limit(1)
    )


# -- closing the account -----------------------------------------------------------------------------


def cases_of(account: Account) -> list[Case]:
    """Every case (not deleted) of a person this account acts for."""
    person_ids = select(PersonLink.person_id).where(PersonLink.account_id == account.id)
    return list(
        db.session.scalars(
            select(Case).where(Case.person_id.in_(person_ids), Case.deleted_at.is_(None)).order_by(Case.id)
        )
    )


def close_account(account: Account) -> dict[str, int]:
    """Close a citizen's account (decision 0013).

    Unsent drafts are deleted. Sent cases stay with the council, unchanged: they are its records now. The
    account can never sign in again: its password and sessions end, and its email address is replaced (so it
    can register again). Its name is kept only when a sent case names it as who filled it in.
    """
    drafts = sent = 0
    cases = cases_of(account)
    for case in cases:
        if case.status == CaseStatus.DRAFT and delete_draft(account, case):
            drafts += 1
        elif case.status != CaseStatus.DRAFT or case.sent_at is not None:
            sent += 1
    queue_email(account.email, "account_closed", account.locale, name=account.name, sent=sent)
    sessions.end_all(account, "closed")
    account.is_active = False
    account.password_hash = None
    account.session_version += 1
    account.closed_at = utcnow()
    account.email = f"closed-{account.public_id}@closed.invalid"
    if not sent:
        account.name = ""
        own = db.session.get(Person, _own_person_id(account) or 0)
        if own is not None:
            own.name = ""
    counts = {"drafts_deleted": drafts, "sent_cases_kept": sent}
    record("account.closed", actor=account, detail=counts)
    return counts
