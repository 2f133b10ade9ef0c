"""Nothing typed is lost (issue 13, item 1): a question form gone stale keeps what the person typed.

Each finding first as a test: the cookie dropped, a sign-out in another client, a token that fails its CSRF
check, the case sent from another tab. What was typed is never saved from such a request: it is held on the
server for that account and case, shown back after signing in, saved only when the person presses Save, and
deleted after a day.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, CaseStatus, HeldInput, utcnow
from tests.conftest import csrf_from, sign_in
from tests.journey.helpers import answer_all, post, start

QUESTION = "what-i-can-do"
TYPED = "I can make a cup of tea if the kettle is light."


@pytest.fixture
def citizen(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    account = make_account(email="alex@example.org", name="Alex Morgan")
    sign_in(client, account)
    return account


def _hidden(html: str) -> dict[str, str]:
    """The hidden fields of the question form (the CSRF token and the ticket)."""
    form = BeautifulSoup(html, "html.parser").select_one("form.app-question-form")
    return {tag["name"]: tag.get("value", "") for tag in form.select("input[type=hidden]")}


def _answers(case_id: str) -> dict:
    db.session.expire_all()
    return db.session.scalar(select(Case).filter_by(public_id=case_id)).answers


def _sign_in_at(client, location: str, account) -> str:
    """Sign in on the page the portal sent the person to; return where it sends them next."""
    page = client.get(location)
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        location, data={"csrf_token": token, "email": account.email, "password": "correct horse battery"}
    )
    assert response.status_code == 303
    return response.headers["Location"]


def _shown_back(client, url: str) -> BeautifulSoup:
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    assert page.select_one("textarea[name=answer]").get_text() == TYPED
    assert "has not been saved yet" in page.select_one("main").get_text()
    return page


def _save_again(client, url: str, page: BeautifulSoup) -> None:
    hidden = _hidden(str(page))
    response = client.post(url, data={**hidden, "answer": TYPED, "submit": "y"})
    assert response.status_code == 303


def test_a_dropped_cookie_keeps_what_was_typed(client, citizen):
    case_id = start(client)
    url = f"/my/cases/{case_id}/questions/{QUESTION}"
    hidden = _hidden(client.get(url).get_data(as_text=True))
    client.delete_cookie("portal_session")

    response = client.post(url, data={**hidden, "answer": TYPED, "submit": "y"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/account/sign-in?next=")
    assert QUESTION not in _answers(case_id)  # never saved from a request that failed its CSRF check
    sign_in_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sign in again and we will show you what you typed" in sign_in_page

    assert _sign_in_at(client, response.headers["Location"], citizen) == url
    page = _shown_back(client, url)
    assert QUESTION not in _answers(case_id)
    _save_again(client, url, page)
    assert _answers(case_id)[QUESTION] == TYPED
    assert db.session.scalar(select(HeldInput)) is None


def test_signing_out_in_another_client_keeps_what_was_typed(client, citizen):
    case_id = start(client)
    url = f"/my/cases/{case_id}/questions/{QUESTION}"
    hidden = _hidden(client.get(url).get_data(as_text=True))
    other = client.application.test_client()
    other.set_cookie("portal_session", client.get_cookie("portal_session").value)
    token = csrf_from(other.get("/account/sign-out").get_data(as_text=True))
    assert other.post("/account/sign-out", data={"csrf_token": token}).status_code == 303

    response = client.post(url, data={**hidden, "answer": TYPED, "submit": "y"})
    assert response.headers["Location"].startswith("/account/sign-in?next=")
    assert QUESTION not in _answers(case_id)
    assert _sign_in_at(client, response.headers["Location"], citizen) == url
    _save_again(client, url, _shown_back(client, url))
    assert _answers(case_id)[QUESTION] == TYPED


def test_a_failed_csrf_check_never_saves_even_when_signed_in(client, citizen):
    case_id = start(client)
    url = f"/my/cases/{case_id}/questions/{QUESTION}"
    hidden = _hidden(client.get(url).get_data(as_text=True))
    hidden["csrf_token"] = "not-a-valid-token"
    response = client.post(url, data={**hidden, "answer": TYPED, "submit": "y"})
    assert response.status_code == 303 and response.headers["Location"] == url
    assert QUESTION not in _answers(case_id)
    _save_again(client, url, _shown_back(client, url))
    assert _answers(case_id)[QUESTION] == TYPED


def test_a_forged_or_misplaced_ticket_holds_nothing(client, citizen, make_account):
    case_id = start(client)
    url = f"/my/cases/{case_id}/questions/{QUESTION}"
    hidden = _hidden(client.get(url).get_data(as_text=True))
    ticket = hidden["held_ticket"]
    client.delete_cookie("portal_session")
    forged = ticket[:-4] + ("0000" if not ticket.endswith("0000") else "1111")
    client.post(url, data={"held_ticket": forged, "answer": TYPED})
    other_question = f"/my/cases/{case_id}/questions/what-works-well"
    client.post(
        other_question, data={"held_ticket": ticket, "answer": TYPED}
    )  # ticket is for another question
    assert db.session.scalar(select(HeldInput)) is None


def test_held_input_is_only_shown_to_its_account_and_goes_after_a_day(client, citizen, app):
    case_id = start(client)
    url = f"/my/cases/{case_id}/questions/{QUESTION}"
    hidden = _hidden(client.get(url).get_data(as_text=True))
    client.delete_cookie("portal_session")
    client.post(url, data={**hidden, "answer": TYPED, "submit": "y"})
    row = db.session.scalar(select(HeldInput))
    assert row is not None and row.account_id == citizen.id and row.values["answer"] == [TYPED]

    sign_in(client, citizen)
    _shown_back(client, url)
    row.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    assert page.select_one("textarea[name=answer]").get_text() == ""
    sign_in(client.application.test_client(), citizen)  # anyone signing in clears out day-old held input
    assert db.session.scalar(select(HeldInput)) is None


def test_a_case_sent_from_another_tab_lands_with_a_plain_message(client, citizen):
    case_id = start(client)
    answer_all(client, case_id)
    url = f"/my/cases/{case_id}/questions/{QUESTION}?change=1"
    old_tab = _hidden(client.get(url).get_data(as_text=True))
    response = post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Case).filter_by(public_id=case_id)).status == CaseStatus.SENT
    before = _answers(case_id)[QUESTION]

    response = client.post(url, data={**old_tab, "answer": TYPED, "submit": "y"}, follow_redirects=True)
    text = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("main").get_text()
    assert "/status" in response.request.path
    assert "already sent from another window or tab" in text
    assert "so the answer you just typed was not saved" in text
    assert _answers(case_id)[QUESTION] == before
    assert db.session.scalar(select(HeldInput)).values["answer"] == [TYPED]
