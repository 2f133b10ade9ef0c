"""Limits on guessing: sign-in, password-reset emails and registrations, counted in the database.

Counters live in one table (``throttles``) so every web process on every host sees the same counts, on
PostgreSQL and SQLite alike. A counter belongs to a *key*: a hash of the email address typed, the client's
address, or both. Keys are built from what was typed, never from whether an account exists, so a limit
reached says nothing about who has an account.

Sign-in is slowed, never locked (docs/decisions/0008-production-and-security.md):

- per email address *and* client address: after ``SIGN_IN_ATTEMPTS`` failures, each further attempt must
  wait a delay that doubles (30 s, 1 min, 2 min … up to 15 min). This is what stops guessing a password;
- per email address from anywhere, and per client address for any email, much higher limits with the same
  growing delay: they catch guessing spread over many addresses, or many accounts tried from one;
- a browser that has signed in to the account before (a signed "known device" cookie) is not held back by
  the last two, so a stranger elsewhere, or a busy office sharing one address, cannot keep its owner out.

A successful sign-in clears the pair's counter; a password reset clears every counter of that email.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.audit import record
from portal.extensions import db
from portal.models import Account, Throttle, utcnow
from portal.security import verify_password

DEVICE_COOKIE = "portal_device"
DEVICE_DAYS = 180
_DEVICE_IDS_KEPT = 5


@dataclass(frozen=True)
class Limit:
    """``attempts`` within ``window``, after which each further one waits ``base`` doubling up to ``longest``."""

    attempts: int
    window: timedelta
    base: timedelta = timedelta(seconds=30)
    longest: timedelta = timedelta(minutes=15)


def limits() -> dict[str, Limit]:
    """The limits, from the app's settings."""
    cfg = current_app.config
    hour = timedelta(hours=1)
    return {
        "pair": Limit(cfg["SIGN_IN_ATTEMPTS"], timedelta(minutes=cfg["SIGN_IN_LOCK_MINUTES"])),
        "email": Limit(cfg["SIGN_IN_ATTEMPTS_PER_EMAIL"], hour),
        "address": Limit(cfg["SIGN_IN_ATTEMPTS_PER_ADDRESS"], hour),
        "reset-email": Limit(cfg["RESET_EMAILS_PER_EMAIL"], hour, timedelta(minutes=15), timedelta(hours=1)),
        "reset-address": Limit(
            cfg["RESET_EMAILS_PER_ADDRESS"], hour, timedelta(minutes=5), timedelta(hours=1)
        ),
        "register-address": Limit(
            cfg["REGISTRATIONS_PER_ADDRESS"], hour, timedelta(minutes=5), timedelta(hours=1)
        ),
    }


def client_address() -> str:
    """The client's address; behind ``PORTAL_TRUSTED_PROXIES`` proxies (see :func:`init_app`)."""
    return request.remote_addr or "unknown"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def email_key(kind: str, email: str) -> str:
    """The counter for an email address as typed (normalised), whether or not an account has it."""
    return f"{kind}:{_digest(email.strip().lower())}"


def address_key(kind: str, address: str | None = None) -> str:
    """The counter for a client address."""
    return f"{kind}:{_digest(address or client_address())}"


def pair_key(email: str, address: str | None = None) -> str:
    """The counter for one email address tried from one client address."""
    return f"pair:{_digest(email.strip().lower())}:{_digest(address or client_address())[:16]}"


def wait_for(*keys: str, now: datetime | None = None) -> timedelta:
    """How long before another attempt under any of ``keys`` is allowed (zero if it is allowed now)."""
    now = now or utcnow()
    rows = db.session.scalars(select(Throttle).where(Throttle.key.in_(keys))).all()
    waits = [row.blocked_until - now for row in rows if row.blocked_until and row.blocked_until > now]
    return max(waits, default=timedelta(0))


def _row(key: str) -> Throttle:
    """The counter row for ``key``, created if need be, locked for this transaction where the database can."""
    row = db.session.get(Throttle, key, with_for_update=True, populate_existing=True)
    if row is not None:
        return row
    forget_expired()  # counters come and go: tidy up whenever one is added
    try:
        with db.session.begin_nested():
            db.session.add(Throttle(key=key, failures=0, window_start=utcnow()))
    except IntegrityError:
        pass  # another process created it first
    row = db.session.get(Throttle, key, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def hit(key: str, kind: str, *, now: datetime | None = None) -> bool:
    """Count one failure (or one use) under ``key``; True when this one starts or lengthens a delay.

    The caller commits.
    """
    now = now or utcnow()
    limit = limits()[kind]
    row = _row(key)
    if row.window_start + limit.window < now and not (row.blocked_until and row.blocked_until > now):
        row.failures = 0
        row.window_start = now
    row.failures += 1
    if row.failures < limit.attempts:
        return False
    doublings = min(row.failures - limit.attempts, 20)
    row.blocked_until = now + min(limit.longest, limit.base * 2**doublings)
    row.window_start = now
    return True


def clear(*keys: str) -> None:
    """Forget the counters under ``keys`` (the caller commits)."""
    db.session.execute(delete(Throttle).where(Throttle.key.in_(keys)))


def forget_expired(now: datetime | None = None) -> int:
    """Remove counters that no longer hold anyone back; how many were removed."""
    now = now or utcnow()
    longest = max(limit.window for limit in limits().values())
    result = db.session.execute(
        delete(Throttle)
        .where(
            Throttle.window_start < now - longest,
            (Throttle.blocked_until.is_(None)) | (Throttle.blocked_until < now),
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


# -- signing in ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInOutcome:
    """What came of an attempt: the account signed in to, or how long to wait first (zero if neither)."""

    account: Account | None
    wait: timedelta


def attempt_sign_in(email: str, password: str) -> SignInOutcome:
    """Check an email address and password under the limits above; the caller signs the account in.

    The password hasher runs exactly once for every attempt that is not held back, whether or not an account
    has the email address, so neither the answer nor the time taken says which addresses have accounts.
    """
    address = client_address()
    account = find_account(email)
    pair = pair_key(email, address)
    keys = [pair]
    if account is None or account.public_id not in known_device_ids():
        keys += [email_key("email", email), address_key("address", address)]
    wait = wait_for(*keys)
    if wait > timedelta(0):
        return SignInOutcome(None, wait)
    matches = verify_password(account.password_hash if account is not None else None, password)
    if account is not None and account.is_active and matches:
        clear(pair)
        return SignInOutcome(account, timedelta(0))
    slowed = [
        hit(pair, "pair"),
        hit(email_key("email", email), "email"),
        hit(address_key("address", address), "address"),
    ]
    if any(slowed) and account is not None:
        record("account.sign_in_throttled", actor=account)
    db.session.commit()
    return SignInOutcome(None, timedelta(0))


def find_account(email: str | None) -> Account | None:
    """The account with this email address, ignoring case."""
    if not email:
        return None
    return db.session.scalar(select(Account).where(func.lower(Account.email) == email.strip().lower()))


def password_reset(email: str) -> None:
    """A new password, set from an emailed link, lifts every hold on the email address (the caller commits)."""
    email_part = _digest(email.strip().lower())
    db.session.execute(
        delete(Throttle)
        .where(
            Throttle.key.in_([f"email:{email_part}", f"reset-email:{email_part}"])
            | Throttle.key.like(f"pair:{email_part}:%")
        )
        .execution_options(synchronize_session=False)
    )


# -- known devices -------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-device")  # type: ignore[arg-type]


def known_device_ids() -> list[str]:
    """Public ids of the accounts this browser has signed in to (a signed cookie, at most 180 days old)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        ids = _serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return []
    return [str(value) for value in ids] if isinstance(ids, list) else []


def remember_device(response: Any, public_id: str) -> None:
    """Mark this browser as one that has signed in to the account."""
    ids = [public_id] + [value for value in known_device_ids() if value != public_id]
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(ids[:_DEVICE_IDS_KEPT]),
        max_age=DEVICE_DAYS * 86400,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def init_app(app: Flask) -> None:
    """Trust ``X-Forwarded-For`` (and ``-Proto``) from exactly ``TRUSTED_PROXIES`` proxies in front of us.

    With none (the default) the address the connection comes from is the client's; a client cannot claim
    another address by sending the header itself.
    """
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
