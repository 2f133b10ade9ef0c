"""A person assessed on the phone, with no account: questions go by phone, letter or in person, never online where
they cannot read them, and the member of staff holding the case records the answer; staff reach the decision
letter from the case to print or send it (issue 12 item 2)."""

from __future__ import annotations

from sqlalchemy import delete

from portal.extensions import db
from portal.jobs import work
from portal.models import Case, CaseStatus, PersonLink
from portal.organisation_rules import Limit, OrganisationRules
from portal.practitioner import service
from tests.conftest import check_page, sign_in
from tests.practitioner.test_casework import _agree_with_the_rest

PASSWORD = "correct horse battery"


def refreshed(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_no_question_offered_and_the_letter_is_on_the_case_for_staff(app, staff, sent_case):
    # Nobody with an account acts for this person (as after an assessment taken on the phone).
    db.session.execute(delete(PersonLink).where(PersonLink.person_id == sent_case.person_id))
    db.session.commit()
    assert service.claim(staff["assessor"], refreshed(sent_case))
    client = app.test_client()
    sign_in(client, staff["assessor"], PASSWORD)
    url = f"/staff/cases/{sent_case.public_id}"
    page = check_page(client.get(url).get_data(as_text=True))
    assert "no account" in page.get_text(" ", strip=True)
    # A question is offered only by phone, letter or in person: never online, where nobody could read it.
    ask = check_page(client.get(f"{url}/ask").get_data(as_text=True))
    offered = [radio["value"] for radio in ask.select("input[name=channel]")]
    assert offered == ["phone", "letter", "in_person"]

    _agree_with_the_rest(app, staff["assessor"], refreshed(sent_case))
    sent_case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}
    ).to_settings()
    db.session.commit()
    result = service.recalculate(refreshed(sent_case))
    service.confirm_budget(
        staff["assessor"], refreshed(sent_case), confirmed_pence=result.total_weekly_pence, reason=""
    )
    assert refreshed(sent_case).status == CaseStatus.DECIDED
    work(until_empty=True)
    page = check_page(client.get(url).get_data(as_text=True))
    link = page.select_one("a[href*='/documents/']")
    assert link is not None and "letter" in link.get_text().lower()
    assert "print" in page.get_text(" ", strip=True).lower()
    response = client.get(link["href"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    # Another organisation's staff cannot reach it.
    outsider = app.test_client()
    sign_in(outsider, staff["outsider"], PASSWORD)
    assert outsider.get(link["href"]).status_code == 404


def test_possible_duplicates_open_side_by_side_and_one_is_closed_as_withdrawn(
    app, citizen, make_account, staff
):
    from sqlalchemy import select

    from tests.journey.helpers import answer_all, post, start

    carer = make_account(email="carer@example.org", name="Sam Carer")
    references = []
    for account, carer_for in ((citizen, None), (carer, "Alex Morgan")):
        client = app.test_client()
        sign_in(client, account)
        case_id = start(client, carer_for=carer_for)
        answer_all(client, case_id)
        post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
        references.append(case_id)
    db.session.expire_all()
    first, second = (db.session.scalar(select(Case).filter_by(public_id=r)) for r in references)
    client = app.test_client()
    sign_in(client, staff["approver"], PASSWORD)
    case_page = check_page(client.get(f"/staff/cases/{second.public_id}").get_data(as_text=True))
    assert case_page.select_one(f"a[href='/staff/cases/{second.public_id}/duplicates']") is not None
    page = check_page(client.get(f"/staff/cases/{second.public_id}/duplicates").get_data(as_text=True))
    headers = [th.get_text(" ", strip=True) for th in page.select("thead th")]
    assert any(first.reference in h for h in headers) and any(second.reference in h for h in headers)
    text = page.get_text(" ", strip=True)
    assert "Sam Carer" in text and "With the person's consent" in text
    # A manager closes the later one as withdrawn, with a reason the person reads.
    assert page.select_one(f"a[href='/staff/cases/{second.public_id}/close']") is not None
    response = post(
        client, f"/staff/cases/{second.public_id}/close", {"reason": f"A duplicate of {first.reference}"}
    )
    assert response.status_code == 303
    assert refreshed(second).status == CaseStatus.WITHDRAWN
    assert refreshed(second).closed_reason == f"A duplicate of {first.reference}"
    assert refreshed(first).status == CaseStatus.SENT
    # Another organisation's staff cannot open the comparison.
    outsider = app.test_client()
    sign_in(outsider, staff["outsider"], PASSWORD)
    assert outsider.get(f"/staff/cases/{first.public_id}/duplicates").status_code == 404


def _offline(app, staff, sent_case):
    db.session.execute(delete(PersonLink).where(PersonLink.person_id == sent_case.person_id))
    db.session.commit()
    assert service.claim(staff["assessor"], refreshed(sent_case))
    client = app.test_client()
    sign_in(client, staff["assessor"], PASSWORD)
    return client, f"/staff/cases/{sent_case.public_id}"


def test_a_question_asked_and_answered_offline_is_recorded_with_how(app, staff, sent_case, citizen):
    from sqlalchemy import select

    from portal.models import AuditEvent, CaseMessage
    from tests.journey.helpers import post

    client, url = _offline(app, staff, sent_case)
    case_page = check_page(client.get(url).get_data(as_text=True))
    assert case_page.select_one(f"a[href='{url}/ask']") is not None
    # Bad input gets a message, never a 500, and what was typed stays.
    response = post(
        client, f"{url}/ask", {"question": "Do you use the stairlift?", "channel": "carrier pigeon"}
    )
    page = check_page(response.get_data(as_text=True), errors=True)
    assert page.select_one("textarea[name=question]").get_text() == "Do you use the stairlift?"
    assert refreshed(sent_case).status == CaseStatus.CLAIMED
    response = post(client, f"{url}/ask", {"question": "Do you use the stairlift?", "channel": "letter"})
    assert response.status_code == 303 and refreshed(sent_case).status == CaseStatus.WAITING_FOR_PERSON

    # Only the holder records the answer: other staff get 403, another organisation 404, citizens 403.
    for who, status in (("assessor2", 403), ("approver", 403), ("outsider", 404)):
        other = app.test_client()
        sign_in(other, staff[who], PASSWORD)
        assert other.get(f"{url}/answer").status_code == status, who
    person = app.test_client()
    sign_in(person, citizen, PASSWORD)
    assert person.get(f"{url}/answer").status_code in (403, 404)

    case_page = check_page(client.get(url).get_data(as_text=True))
    assert case_page.select_one(f"a[href='{url}/answer']") is not None
    response = post(client, f"{url}/answer", {"answer": "", "channel": "phone"})
    check_page(response.get_data(as_text=True), errors=True)
    response = post(client, f"{url}/answer", {"answer": "Yes, every day.", "channel": "in_person"})
    assert response.status_code == 303
    case = refreshed(sent_case)
    assert case.status == CaseStatus.CLAIMED and case.holder_id == staff["assessor"].id
    messages = db.session.scalars(
        select(CaseMessage).filter_by(case_id=case.id).order_by(CaseMessage.id)
    ).all()
    assert [(m.kind, m.channel, m.body) for m in messages] == [
        ("question", "letter", "Do you use the stairlift?"),
        ("answer", "in_person", "Yes, every day."),
    ]
    event = db.session.scalar(select(AuditEvent).filter_by(case_id=case.id, action="case.question_answered"))
    assert event.detail["channel"] == "in_person" and event.actor_id == staff["assessor"].id
    text = check_page(client.get(url).get_data(as_text=True)).get_text(" ", strip=True)
    assert "Asked by letter" in text and "Answered in person" in text
    # Once answered, there is nothing left to record.
    assert client.get(f"{url}/answer").status_code == 403


def test_staff_cannot_answer_for_a_person_who_answers_online(app, staff, sent_case):
    from tests.journey.helpers import post

    assert service.claim(staff["assessor"], sent_case)
    client = app.test_client()
    sign_in(client, staff["assessor"], PASSWORD)
    url = f"/staff/cases/{sent_case.public_id}"
    ask = check_page(client.get(f"{url}/ask").get_data(as_text=True))
    assert not ask.select("input[name=channel]")  # asked online: the person answers on their status page
    assert post(client, f"{url}/ask", {"question": "Do you use the stairlift?"}).status_code == 303
    assert refreshed(sent_case).status == CaseStatus.WAITING_FOR_PERSON
    assert client.get(f"{url}/answer").status_code == 403
    from tests.conftest import csrf_from

    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(f"{url}/answer", data={"csrf_token": token, "answer": "Yes", "channel": "phone"})
    assert response.status_code == 403
    assert refreshed(sent_case).status == CaseStatus.WAITING_FOR_PERSON
