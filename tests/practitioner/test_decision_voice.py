"""A carer reads the decision about the person they care for in the carer's voice ("The personal budget for Sam…"),
as the rest of their journey reads; the person reads it as "your budget". The wording of eligibility comes from
one function, which the Section 117 and health tools extend with their own (issue 12 item 4)."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.i18n.schema_text import Words
from portal.letters import eligibility_words
from portal.models import Case
from portal.practitioner import service
from portal.questionnaire import Voice
from tests.conftest import check_page, sign_in
from tests.journey.helpers import answer_all, post, start
from tests.practitioner.conftest import high_needs
from tests.practitioner.test_decision_reasons import YES, _decide_with_budget, refreshed, version_of

PASSWORD = "correct horse battery"


def _carers_case(app, make_account):
    carer = make_account(email="sam.carer@example.org", name="Jo Carer")
    client = app.test_client()
    sign_in(client, carer)
    case_id = start(client, carer_for="Sam Taylor")
    answer_all(client, case_id, choose=high_needs)
    assert post(client, f"/my/cases/{case_id}/send", {"confirm": "y"}).status_code == 303
    db.session.expire_all()
    return client, db.session.scalar(select(Case).filter_by(public_id=case_id))


def _text(client, case):
    page = check_page(client.get(f"/my/cases/{case.public_id}/status").get_data(as_text=True))
    return page.get_text(" ", strip=True)


def test_the_carer_reads_the_decision_about_the_person_by_name(app, staff, make_account, org):
    client, case = _carers_case(app, make_account)
    _decide_with_budget(app, staff, case, extra_pence=500)
    text = _text(client, refreshed(case))
    assert "The personal budget for Sam Taylor is" in text
    assert "The needs of Sam Taylor meet the national eligibility criteria" in text
    assert "Adjustment agreed by the assessor" in text
    for own_words in (
        "Your personal budget",
        "Your needs",
        "your assessor",
        "Your assessor",
        "your own estimate",
    ):
        assert own_words not in text, own_words


def test_the_person_reads_their_own_decision_as_yours(app, staff, sent_case, citizen):
    _decide_with_budget(app, staff, sent_case)
    client = app.test_client()
    sign_in(client, citizen, PASSWORD)
    text = _text(client, refreshed(sent_case))
    assert "Your personal budget is" in text and "Sam Taylor" not in text


def test_a_carer_reads_a_decision_without_a_budget_about_the_person(app, staff, make_account, org):
    from tests.practitioner.test_casework import _agree_with_the_rest

    client, case = _carers_case(app, make_account)
    assert service.claim(staff["assessor"], case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(case))
    service.save_practitioner_items(
        staff["assessor"],
        refreshed(case),
        {"eligibility": {**YES, "cannot_achieve": ["hygiene"]}},
        expected_version=version_of(case),
    )
    service.decide_not_eligible(staff["assessor"], refreshed(case), reason="Rails fitted last month.")
    text = _text(client, refreshed(case))
    assert "The needs of Sam Taylor are not eligible for care and support" in text
    assert "The assessor found Sam Taylor needs some help with these" in text
    assert "Your needs" not in text and "your needs" not in text


def test_eligibility_is_worded_once_in_either_voice_and_every_language(app):
    person = eligibility_words(Words(voice=Voice.PERSON, name="Sam"))
    carer = eligibility_words(Words(voice=Voice.CARER, name="Sam"))
    assert set(person) == set(carer) == {"heading", "eligible", "not_met", "not_eligible_needs", "no_budget"}
    assert all("Sam" not in sentence for sentence in person.values())
    assert all("Sam" in sentence for key, sentence in carer.items() if key != "heading")
    with force_locale("cy"):
        welsh = eligibility_words(Words(voice=Voice.PERSON, name="Sam"))
    assert welsh["not_met"] != person["not_met"]  # through gettext, not fixed English
