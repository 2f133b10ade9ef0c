"""Validation as an assessor works through it: amendments that bring follow-on questions, "answer n of N",
agreeing with the rest of a section in one step, and the way on to the Needs Profile (issue 12 item 1)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Case, CaseStatus, Validation
from portal.organisation_rules import OrganisationRules, ValidationRule
from portal.practitioner import service
from portal.questionnaire import load_schema
from tests.conftest import check_page, csrf_from, sign_in
from tests.journey.helpers import answer_all, first_option, post, start
from tests.practitioner.conftest import high_needs

PASSWORD = "correct horse battery"


def no_carer(question):
    """High needs, and nobody looking after the person without pay."""
    if question.id == "has-unpaid-carer":
        return "no"
    return high_needs(question)


@pytest.fixture
def claimed(app, citizen, org, staff):
    """A case with no unpaid carer, sent through the pages and claimed for full validation."""
    org.settings = OrganisationRules(validation=ValidationRule(light_max_weekly_pence=None)).to_settings()
    db.session.commit()
    client = app.test_client()
    sign_in(client, citizen)
    case_id = start(client)
    answer_all(client, case_id, choose=no_carer)
    assert post(client, f"/my/cases/{case_id}/send", {"confirm": "y"}).status_code == 303
    case = db.session.scalar(select(Case).filter_by(public_id=case_id))
    assert service.claim(staff["assessor"], case)
    return refreshed(case)


def refreshed(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def version_of(case: Case) -> str:
    return str(db.session.scalar(select(Validation).filter_by(case_id=case.id)).version)


def assessor_client(app, staff):
    client = app.test_client()
    sign_in(client, staff["assessor"], PASSWORD)
    return client


def test_amending_to_an_unpaid_carer_brings_follow_ons_the_assessor_answers_and_the_budget_confirms(
    app, staff, claimed
):
    client = assessor_client(app, staff)
    url = f"/staff/cases/{claimed.public_id}"
    response = post(
        client,
        f"{url}/validate/has-unpaid-carer",
        {
            "action": "amend",
            "answer": "yes",
            "reason": "Her daughter visits daily",
            "version": version_of(claimed),
        },
    )
    assert response.status_code == 303
    # The follow-ons are on the path, to answer, and counted with everything else left.
    rows = {row.id: row for row in service.validation_rows(refreshed(claimed))}
    assert rows["carer-can-continue"].state == "to_answer" and rows["carer-breaks"].state == "to_answer"
    page = check_page(client.get(f"{url}/validate/carer-can-continue").get_data(as_text=True))
    assert page.select('input[name="action"]') == []  # nothing to agree with: the person was not asked
    chosen = {"carer-can-continue": "only_with_more_help", "carer-breaks": "4"}
    for row in service.validation_rows(refreshed(claimed)):
        if row.state != "to_answer":
            continue  # every follow-on the amendment brought, answered through its page like any other
        value = chosen.get(row.id) or first_option(load_schema().question(row.id))
        response = post(client, f"{url}/validate/{row.id}", {"answer": value, "version": version_of(claimed)})
        assert response.status_code == 303, (row.id, response.get_data(as_text=True))
    answers = service.validated_answers(refreshed(claimed))
    assert answers["has-unpaid-carer"] == "yes" and answers["carer-breaks"] == 4
    # Agree with everything else, section by section, as the page offers.
    for section in load_schema().sections:
        if service.still_to_check(refreshed(claimed)):
            service.agree_with_section(
                staff["assessor"], refreshed(claimed), section.id, expected_version=int(version_of(claimed))
            )
    assert service.still_to_check(refreshed(claimed)) == []
    summary = check_page(client.get(f"{url}/validate").get_data(as_text=True)).get_text(" ", strip=True)
    assert "0 answers left to check" in summary
    result = service.recalculate(refreshed(claimed))
    response = post(client, f"{url}/budget", {"amount": f"{result.total_weekly_pence / 100:.2f}"})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert refreshed(claimed).status in (CaseStatus.DECIDED, CaseStatus.WAITING_FOR_APPROVAL)
    # The carer's breaks reached the budget.
    assert any(line.key == "carer_breaks" and line.amount_pence > 0 for line in result.lines)


def test_an_amendment_that_changes_nothing_is_refused_by_the_service_and_the_page(app, staff, claimed):
    person = service.person_answers(claimed)
    with pytest.raises(service.UnchangedAmendment):
        service.validate_answer(
            staff["assessor"],
            claimed,
            "washing",
            action="amend",
            value=person["washing"],
            reason="Looked again",
            expected_version=int(version_of(claimed)),
        )
    assert "washing" not in (db.session.scalar(select(Validation).filter_by(case_id=claimed.id)).items or {})
    client = assessor_client(app, staff)
    response = post(
        client,
        f"/staff/cases/{claimed.public_id}/validate/washing",
        {
            "action": "amend",
            "answer": person["washing"],
            "reason": "Looked again",
            "version": version_of(claimed),
        },
    )
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "agree with the person's answer" in page.get_text()
    assert page.select_one("textarea[name=reason]").get_text() == "Looked again"  # nothing typed is lost


def test_each_answer_says_answer_n_of_n(app, staff, claimed):
    client = assessor_client(app, staff)
    path = load_schema().path(service.validated_answers(claimed))
    page = check_page(
        client.get(f"/staff/cases/{claimed.public_id}/validate/{path[2]}").get_data(as_text=True)
    )
    assert f"Answer 3 of {len(path)}" in page.get_text(" ", strip=True)


def test_agreeing_with_the_rest_of_a_section_records_each_answer(app, staff, claimed):
    schema = load_schema()
    section = schema.question("washing").section
    client = assessor_client(app, staff)
    url = f"/staff/cases/{claimed.public_id}"
    # One answer amended first: agreeing with the rest leaves it amended.
    person = service.person_answers(claimed)
    other = next(o.value for o in schema.question("washing").options if o.value != person["washing"])
    service.validate_answer(
        staff["assessor"],
        claimed,
        "washing",
        action="amend",
        value=other,
        reason="Seen",
        expected_version=int(version_of(claimed)),
    )
    in_section = [
        q for q in service.still_to_check(refreshed(claimed)) if schema.question(q).section == section
    ]
    assert len(in_section) > 1
    html = client.get(f"{url}/validate").get_data(as_text=True)
    assert check_page(html).select_one(f"form[action$='/validate/sections/{section}']") is not None
    response = client.post(
        f"{url}/validate/sections/{section}",
        data={"csrf_token": csrf_from(html), "version": version_of(claimed)},
    )
    assert response.status_code == 303
    items = db.session.scalar(select(Validation).filter_by(case_id=claimed.id)).items
    assert items["washing"]["action"] == "amend"
    assert all(items[q]["action"] == "agree" for q in in_section if q != "washing")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == claimed.id, AuditEvent.action == "validation.answer")
    ).all()
    assert {e.detail["question"] for e in events} >= set(in_section)  # one event per answer, not one lump
    # Another section's answers are untouched.
    assert any(schema.question(q).section != section for q in service.still_to_check(refreshed(claimed)))
    # A stale page agrees with nothing.
    with pytest.raises(service.Conflict):
        service.agree_with_section(staff["assessor"], refreshed(claimed), section, expected_version=0)


def test_the_last_answer_leads_on_to_the_needs_profile(app, staff, claimed):
    left = service.still_to_check(claimed)
    for question_id in left[:-1]:
        service.validate_answer(
            staff["assessor"],
            refreshed(claimed),
            question_id,
            action="agree",
            expected_version=int(version_of(claimed)),
        )
    client = assessor_client(app, staff)
    response = post(
        client,
        f"/staff/cases/{claimed.public_id}/validate/{left[-1]}",
        {"action": "agree", "version": version_of(claimed)},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/cases/{claimed.public_id}/needs-profile")
    page = check_page(client.get(f"/staff/cases/{claimed.public_id}/validate").get_data(as_text=True))
    assert (
        page.select_one(f"a[href$='/staff/cases/{claimed.public_id}/needs-profile'].govuk-button") is not None
    )
