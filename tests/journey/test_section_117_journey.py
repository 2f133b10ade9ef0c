"""A person may prepare the Section 117 aftercare Needs Profile themselves (seed 000), where an organisation offers
it: the dashboard offers it, and it starts with the same who-and-about pages, then its own questions."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, OrganisationKind
from portal.tool_service import SETTINGS_KEY
from tests.conftest import check_page, sign_in
from tests.journey.helpers import post


def test_the_dashboard_offers_it_only_where_an_organisation_does(app, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    citizen = make_account(email="rhys@example.org", name="Rhys Morgan")
    client = app.test_client()
    sign_in(client, citizen)
    page = check_page(client.get("/my/").get_data(as_text=True))
    assert page.find("a", string="Section 117 aftercare Needs Profile") is None
    assert client.get("/my/new?tool=section_117").status_code == 200  # the who page
    assert post(client, "/my/new?tool=section_117", {"who": "myself"}).status_code == 404  # offered nowhere


def test_a_person_prepares_it_themselves(app, make_account, make_organisation):
    partnership = make_organisation(
        "Riverside Health and Care Partnership", districts=("RV1",), kind=OrganisationKind.PARTNERSHIP
    )
    partnership.settings = {SETTINGS_KEY: {"section_117": True}}
    db.session.commit()
    citizen = make_account(email="rhys@example.org", name="Rhys Morgan")
    client = app.test_client()
    sign_in(client, citizen)
    page = check_page(client.get("/my/").get_data(as_text=True))
    link = page.find("a", string="Section 117 aftercare Needs Profile")
    assert link is not None and link["href"] == "/my/new?tool=section_117"
    response = post(client, link["href"], {"who": "myself"})
    assert response.status_code == 303
    about = response.headers["Location"]
    response = post(
        client, about, {"date_of_birth": ["14", "2", "1980"], "postcode": "RV1 1AA", "nhs_number": ""}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    assert response.headers["Location"].endswith("/questions/where-you-live")
    case = db.session.scalar(select(Case).filter_by(created_by_id=citizen.id))
    assert case.tool_key == "section_117" and case.organisation_id == partnership.id
    question = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert question.select_one("details.app-answer-note") is not None  # "Add note" for the person too


def test_the_person_sees_their_note_with_the_answer_on_check_your_answers(
    app, make_account, make_organisation
):
    from tests.questionnaire.test_section_117_schema import SEED_ANSWERS

    partnership = make_organisation(
        "Riverside Health and Care Partnership", districts=("RV1",), kind=OrganisationKind.PARTNERSHIP
    )
    partnership.settings = {SETTINGS_KEY: {"section_117": True}}
    db.session.commit()
    client = app.test_client()
    sign_in(client, make_account(email="rhys@example.org", name="Rhys Morgan"))
    about = post(client, "/my/new?tool=section_117", {"who": "myself"}).headers["Location"]
    url = post(
        client, about, {"date_of_birth": ["14", "2", "1980"], "postcode": "RV1 1AA", "nhs_number": ""}
    ).headers["Location"]
    for _ in range(40):
        if "/questions/" not in url:
            break
        question_id = url.rsplit("/", 1)[1]
        note = "Worse in January" if question_id == "harder-times" else ""
        response = post(client, url, {"answer": SEED_ANSWERS[question_id], "note": note, "submit": "y"})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        url = response.headers["Location"]
    assert url.endswith("/check")
    page = check_page(client.get(url).get_data(as_text=True))
    row = next(r for r in page.select(".govuk-summary-list__row") if "Worse in January" in r.get_text())
    assert "Your note:" in row.get_text() and "Yes" in row.select_one("dd").get_text()


def test_the_answers_pdf_shows_each_note_beside_its_answer_and_never_as_an_answer(
    app, make_account, make_organisation
):
    from tests.journey.test_pdfs import _tagged, _text

    partnership = make_organisation(
        "Riverside Health and Care Partnership", districts=("RV1",), kind=OrganisationKind.PARTNERSHIP
    )
    partnership.settings = {SETTINGS_KEY: {"section_117": True}}
    db.session.commit()
    client = app.test_client()
    sign_in(client, make_account(email="rhys@example.org", name="Rhys Morgan"))
    about = post(client, "/my/new?tool=section_117", {"who": "myself"}).headers["Location"]
    url = post(
        client, about, {"date_of_birth": ["14", "2", "1980"], "postcode": "RV1 1AA", "nhs_number": ""}
    ).headers["Location"]
    assert url.endswith("/questions/where-you-live")
    page = check_page(client.get(url).get_data(as_text=True))
    first = page.select_one("input[name=answer]")["value"]
    response = post(
        client, url, {"answer": first, "note": "I stay with my sister\nsome weeks", "submit": "y"}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    case_id = url.split("/cases/")[1].split("/")[0]
    pdf = client.get(f"/my/cases/{case_id}/answers.pdf")
    assert pdf.status_code == 200
    _tagged(pdf.data)
    text = _text(pdf.data)
    assert "Your note: I stay with my sister some weeks" in text
    assert "_notes" not in text
