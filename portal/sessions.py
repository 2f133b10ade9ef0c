"""Sessions kept on the server, in the database (PostgreSQL in production: no state in the web processes).

The cookie carries only a random token; the database keeps its SHA-256 hash with the session's values
(language, the CSRF secret, flashed messages, who is signed in). So:

- signing out, or a session passing its idle or absolute limit, ends the record, and every copy of the
  cookie is useless from then on;
- signing in starts a new record under a new token (no session fixation) and drops the CSRF secret, so
  a token from a page seen before signing in does not work after it;
- a reading page writes nothing but this record, and that at most once a minute (``SESSION_TOUCH_SECONDS``),
  to move the idle limit on. Static files never touch it.

Staff sessions have shorter limits than citizens' (``STAFF_SESSION_*`` in :mod:`portal.config`). Before
either limit the page warns the person (assets/js/session-timeout.js, WCAG 2.2.1); without JavaScript the
page says when the session will end (templates/components/session_notice.html).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Request, current_app, g, jsonify, request, session
from flask.sessions import SessionInterface, SessionMixin, session_json_serializer
from flask_login import login_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import CallbackDict
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.models import Account, Role, SessionRecord, utcnow

# What survives signing in and out: the person's own display choices, nothing else.
_KEPT_ACROSS_SIGN_IN = ("lang", "easy_read")
_UK = ZoneInfo("Europe/London")


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """The session's values for one request, loaded from (and saved to) a :class:`SessionRecord`."""

    def __init__(
        self, initial: dict[str, Any] | None = None, record: SessionRecord | None = None, lost: str = ""
    ) -> None:
        def on_update(_: Any) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)
        self.record = record
        self.lost = lost  # why a signed-in session named by the cookie no longer works, if it does not
        self.modified = False
        self.accessed = False
        self.rotate = False  # start a new record under a new token (signing in)
        self.end_reason = ""  # end the current record (signing out)
        self.account: Account | None = record.account if record is not None else None
        # The record as read, kept here: a page that commits (an audit event) expires the record, and reading
        # it again at the end of the request would cost a query only to find it unchanged.
        self.loaded_data = record.data if record is not None else ""
        self.loaded_seen_at = record.last_seen_at if record is not None else None

    @property
    def permanent(self) -> bool:
        """The cookie lasts as long as the browser session; the record's limits decide the rest."""
        return False

    @permanent.setter
    def permanent(self, value: bool) -> None:
        """Ignored: see the getter."""


@dataclass(frozen=True)
class Limits:
    """How long a session may last, in seconds, without activity and in all."""

    idle: int
    absolute: int


def limits_for(account: Account | None) -> Limits:
    """The idle and absolute limits: shorter for staff (and the deployment admin) than for citizens."""
    cfg = current_app.config
    if account is not None and account.role != Role.CITIZEN:
        return Limits(cfg["STAFF_SESSION_IDLE_MINUTES"] * 60, cfg["STAFF_SESSION_ABSOLUTE_HOURS"] * 3600)
    return Limits(cfg["SESSION_IDLE_MINUTES"] * 60, cfg["SESSION_ABSOLUTE_HOURS"] * 3600)


def _hash(token: str) -> str:
    """Only the token's hash is stored, so a copy of the table does not hand out working sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


def idle_end(record: SessionRecord) -> datetime:
    """When the record ends if nothing more happens."""
    return record.last_seen_at + timedelta(seconds=record.idle_seconds)


def _why_over(record: SessionRecord, now: datetime) -> str:
    """Why the record no longer works ("" while it does)."""
    if record.ended_at is not None:
        return record.ended_reason or "signed_out"
    if now >= record.expires_at:
        return "absolute"
    if now >= idle_end(record):
        return "idle"
    return ""


def _touch_due(last_seen_at: datetime | None, now: datetime) -> bool:
    """Whether this request should move the idle limit on (at most once a ``SESSION_TOUCH_SECONDS``)."""
    if request.path in _NO_TOUCH_PATHS or last_seen_at is None:
        return False
    return (now - last_seen_at).total_seconds() >= int(current_app.config["SESSION_TOUCH_SECONDS"])


# Asking how long is left must not itself extend the session.
_NO_TOUCH_PATHS = frozenset({"/account/session"})


# Built once: every request but a static file's runs it.
_RECORD_BY_TOKEN = (
    select(SessionRecord)
    .options(joinedload(SessionRecord.account))
    .where(SessionRecord.token_hash == bindparam("token_hash"))
)


class DatabaseSessionInterface(SessionInterface):
    """Flask's session, stored in ``session_records``; the cookie holds a random token."""

    serializer = session_json_serializer

    def _skip(self, app: Flask, request: Request) -> bool:
        """Static files need no session (and must not cost a query)."""
        return bool(app.static_url_path and request.path.startswith(app.static_url_path + "/"))

    def open_session(self, app: Flask, request: Request) -> ServerSession | None:
        if self._skip(app, request):
            return None  # Flask then uses a null session, which is never saved
        token = request.cookies.get(self.get_cookie_name(app), "")
        if not token or len(token) > 100:
            return ServerSession()
        record = db.session.scalar(_RECORD_BY_TOKEN, {"token_hash": _hash(token)})
        if record is None:
            return ServerSession(lost="unknown")
        now = utcnow()
        why = _why_over(record, now)
        if why:
            lost = why if record.account_id is not None else ""
            if record.ended_at is None:
                record.ended_at = now
                record.ended_reason = why
                record.data = ""
                db.session.commit()
            return ServerSession(lost=lost)
        values = self.serializer.loads(record.data) if record.data else {}
        return ServerSession(values, record=record)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ServerSession):
            return
        name = self.get_cookie_name(app)
        now = utcnow()
        record = session.record
        if record is not None and (session.rotate or session.end_reason):
            record.ended_at = now
            record.ended_reason = session.end_reason or "renewed"
            record.data = ""
            record = None
        values = dict(session)
        values.pop("_permanent", None)
        if not values:
            if record is not None:
                # Emptied but not ended (rare): keep the record, with no values, so the cookie still names it.
                record.data = ""
                db.session.commit()
            elif request.cookies.get(name):
                db.session.commit()
                response.delete_cookie(
                    name,
                    domain=self.get_cookie_domain(app),
                    path=self.get_cookie_path(app),
                    secure=self.get_cookie_secure(app),
                    httponly=self.get_cookie_httponly(app),
                    samesite=self.get_cookie_samesite(app),
                )
            return
        serialised = self.serializer.dumps(values)
        if record is None:
            account = session.account if values.get("_user_id") else None
            limits = limits_for(account)
            token = secrets.token_urlsafe(32)
            db.session.add(
                SessionRecord(
                    token_hash=_hash(token),
                    account_id=account.id if account is not None else None,
                    data=serialised,
                    created_at=now,
                    last_seen_at=now,
                    idle_seconds=limits.idle,
                    expires_at=now + timedelta(seconds=limits.absolute),
                )
            )
            db.session.commit()
            # No Expires: the cookie goes when the browser closes; the record's limits end it sooner.
            response.set_cookie(
                name,
                token,
                domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app),
                secure=self.get_cookie_secure(app),
                httponly=self.get_cookie_httponly(app),
                samesite=self.get_cookie_samesite(app),
            )
        else:
            changed = False
            if serialised != session.loaded_data:
                record.data = serialised
                changed = True
            if _touch_due(session.loaded_seen_at, now):
                record.last_seen_at = now
                changed = True
            if changed:
                db.session.commit()
        response.vary.add("Cookie")


def init_app(app: Flask) -> None:
    """Use the database for sessions."""
    app.session_interface = DatabaseSessionInterface()


# -- signing in and out -------------------------------------------------------------------------------


def begin(account: Account) -> None:
    """Sign ``account`` in under a new session record and a new CSRF secret (call instead of login_user)."""
    current = _current()
    kept = {key: session[key] for key in _KEPT_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(kept)
    g.pop("csrf_token", None)  # Flask-WTF caches the token for the request: make the next form get a new one
    login_user(account)
    purge()  # old records go as people sign in: committed with the new record
    from portal import held

    held.purge()  # and typed input held for more than a day, by the same indexed kind of delete
    if held.any_for(account):
        session[held.SESSION_FLAG] = True
    current.rotate = True
    current.account = account
    current.lost = ""


def end(reason: str = "signed_out") -> None:
    """Sign out: the record ends, so every copy of the cookie stops working. The language choice stays."""
    current = _current()
    kept = {key: session[key] for key in _KEPT_ACROSS_SIGN_IN if key in session}
    logout_user()
    session.clear()
    session.update(kept)
    g.pop("csrf_token", None)
    current.end_reason = reason
    current.account = None


def end_all(account: Account, reason: str, *, keep_current: bool = False) -> None:
    """End every session of ``account`` (a password change, a closed account), in the caller's transaction."""
    query = update(SessionRecord).where(
        SessionRecord.account_id == account.id, SessionRecord.ended_at.is_(None)
    )
    current = _current_or_none()
    if keep_current and current is not None and current.record is not None:
        query = query.where(SessionRecord.id != current.record.id)
    db.session.execute(query.values(ended_at=utcnow(), ended_reason=reason, data=""))


def purge(now: datetime | None = None) -> int:
    """Delete records whose absolute limit passed more than a day ago (ended ones hold no values meanwhile).

    One indexed condition: every record, ended or not, has passed its absolute limit within a day or so of
    ending, so this catches them all without a scan.
    """
    now = now or utcnow()
    result = db.session.execute(
        delete(SessionRecord).where(SessionRecord.expires_at < now - timedelta(days=1))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _current() -> ServerSession:
    """This request's session, which must be a database session."""
    current = _current_or_none()
    if current is None:
        raise RuntimeError("no server session on this request")
    return current


def _current_or_none() -> ServerSession | None:
    """This request's session, if it is a database session (None outside a request)."""
    from flask import has_request_context

    if not has_request_context():
        return None
    obj = session._get_current_object()  # type: ignore[attr-defined]
    return obj if isinstance(obj, ServerSession) else None


# -- what the page tells the person -------------------------------------------------------------------


@dataclass(frozen=True)
class Ends:
    """When the signed-in session ends: after inactivity, and at the latest."""

    idle_at: datetime
    absolute_at: datetime
    idle_seconds: int

    @property
    def first(self) -> datetime:
        """Whichever comes first."""
        return min(self.idle_at, self.absolute_at)

    @property
    def idle_left(self) -> int:
        """Seconds until the idle limit."""
        return remaining_seconds(self.idle_at)

    @property
    def absolute_left(self) -> int:
        """Seconds until the absolute limit."""
        return remaining_seconds(self.absolute_at)


def ends() -> Ends | None:
    """When this request's signed-in session will end, counting this request's own activity."""
    current = _current_or_none()
    if current is None or not session.get("_user_id"):
        return None
    now = utcnow()
    record = current.record
    if record is None or current.rotate:
        limits = limits_for(current.account)
        return Ends(
            now + timedelta(seconds=limits.idle), now + timedelta(seconds=limits.absolute), limits.idle
        )
    last = now if _touch_due(current.loaded_seen_at, now) else record.last_seen_at
    return Ends(last + timedelta(seconds=record.idle_seconds), record.expires_at, record.idle_seconds)


def lost_reason() -> str:
    """Why a signed-in session the browser named has ended on this request ("" if it has not)."""
    current = _current_or_none()
    return current.lost if current is not None else ""


def lost_message() -> str:
    """A plain sentence saying why the person was signed out, when their session ended ("" otherwise)."""
    from flask_babel import gettext, ngettext

    why = lost_reason()
    cfg = current_app.config
    if why == "idle":
        minutes = cfg["SESSION_IDLE_MINUTES"]
        return str(
            ngettext(
                "You were signed out because nothing happened for %(num)d minute or more. Sign in again to carry on.",
                "You were signed out because nothing happened for %(num)d minutes or more. Sign in again to carry on.",
                minutes,
            )
        )
    if why == "absolute":
        return str(
            gettext(
                "You were signed out because you had been signed in for a long time. Sign in again to carry on."
            )
        )
    if why in ("signed_out", "password_changed", "closed"):
        return str(gettext("You were signed out, in this window or another one. Sign in again to carry on."))
    return ""


def extend() -> Ends | None:
    """Move the idle limit on now (the warning's "Stay signed in"); the absolute limit stays."""
    current = _current_or_none()
    if current is None or current.record is None or not session.get("_user_id"):
        return None
    current.record.last_seen_at = utcnow()
    db.session.commit()
    return ends()


def signed_in_account_id() -> int | None:
    """The account the current session record belongs to (None when signed out)."""
    current = _current_or_none()
    if current is None or current.record is None:
        return None
    return current.record.account_id


def remaining_seconds(moment: datetime) -> int:
    """Whole seconds from now until ``moment`` (0 if past)."""
    return max(0, int((moment - utcnow()).total_seconds()))


def account_for_record(public_id_and_version: str) -> Account | None:
    """The signed-in account for Flask-Login, from the record loaded with the session (no second query)."""
    public_id, _, version = public_id_and_version.partition(":")
    current = _current_or_none()
    account = current.account if current is not None else None
    if account is None or account.public_id != public_id:
        return None
    if not account.is_active or str(account.session_version) != version:
        return None
    return account


# -- the warning's endpoint ---------------------------------------------------------------------------

bp = Blueprint("sessions", __name__, url_prefix="/account/session")


def format_clock(moment: datetime) -> str:
    """A time of day as people in England read it (UK time), in the page's language, e.g. ``14:32``."""
    from flask_babel import get_locale

    locale = get_locale()
    # Hours and minutes only: the same for every moment within a minute, so worked out once a minute a language.
    return _clock(moment.replace(second=0, microsecond=0), str(locale) if locale is not None else None)


@functools.lru_cache(maxsize=256)
def _clock(minute: datetime, locale: str | None) -> str:
    from babel.dates import format_time

    return str(format_time(minute, format="short", tzinfo=_UK, locale=locale))


def notice_text(found: Ends) -> str:
    """The sentence every signed-in page shows, so a person without JavaScript knows when it will end."""
    from flask_babel import gettext

    if found.absolute_at <= found.idle_at:
        return str(
            gettext(
                "For your security, you will be signed out at %(time)s (UK time). Anything you have not saved "
                "yet will be kept for you to save when you sign in again.",
                time=format_clock(found.absolute_at),
            )
        )
    return str(
        gettext(
            "For your security, you will be signed out at %(time)s (UK time) if you do nothing before then. "
            "Opening or saving any page moves this time on.",
            time=format_clock(found.idle_at),
        )
    )


def _status(found: Ends | None) -> dict[str, Any]:
    """What the warning script needs: seconds left to each limit, and the notice to show."""
    if found is None:
        return {"signed_in": False}
    return {
        "signed_in": True,
        "idle_seconds_left": remaining_seconds(found.idle_at),
        "absolute_seconds_left": remaining_seconds(found.absolute_at),
        "notice": notice_text(found),
    }


@bp.get("")
def status() -> Any:
    """How long the session has left; asking does not extend it."""
    return jsonify(_status(ends()))


@bp.post("")
def stay_signed_in() -> Any:
    """The warning's one action: move the idle limit on (the CSRF check applies, as to every POST)."""
    return jsonify(_status(extend()))


@bp.errorhandler(CSRFError)
def refused(error: CSRFError) -> Any:
    """The script reads JSON: a refused extension is a 400 it can tell from a redirect."""
    return jsonify({"signed_in": bool(session.get("_user_id")), "refused": True}), 400
