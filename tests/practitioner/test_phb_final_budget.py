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
