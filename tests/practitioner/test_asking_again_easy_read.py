"""Asking for a decision to be looked at again, in Easy Read: with it chosen, the way to ask on the decision's page,
the form (its labels too) and the request's status page say it in short sentences, one idea each, in the reader's
voice; without it they read as before."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal import asking_again
from portal import asking_again_easy_read as easy
from portal.extensions import db
from portal.models import Authority, Decision, PersonLink
from portal.questionnaire import Voice
from portal.selfassess.asking import AskAgainForm
from tests.conftest import check_page, sign_in
from tests.practitioner.test_asking_again import _decide_again, _post
from tests.practitioner.test_decision_easy_read import assert_easy_read
from tests.practitioner.test_lifecycle import _decided


def _sentences(page) -> list[str]:
    return [p.get_text(" ", strip=True) for block in page.select(".app-easy-read") for p in block.select("p")]


def _page(client, url: str):
    return check_page(client.get(url).get_data(as_text=True))


def test_the_person_asks_in_easy_read(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    weekly = db.session.scalar(select(Decision).filter_by(case_id=decided.id)).confirmed_weekly_pence
    amount = f"£{weekly / 100:,.2f}"
    client = app.test_client()
    sign_in(client, citizen)
    client.get("/?easy_read=1")
    status = _sentences(_page(client, f"/my/cases/{decided.public_id}/status"))
    assert "You can ask the council to look at the decision again." in status
    assert f"You keep getting {amount} each week." in status
    form = _page(client, f"/my/cases/{decided.public_id}/ask-again")
    sentences = _sentences(form)
    assert "Tell the council why the decision is wrong." in sentences
    assert "Someone new will look at it." in sentences
    assert form.find("label", attrs={"for": "reason"}).get_text(strip=True) == "Why is the decision wrong?"
    assert "Say what the council missed" in form.select_one("#reason-hint").get_text()
    assert "5 MB or smaller" in form.select_one("#evidence-hint").get_text()
    response = _post(
        client, f"/my/cases/{decided.public_id}/ask-again", {"reason": "Nights", "considered": ""}
    )
    assert response.status_code == 303
    asked = _sentences(_page(client, response.headers["Location"]))
    assert "You asked the council to look at the decision again." in asked
    assert "The council will tell you the new decision." in asked
    assert_easy_read(status + sentences + asked)
    # How it ended, in Easy Read too.
    linked = db.session.get(type(decided), db.session.scalar(select(asking_again.Reconsideration)).case_id)
    _decide_again(app, staff, linked, pence=weekly + 1_000)
    ended = _sentences(_page(client, response.headers["Location"]))
    assert "They changed the decision." in ended and "You asked the council" not in " ".join(ended)
    assert_easy_read(ended)


def test_without_easy_read_the_pages_read_as_before(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    client = app.test_client()
    sign_in(client, citizen)
    client.get("/?easy_read=0")
    for url in (f"/my/cases/{decided.public_id}/status", f"/my/cases/{decided.public_id}/ask-again"):
        page = _page(client, url)
        assert not page.select(".app-easy-read"), url
    form = _page(client, f"/my/cases/{decided.public_id}/ask-again")
    label = form.find("label", attrs={"for": "reason"}).get_text(strip=True)
    assert label == "Why should the decision be looked at again?"


def test_a_carer_reads_the_persons_name(app, staff, sent_case, make_account):
    decided = _decided(app, staff, sent_case)
    carer = make_account(email="carer-of-alex@example.org", name="Chris Morgan")
    db.session.add(PersonLink(account_id=carer.id, person_id=decided.person_id, authority=Authority.CONSENT))
    db.session.commit()
    client = app.test_client()
    sign_in(client, carer)
    client.get("/?easy_read=1")
    name = decided.person.name
    status = _sentences(_page(client, f"/my/cases/{decided.public_id}/status"))
    assert any(s.startswith(f"{name} keeps getting") for s in status)
    response = _post(
        client, f"/my/cases/{decided.public_id}/ask-again", {"reason": "Nights", "considered": ""}
    )
    asked = _sentences(_page(client, response.headers["Location"]))
    assert any(s.startswith(f"{name} keeps getting") for s in asked)
    assert_easy_read(status + asked)


@pytest.mark.parametrize("voice", [Voice.PERSON, Voice.CARER])
@pytest.mark.parametrize("lowered", [False, True])
@pytest.mark.parametrize("weekly_pence", [None, 123_456])
def test_every_sentence_is_easy_read(app, voice, lowered, weekly_pence):
    with app.test_request_context():
        lines = [
            *easy.start_lines(voice=voice, name="Sam Okafor", lowered=lowered, weekly_pence=weekly_pence),
            *easy.form_lines(),
            *easy.request_lines(
                outcome="",
                open_=True,
                voice=voice,
                name="Sam Okafor",
                lowered=lowered,
                weekly_pence=weekly_pence,
            ),
            *easy.request_lines(outcome="changed", open_=False, voice=voice, name="Sam Okafor"),
            *easy.request_lines(outcome="upheld", open_=False, voice=voice, name="Sam Okafor"),
        ]
        sentences = [re.sub(r"<[^>]+>", "", str(line.sentence)) for line in lines]
        form = AskAgainForm(formdata=None)
        easy.reword_form(form)
        for field in (form.reason, form.considered, form.evidence):
            sentences += [str(field.label.text), *re.split(r"(?<=[.?!])\s+", str(field.description))]
    assert_easy_read(sentences)
