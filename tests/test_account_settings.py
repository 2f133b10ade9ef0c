"""Accounts as people expect (issue 13 item 9): passwords checked against common and breached ones (NCSC),
change email (confirmed by a link) and password, delete an unsent draft, close the account; the language of
letters and emails chosen on the account page."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, AuditEvent, Case, CaseStatus, OutboxMessage, Person
from tests.conftest import csrf_from, sign_in
from tests.journey.helpers import answer_all, post, start

PASSWORD = "correct horse battery"


def _account(account_id: int) -> Account:
    db.session.expire_all()
    return db.session.get(Account, account_id)


def _errors(response) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = page.select_one(".govuk-error-summary")
    return summary.get_text(" ", strip=True) if summary else ""


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaaaa", "a repeat or a run of characters"),
        ("Password1!", "one of the most common, or has appeared in a data breach"),
        ("qwertyuiop", "one of the most common"),
        ("abcdefghijk", "a repeat or a run of characters"),
        ("Summer2024!", "one of the most common"),
        ("alexmorgan1", "must not contain your name or email address"),
        ("short", "must be 10 characters or more"),
    ],
)
def test_weak_passwords_are_refused_with_a_clear_message(client, password, message):
    response = post(
        client,
        "/account/register",
        {"name": "Alex Morgan", "email": "alex@example.org", "password": password, "confirm": password},
    )
    assert response.status_code == 200
    assert message in _errors(response)
    assert db.session.scalar(select(Account)) is None


def test_a_few_unrelated_words_are_accepted(client):
    response = post(
        client,
        "/account/register",
        {
            "name": "Alex Morgan",
            "email": "alex@example.org",
            "password": "kettle orbit parsnip",
            "confirm": "kettle orbit parsnip",
        },
    )
    assert response.status_code == 303


def test_change_password_needs_the_current_one_and_signs_out_other_devices(client, make_account):
    account = make_account(email="alex@example.org", name="Alex Morgan")
    sign_in(client, account)
    other = client.application.test_client()
    sign_in(other, account)

    wrong = post(
        client,
        "/account/password",
        {"current": "not it at all", "password": "kettle orbit parsnip", "confirm": "kettle orbit parsnip"},
    )
    assert "Your current password is not right" in _errors(wrong)
    weak = post(
        client, "/account/password", {"current": PASSWORD, "password": "Password1!", "confirm": "Password1!"}
    )
    assert "one of the most common" in _errors(weak)

    done = post(
        client,
        "/account/password",
        {"current": PASSWORD, "password": "kettle orbit parsnip", "confirm": "kettle orbit parsnip"},
    )
    assert done.status_code == 303
    assert client.get("/account/").status_code == 200  # this device carries on
    assert other.get("/account/").status_code == 302  # the other one is signed out
    fresh = client.application.test_client()
    assert sign_in(fresh, account, "kettle orbit parsnip").status_code == 303
    assert (
        db.session.scalar(select(OutboxMessage).filter_by(kind="password_changed")).to_address
        == "alex@example.org"
    )
    assert db.session.scalar(select(AuditEvent).filter_by(action="account.password_changed")) is not None


def _link(kind: str) -> str:
    body = (
        db.session.scalars(select(OutboxMessage).filter_by(kind=kind).order_by(OutboxMessage.id.desc()))
        .first()
        .body_text
    )
    return re.search(r"http://localhost(/account/email/confirm/\S+)", body).group(1)


def test_change_email_is_confirmed_by_a_link_sent_to_the_new_address(client, make_account):
    account = make_account(email="alex@example.org", name="Alex Morgan")
    sign_in(client, account)
    response = post(client, "/account/email", {"email": "New@Example.org", "current": PASSWORD})
    assert "We have sent an email to new@example.org" in response.get_data(as_text=True)
    assert _account(account.id).email == "alex@example.org"  # nothing changes until confirmed
    message = db.session.scalar(select(OutboxMessage).filter_by(kind="email_change"))
    assert message.to_address == "new@example.org"
    link = _link("email_change")

    # Opening the link (as a mail scanner would) changes nothing; the button does.
    page = client.get(link)
    assert page.status_code == 200 and _account(account.id).email == "alex@example.org"
    assert post(client, link, {}).status_code == 303
    assert _account(account.id).email == "new@example.org"
    assert client.get(link).status_code == 404  # once only
    told = db.session.scalar(select(OutboxMessage).filter_by(kind="email_changed"))
    assert told.to_address == "alex@example.org"
    assert db.session.scalar(select(AuditEvent).filter_by(action="account.email_changed")) is not None


def test_change_email_to_a_taken_address_says_the_same_and_changes_nothing(client, make_account):
    make_account(email="taken@example.org")
    account = make_account(email="alex@example.org")
    sign_in(client, account)
    response = post(client, "/account/email", {"email": "taken@example.org", "current": PASSWORD})
    assert "We have sent an email to taken@example.org" in response.get_data(as_text=True)
    assert "already" not in response.get_data(as_text=True)
    assert db.session.scalar(select(OutboxMessage).filter_by(kind="email_change")) is None
    assert (
        db.session.scalar(select(OutboxMessage).filter_by(kind="email_change_taken")).to_address
        == "taken@example.org"
    )
    assert _account(account.id).email == "alex@example.org"


def test_the_account_page_sets_the_language_of_letters_by_post(client, make_account):
    account = make_account()
    sign_in(client, account)
    page = client.get("/account/").get_data(as_text=True)
    assert 'action="/account/language"' in page
    assert client.get("/account/language").status_code == 405  # never by a link
    token = csrf_from(page)
    response = client.post(
        "/account/language", data={"csrf_token": token, "language": "cy", "easy_read": "y"}
    )
    assert response.status_code == 303
    stored = _account(account.id)
    assert stored.locale == "cy" and stored.easy_read is True
    bad = client.post("/account/language", data={"csrf_token": token, "language": "xx"})
    assert bad.status_code == 400 and _account(account.id).locale == "cy"


@pytest.fixture
def citizen(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    account = make_account(email="alex@example.org", name="Alex Morgan")
    sign_in(client, account)
    return account


def _case(case_id: str) -> Case:
    db.session.expire_all()
    return db.session.scalar(select(Case).filter_by(public_id=case_id))


def test_an_unsent_draft_can_be_deleted(client, citizen):
    case_id = start(client, carer_for="Sam Morgan")
    assert f"/my/cases/{case_id}/delete" in client.get("/my/").get_data(as_text=True)
    assert post(client, f"/my/cases/{case_id}/delete", {}).status_code == 303
    case = _case(case_id)
    assert case.deleted_at is not None and case.answers == {}
    person = db.session.get(Person, case.person_id)
    assert person.name == "" and person.date_of_birth is None and person.postcode == ""
    assert client.get(f"/my/cases/{case_id}/").status_code == 404
    assert case_id not in client.get("/my/").get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).filter_by(action="case.draft_deleted")).case_id == case.id


def test_a_sent_case_cannot_be_deleted_and_another_account_gets_404(client, citizen, make_account):
    case_id = start(client)
    answer_all(client, case_id)
    assert post(client, f"/my/cases/{case_id}/send", {"confirm": "y"}).status_code == 303
    assert client.get(f"/my/cases/{case_id}/delete").status_code == 404
    draft = start(client)
    stranger = client.application.test_client()
    sign_in(stranger, make_account(email="stranger@example.org"))
    assert stranger.get(f"/my/cases/{draft}/delete").status_code == 404
    token = csrf_from(stranger.get("/my/new").get_data(as_text=True))
    assert stranger.post(f"/my/cases/{draft}/delete", data={"csrf_token": token}).status_code == 404
    assert _case(draft).deleted_at is None


def test_closing_the_account_keeps_sent_cases_with_the_council(client, citizen):
    sent_id = start(client)
    answer_all(client, sent_id)
    assert post(client, f"/my/cases/{sent_id}/send", {"confirm": "y"}).status_code == 303
    draft_id = start(client, carer_for="Sam Morgan")
    page = client.get("/account/close").get_data(as_text=True)
    assert "It stays with the council" in page and "will be deleted" in page

    wrong = post(client, "/account/close", {"current": "not my password"})
    assert "Your current password is not right" in _errors(wrong)
    assert post(client, "/account/close", {"current": PASSWORD}).status_code == 303

    account = _account(citizen.id)
    assert not account.is_active and account.closed_at is not None and account.password_hash is None
    assert account.email.endswith("@closed.invalid") and account.name == "Alex Morgan"  # named by a sent case
    sent = _case(sent_id)
    assert sent.status == CaseStatus.SENT and sent.answers and sent.deleted_at is None
    assert _case(draft_id).deleted_at is not None
    event = db.session.scalar(select(AuditEvent).filter_by(action="account.closed"))
    assert event.detail == {"drafts_deleted": 1, "sent_cases_kept": 1}
    closed = db.session.scalar(select(OutboxMessage).filter_by(kind="account_closed"))
    assert closed.to_address == "alex@example.org" and "stays with the council" in closed.body_text
    assert client.get("/my/").status_code == 302  # signed out
    assert sign_in(client.application.test_client(), citizen).status_code == 200  # cannot sign in again


def test_staff_cannot_close_their_own_account(client, make_account, make_organisation):
    from portal.models import Role

    sign_in(client, make_account(Role.ASSESSOR, organisation=make_organisation()))
    assert client.get("/account/close").status_code == 403


def test_the_new_pages_are_well_formed(client_request, client, citizen):
    page = client_request.get("accounts.overview")
    assert page.select_one("input[type=checkbox][name=easy_read]") is not None
    assert {i["value"] for i in page.select("input[type=radio][name=language]")} == {"en", "cy", "pl", "ur"}
    for endpoint in (
        "account_settings.change_password",
        "account_settings.change_email",
        "account_settings.close",
    ):
        client_request.get(endpoint)
    case_id = start(client)
    client_request.get("selfassess.delete", case_id=case_id)
    client_request.get("accounts.overview", _query="lang=cy", _lang="cy")


def test_guessing_the_current_password_is_slowed_like_signing_in(client, make_account):
    account = make_account(email="alex@example.org")
    sign_in(client, account)
    for _ in range(5):
        wrong = post(client, "/account/email", {"email": "new@example.org", "current": "a wrong guess"})
        assert "Your current password is not right" in _errors(wrong)
    held_back = post(client, "/account/email", {"email": "new@example.org", "current": PASSWORD})
    assert "too many wrong passwords" in _errors(held_back)
    assert db.session.scalar(select(OutboxMessage).filter_by(kind="email_change")) is None
