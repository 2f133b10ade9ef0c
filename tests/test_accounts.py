"""Registering, signing in and out, throttling, and resetting a password by an emailed one-time link."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import work
from portal.models import Account, PasswordToken, Role, utcnow
from tests.conftest import csrf_from, sign_in

PASSWORD = "correct horse battery"


def post_form(client, url, data):
    """Post a form with the CSRF token from its page."""
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_register_creates_a_citizen_and_signs_in(client):
    response = post_form(
        client,
        "/account/register",
        {"name": "Alex Morgan", "email": "Alex@Example.org ", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 303
    account = db.session.scalar(select(Account).filter_by(email="alex@example.org"))
    assert account is not None and account.role == Role.CITIZEN
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert client.get("/my/").status_code == 200


def test_register_errors_keep_what_was_typed(client_request):
    page = client_request.post(
        "accounts.register",
        {"name": "Alex Morgan", "email": "not-an-email", "password": "short", "confirm": "different"},
        _errors=True,
    )
    summary = page.select_one(".govuk-error-summary")
    links = {a["href"]: a.get_text(strip=True) for a in summary.select("a")}
    assert links["#email"].startswith("Enter an email address in the correct format")
    assert links["#password"] == "Your password must be 10 characters or more"
    assert links["#confirm"] == "The passwords do not match"
    # The message also sits next to its field, and the name and email typed are kept.
    assert "Your password must be 10 characters or more" in page.select_one("#password-error").get_text()
    assert page.select_one("#name")["value"] == "Alex Morgan"
    assert page.select_one("#email")["value"] == "not-an-email"
    assert page.title.get_text().startswith("Error:")


def test_register_refuses_a_common_password_without_saying_the_email_is_taken(client_request, make_account):
    make_account(email="taken@example.org")
    page = client_request.post(
        "accounts.register",
        {"name": "A", "email": "TAKEN@example.org", "password": "password123", "confirm": "password123"},
        _errors=True,
    )
    text = page.select_one(".govuk-error-summary").get_text()
    assert "already" not in text  # a taken address is told by email (tests/test_throttle.py)
    assert "one of the most common, or has appeared in a data breach" in text


def test_error_messages_are_translated(client):
    client.get("/?lang=cy")
    response = post_form(client, "/account/sign-in", {"email": "", "password": ""})
    html = response.get_data(as_text=True)
    assert 'lang="cy"' in html
    # The Welsh catalogue words the GOV.UK error summary title.
    assert "Mae problem wedi codi" in html


def test_sign_in_and_out(client, make_account):
    account = make_account()
    response = sign_in(client, account)
    assert response.status_code == 303 and response.headers["Location"] == "/my/"
    assert client.get("/account/").status_code == 200
    # Signing out needs a POST with the CSRF token; a GET only asks.
    assert client.get("/account/sign-out").status_code == 200
    assert client.get("/account/").status_code == 200
    response = post_form(client, "/account/sign-out", {})
    assert response.status_code == 303
    assert client.get("/account/").status_code == 302


def test_staff_land_on_the_staff_home(client, make_account, make_organisation):
    organisation = make_organisation()
    assessor = make_account(Role.ASSESSOR, organisation=organisation, level=2)
    assert sign_in(client, assessor).headers["Location"] == "/staff/"


def test_wrong_password_gives_one_message_for_unknown_and_known_accounts(client, make_account):
    account = make_account()
    known = post_form(client, "/account/sign-in", {"email": account.email, "password": "wrong password"})
    unknown = post_form(
        client, "/account/sign-in", {"email": "nobody@example.org", "password": "wrong password"}
    )
    for response in (known, unknown):
        assert response.status_code == 200
        assert "Enter the email address and password for your account" in response.get_data(as_text=True)


def test_next_only_follows_local_paths(client, make_account):
    account = make_account()
    token = csrf_from(client.get("/account/sign-in").get_data(as_text=True))
    response = client.post(
        "/account/sign-in?next=//evil.example.com/",
        data={"csrf_token": token, "email": account.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/my/"


def _reset_link(message) -> str:
    """The one-time link in a reset email."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://localhost(/account/reset-password/\S+)", body)
    assert match, body
    return match.group(1)


def test_forgotten_password_by_emailed_link(client, make_account, smtp_server):
    account = make_account(email="alex@example.org")
    sign_in(client, account)
    old_session = client.get_cookie("portal_session").value
    other_client = client.application.test_client()

    response = post_form(other_client, "/account/forgotten-password", {"email": "ALEX@example.org"})
    assert "Check your email" in response.get_data(as_text=True)
    assert smtp_server.messages == []  # nothing is sent inside the request
    assert work(until_empty=True) == 1
    (message,) = smtp_server.messages
    assert message["To"] == "alex@example.org"
    assert message["Subject"].startswith("Reset your password")
    assert message["Message-ID"]
    link = _reset_link(message)

    response = post_form(
        other_client, link, {"password": "a brand new password", "confirm": "a brand new password"}
    )
    assert response.status_code == 303
    # The link works once only.
    assert other_client.get(link).status_code == 404
    # The old session (signed in with the old password) has ended.
    client.set_cookie("portal_session", old_session)
    assert client.get("/account/").status_code == 302
    # The new password works, the old one does not.
    fresh = client.application.test_client()
    assert (
        post_form(fresh, "/account/sign-in", {"email": account.email, "password": PASSWORD}).status_code
        == 200
    )
    assert sign_in(fresh, account, "a brand new password").status_code == 303


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client, smtp_server):
    response = post_form(client, "/account/forgotten-password", {"email": "nobody@example.org"})
    assert "Check your email" in response.get_data(as_text=True)
    assert work(until_empty=True) == 0
    assert smtp_server.messages == []


def test_reset_link_expires(client, make_account, smtp_server, app):
    account = make_account()
    post_form(client, "/account/forgotten-password", {"email": account.email})
    work(until_empty=True)
    link = _reset_link(smtp_server.messages[0])
    token = db.session.scalar(select(PasswordToken))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 404
    assert "This link has expired" in response.get_data(as_text=True)


def test_reset_email_is_in_the_account_language(client, make_account, smtp_server):
    account = make_account(locale="cy")
    post_form(client, "/account/forgotten-password?lang=en", {"email": account.email})
    work(until_empty=True)
    (message,) = smtp_server.messages
    assert message["Content-Language"] == "cy"
    assert message["Subject"].startswith("Ailosod eich cyfrinair")


def test_tampered_tokens_are_not_found(client):
    for token in ("x", "a" * 43, "../../etc/passwd", "a" * 500):
        assert client.get(f"/account/reset-password/{token}").status_code == 404


def test_missing_csrf_token_is_a_clear_message_not_an_error(client, make_account):
    account = make_account()
    response = client.post("/account/sign-in", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session has timed out or the form was out of date" in html
