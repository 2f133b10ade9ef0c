"""The staff queue's count of reviews due costs one query, however many cases the organisation has decided (the way
tests/practitioner/test_staff_page_cost.py counts a page's statements)."""

from __future__ import annotations

from tests.conftest import sign_in
from tests.journey.test_page_cost import statements_of


def _decided_lines(sent_case, count, days_ago=100):
    """``count`` lines of the organisation decided ``days_ago`` days ago, as the budget services store them."""
    from datetime import timedelta

    from portal import review_due
    from portal.extensions import db
    from portal.models import Case, CaseStatus, Decision, Estimate, utcnow

    for _ in range(count):
        case = Case(
            person_id=sent_case.person_id,
            organisation_id=sent_case.organisation_id,
            created_by_id=sent_case.created_by_id,
            status=CaseStatus.DECIDED,
            answers={},
        )
        db.session.add(case)
        db.session.flush()
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
        db.session.add(
            Decision(
                case_id=case.id,
                estimate_id=estimate.id,
                confirmed_weekly_pence=100,
                decided_by_id=sent_case.created_by_id,
                outcome="approved",
                created_at=utcnow() - timedelta(days=days_ago),
            )
        )
        db.session.flush()
        review_due.store_next_review(case)
    db.session.commit()


def test_the_queue_counts_reviews_due_in_one_query_however_many_cases(app, staff, sent_case):
    """The queue's "Reviews overdue (n) and due (n)" is one query, and the page's queries do not grow with the
    organisation's decided cases (it used to read every case, decision and review record of the organisation)."""
    client = app.test_client()
    sign_in(client, staff["assessor"])
    _decided_lines(sent_case, 2)
    client.get("/staff/queue")
    few = statements_of(app, client, "/staff/queue")
    _decided_lines(sent_case, 20)
    many = statements_of(app, client, "/staff/queue")
    assert len(many) == len(few), "\n".join(many)
    counting = [s for s in many if " decisions" in s or " reviews" in s]
    assert len(counting) == 1, counting  # one query for the count: not every case, decision and review record
    assert "Reviews overdue (22) and due (0)" in client.get("/staff/queue").get_data(as_text=True)
