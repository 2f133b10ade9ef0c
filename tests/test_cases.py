"""The lifecycle's door, move by move, on cases built directly (fast: scripts/mutation.py runs these per mutant).

The journeys through the real pages are in tests/practitioner/test_lifecycle.py; here every row of the table and
every line of :func:`portal.cases.move` has a test that fails when it is deleted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal import cases
from portal.cases import Condition, Move, NotAllowed, Relation, Stale
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Authority,
    Case,
    CaseKind,
    CaseStatus,
    Decision,
    Estimate,
    Person,
    PersonLink,
    Role,
    Snapshot,
    Validation,
)

S = CaseStatus


@pytest.fixture
def world(app, make_account, make_organisation):
    """An organisation with staff of every kind, a person with their own account and a carer, and a stranger."""
    org = make_organisation("Northfield City Council")
    other = make_organisation("Westmoor County Council")
    people = {
        "assessor": make_account(Role.ASSESSOR, organisation=org, level=2),
        "assessor2": make_account(Role.ASSESSOR, organisation=org, level=2),
        "approver": make_account(Role.APPROVER, organisation=org, level=3),
        "senior": make_account(Role.APPROVER, organisation=org, level=4),
        "admin": make_account(Role.ADMIN, organisation=org, level=4),
        "outsider": make_account(Role.ASSESSOR, organisation=other, level=4),
        "outsider_admin": make_account(Role.ADMIN, organisation=other, level=4),
        "person": make_account(),
        "carer": make_account(),
        "stranger": make_account(),
        "deployment": make_account(Role.DEPLOYMENT_ADMIN),
    }
    person = Person(name="Sam Taylor", created_by_id=people["person"].id)
    db.session.add(person)
    db.session.flush()
    db.session.add_all(
        [
            PersonLink(account_id=people["person"].id, person_id=person.id, authority=Authority.SELF),
            PersonLink(account_id=people["carer"].id, person_id=person.id, authority=Authority.CONSENT),
        ]
    )
    db.session.commit()
    return {"org": org, "person_record": person, **people}


def make_case(world, status=S.SENT, holder=None, **columns):
    case = Case(
        person_id=world["person_record"].id,
        organisation_id=world["org"].id,
        created_by_id=world["person"].id,
        status=status,
        holder_id=world[holder].id if holder else None,
        answers={},
        **columns,
    )
    db.session.add(case)
    db.session.commit()
    return case


def pending(world, case, *, by="assessor", level=3):
    """A budget waiting for sign-off at ``level``, confirmed by ``by``."""
    estimate = Estimate(
        case_id=case.id,
        engine_version="t",
        config_label="t",
        config_hash="t",
        mode="personal",
        total_weekly_pence=100,
        result={},
    )
    db.session.add(estimate)
    db.session.flush()
    decision = Decision(
        case_id=case.id,
        estimate_id=estimate.id,
        confirmed_weekly_pence=100,
        decided_by_id=world[by].id,
        required_level=level,
        outcome="pending",
    )
    db.session.add(decision)
    db.session.commit()
    return decision


def behind_its_back(case, **values):
    """Another request changes the case on its own connection: this session's copy stays as the page saw it."""
    with db.engine.begin() as connection:
        connection.execute(Case.__table__.update().where(Case.__table__.c.id == case.id).values(**values))


def fresh(case):
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_the_table_cannot_be_changed_at_run_time():
    import dataclasses

    row = cases.TRANSITIONS[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.actors = frozenset({Relation.PERSON})  # type: ignore[misc]


# -- relations -------------------------------------------------------------------------------------------


def test_relations_of_everyone(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    assert cases.relations(world["person"], case) == {Relation.PERSON}
    assert cases.relations(world["carer"], case) == {Relation.CARER}
    assert cases.relations(world["assessor"], case) == {Relation.HOLDER, Relation.ASSESSOR}
    assert cases.relations(world["assessor2"], case) == {Relation.ASSESSOR}
    assert cases.relations(world["approver"], case) == {Relation.MANAGER}
    assert cases.relations(world["admin"], case) == {Relation.MANAGER}
    for nobody in ("outsider", "outsider_admin", "stranger", "deployment"):
        assert cases.relations(world[nobody], case) == frozenset(), nobody
    assert cases.relations(None, case) == frozenset()


def test_a_link_read_with_the_case_counts_only_for_its_own_account_and_person(world):
    """The person's pages load how the account acts for the person with the case; nobody else borrows it."""
    case = make_case(world, S.SENT)
    carer_link = db.session.scalar(select(PersonLink).filter_by(account_id=world["carer"].id))
    case.__dict__["_acting_link"] = carer_link
    assert cases.relations(world["carer"], case) == {Relation.CARER}
    assert cases.relations(world["person"], case) == {Relation.PERSON}, "the person is not their carer"
    someone_else = Person(name="Other", created_by_id=world["carer"].id)
    db.session.add(someone_else)
    db.session.flush()
    other_link = PersonLink(
        account_id=world["person"].id, person_id=someone_else.id, authority=Authority.CONSENT
    )
    db.session.add(other_link)
    db.session.commit()
    case.__dict__["_acting_link"] = other_link  # the same account's link to another person
    assert cases.relations(world["person"], case) == {Relation.PERSON}


def test_a_deactivated_account_has_no_relation(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    world["assessor"].is_active = False
    world["person"].is_active = False
    db.session.commit()
    assert cases.relations(world["assessor"], case) == frozenset()
    assert cases.relations(world["person"], case) == frozenset()


def test_a_citizen_account_is_never_staff_of_the_case(world):
    case = make_case(world, S.SENT)
    world["stranger"].organisation_id = world["org"].id  # a citizen with an organisation is still not staff
    db.session.commit()
    assert cases.relations(world["stranger"], case) == frozenset()


def test_signatory_needs_the_level_and_not_their_own_budget(world):
    case = make_case(world, S.WAITING_FOR_APPROVAL, holder="assessor")
    pending(world, case, by="assessor", level=3)
    assert Relation.SIGNATORY in cases.relations(world["approver"], case), "level 3 signs a level 3 budget"
    assert Relation.SIGNATORY in cases.relations(world["admin"], case)
    assert Relation.SIGNATORY not in cases.relations(world["assessor2"], case), "an assessor never signs"
    other = make_case(world, S.WAITING_FOR_APPROVAL, holder="assessor")
    pending(world, other, by="assessor", level=4)
    assert Relation.SIGNATORY not in cases.relations(world["approver"], other), "level 3 cannot sign level 4"
    assert Relation.SIGNATORY in cases.relations(world["senior"], other)
    own = make_case(world, S.WAITING_FOR_APPROVAL, holder="assessor")
    pending(world, own, by="senior", level=3)
    assert Relation.SIGNATORY not in cases.relations(world["senior"], own), "nobody approves their own budget"


def test_signatory_only_while_waiting_for_approval(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    pending(world, case, level=2)
    assert Relation.SIGNATORY not in cases.relations(world["senior"], case)


# -- the door ----------------------------------------------------------------------------------------------


def test_claim_takes_an_unheld_case_and_writes_the_holder(world):
    case = make_case(world, S.SENT)
    transition = cases.move(world["assessor"], case, Move.CLAIM)
    case = fresh(case)
    assert (case.status, case.holder_id) == (S.CLAIMED, world["assessor"].id)
    assert transition.target == S.CLAIMED
    event = db.session.scalar(select(AuditEvent).filter_by(case_id=case.id, action="case.claimed"))
    assert (
        event.detail["from"] == "sent"
        and event.detail["to"] == "claimed"
        and event.detail["as"] == "assessor"
    )
    assert event.detail["holder_to"] == world["assessor"].id


def test_a_case_someone_holds_cannot_be_claimed(world):
    case = make_case(world, S.SENT, holder="assessor2")
    assert not cases.can(world["assessor"], case, Move.CLAIM)
    with pytest.raises(NotAllowed):
        cases.move(world["assessor"], case, Move.CLAIM)


def test_the_update_repeats_the_check_so_a_stale_page_changes_nothing(world):
    case = make_case(world, S.SENT)
    # Another assessor claims it after this page read the case as free.
    behind_its_back(case, status=S.CLAIMED, holder_id=world["assessor2"].id)
    with pytest.raises(Stale):
        cases.move(world["assessor"], case, Move.CLAIM)
    case = fresh(case)
    assert case.holder_id == world["assessor2"].id


def test_the_holder_condition_is_in_the_update(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    behind_its_back(case, holder_id=world["assessor2"].id)
    with pytest.raises(Stale):
        cases.move(world["assessor"], case, Move.VALIDATE)  # the page still thought assessor held it


def test_a_manager_moves_only_the_holder_they_saw(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    behind_its_back(case, holder_id=world["assessor2"].id)
    with pytest.raises(Stale):
        cases.move(world["approver"], case, Move.RELEASE)
    assert fresh(case).holder_id == world["assessor2"].id


def test_a_manager_reassigning_a_sent_case_needs_it_unheld(world):
    case = make_case(world, S.SENT)
    behind_its_back(case, holder_id=world["assessor2"].id)
    with pytest.raises(Stale):
        cases.move(world["approver"], case, Move.REASSIGN, values={"holder_id": world["assessor"].id})


def test_staff_moves_stay_in_their_organisation(world):
    case = make_case(world, S.SENT)
    with pytest.raises(NotAllowed):
        cases.move(world["outsider"], case, Move.CLAIM)
    # Even if a relation were granted, the UPDATE checks the organisation.
    behind_its_back(case, organisation_id=None)
    assert not cases.can(world["assessor"], fresh(case), Move.CLAIM)


def test_release_empties_the_holder_and_reassign_sets_it(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    cases.move(world["approver"], case, Move.REASSIGN, values={"holder_id": world["assessor2"].id})
    assert (fresh(case).status, fresh(case).holder_id) == (S.CLAIMED, world["assessor2"].id)
    cases.move(world["assessor2"], fresh(case), Move.RELEASE)
    assert (fresh(case).status, fresh(case).holder_id) == (S.SENT, None)


def test_waiting_for_the_person_keeps_its_status_when_reassigned(world):
    case = make_case(world, S.WAITING_FOR_PERSON, holder="assessor")
    cases.move(world["admin"], case, Move.REASSIGN, values={"holder_id": world["assessor2"].id})
    assert fresh(case).status == S.WAITING_FOR_PERSON


def test_the_person_and_their_carer_send_take_back_answer_and_withdraw(world):
    case = make_case(world, S.DRAFT)
    assert cases.can(world["carer"], case, Move.CHANGE) and cases.can(world["person"], case, Move.CHANGE)
    assert not cases.can(world["stranger"], case, Move.CHANGE)
    cases.move(world["carer"], case, Move.SEND)
    assert fresh(case).status == S.SENT
    cases.move(world["person"], fresh(case), Move.TAKE_BACK)
    assert fresh(case).status == S.DRAFT
    cases.move(world["person"], fresh(case), Move.SEND)
    cases.move(world["person"], fresh(case), Move.WITHDRAW)
    assert fresh(case).status == S.WITHDRAWN
    assert cases.allowed_moves(world["person"], fresh(case)) == frozenset()


def test_taking_back_needs_nobody_holding_it(world):
    case = make_case(world, S.SENT, holder="assessor")  # mid-claim
    with pytest.raises(NotAllowed):
        cases.move(world["person"], case, Move.TAKE_BACK)


def test_only_staff_on_a_phone_draft_send_it_to_themselves(world):
    case = make_case(world, S.DRAFT, holder="assessor")
    cases.move(world["assessor"], case, Move.SEND)
    assert (fresh(case).status, fresh(case).holder_id) == (S.CLAIMED, world["assessor"].id)


def test_asking_needs_someone_who_can_answer(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    asked = cases.move(world["assessor"], case, Move.ASK)
    assert Condition.REACHABLE in asked.conditions  # asked online: the person answers on their status page
    waiting = fresh(case)
    assert cases.can(world["person"], waiting, Move.ANSWER)
    assert not cases.can(world["assessor"], waiting, Move.ANSWER), "the person answers for themselves"
    assert not cases.can(world["assessor2"], waiting, Move.ANSWER)


def test_a_person_without_an_account_is_asked_offline_and_the_holder_records_the_answer(world):
    db.session.execute(PersonLink.__table__.delete())
    db.session.commit()
    case = make_case(world, S.CLAIMED, holder="assessor")
    asked = cases.move(world["assessor"], case, Move.ASK)
    assert Condition.OFFLINE in asked.conditions and fresh(case).status == S.WAITING_FOR_PERSON
    for other in ("assessor2", "approver", "admin", "outsider", "person", "stranger"):
        assert not cases.can(world[other], fresh(case), Move.ANSWER), other
    answered = cases.move(world["assessor"], fresh(case), Move.ANSWER, detail={"channel": "phone"})
    assert Condition.OFFLINE in answered.conditions and Relation.HOLDER in answered.actors
    assert (fresh(case).status, fresh(case).holder_id) == (S.CLAIMED, world["assessor"].id)
    event = db.session.scalar(select(AuditEvent).filter_by(case_id=case.id, action="case.question_answered"))
    assert event.detail["as"] == "holder" and event.detail["channel"] == "phone"


def test_staff_closing_and_returning_need_a_reason(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    with pytest.raises(ValueError):
        cases.move(world["assessor"], case, Move.WITHDRAW, reason="  ")
    assert fresh(case).status == S.CLAIMED
    cases.move(world["assessor"], case, Move.WITHDRAW, reason="Duplicate")
    event = db.session.scalar(select(AuditEvent).filter_by(case_id=case.id, action="case.withdrawn"))
    assert event.reason == "Duplicate"
    waiting = make_case(world, S.WAITING_FOR_APPROVAL, holder="assessor")
    pending(world, waiting, level=3)
    with pytest.raises(ValueError):
        cases.move(world["approver"], waiting, Move.RETURN, reason="")
    cases.move(world["approver"], waiting, Move.RETURN, reason="Check nights")
    assert fresh(waiting).status == S.CLAIMED


def test_the_person_withdraws_without_a_reason(world):
    case = make_case(world, S.WAITING_FOR_APPROVAL, holder="assessor")
    cases.move(world["person"], case, Move.WITHDRAW)
    assert fresh(case).status == S.WITHDRAWN


@pytest.mark.parametrize("status", [S.DECIDED, S.WITHDRAWN])
def test_final_is_final_for_everyone(world, status):
    case = make_case(world, status, holder="assessor")
    for who in ("person", "carer", "assessor", "assessor2", "approver", "senior", "admin"):
        assert cases.allowed_moves(world[who], case) == frozenset(), who
        with pytest.raises(NotAllowed):
            cases.move(world[who], case, Move.VALIDATE)
    assert cases.is_final(case) and not cases.is_open(case)


def test_quiet_moves_write_no_move_event_but_bump_the_version(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    version = case.version
    cases.move(world["assessor"], case, Move.VALIDATE)
    assert fresh(case).version == version + 1
    assert db.session.scalar(select(AuditEvent).filter_by(case_id=case.id)) is None


def test_allowed_moves_follow_the_case_within_a_request(app, world):
    case = make_case(world, S.SENT)
    with app.test_request_context():
        assert Move.CLAIM in cases.allowed_moves(world["assessor"], case)
        cases.move(world["assessor"], case, Move.CLAIM)
        assert Move.CLAIM not in cases.allowed_moves(world["assessor"], case), "the memo knows the case moved"
        assert Move.VALIDATE in cases.allowed_moves(world["assessor"], case)


def test_each_account_gets_its_own_moves_within_a_request(app, world):
    from flask_login import AnonymousUserMixin

    case = make_case(world, S.SENT)
    with app.test_request_context():
        assert Move.CLAIM in cases.allowed_moves(world["assessor"], case)
        assert cases.allowed_moves(world["person"], case) == {Move.TAKE_BACK, Move.WITHDRAW}
        assert cases.allowed_moves(AnonymousUserMixin(), case) == frozenset()
        assert cases.allowed_moves(None, case) == frozenset()


# -- linked cases ----------------------------------------------------------------------------------------


def _decided(world, when):
    case = make_case(world, S.DECIDED, holder="assessor")
    snapshot = Snapshot(
        case_id=case.id,
        answers={"a": 1},
        questionnaire_version="1",
        completed_by_id=world["person"].id,
        authority=Authority.SELF,
    )
    db.session.add(snapshot)
    db.session.flush()
    db.session.add(
        Validation(
            case_id=case.id,
            snapshot_id=snapshot.id,
            assessor_id=world["assessor"].id,
            items={"a": {"action": "amend", "value": 2}},
            practitioner_items={"risks": "x"},
        )
    )
    decision = pending(world, case)
    decision.outcome = "approved"
    decision.created_at = when
    db.session.commit()
    return case, decision


def test_who_starts_which_linked_case(world):
    case, _ = _decided(world, datetime.now(UTC))
    assert cases.may_start_linked(world["assessor2"], case, CaseKind.CORRECTION)
    assert cases.may_start_linked(world["admin"], case, CaseKind.CORRECTION)
    assert not cases.may_start_linked(world["person"], case, CaseKind.CORRECTION)
    assert cases.may_start_linked(world["person"], case, CaseKind.RECONSIDERATION)
    assert cases.may_start_linked(world["carer"], case, CaseKind.REVIEW)
    assert cases.may_start_linked(world["assessor"], case, CaseKind.RECONSIDERATION), (
        "recorded by phone or post"
    )
    assert not cases.may_start_linked(world["outsider"], case, CaseKind.RECONSIDERATION)
    assert not cases.may_start_linked(world["stranger"], case, CaseKind.RECONSIDERATION)
    assert not cases.may_start_linked(world["outsider"], case, CaseKind.REVIEW)
    open_case = make_case(world, S.CLAIMED, holder="assessor")
    assert not cases.may_start_linked(world["assessor2"], open_case, CaseKind.CORRECTION), (
        "only decided cases"
    )


def test_a_correction_copies_the_decided_answers_and_checks(world):
    case, _ = _decided(world, datetime.now(UTC))
    with pytest.raises(ValueError):
        cases.start_linked_case(world["assessor2"], case, CaseKind.CORRECTION, reason=" ")
    with pytest.raises(NotAllowed):
        cases.start_linked_case(world["person"], case, CaseKind.CORRECTION, reason="x")
    linked = cases.start_linked_case(world["assessor2"], case, CaseKind.CORRECTION, reason="Wrong")
    db.session.commit()
    assert (linked.status, linked.holder_id, linked.follows_id) == (S.CLAIMED, world["assessor2"].id, case.id)
    assert linked.answers == {"a": 2}, "the answers as validated"
    validation = db.session.scalar(select(Validation).filter_by(case_id=linked.id))
    assert validation.items == {"a": {"action": "amend", "value": 2}} and validation.practitioner_items == {
        "risks": "x"
    }
    assert fresh(case).status == S.DECIDED


def test_a_review_by_the_person_starts_as_a_draft(world):
    case, _ = _decided(world, datetime.now(UTC))
    linked = cases.start_linked_case(world["person"], case, CaseKind.REVIEW)
    db.session.commit()
    assert (linked.status, linked.holder_id, linked.kind) == (S.DRAFT, None, CaseKind.REVIEW)
    assert db.session.scalar(select(Validation).filter_by(case_id=linked.id)) is None


def test_the_latest_decision_in_a_line_is_in_force(world):
    now = datetime.now(UTC)
    first, first_decision = _decided(world, now - timedelta(days=30))
    assert cases.decision_in_force(first) == (first, first_decision)
    later = cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="x")
    db.session.commit()
    assert cases.decision_in_force(later) == (first, first_decision), "an open correction changes nothing"
    later.status = S.DECIDED
    later_decision = pending(world, later)
    later_decision.outcome = "approved"
    later_decision.created_at = now
    db.session.commit()
    assert cases.decision_in_force(first) == (later, later_decision)
    assert [c.id for c in cases.chain(later)] == [first.id, later.id]


def test_the_decision_made_last_is_in_force_whichever_case_was_started_first(world):
    now = datetime.now(UTC)
    first, _ = _decided(world, now - timedelta(days=30))
    started_first = cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="x")
    started_second = cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="y")
    db.session.commit()
    _decide(world, started_second, 20_000, now - timedelta(days=2))
    made_last = _decide(world, started_first, 30_000, now - timedelta(days=1))
    assert cases.decision_in_force(first) == (started_first, made_last)


# -- asking for a decision to be looked at again ---------------------------------------------------------


def _decide(world, case, pence, when, *, by="assessor", signed_by=()):
    """Make ``case`` decided at ``when`` with ``pence`` a week (None: no budget), confirmed by ``by`` and
    approved by each of ``signed_by``."""
    from portal.models import Approval

    decision = pending(world, case, by=by)
    decision.confirmed_weekly_pence = pence
    decision.outcome = "approved"
    decision.created_at = when
    db.session.add(Approval(decision_id=decision.id, level=2, account_id=world[by].id, outcome="confirmed"))
    for signatory in signed_by:
        db.session.add(
            Approval(decision_id=decision.id, level=3, account_id=world[signatory].id, outcome="approved")
        )
    case.status = S.DECIDED
    db.session.commit()
    return decision


def _asked_again(world, case, who="person"):
    linked = cases.start_linked_case(world[who], case, CaseKind.RECONSIDERATION)
    cases.move(world[who], linked, Move.SEND)
    db.session.commit()
    return linked


def test_a_reconsideration_is_taken_only_by_someone_who_did_not_decide_the_first(world):
    first, _ = _decided(world, datetime.now(UTC) - timedelta(days=3))
    decision = db.session.scalar(select(Decision).filter_by(case_id=first.id))
    from portal.models import Approval

    db.session.add(
        Approval(decision_id=decision.id, level=3, account_id=world["approver"].id, outcome="approved")
    )
    db.session.commit()
    again = _asked_again(world, first)
    assert cases.first_deciders(again) == {world["assessor"].id, world["approver"].id}
    assert not cases.can(world["assessor"], again, Move.CLAIM), "who confirmed the first decision"
    with pytest.raises(NotAllowed):
        cases.move(world["assessor"], again, Move.CLAIM)
    with pytest.raises(NotAllowed):
        cases.move(world["admin"], again, Move.REASSIGN, values={"holder_id": world["assessor"].id})
    assert cases.can(world["assessor2"], again, Move.CLAIM)
    cases.move(world["admin"], again, Move.REASSIGN, values={"holder_id": world["assessor2"].id})
    with pytest.raises(NotAllowed):
        cases.move(world["admin"], again, Move.REASSIGN, values={"holder_id": world["assessor"].id})
    assert fresh(again).holder_id == world["assessor2"].id
    # Independence is asked only of who will hold or sign off the case: the approver of the first may still
    # give it back to the queue, a move that makes nobody its decider.
    assert cases.can(world["approver"], fresh(again), Move.RELEASE)
    # Its budget goes for sign-off: the approver who approved the first cannot sign this one off.
    cases.move(world["assessor2"], again, Move.CONFIRM)
    pending(world, again, by="assessor2", level=3)
    again = fresh(again)
    assert Relation.SIGNATORY in cases.relations(world["approver"], again)
    assert not cases.can(world["approver"], again, Move.APPROVE)
    assert not cases.can(world["approver"], again, Move.RETURN)
    assert cases.can(world["senior"], again, Move.APPROVE)


def test_independence_asks_nothing_of_other_kinds_of_case(world):
    first, _ = _decided(world, datetime.now(UTC))
    review = cases.start_linked_case(world["person"], first, CaseKind.REVIEW)
    cases.move(world["person"], review, Move.SEND)
    db.session.commit()
    assert cases.first_deciders(review) == frozenset()
    assert cases.can(world["assessor"], review, Move.CLAIM)


def test_a_linked_case_joins_the_line_of_the_first_however_far_along(world):
    """The line (the first case's id) is what the count of reviews due groups a person's cases by."""
    first, _ = _decided(world, datetime.now(UTC) - timedelta(days=3))
    again = _asked_again(world, first)
    assert (first.line_id, again.line_id) == (None, first.id)
    cases.move(world["assessor2"], again, Move.CLAIM)
    _decide(world, fresh(again), 100, datetime.now(UTC), by="assessor2")
    review = cases.start_linked_case(world["person"], fresh(again), CaseKind.REVIEW)
    assert review.line_id == first.id


def test_a_decision_is_asked_about_once_and_only_while_in_force(world):
    first, _ = _decided(world, datetime.now(UTC) - timedelta(days=3))
    again = _asked_again(world, first)
    assert not cases.may_start_linked(world["carer"], first, CaseKind.RECONSIDERATION), "one at a time"
    cases.move(world["assessor2"], again, Move.CLAIM)
    _decide(world, fresh(again), 100, datetime.now(UTC), by="assessor2")
    assert not cases.may_start_linked(world["person"], fresh(again), CaseKind.RECONSIDERATION), (
        "the outcome of looking again goes to the complaints procedure"
    )
    assert not cases.may_start_linked(world["person"], fresh(first), CaseKind.RECONSIDERATION), (
        "a decision replaced by a later one"
    )


def test_while_a_cut_is_looked_at_again_the_budget_before_it_stays(world):
    now = datetime.now(UTC)
    # Cases' ids ahead of decisions', so a case is never found by a decision's id by chance.
    for _ in range(3):
        make_case(world, S.DRAFT)
    first = make_case(world, S.CLAIMED, holder="assessor")
    first_decision = _decide(world, first, 30_000, now - timedelta(days=60))
    review = cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="x")
    db.session.commit()
    cut = _decide(world, review, 20_000, now - timedelta(days=10), by="assessor2")
    assert cases.decision_in_force(first) == (review, cut)
    assert cases.kept_while_looked_at_again(first) is None
    draft = cases.start_linked_case(world["person"], review, CaseKind.RECONSIDERATION)
    db.session.commit()
    assert cases.decision_in_force(first) == (review, cut), "a draft is not yet asking"
    cases.move(world["person"], draft, Move.SEND)
    db.session.commit()
    assert cases.decision_in_force(review) == (first, first_decision), "the budget before the cut stays"
    assert cases.kept_while_looked_at_again(draft) == (review, cut)
    cases.move(world["assessor"], fresh(draft), Move.CLAIM)
    new = _decide(world, fresh(draft), 25_000, now, by="assessor")
    assert cases.decision_in_force(first) == (fresh(draft), new), "until the new decision"
    assert cases.kept_while_looked_at_again(first) is None


def test_a_rise_or_a_withdrawn_request_keeps_the_decision_asked_about(world):
    now = datetime.now(UTC)
    first = make_case(world, S.CLAIMED, holder="assessor")
    _decide(world, first, 20_000, now - timedelta(days=60))
    review = cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="x")
    db.session.commit()
    rise = _decide(world, review, 30_000, now - timedelta(days=10), by="assessor2")
    again = _asked_again(world, review)
    assert cases.decision_in_force(first) == (review, rise), "a rise stays in force while asked about"
    cases.move(world["person"], again, Move.WITHDRAW)
    db.session.commit()
    assert cases.decision_in_force(first) == (review, rise)


def test_no_budget_after_a_budget_is_a_cut(world):
    now = datetime.now(UTC)
    first = make_case(world, S.CLAIMED, holder="assessor")
    before = _decide(world, first, 20_000, now - timedelta(days=60))
    review = cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="x")
    db.session.commit()
    _decide(world, review, None, now - timedelta(days=10), by="assessor2")
    _asked_again(world, review)
    assert cases.decision_in_force(first) == (first, before)


# -- gaps the mutation run showed (scripts/mutation.py --target cases) -------------------------------------


def test_hold_open_refuses_a_final_case_and_touches_only_an_open_one(world):
    open_case = make_case(world, S.CLAIMED, holder="assessor")
    before = open_case.updated_at
    cases.hold_open(open_case)
    db.session.commit()
    assert fresh(open_case).updated_at >= before and fresh(open_case).status == S.CLAIMED
    final = make_case(world, S.DECIDED)
    with pytest.raises(Stale):
        cases.hold_open(final)
    assert fresh(final).status == S.DECIDED


def _committed_name(person) -> str:
    """The person's name as another connection sees it: only what was committed."""
    with db.engine.connect() as connection:
        return connection.execute(select(Person.name).where(Person.id == person.id)).scalar_one()


def test_a_stale_move_leaves_nothing_of_the_request_for_a_later_commit(world):
    """A move refused at the UPDATE rolls the request back: what the service changed before moving (a stored
    estimate, say) must not be saved by whatever the request commits afterwards (its session record)."""
    case = make_case(world, S.SENT)
    before = _committed_name(world["person_record"])
    behind_its_back(case, status=S.CLAIMED, holder_id=world["assessor2"].id)
    world["person_record"].name = "Changed before the move"
    with pytest.raises(Stale):
        cases.move(world["assessor"], case, Move.CLAIM)
    db.session.commit()
    assert _committed_name(world["person_record"]) == before


def test_a_refused_hold_leaves_nothing_of_the_request_for_a_later_commit(world):
    final = make_case(world, S.DECIDED)
    before = _committed_name(world["person_record"])
    world["person_record"].name = "Changed before the record"
    with pytest.raises(Stale):
        cases.hold_open(final)
    db.session.commit()
    assert _committed_name(world["person_record"]) == before


def test_the_budget_kept_if_looked_at_again_is_the_one_before_a_cut_only(world):
    now = datetime.now(UTC)
    first = make_case(world, S.CLAIMED, holder="assessor")
    first_decision = _decide(world, first, 30_000, now - timedelta(days=60))
    assert cases.kept_if_looked_at_again(first) is None, "nothing before the first decision"
    same = cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="x")
    db.session.commit()
    _decide(world, same, 30_000, now - timedelta(days=30), by="assessor2")
    assert cases.kept_if_looked_at_again(same) is None, "the same budget is not a cut"
    cut_case = cases.start_linked_case(world["assessor2"], same, CaseKind.CORRECTION, reason="y")
    db.session.commit()
    _decide(world, cut_case, 29_999, now - timedelta(days=10), by="assessor2")
    kept = cases.kept_if_looked_at_again(cut_case)
    assert kept is not None and kept[0].id == same.id
    assert cases.kept_if_looked_at_again(first) is None, "only for the latest decision in the line"
    assert first_decision.confirmed_weekly_pence == 30_000


def test_starting_a_linked_case_is_audited_on_both_cases(world):
    first, _ = _decided(world, datetime.now(UTC))
    review = cases.start_linked_case(world["person"], first, CaseKind.REVIEW)
    db.session.commit()
    actions = {
        (event.case_id, event.action)
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id.in_([first.id, review.id]))
        )
    }
    assert (review.id, "case.review_started") in actions
    assert (first.id, "case.review_opened") in actions
    assert review.follows_id == first.id and review.status == S.DRAFT and review.holder_id is None


@pytest.mark.parametrize(
    ("status", "is_open", "is_final"),
    [
        (S.DRAFT, False, False),  # still the person's: not with the organisation yet
        (S.SENT, True, False),
        (S.CLAIMED, True, False),
        (S.WAITING_FOR_PERSON, True, False),
        (S.WAITING_FOR_APPROVAL, True, False),
        (S.DECIDED, False, True),
        (S.WITHDRAWN, False, True),
    ],
)
def test_open_and_final_are_said_of_each_status(world, status, is_open, is_final):
    case = make_case(world, status, holder="assessor" if status in cases.HELD else None)
    assert (cases.is_open(case), cases.is_final(case)) == (is_open, is_final)


def test_a_review_staff_start_is_a_draft_they_hold_and_starts_without_urgency(world):
    """Staff going through a review with the person hold its draft; a review starts afresh (not urgent, no rank,
    not sent), while a correction carries the decided case's urgency, rank and sending date."""
    case, _ = _decided(world, datetime.now(UTC))
    case.urgent, case.risk_rank, case.sent_at = True, 3, datetime(2026, 1, 5, tzinfo=UTC)
    db.session.commit()
    review = cases.start_linked_case(world["assessor2"], case, CaseKind.REVIEW)
    db.session.commit()
    assert (review.status, review.holder_id) == (S.DRAFT, world["assessor2"].id)
    assert (review.urgent, review.risk_rank, review.sent_at) == (False, 0, None)
    assert db.session.scalar(select(Validation).filter_by(case_id=review.id)) is None, "no copied checks"
    correction = cases.start_linked_case(world["admin"], case, CaseKind.CORRECTION, reason="Wrong")
    db.session.commit()
    assert (correction.urgent, correction.risk_rank) == (True, 3)
    assert correction.sent_at is not None and correction.sent_at.replace(tzinfo=UTC) == case.sent_at.replace(
        tzinfo=UTC
    )


def _decoy_decisions(world, count=12):
    """Decisions on another case first, so that no decision's id equals a case's id in the test after."""
    decoy = make_case(world, S.CLAIMED, holder="assessor")
    for _ in range(count):
        pending(world, decoy)
    db.session.commit()


def test_the_decision_before_a_cut_is_found_by_the_case_not_by_an_id_that_happens_to_match(world):
    _decoy_decisions(world)
    now = datetime.now(UTC)
    first = make_case(world, S.CLAIMED, holder="assessor")
    before = _decide(world, first, 50_000, now - timedelta(days=40))
    cut_case = cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="x")
    db.session.commit()
    cut = _decide(world, cut_case, 30_000, now - timedelta(days=5), by="assessor2")
    assert {before.id, cut.id}.isdisjoint({first.id, cut_case.id})
    assert cases.kept_if_looked_at_again(cut_case) == (first, before), "two decisions: the one before the cut"
    assert cases.may_start_linked(world["person"], cut_case, CaseKind.RECONSIDERATION), "the one in force"
    assert not cases.may_start_linked(world["person"], first, CaseKind.RECONSIDERATION), "replaced"


def test_a_line_with_nothing_decided_has_no_decision_in_force(world):
    case = make_case(world, S.CLAIMED, holder="assessor")
    assert cases.decision_in_force(case) is None
    assert cases.kept_if_looked_at_again(case) is None
    assert cases.kept_while_looked_at_again(case) is None


def test_no_budget_after_no_budget_is_no_cut_and_after_any_budget_is_one():
    def decision(pence):
        return Decision(confirmed_weekly_pence=pence)

    assert not cases._cut(decision(None), decision(None))
    assert not cases._cut(decision(0), decision(None))
    assert cases._cut(decision(None), decision(1)), "even the smallest budget"
    assert not cases._cut(decision(1), decision(None))


def test_a_linked_case_of_a_decided_case_sent_without_a_snapshot_starts_from_its_answers(world):
    """A case decided before snapshots were kept (or recorded without one) still gives its answers."""
    case = make_case(world, S.DECIDED, holder="assessor")
    case.answers = {"a": 5}
    db.session.commit()
    review = cases.start_linked_case(world["person"], case, CaseKind.REVIEW)
    db.session.commit()
    assert review.answers == {"a": 5}


def test_the_adult_case_follows_a_decided_case_once_in_its_line_and_is_audited_on_both(world):
    """The lifecycle refuses by itself (the Continuing Healthcare pages ask it first, but are not the rule)."""

    def start(account, case):
        return cases.start_adult_case(
            account,
            case,
            tool_key="continuing_healthcare",
            tool_version="1",
            questionnaire_version="1",
            answers={"two-people": "yes"},
        )

    child = make_case(world, S.DECIDED, holder="assessor")
    with pytest.raises(NotAllowed):
        start(world["assessor"], make_case(world, S.CLAIMED, holder="assessor"))  # not decided yet
    with pytest.raises(NotAllowed):
        start(world["approver"], child)  # an assessor completes it with the person
    adult = start(world["assessor"], child)
    db.session.commit()
    assert (adult.follows_id, adult.line_id, adult.holder_id, adult.status, adult.answers) == (
        child.id,
        child.id,
        world["assessor"].id,
        S.DRAFT,
        {"two-people": "yes"},
    )
    events = {(event.action, event.case_id) for event in db.session.scalars(select(AuditEvent))}
    assert {("case.adult_case_started", adult.id), ("case.adult_case_opened", child.id)} <= events
    with pytest.raises(NotAllowed):
        start(world["assessor"], fresh(child))  # once only


def test_a_manager_holding_the_case_acts_as_its_holder(world):
    """Of an actor's relations the holder's comes first: its UPDATE is the narrowest, and the history says so."""
    case = make_case(world, S.CLAIMED, holder="admin")
    assert cases.relations(world["admin"], case) >= {Relation.HOLDER, Relation.MANAGER}
    cases.move(world["admin"], case, Move.RELEASE)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).filter_by(case_id=case.id, action="case.released"))
    assert event.detail["as"] == "holder"
