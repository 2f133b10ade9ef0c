"""Staff pages that only show a case write nothing but the audit event (and the session record)."""

from __future__ import annotations

from portal.extensions import db
from tests.conftest import sign_in
from tests.journey.test_page_cost import _writes, statements_of


def test_the_queue_and_the_case_page_write_only_the_audit_trail(app, staff, sent_case):
    client = app.test_client()
    sign_in(client, staff["assessor"])
    for url in ("/staff/", "/staff/queue", f"/staff/cases/{sent_case.public_id}"):
        client.get(url)
        statements = statements_of(app, client, url)
        assert _writes(statements) == [], url
    # The case page shows the person's details, so its audit event is the one write there.
    case_page = statements_of(app, client, f"/staff/cases/{sent_case.public_id}")
    assert any(s.startswith("INSERT INTO audit_events") for s in case_page)


def test_a_page_that_writes_its_audit_event_reads_the_session_once(app, staff, sent_case):
    """The audit event's commit expires the session record; the end of the request must not read it again only
    to find it unchanged."""
    client = app.test_client()
    sign_in(client, staff["assessor"])
    url = f"/staff/cases/{sent_case.public_id}"
    client.get(url)
    statements = statements_of(app, client, url)
    assert sum(s.startswith("INSERT INTO audit_events") for s in statements) == 1
    assert sum(s.startswith("SELECT") and "FROM session_records" in s for s in statements) == 1, statements


def test_the_case_page_reads_the_latest_snapshot_once_and_names_the_person_with_the_case(
    app, staff, sent_case
):
    """Several parts of the case page ask for the answers as sent (the risks, who filled them in, how to reach
    the person); a read request asks the database once."""
    client = app.test_client()
    sign_in(client, staff["assessor"])
    url = f"/staff/cases/{sent_case.public_id}"
    client.get(url)
    statements = statements_of(app, client, url)
    assert sum(s.startswith("SELECT") and "FROM snapshots" in s for s in statements) == 1, statements
    assert not any(s.startswith("SELECT people.") for s in statements), "the person comes with the case"


def test_outside_a_read_request_the_latest_snapshot_is_read_afresh(app, sent_case):
    """A form sent (or a job) may add a snapshot and read it back in the same request: no memo there."""
    from portal import case_record
    from portal.models import Snapshot

    first = case_record.latest_snapshot(sent_case)
    with app.test_request_context("/", method="POST"):
        assert case_record.latest_snapshot(sent_case).id == first.id
        newer = Snapshot(
            case_id=sent_case.id,
            answers=dict(first.answers),
            questionnaire_version=first.questionnaire_version,
            completed_by_id=first.completed_by_id,
            authority=first.authority,
        )
        db.session.add(newer)
        db.session.flush()
        assert case_record.latest_snapshot(sent_case).id == newer.id
    with app.test_request_context("/", method="GET"):
        assert case_record.latest_snapshot(sent_case).id == newer.id
