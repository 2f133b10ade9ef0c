"""Phone and postal cases: the person's postal address is recorded at either front door, shown to staff, and the
decision letter carries it as an address block with the organisation's contact details (issue 12 item 2)."""

from __future__ import annotations

import subprocess

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import work
from portal.models import Case, Document, Person
from tests.conftest import check_page, sign_in
from tests.journey.helpers import post
from tests.practitioner.test_decision_reasons import _decide_with_budget, refreshed

PASSWORD = "correct horse battery"
PHONE_PERSON = {
    "name": "Owen Evans",
    "date_of_birth": ["3", "4", "1945"],
    "address_line_1": "12 Station Road",
    "address_line_2": "Flat 3",
    "town": "Northfield",
    "postcode": "NF1 2XY",
    "nhs_number": "",
}


def test_the_phone_page_records_the_postal_address_and_the_case_page_shows_it(app, staff, org):
    client = app.test_client()
    sign_in(client, staff["assessor"])
    page = check_page(client.get("/staff/assess/new").get_data(as_text=True))
    assert page.select_one("input[name=address_line_1][autocomplete='address-line1']") is not None
    response = post(client, "/staff/assess/new", PHONE_PERSON)
    assert response.status_code == 303
    person = db.session.scalar(select(Person).filter_by(name="Owen Evans"))
    assert person.postal_address() == ["12 Station Road", "Flat 3", "Northfield", "NF1 2XY"]


def test_half_an_address_is_refused_with_a_message_and_nothing_typed_is_lost(app, staff, org):
    client = app.test_client()
    sign_in(client, staff["assessor"])
    response = post(client, "/staff/assess/new", {**PHONE_PERSON, "town": "", "address_line_2": ""})
    assert response.status_code == 200
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "Enter the town or city" in page.select_one(".govuk-error-summary").get_text()
    assert page.select_one("input[name=address_line_1]")["value"] == "12 Station Road"
    assert db.session.scalar(select(Person).filter_by(name="Owen Evans")) is None


def test_the_person_gives_their_address_on_about_you(app, citizen, org):
    from tests.journey.helpers import start

    client = app.test_client()
    sign_in(client, citizen)
    case_id = start(client)
    response = post(
        client,
        f"/my/cases/{case_id}/about",
        {
            "name": "Alex Morgan",
            "date_of_birth": ["14", "2", "1948"],
            "address_line_1": "1 High Street",
            "town": "Northfield",
            "postcode": "NF1 1AA",
        },
    )
    assert response.status_code == 303
    case = db.session.scalar(select(Case).filter_by(public_id=case_id))
    assert case.person.postal_address() == ["1 High Street", "Northfield", "NF1 1AA"]
    page = check_page(client.get(f"/my/cases/{case_id}/about").get_data(as_text=True))
    assert page.select_one("input[name=town]")["value"] == "Northfield"


def test_the_decision_letter_has_an_address_block_and_the_organisations_contacts(
    app, staff, sent_case, smtp_server
):
    person = sent_case.person
    person.address_line_1, person.address_line_2, person.town = "12 Station Road", "", "Northfield"
    sent_case.organisation.contact_phone = "0113 496 0000"
    db.session.commit()
    _decide_with_budget(app, staff, sent_case)
    work(until_empty=True)
    letter = db.session.scalar(select(Document).filter_by(case_id=sent_case.id, kind="decision_letter"))
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=letter.content, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    block = ["Alex Morgan", "12 Station Road", "Northfield", person.postcode]
    start = lines.index(block[0])
    assert lines[start : start + 4] == block  # one line each, in order, as an envelope window shows them
    assert "0113 496 0000" in text and sent_case.organisation.contact_email in text
    # Staff open it from the case page to print or post it.
    client = app.test_client()
    sign_in(client, staff["assessor"], PASSWORD)
    page = check_page(client.get(f"/staff/cases/{refreshed(sent_case).public_id}").get_data(as_text=True))
    assert "12 Station Road" in page.get_text(" ", strip=True)
    link = page.select_one("a[href*='/documents/']")
    assert client.get(link["href"]).data == letter.content


def test_the_holder_records_a_postal_address_left_out_and_others_cannot(app, staff, sent_case, citizen):
    from portal.models import AuditEvent, CaseStatus
    from portal.practitioner import service

    assert service.claim(staff["assessor"], sent_case)
    url = f"/staff/cases/{sent_case.public_id}/address"
    client = app.test_client()
    sign_in(client, staff["assessor"], PASSWORD)
    case_page = check_page(client.get(f"/staff/cases/{sent_case.public_id}").get_data(as_text=True))
    assert case_page.select_one(f"a[href='{url}']") is not None
    # Half an address is refused with a message, keeping what was typed; nothing is saved.
    response = post(client, url, {"address_line_1": "12 Station Road", "town": ""})
    page = check_page(response.get_data(as_text=True), errors=True)
    assert page.select_one("input[name=address_line_1]")["value"] == "12 Station Road"
    assert refreshed(sent_case).person.address_line_1 == ""
    response = post(client, url, {"address_line_1": "12 Station Road", "town": "Northfield"})
    assert response.status_code == 303
    assert refreshed(sent_case).person.postal_address() == ["12 Station Road", "Northfield", "NF1 1AA"]
    assert db.session.scalar(
        select(AuditEvent).filter_by(case_id=sent_case.id, action="person.address_recorded")
    )
    # Only the member of staff holding the open case: others get 403, another organisation 404.
    for who, status in (("assessor2", 403), ("approver", 403), ("outsider", 404)):
        other = app.test_client()
        sign_in(other, staff[who], PASSWORD)
        assert other.get(url).status_code == status, who
    person = app.test_client()
    sign_in(person, citizen, PASSWORD)
    assert person.get(url).status_code in (403, 404)
    assert service.release(staff["assessor"], refreshed(sent_case))
    assert refreshed(sent_case).status == CaseStatus.SENT
    assert client.get(url).status_code == 403  # not held any more
