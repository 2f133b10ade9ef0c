"""Nothing typed is lost: what a person typed into a form that could not be saved is held for them.

A question form can go stale: the session ended or the cookie was lost, the person signed out in another
window, or the case was sent from another tab. Such a request fails its CSRF check (or finds the case sent),
so it must never be saved as an answer. Instead what was typed is held on the server, tied to the account and
the case, and the question page shows it back once the person is signed in again; they press Save (with a
valid CSRF token) to keep it. Held input is deleted when saved, and after ``HELD_INPUT_HOURS`` in any case.

Without a session the server still needs to know whose typing it is: every question form carries a signed
ticket, an HMAC of the account, case, question and an expiry, keyed from the app's secret key. A ticket only
lets its holder put text in front of that account's owner, never change an answer.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta
from typing import Any

from flask import current_app, session
from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import Account, Case, HeldInput, utcnow

TICKET_FIELD = "held_ticket"
# Set in a signed-in session while something may be held for its account, so that question pages look for
# held input only then (a question page costs two queries otherwise: docs/decisions/0012-sessions-and-nothing-lost.md).
SESSION_FLAG = "held_input"
# Form fields that are never held: the stale token, the ticket itself, and which button was pressed.
_NOT_HELD = frozenset({"csrf_token", TICKET_FIELD, "submit", "later"})
_MAX_CHARACTERS = 20_000


def _key() -> bytes:
    """A key for tickets only, derived from the secret key."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hashlib.sha256(b"portal held-input ticket\0" + secret).digest()


def _signature(account_id: str, case_id: str, question_id: str, expires: int) -> str:
    message = f"{account_id}\0{case_id}\0{question_id}\0{expires}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def make_ticket(account: Account, case: Case, question_id: str) -> str:
    """A ticket for one question form of one account's case, valid for ``HELD_TICKET_HOURS``."""
    hours = current_app.config.get("HELD_TICKET_HOURS", 48)
    expires = int(time.time()) + int(hours) * 3600
    signature = _signature(account.public_id, case.public_id, question_id, expires)
    return f"{account.public_id}.{expires}.{signature}"


def account_from_ticket(ticket: str | None, case_public_id: str, question_id: str) -> Account | None:
    """The account whose form this is, if the ticket is genuine, unexpired and for this case and question."""
    if not ticket or len(ticket) > 200 or ticket.count(".") != 2:
        return None
    account_id, expires_text, signature = ticket.split(".")
    if not expires_text.isdigit() or int(expires_text) < time.time():
        return None
    expected = _signature(account_id, case_public_id, question_id, int(expires_text))
    if not hmac.compare_digest(expected, signature):
        return None
    account = db.session.scalar(select(Account).filter_by(public_id=account_id))
    if account is None or not account.is_active:
        return None
    return account


def typed_values(form: Any) -> dict[str, list[str]]:
    """What the person typed, as lists of strings per field (checkboxes and dates have several)."""
    return {name: [str(value) for value in form.getlist(name)] for name in form if name not in _NOT_HELD}


def hold(account: Account, case: Case, question_id: str, values: dict[str, list[str]], reason: str) -> bool:
    """Keep what was typed for this account's question (replacing anything held before); False if too big."""
    if not any(any(v.strip() for v in listed) for listed in values.values()):
        return False  # nothing was typed
    if sum(len(v) for listed in values.values() for v in listed) > _MAX_CHARACTERS:
        return False
    purge()
    db.session.execute(
        delete(HeldInput).where(
            HeldInput.account_id == account.id,
            HeldInput.case_id == case.id,
            HeldInput.question_id == question_id,
        )
    )
    db.session.add(
        HeldInput(
            account_id=account.id,
            case_id=case.id,
            question_id=question_id,
            values=values,
            reason=reason,
        )
    )
    return True


def flag_session(account: Account) -> None:
    """Note in this request's session, if it is the account's, that it has something held."""
    if session.get("_user_id") == account.get_id():
        session[SESSION_FLAG] = True


def any_for(account: Account) -> bool:
    """Whether anything is held for the account (asked once, when it signs in)."""
    since = utcnow() - timedelta(hours=current_app.config["HELD_INPUT_HOURS"])
    found = db.session.scalar(
        select(HeldInput.id).where(HeldInput.account_id == account.id, HeldInput.created_at > since).limit(1)
    )
    return found is not None


def find(account: Account, case: Case, question_id: str) -> HeldInput | None:
    """What is held for this question, if anything from the last ``HELD_INPUT_HOURS`` (and if the session
    says something may be)."""
    if not session.get(SESSION_FLAG):
        return None
    since = utcnow() - timedelta(hours=current_app.config["HELD_INPUT_HOURS"])
    return db.session.scalar(
        select(HeldInput)
        .where(
            HeldInput.account_id == account.id,
            HeldInput.case_id == case.id,
            HeldInput.question_id == question_id,
            HeldInput.created_at > since,
        )
        .order_by(HeldInput.id.desc())
        .limit(1)
    )


def held_for_case(account: Account, case: Case) -> list[HeldInput]:
    """Everything held for this account's case (the status page says so after a send from another tab)."""
    since = utcnow() - timedelta(hours=current_app.config["HELD_INPUT_HOURS"])
    return list(
        db.session.scalars(
            select(HeldInput).where(
                HeldInput.account_id == account.id,
                HeldInput.case_id == case.id,
                HeldInput.created_at > since,
            )
        )
    )


def release(account: Account, case: Case, question_id: str) -> None:
    """Forget what was held once the answer is saved (in the caller's transaction)."""
    if not session.get(SESSION_FLAG):
        return
    db.session.execute(
        delete(HeldInput).where(
            HeldInput.account_id == account.id,
            HeldInput.case_id == case.id,
            HeldInput.question_id == question_id,
        )
    )
    if not any_for(account):
        session.pop(SESSION_FLAG, None)


def delete_for_case(case: Case) -> Any:
    """A statement deleting everything held for a case (a deleted draft keeps nothing)."""
    return delete(HeldInput).where(HeldInput.case_id == case.id)


def purge() -> int:
    """Delete everything held longer than ``HELD_INPUT_HOURS`` (in the caller's transaction)."""
    cutoff = utcnow() - timedelta(hours=current_app.config["HELD_INPUT_HOURS"])
    result = db.session.execute(delete(HeldInput).where(HeldInput.created_at <= cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
