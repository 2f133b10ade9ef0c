"""On PostgreSQL a reading request (GET) runs without a transaction, and a writing one (POST) inside one.

Why (portal/extensions.py): a read request's BEGIN and ROLLBACK were two round trips for nothing, and psycopg
forgets its prepared statements at every ROLLBACK, so a page's queries were never prepared. Runs in the
PostgreSQL pass (PORTAL_TEST_DATABASE_URL). That a session used again after a reading request is back in
transactions (a test's session, shared across requests) is proven by tests/test_throttle.py on PostgreSQL: a
wrong password after the sign-in page counts the failure under a savepoint, which autocommit refuses.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event, text

from portal.extensions import db
from portal.models import Role
from tests.conftest import PG_URL, csrf_from, sign_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="transactions on reads are a PostgreSQL matter"),
]


@pytest.fixture
def seen(app) -> Iterator[list[tuple[str, TransactionStatus]]]:
    """After every statement: its first word and whether the connection is inside a transaction."""
    found: list[tuple[str, TransactionStatus]] = []

    def after(connection, cursor, statement, parameters, context, many):  # noqa: ANN001 - SQLAlchemy's event
        found.append(
            (statement.split()[0].upper(), connection.connection.driver_connection.info.transaction_status)
        )

    event.listen(db.engine, "after_cursor_execute", after)
    yield found
    event.remove(db.engine, "after_cursor_execute", after)


def _fresh_request_session() -> None:
    """As in production, where every request has its own database session (the test app keeps one open)."""
    db.session.remove()


def test_a_reading_page_runs_its_queries_outside_a_transaction(client, make_account, seen):
    sign_in(client, make_account(Role.CITIZEN))
    _fresh_request_session()
    seen.clear()
    assert client.get("/account/").status_code == 200
    assert [word for word, _ in seen].count("SELECT") >= 1  # the session record at least
    assert {status for _, status in seen} == {TransactionStatus.IDLE}


def test_a_prepared_statement_outlives_the_reading_request(client, make_account, app):
    sign_in(client, make_account(Role.CITIZEN))
    for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
        _fresh_request_session()
        assert client.get("/account/").status_code == 200
    _fresh_request_session()
    with db.engine.connect() as connection:  # the pool's most recently returned connection
        names = connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
    assert names >= 1


def test_a_writing_request_runs_in_a_transaction(client, make_account, seen):
    email = make_account(Role.CITIZEN).email
    page = client.get("/account/sign-in")
    _fresh_request_session()
    seen.clear()
    response = client.post(
        "/account/sign-in",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "email": email,
            "password": "correct horse battery",
        },
    )
    assert response.status_code == 303
    assert "INSERT" in [word for word, _ in seen]  # the new session record
    assert {status for _, status in seen} == {TransactionStatus.INTRANS}


def test_a_connection_goes_back_to_the_pool_with_transactions(client, make_account):
    sign_in(client, make_account(Role.CITIZEN))
    _fresh_request_session()
    assert client.get("/account/").status_code == 200
    _fresh_request_session()
    with db.engine.connect() as connection:  # outside any request: a command, the job worker
        assert connection.connection.driver_connection.autocommit is False
        connection.execute(text("SELECT 1"))
        assert connection.connection.driver_connection.info.transaction_status is TransactionStatus.INTRANS
