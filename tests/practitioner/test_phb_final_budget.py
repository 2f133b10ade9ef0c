"""The personal health budget's final budget and the case's own budget decision (0017): once a case runs the PHB
process, its budget is confirmed first, the final budget authorises that figure, and only then is it decided."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import phb
from portal.extensions import db
from portal.models import Case, CaseStatus, Decision
from portal.phb import Refused, Step
from portal.practitioner import service
from tests.practitioner.test_chc_eligibility import case, decide, org  # noqa: F401 (fixtures)
from tests.practitioner.test_phb import sign, sign_up_to


def confirm(staff, found):
    result = service.recalculate(found)
    return service.confirm_budget(
        staff["assessor"], found, confirmed_pence=result.total_weekly_pence, reason=""
    )


def status(found):
    db.session.expire_all()
    return db.session.get(Case, found.id).status


def test_the_final_budget_needs_a_confirmed_budget(staff, case):  # noqa: F811
    decide(staff, case, True)
    sign_up_to(case, staff, Step.FINAL_BUDGET)
    with pytest.raises(Refused) as refused:
        sign(staff["senior"], case, Step.FINAL_BUDGET)
    assert refused.value.code == "no_confirmed_budget"


def test_a_budget_run_as_a_phb_waits_for_the_final_budget_before_it_is_decided(staff, case):  # noqa: F811
    decide(staff, case, True)
    sign_up_to(case, staff, Step.FINAL_BUDGET)
    decision = confirm(staff, case)  # within the assessor's limit, yet not decided
    assert decision.outcome == "pending" and status(case) == CaseStatus.WAITING_FOR_APPROVAL
    with pytest.raises(Refused) as refused:
        service.approve(staff["approver"], db.session.get(Case, case.id), approved=True)
    assert refused.value.code == "final_budget_not_signed"
    assert status(case) == CaseStatus.WAITING_FOR_APPROVAL
    sign(staff["senior"], db.session.get(Case, case.id), Step.FINAL_BUDGET)
    service.approve(staff["approver"], db.session.get(Case, case.id), approved=True)
    assert status(case) == CaseStatus.DECIDED
    assert db.session.scalar(select(Decision).filter_by(case_id=case.id)).outcome == "approved"


def test_a_budget_not_run_as_a_phb_is_decided_as_before(staff, case):  # noqa: F811
    decide(staff, case, True)
    assert confirm(staff, case).outcome == "approved" and status(case) == CaseStatus.DECIDED
    assert phb.next_step(db.session.get(Case, case.id)) == Step.ASSESSED_NEEDS  # nothing started


def test_the_approval_page_sends_the_approver_to_the_final_budget(client, staff, case):  # noqa: F811
    from tests.conftest import csrf_from, sign_in

    decide(staff, case, True)
    sign_up_to(case, staff, Step.FINAL_BUDGET)
    confirm(staff, case)
    sign_in(client, staff["approver"])
    url = f"/staff/cases/{case.public_id}/approve"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_from(page), "outcome": "approve", "reason": ""})
    assert response.status_code == 303 and response.headers["Location"].endswith("/personal-health-budget")
    assert status(case) == CaseStatus.WAITING_FOR_APPROVAL


def confirmed_then_signed_then_returned(staff, found):
    """The budget confirmed, its final budget signed off, then returned by the approver: the case is back with
    the assessor, its final budget signed off for a budget no longer waiting."""
    decide(staff, found, True)
    sign_up_to(found, staff, Step.FINAL_BUDGET)
    first = confirm(staff, found)
    signed = sign(staff["senior"], db.session.get(Case, found.id), Step.FINAL_BUDGET)
    service.approve(
        staff["approver"], db.session.get(Case, found.id), approved=False, reason="Check the nights"
    )
    return first, signed


def test_a_final_budget_signed_off_records_the_budget_it_authorises(staff, case):  # noqa: F811
    decide(staff, case, True)
    sign_up_to(case, staff, Step.FINAL_BUDGET)
    decision = confirm(staff, case)
    row = sign(staff["senior"], db.session.get(Case, case.id), Step.FINAL_BUDGET)
    assert (row.decision_id, row.weekly_pence) == (decision.id, decision.confirmed_weekly_pence)
    assert phb.final_budget_changed(db.session.get(Case, case.id)) is None
    assert not phb.awaits_final_budget(db.session.get(Case, case.id))


def test_a_final_budget_no_longer_counts_once_the_budget_is_confirmed_again_at_another_figure(
    staff,
    case,  # noqa: F811
):
    first, old = confirmed_then_signed_then_returned(staff, case)
    found = db.session.get(Case, case.id)
    assert phb.awaits_final_budget(found) and phb.next_step(found) == Step.FINAL_BUDGET
    new_figure = first.confirmed_weekly_pence + 12_345
    again = service.confirm_budget(
        staff["assessor"], found, confirmed_pence=new_figure, reason="Two more hours at night"
    )
    # within the assessor's limit, yet it waits: the sign-off was of the first figure
    assert again.outcome == "pending" and status(case) == CaseStatus.WAITING_FOR_APPROVAL
    found = db.session.get(Case, case.id)
    with pytest.raises(Refused) as refused:
        service.approve(staff["approver"], found, approved=True)
    assert refused.value.code == "final_budget_not_signed"
    changed = phb.final_budget_changed(found)
    assert changed is not None and changed.signoff.id == old.id
    assert (changed.signed_pence, changed.now_pence) == (first.confirmed_weekly_pence, new_figure)
    final = next(row for row in phb.progress(found) if row.step == Step.FINAL_BUDGET)
    assert final.signoff is None and final.is_next and final.changed == changed
    # signed off again, for the new figure: now it is decided
    row = sign(staff["senior"], found, Step.FINAL_BUDGET)
    assert (row.decision_id, row.weekly_pence) == (again.id, new_figure)
    assert phb.final_budget_changed(db.session.get(Case, case.id)) is None
    service.approve(staff["approver"], db.session.get(Case, case.id), approved=True)
    assert status(case) == CaseStatus.DECIDED


def test_a_budget_returned_and_confirmed_again_at_the_same_figure_is_signed_off_again(staff, case):  # noqa: F811
    first, _old = confirmed_then_signed_then_returned(staff, case)
    again = confirm(staff, db.session.get(Case, case.id))
    assert again.confirmed_weekly_pence == first.confirmed_weekly_pence
    assert again.outcome == "pending" and status(case) == CaseStatus.WAITING_FOR_APPROVAL
    found = db.session.get(Case, case.id)
    assert phb.awaits_final_budget(found) and phb.next_step(found) == Step.FINAL_BUDGET
    with pytest.raises(Refused):
        service.approve(staff["approver"], found, approved=True)


def test_the_staff_pages_ask_for_the_final_budget_again_and_say_the_figure_changed(app, client, staff, case):  # noqa: F811
    from datetime import date

    from bs4 import BeautifulSoup

    from portal.formatting import format_money
    from tests.conftest import check_page, csrf_from, sign_in

    first, _old = confirmed_then_signed_then_returned(staff, case)
    steps_url = f"/staff/cases/{case.public_id}/personal-health-budget"
    sign_in(client, staff["assessor"])
    page = client.get(steps_url).get_data(as_text=True)
    assert "The budget was returned to the assessor after this sign-off" in page
    # the assessor confirms it again at a new figure, within their own limit: it waits for the final budget
    budget_url = f"/staff/cases/{case.public_id}/budget"
    page = client.get(budget_url).get_data(as_text=True)
    new_figure = first.confirmed_weekly_pence + 12_345
    response = client.post(
        budget_url,
        data={
            "csrf_token": csrf_from(page),
            "amount": f"{new_figure / 100:.2f}",
            "reason": "Two more hours at night",
            "contribution": "",
        },
        follow_redirects=True,
    )
    assert "Sign off its final budget, then approve it." in response.get_data(as_text=True)
    assert status(case) == CaseStatus.WAITING_FOR_APPROVAL
    client = app.test_client()
    sign_in(client, staff["senior"])
    page = client.get(steps_url).get_data(as_text=True)
    check_page(page)
    final = BeautifulSoup(page, "html.parser").select("ol.app-phb-steps > li")[-1].get_text(" ", strip=True)
    assert "To sign off again" in final
    assert (
        f"The budget was confirmed again at {format_money(new_figure)} a week after this sign-off, "
        f"which authorised {format_money(first.confirmed_weekly_pence)} a week" in final
    )
    assert "Record the sign-off" in final
    # the approval page still sends the approver to the final budget
    approve_url = f"/staff/cases/{case.public_id}/approve"
    page = client.get(approve_url).get_data(as_text=True)
    response = client.post(
        approve_url, data={"csrf_token": csrf_from(page), "outcome": "approve", "reason": ""}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/personal-health-budget")
    assert status(case) == CaseStatus.WAITING_FOR_APPROVAL
    # signed off again through the page, the step shows the new figure and the budget can be approved
    sign_url = f"{steps_url}/final-budget"
    today = date.today()
    page = client.get(sign_url).get_data(as_text=True)
    assert f"{format_money(new_figure)} a week" in page
    response = client.post(
        sign_url,
        data={
            "csrf_token": csrf_from(page),
            "who": "me",
            "signed_on": [str(today.day), str(today.month), str(today.year)],
            "note": "",
        },
    )
    assert response.status_code == 303
    final = (
        BeautifulSoup(client.get(steps_url).get_data(as_text=True), "html.parser")
        .select("ol.app-phb-steps > li")[-1]
        .get_text(" ", strip=True)
    )
    assert "To sign off again" not in final and "Signed off by Dev Senior" in final
    assert f"Authorises {format_money(new_figure)} a week." in final
