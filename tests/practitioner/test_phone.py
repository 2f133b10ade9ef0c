"""An assessor completes an assessment for a person on the phone."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, CaseStatus, Snapshot, Validation
from portal.questionnaire import load_schema
from tests.conftest import check_page, sign_in
from tests.journey.helpers import first_option, post


def test_phone_assessment_from_start_to_validation(app, staff, org):
    client = app.test_client()
    sign_in(client, staff["assessor"])
    assert "Assess someone on the phone" in client.get("/staff/").get_data(as_text=True)
    response = post(
        client,
        "/staff/assess/new",
        {"name": "Owen Evans", "date_of_birth": ["3", "4", "1945"], "postcode": "NF1 2XY", "nhs_number": ""},
    )
    assert response.status_code == 303
    url = response.headers["Location"]
    schema = load_schema()
    page = check_page(client.get(url).get_data(as_text=True))
    assert "Owen Evans" in page.h1.get_text()  # the questions speak about the person, by name
    for _ in range(120):
        if "/questions/" not in url:
            break
        question = schema.question(url.rsplit("/", 1)[1])
        response = post(client, url, {"answer": first_option(question), "submit": "y"})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        url = response.headers["Location"]
    assert url.endswith("/finish")
    case = db.session.scalar(select(Case).filter_by(person_name="Owen Evans"))
    # Another assessor cannot see or continue it.
    other = app.test_client()
    sign_in(other, staff["assessor2"])
    assert other.get(url).status_code == 404
    response = post(client, url, {})
    assert response.status_code == 303
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == CaseStatus.CLAIMED and case.holder_id == staff["assessor"].id and case.sent_at
    assert (
        db.session.scalar(select(Snapshot).filter_by(case_id=case.id)).completed_by_id == staff["assessor"].id
    )
    assert db.session.scalar(select(Validation).filter_by(case_id=case.id)).path_taken == "phone"
    assert client.get(f"/staff/cases/{case.public_id}").status_code == 200


def test_phone_assessment_refuses_another_areas_postcode(app, staff, org, other_org):
    client = app.test_client()
    sign_in(client, staff["assessor"])
    response = post(
        client,
        "/staff/assess/new",
        {"name": "Someone", "date_of_birth": ["3", "4", "1945"], "postcode": "WM1 1AA"},
    )
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "not in your organisation's area" in page.get_text()


def test_phone_assessment_refuses_a_postcode_outside_every_area(app, staff, org):
    client = app.test_client()
    sign_in(client, staff["assessor"])
    response = post(
        client,
        "/staff/assess/new",
        {"name": "Someone", "date_of_birth": ["3", "4", "1945"], "postcode": "ZZ9 9ZZ"},
    )
    assert response.status_code == 200
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "ZZ9 9ZZ is not in an area that uses this service" in page.get_text()
    assert page.select_one('a[href="https://www.gov.uk/find-local-council"]')
    assert db.session.scalar(select(Case).filter_by(person_name="Someone")) is None


def test_only_assessors_take_phone_assessments(app, staff, citizen):
    for account in (staff["approver"], staff["admin"], citizen):
        client = app.test_client()
        sign_in(client, account)
        assert client.get("/staff/assess/new").status_code == 403


def test_phone_and_citizen_ask_a_question_through_the_same_page(app, staff, org, citizen):
    """Both front doors render one shared question page and word a refused answer the same way."""
    from flask import template_rendered

    from tests.journey.helpers import start

    rendered: list[str] = []

    def seen(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(seen, app)
    schema = load_schema()
    assessor = app.test_client()
    sign_in(assessor, staff["assessor"])
    response = post(
        assessor,
        "/staff/assess/new",
        {"name": "Owen Evans", "date_of_birth": ["3", "4", "1945"], "postcode": "NF1 2XY", "nhs_number": ""},
    )
    phone_url = response.headers["Location"]
    person = app.test_client()
    sign_in(person, citizen)
    case_id = start(person)
    first = schema.first_unanswered({})
    citizen_url = f"/my/cases/{case_id}/questions/{first}"
    pages = []
    for client, url in ((assessor, phone_url), (person, citizen_url)):
        rendered.clear()
        response = post(client, url, {"answer": "not an option", "submit": "y"})
        assert response.status_code == 200 and rendered[-1] == "questions/question.html"
        page = check_page(response.get_data(as_text=True), errors=True)
        pages.append(
            (
                page.select_one(".govuk-error-summary__list").get_text(" ", strip=True),
                page.select_one(".govuk-error-message").get_text(" ", strip=True),
            )
        )
    assert pages[0] == pages[1] and "Select one of the answers shown" in pages[0][0]
