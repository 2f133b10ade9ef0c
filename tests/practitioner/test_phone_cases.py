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
