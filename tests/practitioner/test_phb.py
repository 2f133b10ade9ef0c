"""The personal health budget's steps and sign-offs (portal/phb.py): levels, order, who, and final cases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal import phb
from portal.cases import NotAllowed
from portal.extensions import db
from portal.health_models import PhbStep, RecordChanged
from portal.models import (
    AuditEvent,
    Authority,
    Case,
    CaseKind,
    CaseStatus,
    Decision,
    Estimate,
    Person,
    Snapshot,
)
from portal.phb import PhbForm, Refused, ReviewOutcome, Step

TODAY = date(2026, 12, 7)


def make_case(
    org,
    creator,
    *,
    status=CaseStatus.CLAIMED,
    kind=CaseKind.ASSESSMENT,
    follows=None,
    holder=None,
    tool="continuing_healthcare",
    answers=None,
):
    """A case of the organisation in the given status and tool, made directly (the lifecycle is tested elsewhere)."""
    person = (
        follows.person if follows is not None else Person(name="Sam Carter", date_of_birth=date(1960, 5, 1))
    )
    if follows is None:
        db.session.add(person)
        db.session.flush()
    case = Case(
        person_id=person.id,
        organisation_id=org.id,
        created_by_id=creator.id,
        holder_id=holder.id if holder else None,
        status=status,
        kind=kind,
        follows_id=follows.id if follows is not None else None,
        person_name=person.name,
        tool_key=tool,
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        Snapshot(
            case_id=case.id,
            answers=dict(answers or {}),
            questionnaire_version="test",
            completed_by_id=creator.id,
            authority=Authority.SELF,
        )
    )
    db.session.commit()
    return case


@pytest.fixture
def case(org, staff):
    return make_case(org, staff["assessor"], holder=staff["assessor"])


def sign(account, case, step, **kwargs):
    kwargs.setdefault("signed_on", TODAY)
    kwargs.setdefault("today", TODAY)
    row = phb.sign_off(account, case, step, **kwargs)
    db.session.commit()
    return row


def budget_waiting(case, assessor, pence=50_000):
    """A budget the assessor confirmed, waiting for sign-off (made directly: the services are tested elsewhere)."""
    estimate = Estimate(
        case_id=case.id,
        purpose="validated",
        engine_version="test",
        config_label="test",
        config_hash="0" * 64,
        mode="personal",
        total_weekly_pence=pence,
        result={},
    )
    db.session.add(estimate)
    db.session.flush()
    db.session.add(
        Decision(
            case_id=case.id,
            estimate_id=estimate.id,
            confirmed_weekly_pence=pence,
            reason="",
            reason_lang="en",
            decided_by_id=assessor.id,
            required_level=2,
            outcome="pending",
        )
    )
    db.session.commit()


def sign_up_to(case, staff, last):
    """Sign every setting-up step before ``last`` at a level that covers it."""
    for step in phb.SETTING_UP:
        if step == last:
            return
        if step == Step.PHB_METHOD:
            sign(staff["assessor"], case, step, by_person=True, phb_form=PhbForm.DIRECT_PAYMENT)
        else:
            sign(staff["senior"], case, step)


def test_a_first_assessment_sets_a_budget_up_and_a_review_reviews_it(org, staff, case):
    assert phb.steps_for(case) == phb.SETTING_UP
    review = make_case(org, staff["assessor"], kind=CaseKind.REVIEW, follows=case)
    assert phb.steps_for(review) == (Step.PLAN_REVIEW, Step.BUDGET_REVIEW, Step.AUDIT)
    with pytest.raises(Refused) as refused:
        sign(staff["senior"], case, Step.AUDIT)
    assert refused.value.code == "not_this_case"


def test_steps_are_signed_in_order_and_once(staff, case):
    with pytest.raises(Refused) as refused:
        sign(staff["senior"], case, Step.INDICATIVE_BUDGET)
    assert refused.value.code == "out_of_order"
    sign(staff["assessor"], case, Step.ASSESSED_NEEDS)
    with pytest.raises(Refused) as refused:
        sign(staff["senior"], case, Step.ASSESSED_NEEDS)
    assert refused.value.code == "already_signed"
    assert phb.next_step(case) == Step.INDICATIVE_BUDGET


def test_a_signatory_needs_the_steps_level_or_above(staff, case):
    sign(staff["assessor"], case, Step.ASSESSED_NEEDS)  # level 2 suffices for assessed needs
    with pytest.raises(Refused) as refused:
        sign(staff["assessor"], case, Step.INDICATIVE_BUDGET)  # needs 3
    assert refused.value.code == "level_too_low"
    row = sign(staff["approver"], case, Step.INDICATIVE_BUDGET)
    assert (row.level, row.required_level, row.signed_by_id) == (3, 3, staff["approver"].id)
    sign(staff["assessor"], case, Step.PHB_METHOD, phb_form=PhbForm.NOTIONAL)
    sign(staff["approver"], case, Step.PLAN)
    with pytest.raises(Refused):
        sign(staff["approver"], case, Step.FINAL_BUDGET)  # needs 4
    budget_waiting(case, staff["assessor"])  # the final budget authorises a confirmed budget
    assert sign(staff["senior"], case, Step.FINAL_BUDGET).level == 4
    assert phb.next_step(case) is None


def test_the_person_signs_only_a_level_one_step_and_it_is_recorded_as_level_one(staff, case):
    sign(staff["assessor"], case, Step.ASSESSED_NEEDS)
    with pytest.raises(Refused) as refused:
        sign(staff["assessor"], case, Step.INDICATIVE_BUDGET, by_person=True)
    assert refused.value.code == "level_too_low"
    sign(staff["approver"], case, Step.INDICATIVE_BUDGET)
    row = sign(staff["assessor"], case, Step.PHB_METHOD, by_person=True, phb_form=PhbForm.THIRD_PARTY)
    assert (row.level, row.by_person, row.signed_by_id, row.recorded_by_id) == (
        1,
        True,
        None,
        staff["assessor"].id,
    )
    assert phb.form_in_force(case) == PhbForm.THIRD_PARTY


def test_the_organisation_sets_its_own_levels(org, staff, case):
    org.settings = {**(org.settings or {}), "phb_levels": {"assessed_needs": 4, "indicative_budget": 9}}
    db.session.commit()
    assert phb.required_level(org, Step.ASSESSED_NEEDS) == 4
    assert phb.required_level(org, Step.INDICATIVE_BUDGET) == 3  # a level that does not exist: the default
    with pytest.raises(Refused):
        sign(staff["approver"], case, Step.ASSESSED_NEEDS)
    assert sign(staff["senior"], case, Step.ASSESSED_NEEDS).required_level == 4


def test_the_method_needs_a_form_and_the_budget_review_an_outcome(org, staff, case):
    sign_up_to(case, staff, Step.PHB_METHOD)
    with pytest.raises(Refused) as refused:
        sign(staff["assessor"], case, Step.PHB_METHOD)
    assert refused.value.code == "form_missing"
    review = make_case(org, staff["assessor"], kind=CaseKind.REVIEW, follows=case)
    sign(staff["assessor"], review, Step.PLAN_REVIEW)
    with pytest.raises(Refused) as refused:
        sign(staff["approver"], review, Step.BUDGET_REVIEW)
    assert refused.value.code == "outcome_missing"
    row = sign(staff["approver"], review, Step.BUDGET_REVIEW, outcome=ReviewOutcome.STOP)
    assert row.outcome == "stop"


def test_a_review_keeps_the_form_chosen_before_it(org, staff, case):
    sign_up_to(case, staff, Step.PLAN)
    review = make_case(org, staff["assessor"], kind=CaseKind.REVIEW, follows=case)
    assert phb.form_in_force(review) == PhbForm.DIRECT_PAYMENT


def test_a_date_in_the_future_is_refused(staff, case):
    with pytest.raises(Refused) as refused:
        sign(staff["assessor"], case, Step.ASSESSED_NEEDS, signed_on=date(2026, 12, 8))
    assert refused.value.code == "date_in_future"


@pytest.mark.parametrize("status", [CaseStatus.DECIDED, CaseStatus.WITHDRAWN])
def test_nothing_is_signed_on_a_final_case(org, staff, status):
    final = make_case(org, staff["assessor"], status=status)
    with pytest.raises(NotAllowed):
        sign(staff["senior"], final, Step.ASSESSED_NEEDS)
    assert db.session.scalar(select(PhbStep)) is None


def test_a_case_decided_meanwhile_refuses_the_sign_off(staff, case):
    """The check and the record are one: the case decided after it was read refuses (Stale), nothing written."""
    from portal.cases import Stale

    db.session.execute(Case.__table__.update().where(Case.id == case.id).values(status=CaseStatus.DECIDED))
    with pytest.raises(Stale):
        phb.sign_off(staff["assessor"], case, Step.ASSESSED_NEEDS, signed_on=TODAY, today=TODAY)
    assert db.session.scalar(select(PhbStep)) is None


def test_staff_of_another_organisation_and_citizens_may_not_sign(staff, case, citizen):
    for account in (staff["outsider"], staff["outsider_admin"], citizen):
        assert not phb.may_record(account, case)
        with pytest.raises(NotAllowed):
            sign(account, case, Step.ASSESSED_NEEDS)


def test_a_sign_off_is_audited_and_never_changed(staff, case):
    row = sign(staff["assessor"], case, Step.ASSESSED_NEEDS, note="Met with Sam and the district nurse")
    event = db.session.scalar(select(AuditEvent).filter_by(action="phb.step_signed"))
    assert event.detail["step"] == "assessed_needs" and event.detail["level"] == 2
    assert event.reason == "Met with Sam and the district nurse"
    row.level = 4
    with pytest.raises(RecordChanged):
        db.session.commit()
    db.session.rollback()


def test_progress_lists_every_step_with_the_next_marked(staff, case):
    sign(staff["assessor"], case, Step.ASSESSED_NEEDS)
    rows = phb.progress(case)
    assert [r.step for r in rows] == list(phb.SETTING_UP)
    assert rows[0].signoff is not None and not rows[0].is_next
    assert rows[1].is_next and rows[1].required_level == 3
    assert not any(r.is_next for r in rows[2:])


def test_only_an_nhs_budget_has_the_steps(org, staff):
    council_tool = make_case(org, staff["assessor"], holder=staff["assessor"], tool="adult_social_care")
    assert not phb.applies(council_tool) and not phb.may_record(staff["senior"], council_tool)
    with pytest.raises(NotAllowed):
        sign(staff["senior"], council_tool, Step.ASSESSED_NEEDS)
    for tool in ("continuing_healthcare", "continuing_care", "section_117"):
        assert phb.applies(make_case(org, staff["assessor"], tool=tool))


def test_the_database_keeps_each_step_once_and_the_final_budget_once_a_budget(staff, case):
    """Two people signing at the same moment: the table itself refuses the second row (the service's Stale)."""
    from sqlalchemy.exc import IntegrityError

    sign_up_to(case, staff, Step.FINAL_BUDGET)
    budget_waiting(case, staff["assessor"])
    row = sign(staff["senior"], case, Step.FINAL_BUDGET)
    assert row.decision_id is not None and row.weekly_pence == 50_000

    def again(step, decision_id=None):
        db.session.add(
            PhbStep(
                case_id=case.id,
                step=step.value,
                level=4,
                required_level=4,
                signed_by_id=staff["senior"].id,
                recorded_by_id=staff["senior"].id,
                signed_on=TODAY,
                decision_id=decision_id,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()

    again(Step.ASSESSED_NEEDS)
    again(Step.FINAL_BUDGET, row.decision_id)
