"""The count of reviews due (the staff queue's "Reviews overdue (n) and due (n)") against the full computation.

``oracle`` is how the count was worked out before it was stored: every line of the organisation walked in Python
(``review_due.reviews_due``). The mix below has a line in every state, and every way a line can have nothing to
review, so the stored count must agree with it on every one of several days.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from portal import cases, review_due, reviews
from portal.extensions import db
from portal.models import Case, CaseKind, CaseStatus, Decision, Review
from tests import test_cases
from tests.test_cases import make_case, pending

world = test_cases.world

S = CaseStatus
NOW = datetime.now(UTC)
TODAY = NOW.date()


def oracle(organisation_id, today):
    found = {"overdue": 0, "due": 0, "under_way": 0, "upcoming": 0}
    for due in review_due.reviews_due(organisation_id, today):
        found[due.state] += 1
    return found


def decide(world, case, days_ago, pence=100):
    """Decide the case ``days_ago`` days ago, as the budget services would."""
    case.status = S.DECIDED
    db.session.commit()
    decision = pending(world, case)
    decision.outcome = "approved"
    decision.confirmed_weekly_pence = pence
    decision.created_at = NOW - timedelta(days=days_ago)
    db.session.commit()
    review_due.store_next_review(case)
    db.session.commit()
    return case


def first_decided(world, days_ago, pence=100, **columns):
    return decide(world, make_case(world, S.CLAIMED, holder="assessor", **columns), days_ago, pence)


def review_of(world, case, *, status=S.DRAFT):
    review = reviews.start(world["person"], case)
    db.session.commit()
    if status != S.DRAFT:
        review.status = status
        review.holder_id = world["assessor"].id if status in cases.HELD else None
        db.session.commit()
    return review


def decided_review(world, case, next_review_on, days_ago=0):
    review = review_of(world, case, status=S.CLAIMED)
    record = db.session.scalar(select(Review).filter_by(case_id=review.id))
    record.next_review_on = next_review_on
    record.held_on = TODAY
    record.outcome = "unchanged" if next_review_on else "ended"
    db.session.commit()
    return decide(world, review, days_ago)


@pytest.fixture
def mix(world, make_account):
    first_decided(world, 10)  # upcoming: the first review's window has not opened
    first_decided(world, 49)  # due: in the six-to-eight-week window
    first_decided(world, 100)  # overdue
    first_decided(world, 100, pence=None)  # no eligible needs: nothing to review
    review_of(world, first_decided(world, 100))  # under way: a draft
    review_of(world, first_decided(world, 100), status=S.SENT)  # under way: sent
    review_of(world, first_decided(world, 100), status=S.CLAIMED)  # under way: claimed
    deleted = review_of(world, first_decided(world, 100))
    deleted.deleted_at = NOW  # a deleted draft frees the line: overdue
    withdrawn = review_of(world, first_decided(world, 100), status=S.WITHDRAWN)  # overdue
    assert withdrawn.status == S.WITHDRAWN
    decided_review(world, first_decided(world, 400), TODAY - timedelta(days=5))  # overdue
    decided_review(world, first_decided(world, 400), TODAY + timedelta(days=10))  # due: reminder time
    decided_review(world, first_decided(world, 400), TODAY + timedelta(days=100))  # upcoming
    decided_review(world, first_decided(world, 400), None)  # the review ended the support
    # A correction decided after the first: in force, but the first review's window runs from the first decision.
    first = first_decided(world, 100)
    decide(world, cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="x"), 20)
    # A review opened before a correction of the same decision was decided: still under way in the line.
    earlier = first_decided(world, 100)
    review_of(world, earlier)
    decide(world, cases.start_linked_case(world["assessor2"], earlier, CaseKind.CORRECTION, reason="x"), 5)
    # A correction that cut the budget to nothing: nothing to review.
    cut = first_decided(world, 100)
    decide(world, cases.start_linked_case(world["assessor2"], cut, CaseKind.CORRECTION, reason="x"), 5, None)
    # Continuing Healthcare: a first review at three months.
    first_decided(world, 80, tool_key="continuing_healthcare")  # upcoming
    first_decided(world, 95, tool_key="continuing_healthcare")  # overdue
    make_case(world, S.SENT)  # not decided
    db.session.commit()
    # Another organisation's overdue review is not counted here.
    outsider = world["outsider"]
    other = Case(
        person_id=world["person_record"].id,
        organisation_id=outsider.organisation_id,
        created_by_id=world["person"].id,
        status=S.CLAIMED,
        holder_id=outsider.id,
        answers={},
    )
    db.session.add(other)
    db.session.commit()
    decide(world, other, 100)
    return world


@pytest.mark.parametrize("offset", [0, -20, 15, 30, 60, 200, 500])
def test_the_count_agrees_with_walking_every_line(mix, offset):
    today = TODAY + timedelta(days=offset)
    expected = oracle(mix["org"].id, today)
    assert review_due.counts(mix["org"].id, today) == expected
    if offset == 0:
        assert expected == {"overdue": 6, "due": 2, "under_way": 4, "upcoming": 3}, expected


def test_the_count_of_no_organisation_is_nothing(mix):
    assert review_due.counts(None) == {"overdue": 0, "due": 0, "under_way": 0, "upcoming": 0}


def test_the_count_is_one_query(app, mix):
    from sqlalchemy import event

    organisation_id = mix["org"].id
    seen = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        review_due.counts(organisation_id, TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert len(seen) == 1, seen


def test_the_migration_fills_in_the_decisions_already_made(mix):
    """Migration 0016's backfill: the lines and, on each line's decision in force, the review it brings, as if
    none had been stored, giving the same counts and the values those decisions stored when made (a decision a
    later one replaced keeps what it stored then; the backfill leaves it empty: neither is read)."""
    organisation_id = mix["org"].id
    stored = {d.id: (d.review_due_on, d.review_window_from) for d in db.session.scalars(select(Decision))}
    lines = {c.id: c.line_id for c in db.session.scalars(select(Case))}
    assert any(lines.values())
    db.session.execute(update(Decision).values(review_due_on=None, review_window_from=None))
    db.session.execute(update(Case.__table__).values(line_id=None))
    db.session.commit()
    assert review_due.counts(organisation_id, TODAY)["overdue"] == 0
    assert review_due.backfill_next_reviews(db.session.connection()) == 16, "one a line with a review to come"
    db.session.commit()
    db.session.expire_all()
    assert {c.id: c.line_id for c in db.session.scalars(select(Case))} == lines
    after = {d.id: (d.review_due_on, d.review_window_from) for d in db.session.scalars(select(Decision))}
    in_force = {key: value for key, value in after.items() if value != (None, None)}
    assert in_force == {key: stored[key] for key in in_force}, "as the decision in force stored it when made"
    for offset in (0, 30, 200):
        today = TODAY + timedelta(days=offset)
        assert review_due.counts(organisation_id, today) == oracle(organisation_id, today)
