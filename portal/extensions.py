"""Flask extensions, created once and bound to an app in :func:`portal.app.create_app`."""

import time
from typing import Any

from flask import Flask, has_request_context, request
from flask_babel import Babel
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

# Explicit constraint names, so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every table."""

    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
htmx = HTMX()

# A request that only reads (GET, HEAD, OPTIONS) runs on PostgreSQL without a transaction: each statement commits by
# itself, as in any autocommit client. Two reasons, both measured with bench/load.py and psycopg directly:
# - a read request's transaction is a BEGIN and a ROLLBACK, two round trips of about 100 microseconds each for
#   nothing (PostgreSQL's read committed gives each statement its own snapshot anyway);
# - psycopg forgets its prepared statements on every ROLLBACK, so a page's queries, run thousands of times on the
#   same connection, were planned afresh each time: the case query cost PostgreSQL 250 microseconds, prepared 50.
# A read request writes at most the session record and the audit event, each one statement, so nothing needs a
# transaction to be atomic. Writes (POST) and work outside requests (the job worker, commands) keep transactions.
# SQLite keeps its transactions: tests share one connection there, which autocommit would commit under them.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TAKEN = "portal.autocommit_connections"


def _engines(app: Flask) -> list[Any]:
    """The app's database engines (Flask-SQLAlchemy makes them when bound to the app)."""
    with app.app_context():
        return list(db.engines.values())


def reads_without_transactions(app: Flask) -> None:
    """Put a PostgreSQL connection taken for a reading request in autocommit, and back when it is returned."""
    engines = [engine for engine in _engines(app) if engine.dialect.name == "postgresql"]
    for engine in engines:
        event.listen(engine, "checkout", _autocommit_when_reading)
        event.listen(engine, "checkin", _transactions_again)
    if engines:
        app.teardown_request(_transactions_after_reading)


def _autocommit_when_reading(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    if has_request_context() and request.method in READING_METHODS:
        dbapi_connection.autocommit = True  # psycopg: client-side, no round trip
        # Kept with the request itself (its WSGI environ): nothing in the request may clear it, as `g` may be.
        request.environ.setdefault(_TAKEN, []).append(dbapi_connection)


def _transactions_after_reading(_error: BaseException | None) -> None:
    """At the end of a reading request, before its database session is removed, its connection takes
    transactions again: whatever uses that session next (a test's, or anything sharing the application context)
    gets the transactions and savepoints it expects. No round trip: the connection is idle in autocommit."""
    for connection in request.environ.pop(_TAKEN, ()):
        if not connection.closed:
            _transactions_again(connection, None)


def _transactions_again(dbapi_connection: Any, record: Any) -> None:
    if dbapi_connection is not None and dbapi_connection.autocommit:
        dbapi_connection.autocommit = False


# A pooled connection is checked before use only when it has sat unused for a while. SQLAlchemy's pool_pre_ping
# checks it at every checkout, a round trip to PostgreSQL on every page (10% of a question page's wall time under
# load, measured with py-spy) that finds a live connection every time but after the database restarted or a
# network device dropped an idle connection, which is what an idle limit catches. A connection dropped while in
# constant use shows at its next statement: SQLAlchemy then discards every connection the pool made before it,
# so one request per worker fails (a page saying so), not one per pooled connection.
_IDLE_SINCE = "portal.idle_since"


def ping_after_idle(app: Flask) -> None:
    """Check a pooled connection before use if it was returned more than DATABASE_PING_AFTER_SECONDS ago."""
    limit = float(app.config["DATABASE_PING_AFTER_SECONDS"])
    for engine in _engines(app):
        dialect = engine.dialect

        def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any, dialect: Any = dialect) -> None:
            since = record.info.get(_IDLE_SINCE)
            if since is None or time.monotonic() - since < limit:
                return  # a new connection, or one in use moments ago
            try:
                dialect.do_ping(dbapi_connection)
            except Exception as exc:
                # The pool discards this connection and takes another (SQLAlchemy's documented way to refuse).
                raise DisconnectionError("the connection was lost while it sat in the pool") from exc

        def returned(_dbapi_connection: Any, record: Any) -> None:
            record.info[_IDLE_SINCE] = time.monotonic()

        event.listen(engine, "checkout", ping_if_idle, insert=True)  # before reads_without_transactions'
        event.listen(engine, "checkin", returned)
