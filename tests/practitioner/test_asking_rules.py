"""Asking the person, recording an answer given offline, and the phone assessment's own rules, called directly.

Written for the mutation run on the staff services: what a question and an answer record (body as written, its
language, how it went), who is told, the channel that fits the person, and a phone draft found only by the
assessor completing it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import AuditEvent, Case, CaseMessage, CaseStatus, OutboxMessage, PersonLink
from portal.practitioner import phone_service, questions_service, service
from tests.practitioner.test_casework import refreshed

S = CaseStatus


@pytest.fixture
def held(staff, sent_case):
    assert service.claim(staff["assessor"], sent_case, draw=0.5)
    return refreshed(sent_case)


@pytest.fixture
def offline(staff, sent_case):
    """A claimed case whose person nobody with an account acts for (letters by post, answers by phone)."""
    db.session.execute(delete(PersonLink).where(PersonLink.person_id == sent_case.person_id))
    db.session.commit()
    assert service.claim(staff["assessor"], refreshed(sent_case), draw=0.5)
    return refreshed(sent_case)


def test_a_question_online_records_what_was_asked_and_tells_the_person(staff, held, citizen):
    citizen.locale = "cy"
    staff["assessor"].locale = "pl"
    db.session.commit()
    message = questions_service.ask_person(staff["assessor"], held, "  Who helps you at night?  ")
    assert (message.kind, message.channel, message.body, message.lang, message.author_id) == (
        "question",
        "online",
        "Who helps you at night?",
        "pl",
        staff["assessor"].id,
    )
    assert refreshed(held).status == S.WAITING_FOR_PERSON
    [email] = db.session.scalars(select(OutboxMessage).filter_by(kind="case_question"))
    assert email.to_address == citizen.email and email.locale == "cy"
    event = db.session.scalar(select(AuditEvent).filter_by(action="case.question_asked"))
    assert event.detail["question"] == "Who helps you at night?" and event.detail["channel"] == "online"
    with db.engine.connect() as connection:  # committed
        assert connection.execute(select(CaseMessage.body)).scalar_one() == "Who helps you at night?"


@pytest.mark.parametrize("channel", ["phone", "letter", "in_person", "pigeon"])
def test_a_person_who_answers_online_is_asked_online(staff, held, channel):
    with pytest.raises(ValueError, match="cannot go"):
        questions_service.ask_person(staff["assessor"], held, "Who helps?", channel)
    assert refreshed(held).status == S.CLAIMED and db.session.scalar(select(CaseMessage)) is None


def test_a_person_without_an_account_is_asked_by_phone_letter_or_in_person(staff, offline):
    with pytest.raises(ValueError, match="cannot go"):
        questions_service.ask_person(staff["assessor"], offline, "Who helps?", "online")
    message = questions_service.ask_person(staff["assessor"], refreshed(offline), "Who helps?", "phone")
    assert message.channel == "phone" and refreshed(offline).status == S.WAITING_FOR_PERSON
    assert db.session.scalar(select(OutboxMessage).filter_by(kind="case_question")) is None, "nobody to email"


def test_an_answer_recorded_offline_says_how_it_came(staff, offline):
    questions_service.ask_person(staff["assessor"], offline, "Who helps?", "phone")
    for channel, answer in (("online", "Her son"), ("phone", "   ")):
        with pytest.raises(ValueError):
            questions_service.record_offline_answer(staff["assessor"], refreshed(offline), answer, channel)
    assert refreshed(offline).status == S.WAITING_FOR_PERSON
    staff["assessor"].locale = "cy"
    db.session.commit()
    message = questions_service.record_offline_answer(
        staff["assessor"], refreshed(offline), "  Her son  ", "letter"
    )
    assert (message.kind, message.channel, message.body, message.lang) == (
        "answer",
        "letter",
        "Her son",
        "cy",
    )
    assert refreshed(offline).status == S.CLAIMED
    with db.engine.connect() as connection:
        assert connection.execute(
            select(CaseMessage.body).where(CaseMessage.kind == "answer")
        ).scalar_one() == ("Her son")


# -- the phone assessment --------------------------------------------------------------------------------


def start(staff, **changes):
    values = {
        "name": "Pat Jones",
        "date_of_birth": date(1950, 3, 4),
        "postcode": "NF1 2AB",
        "nhs_number": "",
        "address": {"address_line_1": "2 Mill Lane", "town": "Northfield"},
    }
    values.update(changes)
    return phone_service.start_phone_assessment(staff["assessor"], **values)


def test_a_phone_assessment_is_a_draft_the_assessor_holds_for_the_person_named(staff, org):
    case = start(staff)
    assert (case.status, case.holder_id, case.created_by_id, case.organisation_id) == (
        S.DRAFT,
        staff["assessor"].id,
        staff["assessor"].id,
        org.id,
    )
    person = case.person
    assert (person.name, person.date_of_birth, person.postcode, person.address_line_1, person.town) == (
        "Pat Jones",
        date(1950, 3, 4),
        "NF1 2AB",
        "2 Mill Lane",
        "Northfield",
    )
    assert case.person_name == "Pat Jones" and case.tool_key == "adult_social_care" and case.answers == {}
    event = db.session.scalar(select(AuditEvent).filter_by(action="case.started_by_phone"))
    assert event.detail == {"tool": "adult_social_care"} and event.case_id == case.id
    with db.engine.connect() as connection:  # committed
        assert (
            connection.execute(select(Case.holder_id).where(Case.id == case.id)).scalar_one()
            == staff["assessor"].id
        )


def test_a_phone_draft_is_found_only_by_the_assessor_completing_it(staff):
    case = start(staff)
    assert phone_service.find_phone_draft(staff["assessor"], case.public_id) == case
    assert phone_service.find_phone_draft(staff["assessor2"], case.public_id) is None
    assert phone_service.find_phone_draft(staff["assessor"], case.public_id.upper()) is None
    assert phone_service.find_phone_draft(staff["assessor"], "not-an-id") is None
    case.holder_id = staff["assessor2"].id
    db.session.commit()
    assert phone_service.find_phone_draft(staff["assessor"], case.public_id) is None, (
        "no longer theirs to hold"
    )


@pytest.mark.parametrize(
    ("address", "whole"),
    [
        ({"address_line_1": "2 Mill Lane", "town": "Northfield"}, True),
        ({"address_line_1": "2 Mill Lane", "address_line_2": "Flat 1", "town": "Northfield"}, True),
        ({}, True),
        ({"address_line_1": "2 Mill Lane"}, False),
        ({"town": "Northfield"}, False),
        ({"address_line_2": "Flat 1"}, False),
        ({"address_line_1": "  ", "town": "Northfield"}, False),
    ],
)
def test_the_holder_records_a_whole_address_or_none(staff, held, address, whole):
    if not whole:
        with pytest.raises(ValueError, match="town"):
            phone_service.record_address(staff["assessor"], held, address)
        return
    phone_service.record_address(staff["assessor"], held, {k: f" {v} " for k, v in address.items()})
    db.session.expire_all()
    person = refreshed(held).person
    assert person.address_line_1 == address.get("address_line_1", "") and person.town == address.get(
        "town", ""
    )
    event = db.session.scalar(select(AuditEvent).filter_by(action="person.address_recorded"))
    assert event.detail["after"] == person.postal_address()


def test_only_the_holder_records_an_address(staff, held):
    with pytest.raises(phone_service.NotAllowed):
        phone_service.record_address(staff["assessor2"], held, {"address_line_1": "1 A St", "town": "B"})
