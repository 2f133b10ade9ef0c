"""Guessing limits (portal/throttle.py): slowed, never locked; the same answer whether or not an account
exists; counters in the database; the client address behind a configured number of proxies."""

from __future__ import annotations

from datetime import timedelta

import argon2
import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import Account, AuditEvent, OutboxMessage, Role, Throttle, utcnow
from tests.conftest import csrf_from

PASSWORD = "correct horse battery"
WRONG = "not the password"
HOME = "203.0.113.10"
ELSEWHERE = "198.51.100.77"


def attempt(client, email, password, address=HOME):
    """One sign-in from ``address``."""
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/account/sign-in", environ_base=environ).get_data(as_text=True))
    return client.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base=environ,
    )


def post_form(client, url, data, address=HOME):
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client.get(url, environ_base=environ).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, environ_base=environ)


def lift_delays():
    """Let every delay run out, as time passing would."""
    db.session.execute(update(Throttle).values(blocked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_the_hasher_runs_once_whether_or_not_the_account_exists(client, make_account, monkeypatch):
    account = make_account(email="alex@example.org")
    unset = make_account(email="new.staff@example.org", role=Role.ASSESSOR)
    unset.password_hash = None  # staff who have not used their set-up link yet
    db.session.commit()
    calls = []
    real_verify = argon2.PasswordHasher.verify

    def counting(self, hash, password):  # noqa: A002 - argon2's name
        calls.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    for email in ("nobody@example.org", account.email, unset.email):
        calls.clear()
        response = attempt(client, email, WRONG)
        assert response.status_code == 200
        assert "Enter the email address and password for your account" in response.get_data(as_text=True)
        assert len(calls) == 1, email


def test_the_same_answer_whether_or_not_the_account_exists_even_when_slowed(client, make_account, app):
    account = make_account(email="alex@example.org")
    answers = {}
    for email in (account.email, "nobody@example.org"):
        for _ in range(app.config["SIGN_IN_ATTEMPTS"]):
            attempt(client, email, WRONG)
        response = attempt(client, email, WRONG)
        answers[email] = (response.status_code, response.get_data(as_text=True).replace(email, "EMAIL"))
    known, unknown = answers.values()
    assert known[0] == unknown[0] == 429
    assert "too many attempts to sign in with this email address" in known[1]
    assert "Wait 1 minute" in known[1]

    def message(html):
        return html[html.index("govuk-error-summary") :][:600]

    assert message(known[1]) == message(unknown[1])


def test_a_growing_delay_not_a_lock(client, make_account, app):
    account = make_account()
    for _ in range(app.config["SIGN_IN_ATTEMPTS"]):
        attempt(client, account.email, WRONG)
    # Held back: even the right password is not checked during the delay.
    assert attempt(client, account.email, PASSWORD).status_code == 429
    first = db.session.scalar(select(Throttle).where(Throttle.key.like("pair:%")))
    first_delay = first.blocked_until - first.window_start
    assert timedelta(seconds=29) < first_delay <= timedelta(seconds=31)
    lift_delays()
    attempt(client, account.email, WRONG)  # one more failure: the delay doubles
    db.session.expire_all()
    second = db.session.scalar(select(Throttle).where(Throttle.key.like("pair:%")))
    assert timedelta(seconds=59) < second.blocked_until - second.window_start <= timedelta(seconds=61)
    assert db.session.scalar(select(AuditEvent).filter_by(action="account.sign_in_throttled")) is not None
    lift_delays()
    # Once the delay runs out the right password works, and clears the count.
    assert attempt(client, account.email, PASSWORD).status_code == 303
    assert (
        db.session.scalar(select(func.count()).select_from(Throttle).where(Throttle.key.like("pair:%"))) == 0
    )


def test_a_stranger_elsewhere_cannot_keep_the_owner_out(app, make_account):
    account = make_account()
    owner = app.test_client()
    assert attempt(owner, account.email, PASSWORD, ELSEWHERE).status_code == 303  # signed in here before
    owner.post(
        "/account/sign-out",
        data={"csrf_token": csrf_from(owner.get("/account/sign-out").get_data(as_text=True))},
    )
    stranger = app.test_client()
    for _ in range(app.config["SIGN_IN_ATTEMPTS"] + 3):
        attempt(stranger, account.email, WRONG, HOME)
    assert attempt(stranger, account.email, PASSWORD, HOME).status_code == 429
    # The owner, elsewhere, is not held back by the stranger's failures.
    assert attempt(owner, account.email, PASSWORD, ELSEWHERE).status_code == 303
    owner.post(
        "/account/sign-out",
        data={"csrf_token": csrf_from(owner.get("/account/sign-out").get_data(as_text=True))},
    )

    # Guessing spread over many addresses slows every new browser down for this email address...
    for number in range(app.config["SIGN_IN_ATTEMPTS_PER_EMAIL"]):
        attempt(stranger, account.email, WRONG, f"192.0.2.{number + 1}")
    newcomer = app.test_client()
    assert attempt(newcomer, account.email, PASSWORD, "192.0.2.200").status_code == 429
    # ...but not a browser that has signed in to the account before.
    assert attempt(owner, account.email, PASSWORD, ELSEWHERE).status_code == 303


def test_a_shared_office_address_does_not_keep_a_council_out(app, make_account, make_organisation):
    app.config["SIGN_IN_ATTEMPTS_PER_ADDRESS"] = 8
    council = make_organisation()
    colleagues = [make_account(Role.ASSESSOR, organisation=council, level=2) for _ in range(3)]
    browsers = [app.test_client() for _ in colleagues]
    for browser, colleague in zip(browsers, colleagues, strict=True):
        assert attempt(browser, colleague.email, PASSWORD).status_code == 303
        browser.post(
            "/account/sign-out",
            data={"csrf_token": csrf_from(browser.get("/account/sign-out").get_data(as_text=True))},
        )
    # Someone in the office (or behind the same address) tries many addresses.
    noisy = app.test_client()
    for number in range(10):
        attempt(noisy, f"guess{number}@example.org", WRONG)
    assert attempt(noisy, "guess99@example.org", WRONG).status_code == 429
    # Everyone who has signed in from their browser before still can.
    for browser, colleague in zip(browsers, colleagues, strict=True):
        assert attempt(browser, colleague.email, PASSWORD).status_code == 303


def test_counters_live_in_the_database_so_every_worker_sees_them(app, make_account):
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    account = make_account()
    for _ in range(app.config["SIGN_IN_ATTEMPTS"]):
        attempt(app.test_client(), account.email, WRONG)
    # Another process's own connection sees the hold, and nothing about the account is in the key.
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT key, failures, blocked_until FROM throttles")).all()
    finally:
        engine.dispose()
    held = [row for row in rows if row.key.startswith("pair:")]
    assert len(held) == 1 and held[0].failures == app.config["SIGN_IN_ATTEMPTS"] and held[0].blocked_until
    assert not [row for row in rows if account.email in row.key or account.public_id in row.key]
    # A fresh client (any worker) is held back by it.
    assert attempt(app.test_client(), account.email, PASSWORD).status_code == 429


def test_the_client_address_is_taken_behind_the_configured_proxies(app, make_account):
    from portal import throttle

    account = make_account()
    spoofing = app.test_client()

    def from_proxy(client, password, claimed):
        token = csrf_from(client.get("/account/sign-in").get_data(as_text=True))
        return client.post(
            "/account/sign-in",
            data={"csrf_token": token, "email": account.email, "password": password},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
            headers={"X-Forwarded-For": claimed},
        )

    # No trusted proxy (the default): a client cannot dodge the limit by claiming other addresses.
    for number in range(app.config["SIGN_IN_ATTEMPTS"]):
        from_proxy(spoofing, WRONG, f"192.0.2.{number}")
    assert from_proxy(spoofing, PASSWORD, "192.0.2.250").status_code == 429

    # One trusted proxy: the address it saw is the client's, so another client is not held back.
    app.config["TRUSTED_PROXIES"] = 1
    throttle.init_app(app)
    assert from_proxy(app.test_client(), PASSWORD, "spoofed, 192.0.2.250").status_code == 303
    lift_delays()
    for _ in range(app.config["SIGN_IN_ATTEMPTS"]):
        from_proxy(spoofing, WRONG, "192.0.2.1")
    assert from_proxy(spoofing, PASSWORD, "192.0.2.1").status_code == 429
    assert from_proxy(app.test_client(), PASSWORD, "192.0.2.2").status_code == 303


def test_a_password_reset_lifts_every_hold(app, client, make_account):
    from portal import throttle

    account = make_account()
    for number in range(app.config["SIGN_IN_ATTEMPTS_PER_EMAIL"]):
        attempt(client, account.email, WRONG, f"192.0.2.{number}")
    assert attempt(client, account.email, PASSWORD, "192.0.2.1").status_code == 429
    with app.test_request_context():
        throttle.password_reset(account.email.upper())
    db.session.commit()
    assert attempt(client, account.email, PASSWORD, "192.0.2.1").status_code == 303


def test_the_known_device_cookie_is_signed_and_http_only(app, client, make_account):
    account = make_account()
    response = attempt(client, account.email, PASSWORD)
    cookie = next(
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("portal_device=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert account.public_id not in cookie.split(";")[0]  # signed and encoded, not a plain id
    # A forged cookie counts for nothing.
    forged = app.test_client()
    forged.set_cookie("portal_device", "W10.forged.signature")
    for number in range(app.config["SIGN_IN_ATTEMPTS_PER_EMAIL"]):
        attempt(app.test_client(), account.email, WRONG, f"192.0.2.{number}")
    assert attempt(forged, account.email, PASSWORD, ELSEWHERE).status_code == 429


# -- reset emails and registrations --------------------------------------------------------------------


def test_reset_emails_are_limited_per_email_address_silently(app, client, make_account):
    account = make_account(email="alex@example.org")
    pages = [
        post_form(client, "/account/forgotten-password", {"email": email}) for email in [account.email] * 5
    ]
    assert {page.status_code for page in pages} == {200}
    assert len({page.get_data(as_text=True).count("Check your email") for page in pages}) == 1
    sent = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).filter_by(to_address=account.email)
    )
    assert sent == app.config["RESET_EMAILS_PER_EMAIL"]


def test_reset_requests_are_limited_per_client_address(app, client):
    app.config["RESET_EMAILS_PER_ADDRESS"] = 3
    for number in range(3):
        assert (
            post_form(client, "/account/forgotten-password", {"email": f"p{number}@example.org"}).status_code
            == 200
        )
    refused = post_form(client, "/account/forgotten-password", {"email": "p9@example.org"})
    assert refused.status_code == 429
    assert "too many attempts from your connection" in refused.get_data(as_text=True)
    assert (
        post_form(client, "/account/forgotten-password", {"email": "p9@example.org"}, ELSEWHERE).status_code
        == 200
    )


def test_registrations_are_limited_per_client_address(app):
    app.config["REGISTRATIONS_PER_ADDRESS"] = 2
    for number in range(3):
        response = post_form(
            app.test_client(),
            "/account/register",
            {"name": "A", "email": f"new{number}@example.org", "password": PASSWORD, "confirm": PASSWORD},
        )
        assert response.status_code == (303 if number < 2 else 429)
    assert db.session.scalar(select(func.count()).select_from(Account)) == 2


def test_registering_a_taken_email_tells_the_holder_by_email_not_on_screen(client, make_account):
    holder = make_account(email="taken@example.org", name="Taken Holder", password="the holder's password")
    response = post_form(
        client,
        "/account/register",
        {"name": "Someone", "email": "TAKEN@example.org", "password": PASSWORD, "confirm": PASSWORD},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already" not in html and "Check your email" in html
    assert db.session.scalar(select(func.count()).select_from(Account)) == 1
    message = db.session.scalar(select(OutboxMessage).filter_by(to_address=holder.email))
    assert message is not None and message.kind == "account_exists"
    assert "/account/forgotten-password" in message.body_text
    assert client.get("/my/").status_code == 302  # not signed in as anyone


@pytest.mark.parametrize("email", ["new@example.org"])
def test_registering_a_new_email_still_signs_in(client, email):
    response = post_form(
        client,
        "/account/register",
        {"name": "New", "email": email, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 303
    assert client.get("/my/").status_code == 200


def test_old_counters_are_tidied_away(app, client, make_account):
    from portal import throttle

    attempt(client, "someone@example.org", WRONG)
    long_ago = utcnow() - timedelta(days=2)
    db.session.execute(update(Throttle).values(window_start=long_ago, blocked_until=None))
    db.session.commit()
    attempt(client, "someone.else@example.org", WRONG)  # adds counters, and tidies the old ones
    keys = db.session.scalars(select(Throttle.key)).all()
    assert keys and all(key not in keys for key in [throttle.email_key("email", "someone@example.org")])
