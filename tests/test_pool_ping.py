"""A pooled connection is checked before use only after sitting idle (portal/extensions.py), and one found dead
then is replaced without the page noticing."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from portal.app import create_app
from portal.extensions import db
from tests.conftest import PG_URL


@pytest.fixture
def make_app(app_config):
    """An app whose pooled connections are idle after ``seconds``; its connections closed after the test (left
    to the garbage collector, psycopg warns in whichever later test happens to collect them)."""
    made = []

    def make(seconds: float):
        made.append(create_app({**app_config, "DATABASE_PING_AFTER_SECONDS": seconds}))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def _pings(app, monkeypatch) -> list[object]:
    """Every ping the app's engine makes, counted (the real ping still runs)."""
    made: list[object] = []
    with app.app_context():
        dialect = db.engine.dialect
    real = dialect.do_ping

    def counted(dbapi_connection):  # noqa: ANN001 - the DB-API connection
        made.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return made


def _use(app) -> None:
    """Take a connection from the pool, run a statement and give it back."""
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_connection_used_moments_ago_is_not_pinged(make_app, monkeypatch):
    app = make_app(60)
    pings = _pings(app, monkeypatch)
    for _ in range(5):
        _use(app)
    assert pings == []


def test_a_connection_idle_past_the_limit_is_pinged_before_use(make_app, monkeypatch):
    app = make_app(0)  # every connection counts as idle once returned
    pings = _pings(app, monkeypatch)
    _use(app)  # a new connection: just made, not pinged
    assert pings == []
    _use(app)
    _use(app)
    assert len(pings) == 2


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="a server to end a connection from the other side")
def test_a_connection_that_died_in_the_pool_is_replaced_before_the_page_uses_it(make_app, app_config):
    app = make_app(0)
    with app.app_context():
        with db.engine.connect() as connection:
            first = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        # The server ends the pooled connection (a restart, or a firewall dropping an idle connection), asked by
        # a connection of its own: the pool would hand back the very connection to be ended.
        url = app_config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (first,))
        pids = set()
        for _ in range(3):  # whichever pooled connection comes out, each works
            with db.engine.connect() as connection:
                pids.add(connection.execute(text("SELECT pg_backend_pid()")).scalar())
        assert first not in pids
