"""The journey asks what a council needs to reach and support the person, and offers an unpaid carer their own
carer's assessment (Care Act 2014 section 10), recorded for staff (issue 13 item 10)."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Role
from tests.conftest import check_page, sign_in
from tests.journey.helpers import answer_all, first_option, post, start

CHOICES = {
    "contact-phone": "07700 900123",
    "preferred-contact": "phone",
    "communication-needs": ["bsl"],
    "communication-needs-details": "A BSL interpreter, mornings are best",
    "has-unpaid-carer": "yes",
    "unpaid-carer-relationship": "Wife",
    "carer-assessment": "yes",
}


def test_the_journey_asks_how_to_reach_the_person_and_offers_a_carers_assessment(
    app, client, make_account, make_organisation
):
    northfield = make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account(name="Alex Morgan"))
    case_id = start(client)

    # The full name is asked (and kept) with the person's other details.
    about = check_page(client.get(f"/my/cases/{case_id}/about").get_data(as_text=True))
    assert about.select_one("#name")["value"] == "Alex Morgan"
    post(
        client,
        f"/my/cases/{case_id}/about",
        {"name": "Alexandra Morgan", "date_of_birth": ["14", "2", "1948"], "postcode": "NF1 1AA"},
    )
    case = db.session.scalar(select(Case).filter_by(public_id=case_id))
    assert case.person.name == "Alexandra Morgan"

    asked = answer_all(client, case_id, choose=lambda q: CHOICES.get(q.id) or first_option(q))
    for question_id in CHOICES:
        assert question_id in asked, question_id
    response = post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    assert response.status_code == 303

    # Staff see how to reach the person, what helps them communicate, and that their carer wants an assessment.
    staff = app.test_client()
    sign_in(staff, make_account(Role.ASSESSOR, organisation=northfield, level=2))
    page = check_page(staff.get(f"/staff/cases/{case_id}").get_data(as_text=True))
    text = " ".join(page.get_text(" ", strip=True).split())
    assert "07700 900123" in text and "By phone" in text
    assert "A British Sign Language interpreter" in text and "mornings are best" in text
    assert "Wife" in text
    assert "Carer's assessment wanted Yes, they would like one" in text
