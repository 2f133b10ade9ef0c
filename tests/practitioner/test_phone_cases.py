"""A person assessed on the phone, with no account: nobody is offered to ask them a question they cannot read, and
staff reach the decision letter from the case to print or send it (issue 12 item 2)."""

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
    assert page.select_one(f"a[href='{url}/ask']") is None
    assert client.get(f"{url}/ask").status_code == 403
    assert "no account" in page.get_text(" ", strip=True)

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
