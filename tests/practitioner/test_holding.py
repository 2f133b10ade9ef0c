"""Who holds a case, through the queue's service itself: claiming, giving back, reassigning and closing, and the
queue's pages. Each answer is checked exactly (True, False, raised) and each change from another connection, so
that a change not committed, or a refusal turned into a yes, fails a test.

The mutation run on the staff services (scripts/mutation.py --target services) found these rules held by no
test: the page size and count, the waiting filter's boundary, a failed claim or a stale release answering
anything but False, a claim, release or reassignment left uncommitted, the reassignment's three refusals, and a
claimed case opening a second validation when it is claimed again.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import AuditEvent, Case, CaseStatus, Person, Role, Validation, utcnow
from portal.practitioner import queue_service
from portal.practitioner.queue_service import QueueFilter, claim, close, queue_page, reassign, release

S = CaseStatus


def committed(case: Case, column: str) -> object:
    """A column of the case as another connection sees it: only what was committed."""
    with db.engine.connect() as connection:
        return connection.execute(select(getattr(Case, column)).where(Case.id == case.id)).scalar_one()


def validations(case: Case) -> list[Validation]:
    return list(db.session.scalars(select(Validation).filter_by(case_id=case.id).order_by(Validation.id)))


def light_when_sampled(case: Case, percent: int) -> None:
    """Any estimate may take the light path; ``percent`` of claims are drawn for the full one."""
    case.organisation.settings = {
        **(case.organisation.settings or {}),
        "validation": {"light_max_weekly_pence": 10**9, "full_check_percent": percent},
    }
    case.risk_rank = 0
    db.session.commit()


# -- the queue's pages ----------------------------------------------------------------------------------


@pytest.fixture
def many(app, make_account, make_organisation):
    """An assessor whose organisation has 30 sent cases, oldest first by reference."""
    org = make_organisation("Northfield City Council")
    me = make_account(Role.ASSESSOR, organisation=org, level=2)
    citizen = make_account()
    now = utcnow()
    for n in range(30):
        person = Person(name=f"Person {n}", date_of_birth=date(1950, 1, 1), created_by_id=citizen.id)
        db.session.add(person)
        db.session.flush()
        db.session.add(
            Case(
                reference=f"NF-{n:02d}",
                person_id=person.id,
                organisation_id=org.id,
                created_by_id=citizen.id,
                status=S.SENT,
                answers={},
                client_group="older_people",
                tool_key="adult_social_care",
                sent_at=now - timedelta(days=100 - n),
                person_name=person.name,
                risk_rank=0,
            )
        )
    db.session.commit()
    return me


def test_a_queue_page_holds_25_cases_and_the_count_is_of_all(many):
    first, total = queue_page(many, QueueFilter())
    assert total == 30
    assert [c.reference for c in first] == [f"NF-{n:02d}" for n in range(25)], "the first page by default"
    second, total = queue_page(many, QueueFilter(page=2))
    assert [c.reference for c in second] == [f"NF-{n:02d}" for n in range(25, 30)]
    assert total == 30


def test_an_empty_queue_counts_none(app, make_account, make_organisation):
    assessor = make_account(Role.ASSESSOR, organisation=make_organisation("Empty Council"), level=2)
    assert queue_page(assessor, QueueFilter()) == ([], 0)


def test_waiting_seven_days_includes_a_case_sent_exactly_seven_days_ago(many, monkeypatch):
    oldest = db.session.scalar(select(Case).filter_by(reference="NF-29"))  # sent 71 days ago
    now = oldest.sent_at + timedelta(days=71)
    monkeypatch.setattr(queue_service, "utcnow", lambda: now)
    oldest.sent_at = now - timedelta(days=7)
    db.session.commit()
    seen = {
        c.reference for c in db.session.scalars(queue_service.queue_query(many, QueueFilter(waiting="7")))
    }
    assert "NF-29" in seen
    oldest.sent_at = now - timedelta(days=7) + timedelta(seconds=1)
    db.session.commit()
    seen = {
        c.reference for c in db.session.scalars(queue_service.queue_query(many, QueueFilter(waiting="7")))
    }
    assert "NF-29" not in seen


# -- claiming ----------------------------------------------------------------------------------------


def test_a_claim_is_committed_and_opens_one_validation_with_its_path_recorded(staff, sent_case):
    light_when_sampled(sent_case, 0)
    assert claim(staff["assessor"], sent_case, draw=0.5) is True
    assert committed(sent_case, "holder_id") == staff["assessor"].id
    assert committed(sent_case, "status") == S.CLAIMED
    assert [v.path_taken for v in validations(sent_case)] == ["light"]
    events = list(db.session.scalars(select(AuditEvent).filter_by(action="case.validation_path")))
    assert [e.detail for e in events] == [{"path": "light"}]


def test_a_second_claim_is_refused_with_false_and_leaves_the_first(staff, sent_case):
    assert claim(staff["assessor"], sent_case, draw=0.5) is True
    assert claim(staff["assessor2"], sent_case, draw=0.5) is False
    assert committed(sent_case, "holder_id") == staff["assessor"].id
    assert len(validations(sent_case)) == 1


def test_claimed_again_after_giving_back_the_same_snapshot_keeps_its_one_validation(staff, sent_case):
    assert claim(staff["assessor"], sent_case, draw=0.5) is True
    assert release(staff["assessor"], sent_case) is True
    assert claim(staff["assessor2"], sent_case, draw=0.5) is True
    assert len(validations(sent_case)) == 1


def test_the_sample_drawn_for_full_validation_is_the_callers_draw_or_a_random_one(staff, sent_case):
    light_when_sampled(sent_case, 50)
    assert claim(staff["assessor"], sent_case, draw=0.0) is True
    assert [v.path_taken for v in validations(sent_case)] == ["full"]


def test_without_a_draw_a_claim_draws_its_own(staff, sent_case):
    light_when_sampled(sent_case, 0)  # nobody drawn for a full check: light whatever the draw
    assert claim(staff["assessor"], sent_case) is True
    assert [v.path_taken for v in validations(sent_case)] == ["light"]


def test_a_draw_above_the_share_is_light(staff, sent_case):
    light_when_sampled(sent_case, 50)
    assert claim(staff["assessor"], sent_case, draw=0.99) is True
    assert [v.path_taken for v in validations(sent_case)] == ["light"]


# -- giving back and reassigning ------------------------------------------------------------------------


def test_giving_back_is_committed(staff, sent_case):
    claim(staff["assessor"], sent_case, draw=0.5)
    assert release(staff["assessor"], sent_case) is True
    assert committed(sent_case, "holder_id") is None
    assert committed(sent_case, "status") == S.SENT


def test_giving_back_a_case_someone_else_now_holds_answers_false(staff, sent_case):
    claim(staff["assessor"], sent_case, draw=0.5)
    with db.engine.begin() as connection:  # an approver reassigned it meanwhile, from another page
        connection.execute(
            update(Case).where(Case.id == sent_case.id).values(holder_id=staff["assessor2"].id)
        )
    assert release(staff["assessor"], sent_case) is False
    assert committed(sent_case, "holder_id") == staff["assessor2"].id


def test_a_reassignment_is_committed_and_the_new_holder_keeps_the_open_validation(staff, sent_case):
    claim(staff["assessor"], sent_case, draw=0.5)
    assert reassign(staff["approver"], sent_case, staff["assessor2"], reason="Leave") is True
    assert committed(sent_case, "holder_id") == staff["assessor2"].id
    assert len(validations(sent_case)) == 1


def test_a_reassignment_that_lost_a_race_answers_false(staff, sent_case):
    claim(staff["assessor"], sent_case, draw=0.5)
    with db.engine.begin() as connection:
        connection.execute(update(Case).where(Case.id == sent_case.id).values(holder_id=None, status=S.SENT))
    assert reassign(staff["approver"], sent_case, staff["assessor2"], reason="Leave") is False


@pytest.mark.parametrize("wrong", ["other organisation", "not an assessor", "inactive"])
def test_a_case_is_only_reassigned_to_an_active_assessor_of_its_organisation(
    staff, sent_case, make_account, other_org, wrong
):
    claim(staff["assessor"], sent_case, draw=0.5)
    to = {
        "other organisation": lambda: make_account(Role.ASSESSOR, organisation=other_org, level=2),
        "not an assessor": lambda: staff["senior"],
        "inactive": lambda: make_account(Role.ASSESSOR, organisation=sent_case.organisation, level=2),
    }[wrong]()
    if wrong == "inactive":
        to.is_active = False
        db.session.commit()
    with pytest.raises(ValueError, match="active assessor of its organisation"):
        reassign(staff["approver"], sent_case, to, reason="Leave")
    assert committed(sent_case, "holder_id") == staff["assessor"].id


def test_closing_a_duplicate_is_committed_with_its_reason(staff, sent_case):
    claim(staff["assessor"], sent_case, draw=0.5)
    close(staff["assessor"], sent_case, reason="  Sent twice: see NF-1.  ")
    assert committed(sent_case, "status") == S.WITHDRAWN
    assert committed(sent_case, "closed_reason") == "Sent twice: see NF-1."


def test_a_claimed_case_reassigned_with_answers_not_yet_validated_opens_their_validation(staff, sent_case):
    """When the latest answers have no validation yet (the person sent changed answers meanwhile), the new holder
    gets one on the organisation's path; a case waiting for approval gets none."""
    from portal.models import Snapshot

    claim(staff["assessor"], sent_case, draw=0.5)
    first = db.session.scalar(select(Snapshot).filter_by(case_id=sent_case.id))
    later = Snapshot(
        case_id=sent_case.id,
        answers=dict(first.answers),
        questionnaire_version=first.questionnaire_version,
        completed_by_id=first.completed_by_id,
        authority=first.authority,
    )
    db.session.add(later)
    db.session.commit()
    assert reassign(staff["approver"], sent_case, staff["assessor2"], reason="Leave") is True
    opened = [v for v in validations(sent_case) if v.snapshot_id == later.id]
    assert [v.assessor_id for v in opened] == [staff["assessor2"].id]


def test_possible_duplicates_are_the_other_open_cases_of_the_same_person(many):
    """Two people sent for the same person (by themselves and by a carer): each case names the other."""
    first, second, third = (
        db.session.scalar(select(Case).filter_by(reference=f"NF-0{n}")) for n in (1, 2, 3)
    )
    for case in (first, second):
        case.person.name, case.person.date_of_birth = "Sam Taylor", date(1948, 2, 14)
    third.person.name = "Sam Taylor"  # another date of birth: another person
    db.session.commit()
    assert queue_service.possible_duplicates(first) == [second]
    assert queue_service.possible_duplicates(second) == [first]
