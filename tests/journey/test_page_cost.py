"""What a citizen's read page costs the database: one or two queries, and no write.

Counted with an SQLAlchemy event listener on the engine, so any query a page adds (a lazy load in a template, a
second look-up of the same row) fails here rather than showing up only under load (bench/load.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.questionnaire import load_schema
from tests.conftest import sign_in
from tests.journey.helpers import answer, start

# A request may write its session record and an audit event (issue 18); nothing else on a read.
ALLOWED_WRITES = ("session_records", "audit_events")


def statements_of(app: Any, client: Any, url: str) -> list[str]:
    """The SQL statements the engine ran while serving one GET of ``url``."""
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert response.status_code == 200, url
    return seen


def _writes(statements: list[str]) -> list[str]:
    return [
        s
        for s in statements
        if s.split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and not any(table in s.split("(")[0] for table in ALLOWED_WRITES)
    ]


@pytest.mark.parametrize("page", ["question"])
def test_a_citizen_read_page_costs_at_most_two_queries_and_no_write(
    app, client, make_account, make_organisation, page
):
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account(email="alex@example.org", name="Alex Morgan"))
    case_id = start(client)
    schema = load_schema()
    first = schema.first_unanswered({})
    answer(client, case_id, first, schema.question(first).options[0].value)
    url = {
        "question": f"/my/cases/{case_id}/questions/{first}",
    }[page]
    client.get(url)  # the first request of a process may load what every later one shares
    statements = statements_of(app, client, url)
    assert _writes(statements) == []
    assert len(statements) <= 2, "\n".join(statements)


def test_reading_the_citizen_pages_writes_nothing(app, client, make_account, make_organisation):
    """Every page a person reads on the way (tasks, questions, check, estimate, status) leaves the database as it was."""
    from tests.journey.helpers import answer_all, post

    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account(email="alex@example.org", name="Alex Morgan"))
    case_id = start(client)
    asked = answer_all(client, case_id)
    base = f"/my/cases/{case_id}"
    draft_pages = ["/my/", f"{base}/", f"{base}/questions/{asked[0]}", f"{base}/check", f"{base}/estimate"]
    for url in draft_pages:
        assert _writes(statements_of(app, client, url)) == [], url
    assert post(client, f"{base}/send", {"confirm": "y"}).status_code == 303
    for url in ("/my/", f"{base}/status", f"{base}/sent"):
        assert _writes(statements_of(app, client, url)) == [], url


def test_the_write_filter_tells_a_write_from_the_allowed_ones():
    assert _writes(["UPDATE cases SET answers=? WHERE cases.id = ?"]) != []
    assert _writes(["INSERT INTO people (name) VALUES (?)"]) != []
    assert _writes(["INSERT INTO audit_events (action) VALUES (?)", "SELECT cases.id FROM cases"]) == []


def test_the_dashboard_loads_people_and_organisations_once_however_many_cases(
    app, client, make_account, make_organisation
):
    """The people, organisations and their postcode districts come with the cases, not one query per case."""
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account(email="alex@example.org", name="Alex Morgan"))
    start(client)

    def reads(statements):
        tables = ("FROM people", "FROM organisations", "FROM postcode_districts")
        return sum(1 for s in statements if any(t in s for t in tables) and not s.startswith("SELECT cases."))

    client.get("/my/")
    one = reads(statements_of(app, client, "/my/"))
    start(client, carer_for="Sam Jones")
    start(client, carer_for="Ola Nowak")
    # One read with the cases (their people, organisations and districts), and one of the organisations for the
    # tools someone offers a person (the dashboard's "start" links): never one more per case.
    assert reads(statements_of(app, client, "/my/")) == one <= 2
