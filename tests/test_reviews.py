"""Reviews: each rule of portal/reviews.py and portal/review_due.py, on cases built directly.

The walks through the real pages are in tests/practitioner/test_review_pages.py and tests/browser.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal import cases, review_due, reviews
from portal.cases import NotAllowed
from portal.extensions import db
from portal.models import AuditEvent, CaseKind, CaseStatus, Review
from portal.reviews import Entry, Sections
from tests import test_cases
from tests.test_cases import _decided, fresh, make_case, pending

world = test_cases.world  # the lifecycle tests' fixture: staff of every kind, a person, a carer, a stranger

S = CaseStatus


def today():
    """The day the test runs (not the day the file was imported: a run may cross midnight)."""
    return datetime.now(UTC).date()


class Days(int):
    """A date given in a parametrised case as days from the day the test runs."""


def good_entry(**changes):
    day = today()
    values = {
        "held_on": day,
        "review_type": "planned",
        "took_part": "Sam, Sam's daughter, the assessor",
        "carer_assessment": "offered",
        "capacity": "has_capacity",
        "outcome": "unchanged",
        "next_review_on": day + timedelta(days=300),
    }
    values.update(
        {
            name: day + timedelta(days=value) if isinstance(value, Days) else value
            for name, value in changes.items()
        }
    )
    return Entry(**values)


def claimed_review(world):
    """A review the person started and sent, claimed by the assessor."""
    first, _ = _decided(world, datetime.now(UTC) - timedelta(days=60))
    review = reviews.start(world["person"], first)
    db.session.commit()
    review.status = S.CLAIMED
    review.holder_id = world["assessor"].id
    db.session.commit()
    return first, review


def test_a_review_is_a_new_linked_case_with_its_own_record(world):
    first, _ = _decided(world, datetime.now(UTC))
    version, answers = first.version, dict(first.answers)
    review = reviews.start(world["carer"], first)
    db.session.commit()
    assert (fresh(first).version, fresh(first).answers) == (version, answers), "the decided case is untouched"
    assert db.session.scalar(select(AuditEvent).filter_by(action="case.review_started", case_id=review.id))
    assert (review.kind, review.follows_id, review.status, review.holder_id) == (
        CaseKind.REVIEW,
        first.id,
        S.DRAFT,
        None,
    )
    assert review.answers == {"a": 2}, "prefilled from the answers as validated"
    assert reviews.review_of(review) is not None
    assert reviews.review_of(first) is None, "only a review has a review record"
    assert fresh(first).status == S.DECIDED


def test_a_review_starts_from_the_decision_in_force(world):
    first, _ = _decided(world, datetime.now(UTC) - timedelta(days=30))
    correction = cases.start_linked_case(world["assessor2"], first, CaseKind.CORRECTION, reason="x")
    correction.status = S.DECIDED
    db.session.commit()
    decision = pending(world, correction)
    decision.outcome = "approved"
    db.session.commit()
    review = reviews.start(world["person"], first)  # started from the older case's page
    assert review.follows_id == correction.id


def test_only_one_review_at_a_time(world):
    first, _ = _decided(world, datetime.now(UTC))
    reviews.start(world["person"], first)
    db.session.commit()
    assert not reviews.may_start(world["carer"], first)
    with pytest.raises(reviews.ReviewUnderWay):
        reviews.start(world["carer"], first)


def test_a_deleted_or_withdrawn_review_frees_the_line(world):
    first, _ = _decided(world, datetime.now(UTC))
    review = reviews.start(world["person"], first)
    review.deleted_at = datetime.now(UTC)
    db.session.commit()
    second = reviews.start(world["person"], first)
    second.status = S.WITHDRAWN
    db.session.commit()
    assert reviews.may_start(world["person"], first)


def test_who_may_start_a_review(world):
    first, _ = _decided(world, datetime.now(UTC))
    assert reviews.may_start(world["person"], first)
    assert reviews.may_start(world["carer"], first)
    assert reviews.may_start(world["assessor2"], first)
    for stranger in ("stranger", "outsider", "deployment"):
        assert not reviews.may_start(world[stranger], first)
        with pytest.raises(NotAllowed):
            reviews.start(world[stranger], first)
    open_case = make_case(world, S.CLAIMED, holder="assessor")
    with pytest.raises(NotAllowed):
        reviews.start(world["person"], open_case)


def test_a_review_staff_start_is_a_draft_they_hold(world):
    first, _ = _decided(world, datetime.now(UTC))
    review = reviews.start(world["assessor2"], first)
    db.session.commit()
    assert (review.status, review.holder_id, review.created_by_id) == (
        S.DRAFT,
        world["assessor2"].id,
        world["assessor2"].id,
    )


def test_a_manager_starts_a_review_as_a_draft_they_hold(world):
    """An approver or admin of the organisation (the lifecycle's manager, ``cases.LINKS``) starts a review as an
    assessor does: a draft they hold and go through with the person, one open at a time."""
    first, _ = _decided(world, datetime.now(UTC))
    assert reviews.may_start(world["approver"], first) and reviews.may_start(world["admin"], first)
    review = reviews.start(world["approver"], first)
    db.session.commit()
    assert (review.status, review.holder_id, review.follows_id) == (S.DRAFT, world["approver"].id, first.id)
    assert cases.can(world["approver"], review, cases.Move.CHANGE)
    assert cases.can(world["approver"], review, cases.Move.SEND)
    assert not reviews.may_start(world["admin"], first), "one review of a line open at a time"
    with pytest.raises(reviews.ReviewUnderWay):
        reviews.start(world["admin"], first)


def test_a_manager_of_another_organisation_or_deactivated_does_not_start_a_review(world):
    first, _ = _decided(world, datetime.now(UTC))
    world["admin"].is_active = False
    db.session.commit()
    for who in ("admin", "outsider_admin"):
        assert not reviews.may_start(world[who], first), who
        with pytest.raises(NotAllowed):
            reviews.start(world[who], first)


def test_the_persons_sections_change_only_while_a_draft(world):
    first, _ = _decided(world, datetime.now(UTC))
    review = reviews.start(world["person"], first)
    db.session.commit()
    words = Sections(working="My PA helps me shop", goals="Swim again", plan_meets="partly")
    reviews.save_sections(world["carer"], review, words)
    db.session.commit()
    stored = reviews.review_of(review)
    assert (stored.working, stored.goals, stored.plan_meets) == (
        "My PA helps me shop",
        "Swim again",
        "partly",
    )
    assert db.session.scalar(select(AuditEvent).filter_by(action="review.sections_saved", case_id=review.id))
    with pytest.raises(NotAllowed):
        reviews.save_sections(world["stranger"], review, words)
    with pytest.raises(NotAllowed):
        reviews.save_sections(world["assessor"], review, words)
    with pytest.raises(ValueError):
        reviews.save_sections(world["person"], review, Sections(plan_meets="maybe"))
    with pytest.raises(ValueError):
        reviews.save_sections(world["person"], review, Sections(goals="x" * 4001))
    review.status = S.SENT
    db.session.commit()
    with pytest.raises(NotAllowed):
        reviews.save_sections(world["person"], review, words)
    with pytest.raises(NotAllowed):
        reviews.save_sections(world["person"], first, words)


def test_the_record_is_made_by_the_holder_and_audited(world):
    _, review = claimed_review(world)
    record = reviews.review_of(review)
    with pytest.raises(NotAllowed):
        reviews.record_review(world["assessor2"], review, good_entry(), expected_version=record.version)
    with pytest.raises(NotAllowed):
        reviews.record_review(world["person"], review, good_entry(), expected_version=record.version)
    reviews.record_review(world["assessor"], review, good_entry(), expected_version=record.version)
    db.session.commit()
    record = reviews.review_of(review)
    assert record.recorded_by_id == world["assessor"].id and record.outcome == "unchanged"
    event = db.session.scalar(select(AuditEvent).filter_by(action="review.recorded", case_id=review.id))
    assert event.detail["after"]["outcome"] == "unchanged" and event.detail["before"]["outcome"] == ""
    with pytest.raises(cases.Stale):
        reviews.record_review(world["assessor"], review, good_entry(), expected_version=record.version - 1)


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"held_on": None}, "held_on", "missing"),
        ({"held_on": Days(1)}, "held_on", "future"),
        ({"held_on": Days(-400)}, "held_on", "before_start"),
        ({"review_type": "chat"}, "review_type", "missing"),
        ({"took_part": "  "}, "took_part", "missing"),
        ({"carer_assessment": ""}, "carer_assessment", "missing"),
        ({"carer_assessment": "not_offered"}, "carer_assessment_note", "missing"),
        ({"capacity": ""}, "capacity", "missing"),
        ({"capacity": "lacks_capacity"}, "capacity_note", "missing"),
        ({"outcome": ""}, "outcome", "missing"),
        ({"next_review_on": None}, "next_review_on", "missing"),
        ({"next_review_on": Days(0)}, "next_review_on", "not_after"),
        ({"next_review_on": Days(367)}, "next_review_on", "too_late"),
        ({"took_part": "x" * 4001}, "took_part", "too_long"),
    ],
)
def test_every_rule_of_the_record(world, changes, field, code):
    _, review = claimed_review(world)
    entry = good_entry(**changes)
    assert reviews.problems_with(entry, review).get(field) == code
    with pytest.raises(reviews.InvalidRecord) as refused:
        reviews.record_review(
            world["assessor"], review, entry, expected_version=reviews.review_of(review).version
        )
    assert refused.value.problems.get(field) == code
    assert reviews.review_of(review).recorded_at is None, "nothing is recorded"


def test_notes_make_the_record_whole(world):
    _, review = claimed_review(world)
    entry = good_entry(
        carer_assessment="not_offered",
        carer_assessment_note="Sam's daughter had one in May",
        capacity="lacks_capacity",
        capacity_note="Best interests meeting with Sam's daughter",
    )
    assert reviews.problems_with(entry, review) == {}
    ended = good_entry(outcome="ended", next_review_on=None)
    assert reviews.problems_with(ended, review) == {}, "support ends: no next review"


def test_a_review_is_decided_only_once_recorded(world):
    from portal.practitioner import service

    _, review = claimed_review(world)
    with pytest.raises(reviews.ReviewNotRecorded):
        reviews.require_recorded(review)
    with pytest.raises(reviews.ReviewNotRecorded):
        service.decide_not_eligible(world["assessor"], review, reason="No eligible needs now")
    with pytest.raises(reviews.ReviewNotRecorded):
        service.confirm_budget(world["assessor"], review, confirmed_pence=100, reason="x")
    assert fresh(review).status == S.CLAIMED
    reviews.record_review(
        world["assessor"], review, good_entry(), expected_version=reviews.review_of(review).version
    )
    reviews.require_recorded(review)
    other = make_case(world, S.CLAIMED, holder="assessor")
    reviews.require_recorded(other)  # not a review: nothing to record


def test_a_decided_review_is_final(world):
    _, review = claimed_review(world)
    reviews.record_review(
        world["assessor"], review, good_entry(), expected_version=reviews.review_of(review).version
    )
    review.status = S.DECIDED
    db.session.commit()
    record = reviews.review_of(review)
    with pytest.raises(NotAllowed):
        reviews.record_review(
            world["assessor"], review, good_entry(outcome="plan_changed"), expected_version=record.version
        )
    with pytest.raises(NotAllowed):
        reviews.save_sections(world["person"], review, Sections(goals="more"))
    assert reviews.review_of(review).outcome == "unchanged"


def test_last_time_is_the_answers_as_validated_before(world, monkeypatch):
    first, _ = _decided(world, datetime.now(UTC))
    review = reviews.start(world["person"], first)
    seen = []
    monkeypatch.setattr(
        "portal.case_record.validated_answers", lambda case, validation=None: seen.append(case.id) or {"q": 1}
    )
    assert reviews.last_time(review) == {"q": 1} and seen == [first.id]
    assert reviews.last_time(first) is None


# -- when reviews are due ------------------------------------------------------------------------------


def test_intervals():
    interval = review_due.Interval.parse("12 months")
    assert interval.after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert review_due.Interval.parse("1 month").after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert review_due.Interval.parse("8 weeks").after(date(2026, 1, 1)) == date(2026, 2, 26)
    assert review_due.Interval.parse("3 months").before(date(2026, 5, 31)) == date(2026, 2, 28)
    with pytest.raises(ValueError):
        review_due.Interval.parse("a fortnight")


def test_the_defaults_are_data_keyed_by_tool():
    shipped = review_due.frequencies()
    adult = shipped.of("adult_social_care")
    assert (adult.first_from, adult.first_by, adult.then_every) == (
        review_due.Interval(6, "weeks"),
        review_due.Interval(8, "weeks"),
        review_due.Interval(12, "months"),
    )
    chc = shipped.of("continuing_healthcare")
    assert (chc.first_by, chc.then_every) == (
        review_due.Interval(3, "months"),
        review_due.Interval(12, "months"),
    )
    assert shipped.of("a_tool_added_later") == adult, "a tool without its own uses the default tool's"
    added = review_due.load_frequencies(
        "default_tool: a\ntools:\n  a: {first_review: {from: 1 weeks, by: 2 weeks}, then_every: 6 months}\n"
        "  b: {first_review: {from: 2 weeks, by: 2 weeks}, then_every: 3 months}\n"
    )
    assert added.of("b").then_every == review_due.Interval(3, "months")
    for broken in (
        "default_tool: x\ntools: {}\n",
        "default_tool: a\ntools:\n  a: {first_review: {from: 9 weeks, by: 2 weeks}, then_every: 6 months}\n",
        "default_tool: a\ntools:\n  a: {first_review: {from: 1 weeks}, then_every: 6 months}\n",
    ):
        with pytest.raises(ValueError):
            review_due.load_frequencies(broken)


def test_every_tool_named_in_the_frequencies_exists():
    from pathlib import Path

    tools = Path(review_due.__file__).resolve().parent / "tools"
    for key in review_due.frequencies().tools:
        assert (tools / key / "tool.yaml").exists(), (
            f"no tool {key!r}: a misspelt key would silently fall back"
        )


def test_the_first_review_falls_six_to_eight_weeks_after_the_plan(world):
    agreed = datetime(2026, 1, 5, 10, tzinfo=UTC)
    first, _ = _decided(world, agreed)
    due = review_due.due_for_case(first, today=date(2026, 2, 1))
    assert (due.first, due.window_from, due.due_on, due.state) == (
        True,
        date(2026, 2, 16),
        date(2026, 3, 2),
        "upcoming",
    )
    assert review_due.due_for_case(first, today=date(2026, 2, 16)).state == "due"
    assert review_due.due_for_case(first, today=date(2026, 3, 2)).state == "due"
    assert review_due.due_for_case(first, today=date(2026, 3, 3)).state == "overdue"


def test_after_a_review_the_next_date_it_recorded(world):
    first, review = claimed_review(world)
    reviews.record_review(
        world["assessor"], review, good_entry(), expected_version=reviews.review_of(review).version
    )
    review.status = S.DECIDED
    decision = pending(world, review)
    decision.outcome = "approved"
    db.session.commit()
    day = today()
    due = review_due.due_for_case(first, today=day)
    assert (due.first, due.due_on, due.case.id) == (False, day + timedelta(days=300), review.id)
    assert due.state == "upcoming"
    assert review_due.due_for_case(first, today=day + timedelta(days=301)).state == "overdue"


def test_a_review_under_way_and_no_budget(world):
    first, decision = _decided(world, datetime.now(UTC) - timedelta(days=100))
    assert review_due.due_for_case(first).state == "overdue"
    reviews.start(world["person"], first)
    db.session.commit()
    assert review_due.due_for_case(first).state == "under_way"
    decision.confirmed_weekly_pence = None
    db.session.commit()
    assert review_due.due_for_case(first) is None, "no eligible needs: nothing to review"


def test_the_organisations_list(world):
    _decided(world, datetime.now(UTC) - timedelta(days=100))
    rows = review_due.reviews_due(world["org"].id)
    assert [r.state for r in rows] == ["overdue"]
    from portal.models import Organisation

    other = db.session.scalar(select(Organisation).where(Organisation.id != world["org"].id))
    assert review_due.reviews_due(other.id) == []


def test_a_review_keeps_the_tool_of_the_decision_it_follows(world):
    first, _ = _decided(world, datetime.now(UTC))
    first.tool_key, first.tool_version = "continuing_healthcare", "abc"
    db.session.commit()
    review = reviews.start(world["person"], first)
    assert (review.tool_key, review.tool_version) == ("continuing_healthcare", "abc")
    assert review_due.tool_key(review) == "continuing_healthcare"
    assert review_due.frequency_for(review).first_by == review_due.Interval(3, "months")


def test_the_record_agrees_with_the_frequency(world, monkeypatch):
    _, review = claimed_review(world)
    monkeypatch.setattr(review_due, "tool_key", lambda case: "continuing_healthcare")
    assert reviews.problems_with(good_entry(next_review_on=Days(360)), review) == {}
    shorter = review_due.load_frequencies(
        "default_tool: adult_social_care\ntools:\n  adult_social_care: "
        "{first_review: {from: 1 weeks, by: 2 weeks}, then_every: 6 months}\n"
    )
    monkeypatch.setattr(review_due, "frequencies", lambda: shorter)
    assert reviews.problems_with(good_entry(next_review_on=Days(200)), review) == {
        "next_review_on": "too_late"
    }


def test_review_record_rows_start_empty(world):
    first, _ = _decided(world, datetime.now(UTC))
    review = reviews.start(world["person"], first)
    db.session.commit()
    row = db.session.scalar(select(Review).filter_by(case_id=review.id))
    assert reviews.Sections.of(row).is_empty() and not reviews.is_recorded(row)
