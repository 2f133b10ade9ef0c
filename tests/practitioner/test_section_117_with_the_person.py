"""A practitioner completes the Section 117 aftercare Needs Profile with the person (seed 000): started from the
staff home, one question a page with "Add note", finished through the case lifecycle, the notes shown to staff,
the aftercare determination instead of the Care Act's, and the allocation summary in the published order with
its funders."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, CaseStatus, OrganisationKind, Role, Snapshot
from portal.questionnaire import NOTES_KEY
from portal.tool_service import SETTINGS_KEY
from tests.conftest import check_page, sign_in
from tests.journey.helpers import post
from tests.questionnaire.test_section_117_schema import SEED_ANSWERS

NEW = "/staff/assess/new?tool=section_117"
PERSON = {"name": "Rhys Morgan", "date_of_birth": ["3", "4", "1985"], "postcode": "RV1 2XY", "nhs_number": ""}
#: Seed 000's allocation summary: the lines in order, and who pays each when it has an allocation.
SEED_ORDER = [
    "Carrying out essential daily living tasks",
    "Carrying out household tasks",
    "Supplement for night time support",
    "Staying safe & social activities & work",
    "Weekly allocation for engaging in work, training, education or volunteering",
    "Weekly childcare support",
    "Weekly support with mental health",
    "Weekly contingency allocation",
    "Weekly medication allocation",
]


@pytest.fixture
def partnership(make_organisation):
    organisation = make_organisation(
        "Riverside Health and Care Partnership", districts=("RV1",), kind=OrganisationKind.PARTNERSHIP
    )
    organisation.settings = {SETTINGS_KEY: {"section_117": True}}
    db.session.commit()
    return organisation


@pytest.fixture
def s117_staff(make_account, partnership):
    return {
        "assessor": make_account(
            Role.ASSESSOR,
            organisation=partnership,
            level=4,
            email="assessor@riverside.example.org",
            name="Rhian",
        ),
        "assessor2": make_account(
            Role.ASSESSOR, organisation=partnership, level=4, email="assessor2@riverside.example.org"
        ),
    }


def _complete(client: Any, notes: dict[str, str]) -> Case:
    """Start with the person and answer every page as seed 000 does; return the finished case."""
    response = post(client, NEW, PERSON)
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    url = response.headers["Location"]
    for _ in range(60):
        if "/questions/" not in url:
            break
        question_id = url.rsplit("/", 1)[1]
        page = check_page(client.get(url).get_data(as_text=True))
        assert page.select_one("details.app-answer-note textarea[name=note]") is not None, question_id
        value = SEED_ANSWERS[question_id]
        data = {"answer": value, "submit": "y", "note": notes.get(question_id, "")}
        response = post(client, url, data)
        assert response.status_code == 303, response.get_data(as_text=True)[:1000]
        url = response.headers["Location"]
    assert url.endswith("/finish")
    assert post(client, url, {}).status_code == 303
    db.session.expire_all()
    return db.session.scalar(select(Case).filter_by(person_name="Rhys Morgan"))


def test_the_staff_home_offers_it_only_where_the_organisation_does(app, s117_staff, staff):
    client = app.test_client()
    sign_in(client, s117_staff["assessor"])
    home = check_page(client.get("/staff/").get_data(as_text=True))
    link = home.find("a", string=lambda s: s and "Section 117 aftercare Needs Profile" in s)
    assert link is not None and link["href"] == NEW
    page = check_page(client.get(NEW).get_data(as_text=True))
    assert page.h1.get_text(strip=True) == "Section 117 aftercare Needs Profile"
    council = app.test_client()
    sign_in(council, staff["assessor"])  # Northfield, a council that does not offer it
    assert "Section 117" not in council.get("/staff/").get_data(as_text=True)
    response = post(council, NEW, PERSON | {"postcode": "NF1 2XY"})
    assert response.status_code == 200
    assert "Your organisation does not offer this assessment" in response.get_data(as_text=True)
    assert db.session.scalar(select(Case).filter_by(person_name="Rhys Morgan")) is None
    assert client.get("/staff/assess/new?tool=no_such_tool").status_code == 404


def test_with_the_person_from_start_to_the_allocation_summary(app, s117_staff):
    client = app.test_client()
    sign_in(client, s117_staff["assessor"])
    case = _complete(client, {"engaging-with-support": "Finds new workers hard; fine with Dee"})
    assert case.tool_key == "section_117" and case.status == CaseStatus.CLAIMED
    assert case.holder_id == s117_staff["assessor"].id
    snapshot = db.session.scalar(select(Snapshot).filter_by(case_id=case.id))
    assert snapshot.answers[NOTES_KEY] == {"engaging-with-support": "Finds new workers hard; fine with Dee"}
    assert snapshot.answers["engaging-with-support"] == "sometimes_a_problem"

    validate = check_page(client.get(f"/staff/cases/{case.public_id}/validate").get_data(as_text=True))
    assert "Finds new workers hard; fine with Dee" in validate.get_text()

    profile_url = f"/staff/cases/{case.public_id}/needs-profile"
    profile = check_page(client.get(profile_url).get_data(as_text=True))
    headings = [h.get_text(strip=True) for h in profile.select("h3")]
    assert "Section 117 aftercare" in headings and "Care Act eligibility" not in headings
    assert profile.select_one("input[name=cannot_achieve]") is None
    assert "Finds new workers hard; fine with Dee" in profile.select_one("dl.app-answer-notes").get_text()
    version = profile.select_one("input[name=version]")["value"]
    response = post(
        client,
        profile_url,
        {
            "arising": ["home_safety", "community", "mental_health", "medication"],
            "reduces_risk": "yes",
            "risks": "",
            "clinical_risk": "Relapse signs: poor sleep",
            "decision_making": "",
            "version": version,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    profile = check_page(client.get(profile_url).get_data(as_text=True))
    assert "Yes: aftercare meets it" in profile.get_text()

    budget = check_page(client.get(f"/staff/cases/{case.public_id}/budget").get_data(as_text=True))
    rows = budget.select("table.app-allocation-summary tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == SEED_ORDER
    paid_by = {row.th.get_text(strip=True): row.select("td")[0].get_text(strip=True) for row in rows}
    assert paid_by["Carrying out essential daily living tasks"] == "Council"  # staying safe (clinical risk)
    assert paid_by["Staying safe & social activities & work"] == "Council"
    assert paid_by["Weekly support with mental health"] == "NHS"
    assert paid_by["Weekly medication allocation"] == "NHS"
    assert paid_by["Weekly contingency allocation"] == "NHS"
    assert paid_by["Carrying out household tasks"] == "—"  # no allocation


def test_not_arising_from_the_disorder_funds_nothing(app, s117_staff):
    client = app.test_client()
    sign_in(client, s117_staff["assessor"])
    case = _complete(client, {})
    profile_url = f"/staff/cases/{case.public_id}/needs-profile"
    version = check_page(client.get(profile_url).get_data(as_text=True)).select_one("input[name=version]")[
        "value"
    ]
    response = post(
        client, profile_url, {"arising": ["mental_health"], "reduces_risk": "no", "version": version}
    )
    assert response.status_code == 303
    profile = check_page(client.get(profile_url).get_data(as_text=True))
    assert "Yes: aftercare meets it" not in profile.get_text()
    budget = check_page(client.get(f"/staff/cases/{case.public_id}/budget").get_data(as_text=True))
    assert "£0.00" in budget.select_one("p.govuk-body-l").get_text()


def test_the_determination_needs_an_answer_on_risk(app, s117_staff):
    client = app.test_client()
    sign_in(client, s117_staff["assessor"])
    case = _complete(client, {})
    profile_url = f"/staff/cases/{case.public_id}/needs-profile"
    version = check_page(client.get(profile_url).get_data(as_text=True)).select_one("input[name=version]")[
        "value"
    ]
    response = post(client, profile_url, {"arising": ["mental_health"], "version": version})
    assert response.status_code == 200
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "Select yes or no" in page.select_one(".govuk-error-summary").get_text()


def test_another_assessor_cannot_continue_it(app, s117_staff):
    client = app.test_client()
    sign_in(client, s117_staff["assessor"])
    response = post(client, NEW, PERSON)
    url = response.headers["Location"]
    other = app.test_client()
    sign_in(other, s117_staff["assessor2"])
    assert other.get(url).status_code == 404


def test_the_decision_letter_has_the_lines_in_the_published_order(app, s117_staff):
    import subprocess

    from portal.jobs import work
    from portal.models import Document
    from portal.practitioner import service

    client = app.test_client()
    sign_in(client, s117_staff["assessor"])
    case = _complete(client, {})
    profile_url = f"/staff/cases/{case.public_id}/needs-profile"
    version = check_page(client.get(profile_url).get_data(as_text=True)).select_one("input[name=version]")[
        "value"
    ]
    arising = ["home_safety", "community", "mental_health", "medication"]
    post(client, profile_url, {"arising": arising, "reduces_risk": "yes", "version": version})
    result = service.recalculate(case)
    service.confirm_budget(s117_staff["assessor"], case, confirmed_pence=result.total_weekly_pence, reason="")
    work(until_empty=True)
    letter = db.session.scalar(select(Document).filter_by(case_id=case.id, kind="decision_letter", lang="en"))
    assert letter is not None
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=letter.content, capture_output=True, check=True, timeout=30
    ).stdout.decode("utf-8")
    # The letter lists the lines that have money, in seed 000's order, each with who pays it.
    rows = [" ".join(line.split()) for line in text.splitlines()]
    paid = [
        (title, row.removeprefix(title).split()[0])
        for row in rows
        for title in SEED_ORDER
        if row.startswith(title + " ")
    ]
    assert paid == [
        ("Carrying out essential daily living tasks", "Council"),
        ("Staying safe & social activities & work", "Council"),
        ("Weekly support with mental health", "NHS"),
        ("Weekly contingency allocation", "NHS"),
        ("Weekly medication allocation", "NHS"),
    ]
    flat = " ".join(text.split())
    assert "These needs arise from, or relate to, your mental health condition" in flat  # its own eligibility
    assert "Care Act" not in flat
    # Read by a carer, or in Easy Read, the tool's own eligibility wording speaks to them (decision 0015).
    from portal.case_record import final_decision
    from portal.i18n.schema_text import Words
    from portal.letters import decision_context
    from portal.questionnaire import Voice

    with app.test_request_context():
        carer = decision_context(case, final_decision(case), Words(voice=Voice.CARER, name="Rhys"))
        easy = decision_context(case, final_decision(case), Words(name="Rhys", easy_read=True))
    assert carer["eligibility_words"]["eligible"].startswith(
        "These needs of Rhys arise from, or relate to, their"
    )
    assert easy["eligibility_words"]["eligible"].startswith(
        "These things are hard because of your mental health"
    )


def test_the_case_export_keeps_notes_apart_from_the_answers(app, s117_staff):
    import json

    from portal.jobs import work
    from portal.practitioner import service

    client = app.test_client()
    sign_in(client, s117_staff["assessor"])
    case = _complete(client, {"harder-times": "Worse in January"})
    profile_url = f"/staff/cases/{case.public_id}/needs-profile"
    version = check_page(client.get(profile_url).get_data(as_text=True)).select_one("input[name=version]")[
        "value"
    ]
    post(client, profile_url, {"arising": ["mental_health"], "reduces_risk": "yes", "version": version})
    result = service.recalculate(case)
    service.confirm_budget(s117_staff["assessor"], case, confirmed_pence=result.total_weekly_pence, reason="")
    work(until_empty=True)
    exported = json.loads(client.get(f"/staff/cases/{case.public_id}/export.json").get_data(as_text=True))
    assert "_notes" not in exported["answers_sent"]  # every key of the answers is a question
    assert exported["answers_sent"]["harder-times"] == SEED_ANSWERS["harder-times"]
    assert exported["notes_sent"] == {"harder-times": "Worse in January"}
