"""The letter saying a request to look at a decision again was received, for a person contacted by letter (no
account, as after an assessment on the phone): made when staff record the request, kept with the request's case,
listed on its staff page to print and post, and saying what happens next and by when."""

from __future__ import annotations

import subprocess

from flask_babel import force_locale
from sqlalchemy import delete, select

from portal import asking_again
from portal.asking_again import DECIDE_WITHIN_DAYS, RECEIVED_LETTER
from portal.extensions import db
from portal.formatting import format_day
from portal.jobs import work
from portal.models import Case, Decision, Document, Job, PersonLink, Reconsideration
from tests.conftest import check_page
from tests.practitioner.test_asking_again import _post
from tests.practitioner.test_casework import staff_client
from tests.practitioner.test_lifecycle import _decided


def _words(pdf: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    ).stdout
    return " ".join(text.decode().split())


def _without_account(case: Case) -> None:
    # Nobody with an account acts for this person (as after an assessment taken on the phone).
    db.session.execute(delete(PersonLink).where(PersonLink.person_id == case.person_id))
    db.session.commit()


def test_a_request_by_phone_for_a_person_without_an_account_gets_a_letter(app, staff, sent_case):
    decided = _decided(app, staff, sent_case)
    _without_account(decided)
    budget = db.session.scalar(select(Decision).filter_by(case_id=decided.id)).confirmed_weekly_pence
    client = staff_client(app, staff["assessor2"])
    response = _post(
        client,
        f"/staff/cases/{decided.public_id}/ask-again",
        {"how": "phone", "reason": "She rang: the night care was missed.", "considered": "Her GP's letter"},
    )
    assert response.status_code == 303
    asked = db.session.scalar(select(Reconsideration))
    linked = db.session.get(Case, asked.case_id)
    assert db.session.scalar(select(Job).filter_by(kind="reconsideration_received_letter")) is not None
    work(until_empty=True)
    letter = db.session.scalar(select(Document).filter_by(case_id=linked.id, kind=RECEIVED_LETTER))
    assert letter is not None and letter.lang == "en" and letter.content.startswith(b"%PDF-")
    text = _words(letter.content)
    with app.test_request_context(), force_locale("en_GB"):
        due = format_day(asking_again.decide_by(asked.asked_at.date()))
        asked_on = format_day(asked.asked_at.date())
        amount = f"£{budget / 100:,.2f}"
    assert f"On {asked_on} you phoned us to ask us to look again at our decision {decided.reference}" in text
    assert "We have received your request" in text and linked.reference in text
    assert "She rang: the night care was missed." in text and "Her GP's letter" in text
    assert "Someone who did not make the first decision will look at it again" in text
    assert f"We aim to send you the new decision by {due}." in text
    assert (asking_again.decide_by(asked.asked_at.date()) - asked.asked_at.date()).days == DECIDE_WITHIN_DAYS
    assert f"Your budget of {amount} a week stays in place until the new decision." in text
    # Listed on the request's staff page, to print and post; nobody else's to download.
    page = check_page(client.get(f"/staff/cases/{linked.public_id}").get_data(as_text=True))
    link = page.find("a", string=lambda s: s and "Request received letter" in s)
    assert link is not None and "Print it" in page.get_text(" ", strip=True)
    download = client.get(link["href"])
    assert download.status_code == 200 and download.data == letter.content
    assert download.headers["Content-Type"] == "application/pdf"
    assert staff_client(app, staff["outsider"]).get(link["href"]).status_code == 404
    other = f"/staff/cases/{decided.public_id}/ask-again/letters/{letter.public_id}"
    assert client.get(other).status_code == 404, "only from the request's own case"
    # Safe to run twice: one letter kept.
    asking_again.render_received_letter(
        Job(kind="x", payload={"case_id": linked.id, "lang": "en", "how": "phone"})
    )
    assert len(asking_again.received_letters(linked)) == 1


def test_a_request_by_post_says_the_letter_was_received(app, staff, sent_case):
    decided = _decided(app, staff, sent_case)
    _without_account(decided)
    linked = asking_again.ask_again(staff["assessor2"], decided, reason="By letter", how="post")
    work(until_empty=True)
    (letter,) = asking_again.received_letters(linked)
    text = _words(db.session.get(Document, letter.id).content)
    assert "we received your letter asking us to look again at our decision" in text


def test_no_letter_when_the_person_reads_email(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    linked = asking_again.ask_again(staff["assessor2"], decided, reason="She rang", how="phone")
    work(until_empty=True)
    assert asking_again.received_letters(linked) == []
    assert db.session.scalar(select(Job).filter_by(kind="reconsideration_received_letter")) is None
    page = check_page(
        staff_client(app, staff["assessor2"]).get(f"/staff/cases/{linked.public_id}").get_data(as_text=True)
    )
    assert "Request received letter" not in page.get_text(" ", strip=True)


def test_a_person_who_asked_for_letters_gets_one_and_finds_it_on_their_page(app, staff, sent_case, citizen):
    from portal.models import Snapshot
    from tests.practitioner.test_asking_again import _person

    decided = _decided(app, staff, sent_case)
    snapshot = db.session.scalar(select(Snapshot).filter_by(case_id=decided.id))
    snapshot.answers = {**snapshot.answers, "preferred-contact": "letter"}
    db.session.commit()
    linked = asking_again.ask_again(citizen, decided, reason="Nights were missed")
    work(until_empty=True)
    (letter,) = asking_again.received_letters(linked)
    text = _words(db.session.get(Document, letter.id).content)
    assert f"you asked us to look again at our decision {decided.reference}" in text
    page = check_page(
        _person(app, citizen).get(f"/my/cases/{linked.public_id}/status").get_data(as_text=True)
    )
    link = page.find("a", string=lambda s: s and "Letter saying your request was received" in s)
    assert link is not None
    assert _person(app, citizen).get(link["href"]).data == db.session.get(Document, letter.id).content
