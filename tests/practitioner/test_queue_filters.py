"""The queue's filters, each on its own: a filter shows exactly the cases it names, never just "at least the one".

The page tests find a sent case under each filter; these hold each filter to leaving the others out (the
mutation run on the staff services showed no test failed when a filter's clause was deleted).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.models import Case, CaseStatus, Person, Role, utcnow
from portal.practitioner.queue_service import QueueFilter, queue_page, queue_query

S = CaseStatus


@pytest.fixture
def queue(app, make_account, make_organisation):
    org = make_organisation("Northfield City Council")
    other = make_organisation("Westmoor County Council")
    me = make_account(Role.ASSESSOR, organisation=org, level=2)
    colleague = make_account(Role.ASSESSOR, organisation=org, level=2)
    citizen = make_account()
    now = utcnow()

    def case(
        ref,
        status,
        *,
        org_=org,
        holder=None,
        group="older_people",
        tool="adult_social_care",
        days=1,
        name="Sam Taylor",
        born=date(1948, 2, 14),
        rank=0,
    ):
        person = Person(name=name, date_of_birth=born, created_by_id=citizen.id)
        db.session.add(person)
        db.session.flush()
        row = Case(
            reference=ref,
            person_id=person.id,
            organisation_id=org_.id,
            created_by_id=citizen.id,
            status=status,
            holder_id=holder.id if holder else None,
            answers={},
            client_group=group,
            tool_key=tool,
            sent_at=None if status == S.DRAFT else now - timedelta(days=days),
            person_name=name,
            risk_rank=rank,
        )
        db.session.add(row)
        return row

    case("NF-OPEN", S.SENT, days=2)
    case("NF-MINE", S.CLAIMED, holder=me, days=10)
    case("NF-THEIRS", S.WAITING_FOR_PERSON, holder=colleague, days=30, group="learning_disability")
    case(
        "NF-WAITING",
        S.WAITING_FOR_APPROVAL,
        holder=me,
        tool="section_117",
        name="Alex Morgan",
        born=date(1960, 5, 1),
        rank=2,
    )
    case("NF-DONE", S.DECIDED, holder=me, days=40)
    case("NF-GONE", S.WITHDRAWN, days=3)
    case("NF-DRAFT", S.DRAFT)
    case("WM-OTHER", S.SENT, org_=other)
    db.session.commit()
    return me


def refs(me, **wanted):
    return {c.reference for c in db.session.scalars(queue_query(me, QueueFilter(**wanted)))}


def test_open_is_sent_and_not_yet_decided_or_withdrawn_in_the_organisation(queue):
    assert refs(queue) == {"NF-OPEN", "NF-MINE", "NF-THEIRS", "NF-WAITING"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("decided", {"NF-DONE"}),
        ("withdrawn", {"NF-GONE"}),
        ("claimed", {"NF-MINE"}),
        ("draft", {"NF-OPEN", "NF-MINE", "NF-THEIRS", "NF-WAITING", "NF-DONE", "NF-GONE"}),
        ("all", {"NF-OPEN", "NF-MINE", "NF-THEIRS", "NF-WAITING", "NF-DONE", "NF-GONE"}),
    ],
)
def test_a_status_shows_only_its_cases_and_never_a_draft(queue, status, expected):
    assert refs(queue, status=status) == expected


def test_each_filter_leaves_the_others_out(queue):
    assert refs(queue, client_group="learning_disability") == {"NF-THEIRS"}
    assert refs(queue, tool="section_117") == {"NF-WAITING"}
    assert refs(queue, holder="me") == {"NF-MINE", "NF-WAITING"}
    assert refs(queue, holder="unassigned") == {"NF-OPEN"}
    assert refs(queue, waiting="7") == {"NF-MINE", "NF-THEIRS"}
    assert refs(queue, waiting="28") == {"NF-THEIRS"}
    assert refs(queue, waiting="5") == refs(queue), "only 7 and 28 are offered"


def test_search_by_reference_name_or_date_of_birth(queue):
    assert refs(queue, search="nf-mine") == {"NF-MINE"}
    assert refs(queue, search="alex") == {"NF-WAITING"}
    assert refs(queue, search="1/5/1960") == {"NF-WAITING"}
    assert refs(queue, search="1960-05-01") == {"NF-WAITING"}
    assert refs(queue, search="31/2/1960") == set(), "not a date: searched as a name"


def test_at_risk_first_then_oldest(queue):
    order = [c.reference for c in db.session.scalars(queue_query(queue, QueueFilter()))]
    assert order == ["NF-WAITING", "NF-THEIRS", "NF-MINE", "NF-OPEN"]
    cases, total = queue_page(queue, QueueFilter(page=2))
    assert (cases, total) == ([], 4)
    cases, total = queue_page(queue, QueueFilter(page=0))
    assert [c.reference for c in cases] == order and total == 4


@pytest.mark.parametrize(("rank", "path"), [(0, "light"), (1, "full"), (3, "full")])
def test_claiming_chooses_the_validation_path_and_a_case_at_risk_always_gets_the_full_one(
    app, staff, sent_case, rank, path
):
    """The lowest risk rank above none is at risk: full validation whatever the draw and the estimate."""
    from sqlalchemy import select

    from portal.models import Validation
    from portal.practitioner.queue_service import claim

    sent_case.organisation.settings = {
        **(sent_case.organisation.settings or {}),
        "validation": {"light_max_weekly_pence": 10**9, "full_check_percent": 0},
    }
    sent_case.risk_rank = rank
    db.session.commit()
    assert claim(staff["assessor"], sent_case, draw=0.5) is True
    validations = list(db.session.scalars(select(Validation).filter_by(case_id=sent_case.id)))
    assert [v.path_taken for v in validations] == [path]
