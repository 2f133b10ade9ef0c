"""Sessions kept on the server: sign-out ends every copy, sign-in renews the CSRF secret, idle and absolute
limits (shorter for staff), the warning's times on the page, and reading pages write only the session record."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Account, Role, SessionRecord, utcnow
from tests.conftest import csrf_from, sign_in


def _record_for(client) -> SessionRecord | None:
    """The session record the client's cookie names."""
    from portal.sessions import _hash

    cookie = client.get_cookie("portal_session")
    if cookie is None:
        return None
    db.session.expire_all()
    return db.session.scalar(select(SessionRecord).filter_by(token_hash=_hash(cookie.value)))


def test_the_cookie_carries_only_a_random_token(client, make_account):
    account = make_account(email="alex@example.org", name="Alex Morgan")
    sign_in(client, account)
    value = client.get_cookie("portal_session").value
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)
    record = _record_for(client)
    assert record is not None and record.account_id == account.id
    # The cookie says nothing about the person, and the record stores a hash of the token, not the token.
    assert value not in record.token_hash and "alex" not in value.lower()


def test_a_copied_cookie_is_useless_after_sign_out(client, make_account):
    account = make_account()
    sign_in(client, account)
    copied = client.get_cookie("portal_session").value
    thief = client.application.test_client()
    thief.set_cookie("portal_session", copied)
    assert thief.get("/my/").status_code == 200  # the copy works while the session lasts

    token = csrf_from(client.get("/account/sign-out").get_data(as_text=True))
    assert client.post("/account/sign-out", data={"csrf_token": token}).status_code == 303

    replay = thief.get("/my/")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/account/sign-in")
    # Replaying it again, or on another page, does not bring it back or renew it.
    assert thief.get("/account/").status_code == 302
    record = db.session.scalar(select(SessionRecord).filter_by(account_id=account.id))
    assert record.ended_at is not None and record.ended_reason == "signed_out"


def test_signing_in_starts_a_new_session_and_a_new_csrf_token(client, make_account, make_organisation):
    make_organisation()  # a council offering the self-assessment, so that a case can be started
    account = make_account()
    page = client.get("/account/sign-in")
    before_token = csrf_from(page.get_data(as_text=True))
    before_cookie = client.get_cookie("portal_session").value
    client.post(
        "/account/sign-in",
        data={"csrf_token": before_token, "email": account.email, "password": "correct horse battery"},
    )
    after_cookie = client.get_cookie("portal_session").value
    assert after_cookie != before_cookie  # no session fixation: the anonymous session's token is dead
    fixated = client.application.test_client()
    fixated.set_cookie("portal_session", before_cookie)
    assert fixated.get("/my/").status_code == 302

    after_token = csrf_from(client.get("/my/new").get_data(as_text=True))
    assert after_token != before_token
    # A form token from before signing in is refused afterwards.
    refused = client.post("/my/new", data={"csrf_token": before_token, "who": "myself"})
    assert refused.status_code == 303 and refused.headers["Location"].endswith("/my/new")
    accepted = client.post("/my/new", data={"csrf_token": after_token, "who": "myself"})
    assert accepted.status_code == 303 and "/about" in accepted.headers["Location"]


def test_language_choice_survives_signing_in_and_out(client, make_account):
    account = make_account()
    client.get("/?lang=cy")
    sign_in(client, account)
    assert 'lang="cy"' in client.get("/my/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "idle_minutes", "absolute_hours"),
    [(Role.CITIZEN, 60, 24), (Role.ASSESSOR, 30, 12), (Role.DEPLOYMENT_ADMIN, 30, 12)],
)
def test_limits_are_shorter_for_staff(
    client, make_account, make_organisation, role, idle_minutes, absolute_hours
):
    organisation = make_organisation() if role.is_staff else None
    account = make_account(role, organisation=organisation)
    sign_in(client, account)
    record = _record_for(client)
    assert record.idle_seconds == idle_minutes * 60
    span = (record.expires_at - record.created_at).total_seconds()
    assert span == absolute_hours * 3600


def test_idle_limit_ends_the_session_with_a_plain_message(client, make_account):
    sign_in(client, make_account())
    record = _record_for(client)
    record.last_seen_at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    response = client.get("/my/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because nothing happened for 60 minutes or more" in page
    assert _record_for(client) is None or _record_for(client).account_id is None


def test_activity_moves_the_idle_limit_on_but_not_the_absolute_one(client, make_account):
    sign_in(client, make_account())
    record = _record_for(client)
    record.last_seen_at = utcnow() - timedelta(minutes=59)
    db.session.commit()
    assert client.get("/my/").status_code == 200
    record = _record_for(client)
    assert utcnow() - record.last_seen_at < timedelta(seconds=5)

    record.created_at = utcnow() - timedelta(hours=25)
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/my/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "because you had been signed in for a long time" in page


def test_reading_pages_write_only_the_session_record_at_most_once_a_minute(client, make_account):
    sign_in(client, make_account())
    client.get("/my/")
    writes: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        for _ in range(3):
            assert client.get("/my/").status_code == 200
            assert client.get("/account/").status_code == 200
        assert writes == []  # touched less than a minute ago: nothing written

        record = _record_for(client)
        record.last_seen_at = utcnow() - timedelta(seconds=61)
        db.session.commit()
        writes.clear()
        client.get("/my/")
        client.get("/my/")
        assert len(writes) == 1 and "session_records" in writes[0]
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)


def test_static_files_do_not_touch_the_session(client, make_account):
    sign_in(client, make_account())
    record = _record_for(client)
    record.last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    client.get("/static/dist/app.js").close()
    assert utcnow() - _record_for(client).last_seen_at >= timedelta(minutes=4)


def test_a_password_reset_ends_every_other_session(client, make_account):
    from portal.sessions import end_all

    account = make_account()
    sign_in(client, account)
    other = client.application.test_client()
    sign_in(other, account)
    end_all(db.session.get(Account, account.id), "password_changed")
    db.session.commit()
    assert client.get("/my/").status_code == 302
    assert other.get("/my/").status_code == 302


def test_a_flashed_message_stays_on_the_server(client, make_account):
    sign_in(client, make_account())
    before = client.get_cookie("portal_session").value
    token = csrf_from(client.get("/account/sign-out").get_data(as_text=True))
    client.post("/account/sign-out", data={"csrf_token": token})
    after = client.get_cookie("portal_session").value
    assert after != before and re.fullmatch(r"[A-Za-z0-9_-]{43}", after)
    assert "You have signed out." in client.get("/").get_data(as_text=True)


def test_every_signed_in_page_says_when_the_session_ends(client, make_account):
    from bs4 import BeautifulSoup

    assert client.get("/").get_data(as_text=True).count("app-session-notice") == 0
    sign_in(client, make_account())
    record = _record_for(client)
    record.last_seen_at = utcnow() - timedelta(seconds=30)  # not touched by the next request
    db.session.commit()
    page = BeautifulSoup(client.get("/my/").get_data(as_text=True), "html.parser")
    notice = page.select_one("main #app-session-notice")
    assert "you will be signed out at" in notice.get_text() and "(UK time)" in notice.get_text()
    idle_left = int(notice["data-idle-seconds-left"])
    assert 60 * 60 - 35 <= idle_left <= 60 * 60 - 29
    assert int(notice["data-absolute-seconds-left"]) > 23 * 3600
    assert int(notice["data-warning-seconds"]) >= 120  # WCAG 2.2.1: at least two minutes' notice
    dialog = page.select_one("dialog#app-timeout-dialog")
    assert dialog.select_one("[data-timeout-extend]").get_text(strip=True) == "Stay signed in"


def test_asking_how_long_is_left_does_not_extend_but_staying_signed_in_does(client, make_account):
    from bs4 import BeautifulSoup

    sign_in(client, make_account())
    token = BeautifulSoup(client.get("/my/").get_data(as_text=True), "html.parser").select_one(
        "#app-session-notice"
    )["data-csrf-token"]
    record = _record_for(client)
    record.last_seen_at = utcnow() - timedelta(minutes=58)
    db.session.commit()
    status = client.get("/account/session").get_json()
    assert status["signed_in"] and status["idle_seconds_left"] <= 2 * 60
    assert client.get("/account/session").get_json()["idle_seconds_left"] <= 2 * 60

    refused = client.post("/account/session")  # no CSRF token
    assert refused.status_code == 400 and refused.get_json() == {"signed_in": True, "refused": True}
    assert client.get("/account/session").get_json()["idle_seconds_left"] <= 2 * 60

    extended = client.post("/account/session", headers={"X-CSRFToken": token}).get_json()
    assert extended["idle_seconds_left"] >= 59 * 60
    assert "you will be signed out at" in extended["notice"]
    assert client.get("/account/session").get_json()["idle_seconds_left"] >= 59 * 60


def test_a_signed_out_browser_is_told_so(client):
    assert client.get("/account/session").get_json() == {"signed_in": False}


def test_old_records_are_deleted_as_people_sign_in(client, make_account):
    from portal.sessions import purge

    sign_in(client, make_account())
    record = _record_for(client)
    record_id = record.id
    record.expires_at = utcnow() - timedelta(days=1, minutes=1)
    db.session.commit()
    assert purge() == 1
    db.session.commit()
    assert db.session.scalar(select(SessionRecord.id).filter_by(id=record_id)) is None
    assert client.get("/my/").status_code == 302


def test_the_absolute_limit_is_said_and_cannot_be_extended(client, make_account):
    """The absolute end comes first: the page says when, and that what is typed is kept; "stay signed in"
    moves the idle limit on but never the absolute one (decision 0012)."""
    from bs4 import BeautifulSoup

    sign_in(client, make_account())
    token = BeautifulSoup(client.get("/my/").get_data(as_text=True), "html.parser").select_one(
        "#app-session-notice"
    )["data-csrf-token"]
    record = _record_for(client)
    record.expires_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    page = BeautifulSoup(client.get("/my/").get_data(as_text=True), "html.parser")
    notice = page.select_one("main #app-session-notice")
    assert "will be kept for you to save when you sign in again" in notice.get_text()
    assert int(notice["data-absolute-seconds-left"]) <= 5 * 60
    absolute = page.select_one("dialog#app-timeout-dialog [data-timeout-state=absolute]")
    assert "what you type is kept and shown to you again when you sign in" in absolute.get_text()
    assert absolute.select_one("[data-timeout-extend]") is None  # nothing there pretends to extend it

    status = client.post("/account/session", headers={"X-CSRFToken": token}).get_json()
    assert status["signed_in"] and status["absolute_seconds_left"] <= 5 * 60
    assert "will be kept for you to save" in status["notice"]


def test_citizens_absolute_limit_is_at_least_20_hours(app):
    """It cannot be extended, so it must fall under WCAG 2.2.1's 20-hour exception; a shorter one is refused."""
    from portal.config import Config, check_session_limits

    assert Config.SESSION_ABSOLUTE_HOURS >= 20
    assert app.config["SESSION_WARNING_SECONDS"] >= 120
    check_session_limits({"SESSION_ABSOLUTE_HOURS": 20, "SESSION_WARNING_SECONDS": 120})
    with pytest.raises(RuntimeError, match="20 hours"):
        check_session_limits({"SESSION_ABSOLUTE_HOURS": 19, "SESSION_WARNING_SECONDS": 180})
    with pytest.raises(RuntimeError, match="two minutes"):
        check_session_limits({"SESSION_ABSOLUTE_HOURS": 24, "SESSION_WARNING_SECONDS": 60})


def test_the_time_a_session_ends_is_said_in_the_page_language_to_the_minute(app):
    """format_clock keeps each minute's wording per language: the same words as Babel's, whichever came first."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from babel.dates import format_time
    from flask_babel import force_locale

    from portal.i18n import babel_locale
    from portal.sessions import format_clock

    late_in_a_minute = datetime(2026, 7, 1, 13, 32, 59, 999_999, tzinfo=UTC)
    said = {}
    with app.test_request_context("/"):
        for code in ("en", "ur", "en", "cy"):
            with force_locale(babel_locale(code)):
                said[code] = format_clock(late_in_a_minute)
                london = ZoneInfo("Europe/London")
                expected = format_time(late_in_a_minute, "short", tzinfo=london, locale=babel_locale(code))
                assert said[code] == str(expected)
    assert said["en"] == "14:32"  # British Summer Time, and never rounded up to the next minute
    assert said["ur"] != said["en"]
