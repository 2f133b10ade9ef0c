"""Open figures (issue 16 item 6): decisions and requests to look at them again, by month, public, small numbers
hidden so that no hidden number can be worked out, the same as CSV, from one grouped query."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from portal import open_figures
from portal.extensions import db
from portal.models import (
    Account,
    Case,
    CaseKind,
    CaseStatus,
    Decision,
    Estimate,
    Person,
    Reconsideration,
    Role,
)
from tests.conftest import check_page

MARCH = datetime(2026, 3, 10, 12, tzinfo=UTC)
APRIL = datetime(2026, 4, 2, 12, tzinfo=UTC)


@pytest.fixture
def council(app, make_organisation, make_account):
    org = make_organisation("Northfield City Council")
    other = make_organisation("Westmoor County Council")
    staff = make_account(Role.ASSESSOR, organisation=org, level=2)
    return {"org": org, "other": other, "staff": staff}


def _decision(council, when, pence=10_000, *, org="org", asked=None):
    """A decided case of ``org`` decided at ``when``; ``asked`` = (asked at, outcome or "", days or None) adds
    a request to look at it again."""
    staff: Account = council["staff"]
    person = Person(name="Someone")
    db.session.add(person)
    db.session.flush()
    case = Case(
        person_id=person.id,
        organisation_id=council[org].id,
        created_by_id=staff.id,
        status=CaseStatus.DECIDED,
        kind=CaseKind.ASSESSMENT,
    )
    db.session.add(case)
    db.session.flush()
    estimate = Estimate(
        case_id=case.id,
        engine_version="t",
        config_label="t",
        config_hash="t",
        mode="p",
        total_weekly_pence=1,
        result={},
    )
    db.session.add(estimate)
    db.session.flush()
    db.session.add(
        Decision(
            case_id=case.id,
            estimate_id=estimate.id,
            confirmed_weekly_pence=pence,
            decided_by_id=staff.id,
            outcome="approved",
            created_at=when,
        )
    )
    if asked is not None:
        at, outcome, days = asked
        again = Case(
            person_id=person.id,
            organisation_id=council[org].id,
            created_by_id=staff.id,
            status=CaseStatus.DECIDED if outcome else CaseStatus.SENT,
            kind=CaseKind.RECONSIDERATION,
            follows_id=case.id,
        )
        db.session.add(again)
        db.session.flush()
        db.session.add(
            Reconsideration(
                case_id=again.id,
                organisation_id=council[org].id,
                asked_by_id=staff.id,
                reason="why",
                asked_at=at,
                outcome=outcome,
                decided_at=at + timedelta(days=days) if days is not None else None,
                days_taken=days,
            )
        )
    db.session.commit()


@pytest.fixture
def figures(council):
    # March: 7 decisions; 6 people asked, 5 decided (after 3, 5, 8, 10, 20 days), 4 of them changed, 1 under way.
    for days, outcome in [(3, "changed"), (5, "changed"), (8, "upheld"), (10, "changed"), (20, "changed")]:
        _decision(council, MARCH - timedelta(days=30), asked=(MARCH, outcome, days))
    _decision(council, MARCH - timedelta(days=30), asked=(MARCH, "", None))
    for _ in range(7):
        _decision(council, MARCH)
    # April: 2 decisions, 1 request decided after 4 days, changed.
    _decision(council, APRIL)
    _decision(council, APRIL - timedelta(days=1), asked=(APRIL, "changed", 4))
    # Another council's figures are never counted here.
    for _ in range(6):
        _decision(council, MARCH, org="other", asked=(MARCH, "changed", 1))
    return council


def test_the_figures_by_month_from_one_grouped_query(app, figures):
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    assert figures["org"].id  # loaded before counting
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        months = open_figures.monthly(figures["org"])
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1 and "GROUP BY" in statements[0]
    by_month = {m.month: m for m in months}
    assert [m.month for m in months] == ["2026-04", "2026-03", "2026-02"], "the latest first"
    march = by_month["2026-03"]
    assert (march.decisions, march.asked, march.decided, march.changed, march.median_days) == (
        7,
        6,
        5,
        4,
        8.0,
    )
    april = by_month["2026-04"]
    assert (april.decisions, april.asked, april.changed, april.median_days) == (2, 1, 1, 4.0)
    february = by_month["2026-02"]
    assert (february.decisions, february.asked) == (6, 0)


def test_the_median_of_an_even_number():
    assert open_figures._median([(3, 1), (5, 1), (8, 1), (10, 1)]) == 6.5
    assert open_figures._median([(2, 3), (9, 1)]) == 2.0
    assert open_figures._median([]) is None


def test_small_numbers_are_hidden_and_cannot_be_worked_out(app, figures):
    with app.test_request_context():
        rows = {row[0]: row[1:] for row in open_figures.rows(figures["org"])}
    assert rows["March 2026"] == ["7", "6", "8", "fewer than 5"]
    assert rows["April 2026"] == [
        "fewer than 5",
        "fewer than 5",
        "not shown: fewer than 5 decided",
        "fewer than 5",
    ]
    assert rows["February 2026"] == ["6", "fewer than 5", "none decided yet", "fewer than 5"]
    assert len(rows) == 3, "no totals: a hidden cell is never the difference of two shown ones"


def test_the_public_page_and_its_csv(app, client, figures):
    response = client.get(f"/organisations/{figures['org'].slug}/decisions-and-challenges")
    assert response.status_code == 200, "no sign-in"
    page = check_page(response.get_data(as_text=True))
    table = page.select_one("table.govuk-table")
    cells = [
        [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")
    ]
    assert cells[1] == ["March 2026", "7", "6", "8", "fewer than 5"]
    assert "Total" not in table.get_text()
    download = client.get(f"/organisations/{figures['org'].slug}/decisions-and-challenges.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"].startswith("attachment")
    lines = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert lines[0][0] == "Month" and len(lines) == 4
    assert lines[2] == ["2026-03", "7", "6", "8", "fewer than 5"]
    assert client.get("/organisations/nowhere/decisions-and-challenges").status_code == 404
    assert client.get("/organisations/nowhere/decisions-and-challenges.csv").status_code == 404


def test_an_organisation_with_nothing_yet(app, client, council):
    response = client.get(f"/organisations/{council['other'].slug}/decisions-and-challenges")
    page = check_page(response.get_data(as_text=True))
    assert page.find("table") is None and "no decisions to show yet" in page.get_text()
