"""Adding a tool needs no code change (decision 0015): a small tool from fixture files, walked from start to letter.

The tool (tests/fixtures/tools/home_help) has three areas of need of its own, levels 0 to 3, four questions, a
tiny configuration and its own words. An organisation offers it only once its admin turns it on; then a person
starts it, answers, sees the estimate in the tool's words, sends it; staff find it by tool in the queue, claim,
validate and confirm it; the decision letter is in the tool's words and, the tool being free to the person,
never mentions a financial assessment.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from portal import tool_service
from portal.extensions import db
from portal.jobs import work
from portal.models import Case, CaseStatus, Document, Role
from portal.organisation_rules import Limit, OrganisationRules
from portal.practitioner import service
from portal.selfassess import service as citizen_service
from portal.sending import send
from portal.tools import load_tool
from tests.conftest import check_page, csrf_from, sign_in
from tests.journey.helpers import QUESTION_URL, post

FIXTURE = Path(__file__).parent / "fixtures" / "tools" / "home_help"
ANSWERS = {"meals": "some", "getting-about": "a_lot", "feeling-well": "a_little", "family-help": "about_half"}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "TOOL_FOLDERS": (str(FIXTURE),)}


@pytest.fixture
def people(make_organisation, make_account):
    council = make_organisation("Homeshire Council", districts=("HH1",))
    other = make_organisation("Farshire Council", districts=("FS1",))
    return {
        "council": council,
        "other": other,
        "citizen": make_account(email="robin@example.org", name="Robin Hale"),
        "assessor": make_account(
            Role.ASSESSOR, organisation=council, level=2, email="assessor@homeshire.example.org"
        ),
        "admin": make_account(Role.ADMIN, organisation=council, level=4, email="admin@homeshire.example.org"),
        "other_admin": make_account(
            Role.ADMIN, organisation=other, level=4, email="admin@farshire.example.org"
        ),
    }


def _client(app, account):
    client = app.test_client()
    sign_in(client, account)
    return client


def _start(client, postcode: str = "HH1 1AA") -> Any:
    response = post(client, "/my/new?tool=home_help", {"who": "myself"})
    if response.status_code != 303:
        return response
    about_url = response.headers["Location"]
    case_id = re.search(r"/my/cases/([0-9a-f]{32})/about", about_url).group(1)
    response = post(
        client, about_url, {"name": "Robin Hale", "date_of_birth": ["3", "5", "1950"], "postcode": postcode}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return case_id


def _answer_all(client, case_id: str) -> list[str]:
    asked = []
    url = client.get(f"/my/cases/{case_id}/continue").headers["Location"]
    while match := QUESTION_URL.search(url):
        question_id = match.group(2)
        response = post(client, url, {"answer": ANSWERS[question_id], "submit": "y"})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        asked.append(question_id)
        url = response.headers["Location"]
    return asked


def _case(case_id: str) -> Case:
    db.session.expire_all()
    return db.session.scalar(select(Case).filter_by(public_id=case_id))


def _pdf_text(content: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True, timeout=30)
    return " ".join(out.stdout.decode().split())


def test_a_new_tool_is_offered_nowhere_until_an_admin_turns_it_on(app, people):
    assert "home_help" in tool_service.available()
    assert not tool_service.is_enabled(people["council"], "home_help")
    assert tool_service.is_enabled(people["council"], "adult_social_care")  # a council, as today
    citizen = _client(app, people["citizen"])
    assert _start(citizen).status_code == 404  # the page refuses
    with pytest.raises(tool_service.ToolRefused) as refused:  # and so does the service, by itself
        citizen_service.start_for_self(people["citizen"], "home_help")
    assert refused.value.code == "not_offered"
    with pytest.raises(tool_service.ToolRefused):
        citizen_service.start_for_self(people["citizen"], "no_such_tool")

    admin = _client(app, people["admin"])
    page = check_page(admin.get("/staff/organisation/settings/tools").get_data(as_text=True))
    assert page.find("input", {"value": "adult_social_care", "checked": True}) is not None
    assert page.find("input", {"value": "home_help", "checked": True}) is None
    response = post(
        admin, "/staff/organisation/settings/tools", {"tools": ["adult_social_care", "home_help"]}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert tool_service.is_enabled(people["council"], "home_help")
    assert not tool_service.is_enabled(people["other"], "home_help")  # each organisation chooses its own
    summary = admin.get("/staff/organisation/settings").get_data(as_text=True)
    assert "Help at home check" in summary
    # A citizen or an assessor cannot reach the page; an admin changes only their own organisation.
    assert _client(app, people["citizen"]).get("/staff/organisation/settings/tools").status_code in (302, 403)
    assert _client(app, people["assessor"]).get("/staff/organisation/settings/tools").status_code == 403
    with pytest.raises(PermissionError):
        tool_service.set_enabled(people["other_admin"], people["council"], [])
    # Bad input is a message, not a 500.
    response = post(admin, "/staff/organisation/settings/tools", {"tools": ["not_a_tool"]})
    assert response.status_code == 200 and "govuk-error-summary" in response.get_data(as_text=True)


def test_a_tool_from_fixture_files_walks_from_start_to_decision_letter(app, people, smtp_server):
    tool = load_tool(FIXTURE)
    council = people["council"]
    tool_service.set_enabled(people["admin"], council, ["adult_social_care", "home_help"])
    council.settings = {
        **council.settings,
        **OrganisationRules(limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}).to_settings(),
    }
    db.session.commit()

    # The person starts the tool (from the organisation's link), answers its four questions, sees its estimate.
    citizen = _client(app, people["citizen"])
    case_id = _start(citizen)
    case = _case(case_id)
    assert case.tool_key == "home_help" and case.tool_version == tool.version
    assert case.questionnaire_version == "1/1.0.0" and case.organisation_id == council.id
    assert _answer_all(citizen, case_id) == ["meals", "getting-about", "feeling-well", "family-help"]
    page = check_page(citizen.get(f"/my/cases/{case_id}/estimate").get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "Help at home" in text and "Support to feel well" in text
    assert (
        "£100.00" in text and "£25.00" in text
    )  # meals 2 h less half + getting about 4 h at £20; 1 h at £25
    assert "Meals" in text  # its own name of the area, in the reasons

    # Sent: the snapshot, the tool's version and its own estimate with its configuration.
    response = post(citizen, f"/my/cases/{case_id}/send", {"confirm": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    case = _case(case_id)
    assert case.status == CaseStatus.SENT and case.tool_version == tool.version
    own = citizen_service.cases_for(people["citizen"])[0]
    assert own.id == case.id

    # Staff find it by tool in the queue.
    assessor = _client(app, people["assessor"])
    queue = assessor.get("/staff/queue?tool=home_help").get_data(as_text=True)
    assert case.reference in queue and "Help at home check" in queue
    assert case.reference not in assessor.get("/staff/queue?tool=adult_social_care").get_data(as_text=True)

    # Claim, validate each answer, recalculate on the tool's configuration, confirm.
    page = assessor.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    rows = [
        " ".join(r.get_text(" ", strip=True).split())
        for r in check_page(page).select(".govuk-summary-list__row")
    ]
    assert "Assessment tool Help at home check" in rows  # the case page names its tool
    assert (
        assessor.post(f"/staff/cases/{case_id}/claim", data={"csrf_token": csrf_from(page)}).status_code
        == 303
    )
    from tests.practitioner.test_casework import _agree_with_the_rest

    _agree_with_the_rest(app, people["assessor"], _case(case_id))
    profile = check_page(assessor.get(f"/staff/cases/{case_id}/needs-profile").get_data(as_text=True))
    rows = [" ".join(r.get_text(" ", strip=True).split()) for r in profile.select("tr")]
    assert any(r.startswith("Getting about A lot of help") for r in rows), rows  # its areas and levels
    assert not any(r.startswith("Washing") for r in rows)
    result = service.recalculate(_case(case_id))
    assert result.total_weekly_pence == 12500 and result.config_label == "Home help (test fixture)"
    decision = service.confirm_budget(
        people["assessor"], _case(case_id), confirmed_pence=result.total_weekly_pence, reason=""
    )
    assert decision.outcome == "approved" and _case(case_id).status == CaseStatus.DECIDED

    # The decision, on the status page and in the letter, in the tool's words; free, so no financial assessment.
    status = check_page(citizen.get(f"/my/cases/{case_id}/status").get_data(as_text=True)).get_text(
        " ", strip=True
    )
    assert "Help at home" in status
    work(until_empty=True)
    letter = db.session.scalar(select(Document).filter_by(case_id=case.id, kind="decision_letter", lang="en"))
    assert letter is not None
    words = _pdf_text(letter.content)
    assert "Help at home" in words and "Support to feel well" in words
    assert "Help at home is free. You will not be asked to pay anything towards it." in words
    assert "financial assessment" not in words.lower()


def test_a_case_cannot_go_to_an_organisation_that_does_not_offer_its_tool(app, people):
    council = people["council"]
    tool_service.set_enabled(people["admin"], council, ["adult_social_care", "home_help"])
    db.session.commit()
    citizen = _client(app, people["citizen"])
    case_id = _start(citizen)
    _answer_all(citizen, case_id)
    # The admin turns the tool off before it is sent: the send is refused by the service, whatever the page.
    tool_service.set_enabled(people["admin"], council, ["adult_social_care"])
    db.session.commit()
    with pytest.raises(tool_service.ToolRefused):
        send(people["citizen"], _case(case_id))
    db.session.rollback()
    assert _case(case_id).status == CaseStatus.DRAFT
    # A postcode whose only organisation does not offer the tool finds nobody to send it to.
    from portal.person_details import organisations_for_postcode

    assert organisations_for_postcode("HH1 1AA", "home_help") == []
    assert [o.id for o in organisations_for_postcode("HH1 1AA", "adult_social_care")] == [council.id]


def test_an_existing_case_reads_as_the_adult_tool(app, people):
    citizen = people["citizen"]
    case = citizen_service.start_for_self(citizen)
    db.session.commit()
    assert case.tool_key == "adult_social_care"
    assert case.tool_version == tool_service.get("adult_social_care").version
    assert tool_service.of(case).key == "adult_social_care"


def test_staff_start_a_phone_assessment_only_with_a_tool_their_organisation_offers(
    app, make_organisation, make_account
):
    from datetime import date

    from portal.models import OrganisationKind

    icb = make_organisation("Eastshire ICB", districts=("ES1",), kind=OrganisationKind.ICB)
    assessor = make_account(Role.ASSESSOR, organisation=icb, level=2, email="assessor@eastshire.example.org")
    admin = make_account(Role.ADMIN, organisation=icb, level=4, email="admin@eastshire.example.org")
    details = {"name": "Kit Lane", "date_of_birth": date(1960, 1, 1), "postcode": "ES1 1AA", "nhs_number": ""}
    with pytest.raises(
        tool_service.ToolRefused
    ):  # an ICB does not offer the adult self-assessment by default
        service.start_phone_assessment(assessor, **details)
    assert db.session.scalar(select(Case).filter_by(person_name="Kit Lane")) is None  # nothing half-made
    client = _client(app, assessor)
    response = post(
        client,
        "/staff/assess/new",
        {"name": "Kit Lane", "date_of_birth": ["1", "1", "1960"], "postcode": "ES1 1AA", "nhs_number": ""},
    )
    assert response.status_code == 200  # the page says so, keeping what was typed
    assert "Your organisation does not offer this assessment" in response.get_data(as_text=True)
    tool_service.set_enabled(admin, icb, ["adult_social_care"])
    db.session.commit()
    case = service.start_phone_assessment(assessor, **details)
    assert (
        case.tool_key == "adult_social_care"
        and case.tool_version == tool_service.get("adult_social_care").version
    )
