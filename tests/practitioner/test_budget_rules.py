"""The budget service's own rules, called directly: what confirming, deciding without a budget and approving
refuse, and exactly what each records and sets off. The pages word these; the service holds them.

Written for the mutation run on the staff services (scripts/mutation.py --target services): the page journeys
reach each rule, but few looked at what was recorded (the reason as written, its language, the level, the
approval row) or at the refusals a form already makes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.jobs import Job
from portal.models import Approval, AuditEvent, CaseKind, CaseStatus, Decision, OutboxMessage, Validation
from portal.organisation_rules import Limit, OrganisationRules, ValidationRule
from portal.practitioner import budget_service as budgets
from portal.practitioner import service
from portal.practitioner.budget_service import IncompleteValidation, reasons_needed
from tests.practitioner.test_casework import refreshed
from tests.practitioner.test_lifecycle import _claimed

S = CaseStatus


def limits(case, level2_pence: int) -> None:
    """Level 2 (the assessor) decides up to ``level2_pence`` a week; level 3 up to ten times that."""
    case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=level2_pence), 3: Limit(weekly_pence=level2_pence * 10), 4: Limit()}
    ).to_settings()
    db.session.commit()


@pytest.fixture
def ready(app, staff, sent_case):
    """A claimed case with every answer checked, and limits so high the assessor decides its budget."""
    case = _claimed(app, staff, sent_case)
    limits(case, 10_000_000)
    return refreshed(case)


def calculated(case) -> int:
    return budgets.recalculate(case).total_weekly_pence


def jobs(kind: str) -> list[Job]:
    return list(db.session.scalars(select(Job).filter_by(kind=kind).order_by(Job.id)))


# -- confirming ----------------------------------------------------------------------------------------


def test_the_calculated_figure_is_decided_with_what_it_records(staff, ready):
    staff["assessor"].locale = "cy"
    db.session.commit()
    pence = calculated(ready)
    decision = budgets.confirm_budget(staff["assessor"], ready, confirmed_pence=pence, reason="  ")
    assert refreshed(ready).status == S.DECIDED
    assert (decision.confirmed_weekly_pence, decision.reason, decision.reason_lang) == (pence, "", "cy")
    assert (decision.decided_by_id, decision.required_level, decision.outcome) == (
        staff["assessor"].id,
        2,
        "approved",
    )
    assert decision.estimate_id is not None and decision.contribution_pence is None
    [approval] = db.session.scalars(select(Approval).filter_by(decision_id=decision.id))
    assert (approval.level, approval.account_id, approval.outcome) == (2, staff["assessor"].id, "confirmed")
    event = db.session.scalar(select(AuditEvent).filter_by(action="case.budget_confirmed"))
    assert event.detail["calculated_pence"] == pence and event.detail["confirmed_pence"] == pence
    assert event.detail["required_level"] == 2 and event.detail["estimate_id"] == decision.estimate_id
    assert [job.payload for job in jobs("decision_letter")] == [
        {"decision_id": decision.id, "lang": "en", "easy_read": False}
    ], "one letter, in the person's language"
    assert db.session.scalar(select(OutboxMessage).filter_by(kind="case_decided")) is not None
    assert db.session.get(Decision, decision.id) is not None, "committed with the decision"


def test_another_figure_needs_a_reason_and_keeps_it_as_written(staff, ready):
    other = calculated(ready) + 100
    for blank in ("", "   "):
        with pytest.raises(ValueError, match="needs reasons"):
            budgets.confirm_budget(staff["assessor"], refreshed(ready), confirmed_pence=other, reason=blank)
    assert refreshed(ready).status == S.CLAIMED
    decision = budgets.confirm_budget(
        staff["assessor"], refreshed(ready), confirmed_pence=other, reason="  Two carers at night  "
    )
    assert (decision.confirmed_weekly_pence, decision.reason) == (other, "Two carers at night")
    [approval] = db.session.scalars(select(Approval).filter_by(decision_id=decision.id))
    assert approval.reason == "Two carers at night"


def test_reasons_are_needed_for_another_figure_and_for_every_decision_looked_at_again(ready):
    assert reasons_needed(ready, 100, 100) is False
    assert reasons_needed(ready, 101, 100) is True
    assert reasons_needed(ready, None, 100) is True
    ready.kind = CaseKind.RECONSIDERATION
    assert reasons_needed(ready, 100, 100) is True


def test_above_the_assessors_limit_it_waits_for_a_signatory_who_is_told(staff, ready):
    pence = calculated(ready)
    limits(ready, pence - 1)  # one penny over what level 2 may decide
    decision = budgets.confirm_budget(staff["assessor"], refreshed(ready), confirmed_pence=pence, reason="")
    assert (refreshed(ready).status, decision.outcome, decision.required_level) == (
        S.WAITING_FOR_APPROVAL,
        "pending",
        3,
    )
    assert (
        jobs("decision_letter") == []
        and db.session.scalar(select(OutboxMessage).filter_by(kind="case_decided")) is None
    )
    told = {m.to_address for m in db.session.scalars(select(OutboxMessage).filter_by(kind="staff_notice"))}
    assert staff["approver"].email in told and staff["assessor"].email not in told


def test_at_the_assessors_limit_it_is_decided(staff, ready):
    pence = calculated(ready)
    limits(ready, pence)
    decision = budgets.confirm_budget(staff["assessor"], refreshed(ready), confirmed_pence=pence, reason="")
    assert decision.outcome == "approved" and refreshed(ready).status == S.DECIDED


def test_an_assessor_without_a_level_counts_as_level_two(staff, ready):
    staff["assessor"].approval_level = None
    db.session.commit()
    decision = budgets.confirm_budget(
        staff["assessor"], refreshed(ready), confirmed_pence=calculated(ready), reason=""
    )
    [approval] = db.session.scalars(select(Approval).filter_by(decision_id=decision.id))
    assert approval.level == 2
    assert decision.outcome == "pending", "no level of their own: a signatory decides"


def test_full_validation_must_be_finished_first(app, staff, sent_case):
    sent_case.organisation.settings = OrganisationRules(
        validation=ValidationRule(light_max_weekly_pence=None),
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()},
    ).to_settings()
    db.session.commit()
    assert service.claim(staff["assessor"], sent_case)  # full validation: nothing checked yet
    case = refreshed(sent_case)
    left = len(budgets.still_to_check(case))
    with pytest.raises(IncompleteValidation) as refused:
        budgets.confirm_budget(staff["assessor"], case, confirmed_pence=calculated(case), reason="")
    assert refused.value.left == left > 0
    assert refreshed(case).status == S.CLAIMED


def test_the_light_path_needs_no_checking_first(app, staff, sent_case):
    sent_case.organisation.settings = OrganisationRules(
        validation=ValidationRule(light_max_weekly_pence=10**9, full_check_percent=0),
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()},
    ).to_settings()
    sent_case.risk_rank = 0
    db.session.commit()
    assert service.claim(staff["assessor"], sent_case, draw=0.5)
    case = refreshed(sent_case)
    assert db.session.scalar(select(Validation).filter_by(case_id=case.id)).path_taken == "light"
    decision = budgets.confirm_budget(staff["assessor"], case, confirmed_pence=calculated(case), reason="")
    assert decision.outcome == "approved"


def test_only_the_holder_confirms(staff, ready):
    with pytest.raises(budgets.NotAllowed):
        budgets.confirm_budget(staff["assessor2"], ready, confirmed_pence=calculated(ready), reason="")
    assert db.session.scalar(select(Decision)) is None


# -- approving and returning ------------------------------------------------------------------------------


@pytest.fixture
def pending(staff, ready):
    pence = calculated(ready)
    limits(ready, pence - 1)
    budgets.confirm_budget(staff["assessor"], refreshed(ready), confirmed_pence=pence, reason="")
    return refreshed(ready)


def test_a_signatory_approves_what_is_recorded_and_what_it_sets_off(staff, pending):
    decision = budgets.approve(staff["approver"], pending, approved=True, reason="  Fine  ")
    assert (decision.outcome, refreshed(pending).status) == ("approved", S.DECIDED)
    with db.engine.connect() as connection:  # committed
        assert (
            connection.execute(select(Decision.outcome).where(Decision.id == decision.id)).scalar_one()
            == "approved"
        )
    approvals = list(
        db.session.scalars(select(Approval).filter_by(decision_id=decision.id).order_by(Approval.id))
    )
    assert [(a.level, a.account_id, a.outcome, a.reason) for a in approvals][1] == (
        3,
        staff["approver"].id,
        "approved",
        "Fine",
    )
    assert len(jobs("decision_letter")) == 1
    assert db.session.scalar(select(OutboxMessage).filter_by(kind="case_decided")) is not None


def test_a_return_needs_a_reason_and_goes_back_with_the_holder_told(staff, pending):
    with pytest.raises(ValueError, match="needs a reason"):
        budgets.approve(staff["approver"], pending, approved=False, reason="  ")
    decision = budgets.approve(
        staff["approver"], refreshed(pending), approved=False, reason="Check the nights"
    )
    assert (decision.outcome, refreshed(pending).status) == ("returned", S.CLAIMED)
    told = {m.to_address for m in db.session.scalars(select(OutboxMessage).filter_by(kind="staff_notice"))}
    assert staff["assessor"].email in told
    assert jobs("decision_letter") == []


def test_nothing_pending_is_nothing_to_approve(staff, ready):
    with pytest.raises(budgets.Conflict):
        budgets.approve(staff["approver"], ready, approved=True)


# -- no eligible needs -------------------------------------------------------------------------------------


def _determine(staff, case, outcomes: list[str]) -> None:
    validation = db.session.scalar(select(Validation).filter_by(case_id=case.id))
    service.save_practitioner_items(
        staff["assessor"],
        case,
        {"eligibility": {"cannot_achieve": outcomes, "impairment": "yes", "wellbeing": "yes"}},
        expected_version=validation.version,
    )


def test_no_eligible_needs_is_decided_only_once_determined_and_with_reasons(staff, ready):
    with pytest.raises(ValueError, match="determination"):
        budgets.decide_not_eligible(staff["assessor"], ready, reason="No needs")
    _determine(staff, refreshed(ready), ["nutrition", "hygiene"])  # two outcomes: eligible
    with pytest.raises(ValueError, match="determination"):
        budgets.decide_not_eligible(staff["assessor"], refreshed(ready), reason="No needs")
    _determine(staff, refreshed(ready), ["nutrition"])  # one outcome: not eligible
    with pytest.raises(ValueError, match="reasons"):
        budgets.decide_not_eligible(staff["assessor"], refreshed(ready), reason="  ")
    decision = budgets.decide_not_eligible(staff["assessor"], refreshed(ready), reason="  Only one outcome  ")
    assert (decision.confirmed_weekly_pence, decision.reason, decision.outcome, decision.required_level) == (
        None,
        "Only one outcome",
        "approved",
        2,
    )
    assert refreshed(ready).status == S.DECIDED
    with db.engine.connect() as connection:  # kept, and committed
        assert connection.execute(
            select(Decision.id).where(Decision.case_id == ready.id)
        ).scalars().all() == [decision.id]
    assert [job.payload["decision_id"] for job in jobs("decision_letter")] == [decision.id]
    event = db.session.scalar(select(AuditEvent).filter_by(action="case.budget_confirmed"))
    assert event.detail["eligible"] is False and event.detail["estimate_id"] == decision.estimate_id


# -- the letters kept -----------------------------------------------------------------------------------


def test_the_letters_kept_newest_first_and_one_found_only_by_its_own_id(app, staff, ready):
    from portal.jobs import work

    budgets.confirm_budget(staff["assessor"], ready, confirmed_pence=calculated(ready), reason="")
    work(until_empty=True)
    letters = budgets.decision_letters(refreshed(ready))
    assert len(letters) == 1
    assert budgets.decision_letter(refreshed(ready), letters[0].public_id) == letters[0]
    assert budgets.decision_letter(refreshed(ready), letters[0].public_id.upper()) is None
    assert budgets.decision_letter(refreshed(ready), "0" * 32) is None


def test_no_eligible_needs_decided_by_an_assessor_without_a_level_records_level_two(staff, ready):
    staff["assessor"].approval_level = None
    db.session.commit()
    _determine(staff, refreshed(ready), ["nutrition"])
    decision = budgets.decide_not_eligible(staff["assessor"], refreshed(ready), reason="Only one outcome")
    assert decision.required_level == 2


def test_no_eligible_needs_records_the_level_of_the_assessor_who_decided(staff, ready):
    staff["assessor"].approval_level = 3
    db.session.commit()
    _determine(staff, refreshed(ready), ["nutrition"])
    decision = budgets.decide_not_eligible(staff["assessor"], refreshed(ready), reason="Only one outcome")
    assert decision.required_level == 3


def test_a_contribution_is_recorded_where_the_person_pays_and_the_review_it_brings_is_kept(staff, ready):
    decision = budgets.confirm_budget(
        staff["assessor"], ready, confirmed_pence=calculated(ready), reason="", contribution_pence=1500
    )
    assert decision.contribution_pence == 1500
    assert decision.review_due_on is not None and decision.review_window_from is not None


def test_no_contribution_for_care_free_to_the_person(staff, ready):
    ready.tool_key = "section_117"  # aftercare: free to the person
    db.session.commit()
    with pytest.raises(ValueError, match="free to the person"):
        budgets.confirm_budget(
            staff["assessor"],
            refreshed(ready),
            confirmed_pence=calculated(ready),
            reason="x",
            contribution_pence=1,
        )
    assert db.session.scalar(select(Decision)) is None


def test_a_refused_confirmation_writes_nothing_for_a_later_commit(staff, ready):
    """Refused before anything is written: not even the stored estimate goes with the request's later commit."""
    from portal.models import Estimate

    before = db.session.scalar(select(func.count()).select_from(Estimate))
    with pytest.raises(budgets.NotAllowed):
        budgets.confirm_budget(staff["assessor2"], ready, confirmed_pence=calculated(ready), reason="")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Estimate)) == before


def test_one_letter_a_language_of_those_acting_for_the_person_in_easy_read_if_they_chose_it(
    staff, ready, citizen, make_account
):
    citizen.locale, citizen.easy_read = "cy", True
    make_account(email="someone.else@example.org", locale="pl")  # acts for nobody here: no Polish letter
    db.session.commit()
    decision = budgets.confirm_budget(
        staff["assessor"], refreshed(ready), confirmed_pence=calculated(ready), reason=""
    )
    assert [job.payload for job in jobs("decision_letter")] == [
        {"decision_id": decision.id, "lang": "cy", "easy_read": True}
    ]


def test_a_person_nobody_acts_for_online_gets_one_letter_in_english(staff, ready):
    from sqlalchemy import delete

    from portal.models import PersonLink

    db.session.execute(delete(PersonLink).where(PersonLink.person_id == ready.person_id))
    db.session.commit()
    decision = budgets.confirm_budget(
        staff["assessor"], refreshed(ready), confirmed_pence=calculated(ready), reason=""
    )
    assert [job.payload for job in jobs("decision_letter")] == [
        {"decision_id": decision.id, "lang": "en", "easy_read": False}
    ]
