"""On PostgreSQL the web and worker run as a role that owns nothing: it cannot alter tables, and on the audit
trail it can only add and read rows (no UPDATE, DELETE or TRUNCATE; the trigger stays). The owner runs the
migrations and `portal grant-app-role`. Runs in the PostgreSQL pass (PORTAL_TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from portal.extensions import db
from tests.conftest import PG_URL, sign_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="database roles need PostgreSQL (set PORTAL_TEST_DATABASE_URL)"),
]


@pytest.fixture
def app_role(app) -> Iterator[str]:
    """A role without login of its own (the superuser test connection switches to it), granted as documented."""
    name = f"portal_app_{db.engine.url.database}"[:60]
    with db.engine.begin() as connection:
        if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first() is None:
            connection.execute(text(f'CREATE ROLE "{name}" NOLOGIN'))
    result = app.test_cli_runner().invoke(args=["grant-app-role", name])
    assert result.exit_code == 0, result.output
    assert "Granted" in result.output
    yield name
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text(f'DROP OWNED BY "{name}"'))  # its grants in this database


def _as(role: str, url: str) -> object:
    """An engine whose every connection runs as ``role``."""
    return create_engine(url, poolclass=NullPool, connect_args={"options": f"-c role={role}"})


def test_the_app_role_can_only_add_and_read_audit_events_and_alter_nothing(app, app_role, make_account):
    from portal.audit import record

    record("test.happened", actor=make_account())
    db.session.commit()
    engine = _as(app_role, app.config["SQLALCHEMY_DATABASE_URI"])
    refused = {
        "TRUNCATE audit_events": "permission denied",
        "UPDATE audit_events SET reason = 'x'": "permission denied",
        "DELETE FROM audit_events": "permission denied",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only": "must be owner",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL": "must be owner",
        "DROP TRIGGER audit_events_append_only ON audit_events": "must be owner",
        "DROP TABLE audit_events": "must be owner",
        "ALTER TABLE accounts ADD COLUMN extra integer": "must be owner",
        "TRUNCATE accounts CASCADE": "permission denied",
        "CREATE TABLE sneaky (x integer)": "permission denied",
        "UPDATE alembic_version SET version_num = 'x'": "permission denied",
    }
    try:
        for statement, reason in refused.items():
            with engine.connect() as connection, pytest.raises(DBAPIError, match=reason):
                connection.execute(text(statement))
        with engine.begin() as connection:
            assert connection.execute(text("SELECT current_user")).scalar() == app_role
            connection.execute(
                text("INSERT INTO audit_events (at, action, detail, reason) VALUES (now(), 'x', '{}', '')")
            )
            assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar() == 2
            # Everything else it may change as the app does.
            connection.execute(text("UPDATE accounts SET name = name"))
    finally:
        engine.dispose()


def test_the_portal_works_as_the_app_role(app_config, app_role, make_account, smtp_server, app):
    """Sign in, audit and a queued email done by the web and the worker connected as the app role."""
    from portal.app import create_app
    from portal.jobs import work

    account = make_account(email="alex@example.org")
    config = {
        **app_config,
        # No pool: every connection is closed when its session ends, none left for the garbage collector.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "poolclass": NullPool,
            "connect_args": {"options": f"-c role={app_role}"},
        },
        "MAIL_PORT": app.config["MAIL_PORT"],
    }
    web = create_app(config)
    with web.app_context():
        try:
            client = web.test_client()
            assert sign_in(client, account).status_code == 303
            token = client.get("/account/forgotten-password").get_data(as_text=True)
            from tests.conftest import csrf_from

            client.post(
                "/account/forgotten-password",
                data={"csrf_token": csrf_from(token), "email": account.email},
            )
            assert db.session.execute(text("SELECT current_user")).scalar() == app_role
            assert work(until_empty=True) == 1
        finally:
            db.session.remove()
            db.engine.dispose()
    assert len(smtp_server.messages) == 1


def test_grant_app_role_refuses_a_missing_role(app):
    result = app.test_cli_runner().invoke(args=["grant-app-role", "no_such_role_here"])
    assert result.exit_code != 0
    assert "no database role" in str(result.exception)
