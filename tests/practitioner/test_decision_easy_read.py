"""The decision in Easy Read (issue 13 item 5, issue 12): when the person chose Easy Read, the decision section of
the status page, the decision email and the decision letter open with short sentences, one idea each, with
pictures on the page as on the question pages; without it they do not."""

from __future__ import annotations

import re
import subprocess

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import work
from portal.models import Authority, Document, OutboxMessage, PersonLink
from portal.practitioner import service
from tests.conftest import check_page, sign_in
from tests.journey.test_easy_read_pages import MAX_WORDS
from tests.practitioner.test_casework import _agree_with_the_rest
from tests.practitioner.test_decision_reasons import YES, _not_eligible, refreshed, version_of
from tests.questionnaire.test_easy_read_sentences import JOINERS

PASSWORD = "correct horse battery"


def _decide_with_budget(app, staff, case):
    assert service.claim(staff["assessor"], case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(case))
    service.save_practitioner_items(
        staff["assessor"],
        refreshed(case),
        {"eligibility": {**YES, "cannot_achieve": ["hygiene", "dressing", "nutrition"]}},
        expected_version=version_of(case),
    )
    from portal.organisation_rules import Limit, OrganisationRules

    case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}
    ).to_settings()
    db.session.commit()
    result = service.recalculate(refreshed(case))
    service.confirm_budget(
        staff["assessor"], refreshed(case), confirmed_pence=result.total_weekly_pence, reason="As calculated."
    )
    return result.total_weekly_pence


def _choose_easy_read(account):
    account.easy_read = True
    db.session.commit()


def assert_easy_read(sentences: list[str]) -> None:
    """English Easy Read: at most 15 words a sentence, one idea each."""
    assert sentences
    for sentence in sentences:
        assert len(re.findall(r"\S+", sentence)) <= MAX_WORDS, sentence
        assert ";" not in sentence, sentence
        assert len(JOINERS.findall(sentence)) <= 1, sentence


def _decision_block(page):
    return page.select_one(".app-easy-read--decision")


def _letter_words(case) -> str:
    letter = db.session.scalar(select(Document).filter_by(case_id=case.id, kind="decision_letter"))
    assert letter is not None
    words = subprocess.run(
        ["pdftotext", "-", "-"], input=letter.content, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    return " ".join(words.split())


def test_a_budget_decision_in_easy_read_on_the_page_in_the_email_and_in_the_letter(
    app, staff, sent_case, citizen
):
    _choose_easy_read(citizen)
    _decide_with_budget(app, staff, sent_case)
    work(until_empty=True)
    person = app.test_client()
    sign_in(person, citizen, PASSWORD)
    url = f"/my/cases/{sent_case.public_id}/status"
    page = check_page(person.get(url + "?easy_read=1").get_data(as_text=True))
    block = _decision_block(page)
    assert block is not None
    sentences = [p.get_text(" ", strip=True) for p in block.select("p")]
    assert_easy_read(sentences)
    assert any("each week" in s and "£" in s for s in sentences)
    # Pictures, as on the question pages, with the words beside them.
    assert block.select("img.app-easy-read-line__picture")
    off = check_page(person.get(url + "?easy_read=0").get_data(as_text=True))
    assert _decision_block(off) is None

    email = db.session.scalar(select(OutboxMessage).filter_by(kind="case_decided"))
    easy = [s for s in sentences if s in email.body_text]
    assert len(easy) >= 3, email.body_text
    letter = _letter_words(sent_case)
    assert "Easy Read" in letter
    assert sum(sentence in letter for sentence in sentences) >= 3, letter


def test_a_decision_without_a_budget_in_easy_read(app, staff, sent_case, citizen):
    _choose_easy_read(citizen)
    _not_eligible(app, staff, sent_case)
    work(until_empty=True)
    person = app.test_client()
    sign_in(person, citizen, PASSWORD)
    page = check_page(
        person.get(f"/my/cases/{sent_case.public_id}/status?easy_read=1").get_data(as_text=True)
    )
    sentences = [p.get_text(" ", strip=True) for p in _decision_block(page).select("p")]
    assert_easy_read(sentences)
    text = " ".join(sentences)
    assert "£" not in text and "not get money" in text
    email = db.session.scalar(select(OutboxMessage).filter_by(kind="case_decided"))
    assert sum(s in email.body_text for s in sentences) >= 3
    assert sum(s in _letter_words(sent_case) for s in sentences) >= 3


def test_without_easy_read_the_email_and_letter_are_as_before(app, staff, sent_case, citizen):
    _decide_with_budget(app, staff, sent_case)
    work(until_empty=True)
    email = db.session.scalar(select(OutboxMessage).filter_by(kind="case_decided"))
    assert "each week" not in email.body_text
    assert "Easy Read" not in _letter_words(sent_case)


def test_a_carer_reads_the_easy_read_decision_about_the_person(app, staff, sent_case, citizen, make_account):
    carer = make_account(email="carer@example.org", name="Chris Carer")
    db.session.add(
        PersonLink(
            account_id=carer.id,
            person_id=sent_case.person_id,
            authority=Authority.CONSENT,
            relationship_to_person="Son",
        )
    )
    _choose_easy_read(carer)
    weekly = _decide_with_budget(app, staff, sent_case)
    email = db.session.scalar(
        select(OutboxMessage).filter_by(kind="case_decided", to_address="carer@example.org")
    )
    name = sent_case.person.name
    assert f"{name} will get" in email.body_text, email.body_text
    assert "You will get" not in email.body_text
    assert f"{weekly / 100:,.2f}" in email.body_text
    # On the status page too, the carer reads about the person by name.
    reader = app.test_client()
    sign_in(reader, carer, PASSWORD)
    page = check_page(
        reader.get(f"/my/cases/{sent_case.public_id}/status?easy_read=1").get_data(as_text=True)
    )
    block = _decision_block(page).get_text(" ", strip=True)
    assert f"{name} will get" in block and "You will get" not in block
    # The person, who did not choose Easy Read, gets the email as before.
    own = db.session.scalar(select(OutboxMessage).filter_by(kind="case_decided", to_address=citizen.email))
    assert "each week" not in own.body_text
