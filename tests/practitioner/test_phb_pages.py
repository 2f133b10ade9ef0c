"""The personal health budget's pages on a case: steps, sign-offs, refusals in words, and who may see them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.health_models import PhbStep
from portal.models import CaseStatus, OrganisationKind, Role
from tests.conftest import check_page, csrf_from, sign_in
from tests.practitioner.test_phb import make_case


@pytest.fixture
def org(make_organisation):
    """An ICB (the practitioner fixtures' staff belong to it)."""
    return make_organisation("Midshire Integrated Care Board", kind=OrganisationKind.ICB)


@pytest.fixture
def case(org, staff):
    return make_case(org, staff["assessor"], holder=staff["assessor"])


def test_the_steps_page_shows_each_step_and_offers_the_next(client, client_request, staff, case):
    sign_in(client, staff["assessor"])
    page = client_request.get("practitioner.phb_steps", case_id=case.public_id)
    text = page.get_text(" ", strip=True)
    assert "Understanding the person's assessed needs" in text and "Final budget" in text
    links = [a["href"] for a in page.select("a") if "Record the sign-off" in a.get_text()]
    assert links == [f"/staff/cases/{case.public_id}/personal-health-budget/assessed-needs"]
    nav = page.select_one("nav.app-case-nav")
    assert "Personal health budget" in nav.get_text()


def test_staff_sign_off_at_their_level_and_the_page_says_who_and_when(client, client_request, staff, case):
    sign_in(client, staff["assessor"])
    response = client_request.post(
        "practitioner.phb_sign",
        {"who": "me", "signed_on": ["5", "12", "2026"], "note": "MDT meeting"},
        _status=303,
        case_id=case.public_id,
        step_name="assessed-needs",
    )
    assert response.location.endswith(f"/staff/cases/{case.public_id}/personal-health-budget")
    row = db.session.scalar(select(PhbStep))
    assert (row.step, row.level, row.signed_by_id, str(row.signed_on)) == (
        "assessed_needs",
        2,
        staff["assessor"].id,
        "2026-12-05",
    )
    text = client_request.get("practitioner.phb_steps", case_id=case.public_id).get_text(" ", strip=True)
    assert "Signed off by Asha Assessor on 5 December 2026." in text
    assert "Level 2: clinical decision by the professional or service manager" in text


def test_a_level_too_low_is_told_and_nothing_is_recorded(client, client_request, staff, case):
    sign_in(client, staff["assessor"])
    client_request.post(
        "practitioner.phb_sign",
        {"who": "me", "signed_on": ["5", "12", "2026"]},
        _status=303,
        case_id=case.public_id,
        step_name="assessed-needs",
    )
    page = client_request.get("practitioner.phb_sign", case_id=case.public_id, step_name="indicative-budget")
    assert "Your approval level is 2. Ask someone at level 3 or above" in page.get_text(" ", strip=True)
    assert page.select_one("form[method=post]") is None
    token = csrf_from(client.get(f"/staff/cases/{case.public_id}").get_data(as_text=True))
    response = client.post(
        f"/staff/cases/{case.public_id}/personal-health-budget/indicative-budget",
        data={"csrf_token": token, "who": "me", "signed_on": ["5", "12", "2026"]},
    )
    page = check_page(response.get_data(as_text=True), errors=True)
    assert (
        "This step needs sign-off at level 3 or above" in page.select_one(".govuk-error-summary").get_text()
    )
    assert db.session.scalar(select(PhbStep).filter_by(step="indicative_budget")) is None


def test_the_person_signs_the_method_themselves_at_level_one(client, client_request, staff, case):
    sign_in(client, staff["senior"])
    for step in ("assessed-needs", "indicative-budget"):
        client_request.post(
            "practitioner.phb_sign",
            {"who": "me", "signed_on": ["5", "12", "2026"]},
            _status=303,
            case_id=case.public_id,
            step_name=step,
        )
    page = client_request.post(
        "practitioner.phb_sign",
        {"who": "person", "signed_on": ["6", "12", "2026"], "note": "Sam chose"},
        _errors=True,
        case_id=case.public_id,
        step_name="phb-method",
    )
    assert "Select how the budget is held" in page.select_one(".govuk-error-summary").get_text()
    assert page.select_one("textarea[name=note]").get_text() == "Sam chose"  # nothing typed is lost
    client_request.post(
        "practitioner.phb_sign",
        {"who": "person", "phb_form": "direct_payment", "signed_on": ["6", "12", "2026"]},
        _status=303,
        case_id=case.public_id,
        step_name="phb-method",
    )
    row = db.session.scalar(select(PhbStep).filter_by(step="phb_method"))
    assert (row.level, row.by_person, row.phb_form) == (1, True, "direct_payment")
    text = client_request.get("practitioner.phb_steps", case_id=case.public_id).get_text(" ", strip=True)
    assert "Signed off by the person themselves on 6 December 2026, recorded by Dev Senior." in text
    assert "Direct payment: the person, or someone for them, holds the money" in text


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (["", "12", "2026"], "Enter the date it was signed off, with a day, month and year"),
        (["31", "2", "2026"], "The date it was signed off must be a real date"),
        (["1", "1", "2999"], "The date it was signed off must be today or in the past"),
    ],
)
def test_a_bad_date_is_told_on_the_field(client, client_request, staff, case, day, message):
    sign_in(client, staff["assessor"])
    page = client_request.post(
        "practitioner.phb_sign",
        {"who": "me", "signed_on": day},
        _errors=True,
        case_id=case.public_id,
        step_name="assessed-needs",
    )
    assert message in page.select_one(".govuk-error-summary").get_text()


def test_a_step_out_of_order_is_refused_in_words(client, client_request, staff, case):
    sign_in(client, staff["senior"])
    page = client_request.post(
        "practitioner.phb_sign",
        {"who": "me", "signed_on": ["5", "12", "2026"]},
        _errors=True,
        case_id=case.public_id,
        step_name="plan",
    )
    assert "The next step is: Understanding the person's assessed needs" in page.get_text(" ", strip=True)


def test_who_may_see_and_sign(client, app, staff, case, citizen, make_account, org):
    steps = f"/staff/cases/{case.public_id}/personal-health-budget"
    sign_page = f"{steps}/assessed-needs"
    for account, status in (
        (staff["outsider"], 404),
        (staff["outsider_admin"], 404),
        (citizen, 403),
        (make_account(Role.DEPLOYMENT_ADMIN, email="deploy@example.org"), 403),
    ):
        fresh = app.test_client()
        sign_in(fresh, account)
        assert fresh.get(steps).status_code == status, account.email
        assert fresh.get(sign_page).status_code == status, account.email
        token = csrf_from(fresh.get("/account/sign-out").get_data(as_text=True))
        posted = fresh.post(
            sign_page, data={"csrf_token": token, "who": "me", "signed_on": ["5", "12", "2026"]}
        )
        assert posted.status_code == status, account.email
    anonymous = app.test_client()
    assert anonymous.get(steps).status_code in (302, 303)
    sign_in(client, staff["assessor"])
    assert client.get(f"{steps}/no-such-step").status_code == 404
    assert client.get(f"{steps}/audit").status_code == 404  # a review's step, not a first assessment's
    assert db.session.scalar(select(PhbStep)) is None


def test_a_decided_case_shows_its_sign_offs_but_takes_none(client, staff, org):
    decided = make_case(org, staff["assessor"], status=CaseStatus.DECIDED)
    sign_in(client, staff["senior"])
    page = client.get(f"/staff/cases/{decided.public_id}/personal-health-budget")
    assert page.status_code == 200
    assert "Record the sign-off" not in page.get_data(as_text=True)
    assert (
        client.get(f"/staff/cases/{decided.public_id}/personal-health-budget/assessed-needs").status_code
        == 403
    )


def test_a_council_tools_case_has_no_personal_health_budget(client, staff, make_organisation, make_account):
    council = make_organisation("Northfield City Council")
    assessor = make_account(Role.ASSESSOR, organisation=council, level=2)
    council_case = make_case(council, assessor, holder=assessor, tool="adult_social_care")
    sign_in(client, assessor)
    html = client.get(f"/staff/cases/{council_case.public_id}").get_data(as_text=True)
    assert "personal-health-budget" not in html and "continuing-healthcare" not in html
    assert client.get(f"/staff/cases/{council_case.public_id}/personal-health-budget").status_code == 404
    assert (
        client.get(f"/staff/cases/{council_case.public_id}/personal-health-budget/assessed-needs").status_code
        == 404
    )
