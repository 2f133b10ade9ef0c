"""Shared fixtures: a fresh app and database per test, accounts, a page-checking client and an SMTP server.

The database is SQLite unless PORTAL_TEST_DATABASE_URL names a PostgreSQL database, in which case the same
tests run there (.ci/run creates a fresh one). Either way the schema comes from the Alembic migrations, not
from ``create_all``, so the migrations are what the tests prove.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from portal.app import create_app
from portal.config import TestConfig, normalise_database_url

PG_URL = normalise_database_url(os.environ.get("PORTAL_TEST_DATABASE_URL", "").strip())


def _keep_url_builders() -> None:
    """Compile each route's URL builder once per test process instead of once per app.

    Every test builds its own app, and Werkzeug (pinned in pyproject.toml) compiles two URL-building functions
    for each of its routes through ``ast`` and ``compile``: about 60 ms an app, a third of a typical test. The
    function it compiles depends only on the rule's text, parsed parts and defaults (it reads the converters
    from the rule it is bound to when it runs), so the tests keep it by those. Production builds one app per
    process and is untouched. Every test that builds a URL checks this; tests/test_pages.py checks it directly.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    kept: dict[tuple[Any, ...], Any] = {}

    def kept_builder(self: Rule, append_unknown: bool = True) -> Any:
        defaults = self.defaults or {}
        key = (
            self.rule,
            tuple(self._trace),
            tuple(
                sorted(
                    (name, repr(value), type(self._converters.get(name))) for name, value in defaults.items()
                )
            ),
            append_unknown,
        )
        builder = kept.get(key)
        if builder is None:
            builder = kept[key] = compile_builder(self, append_unknown)
        return builder

    kept_builder.compiled = compile_builder  # type: ignore[attr-defined]
    Rule._compile_builder = kept_builder  # type: ignore[method-assign]


_keep_url_builders()


def _migrate(url: str) -> None:
    """Build the schema at ``url`` by running every Alembic migration."""
    from flask_migrate import upgrade

    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        from portal.extensions import db

        db.engine.dispose()


def _config_dict() -> dict[str, Any]:
    """TestConfig as a dict, so a test can override single keys."""
    return {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own, created fresh beside the given one."""
    if worker in ("", "master"):
        return url
    base, _, name = url.rpartition("/")
    own = f"{name}_{worker}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own}"'))
        connection.execute(text(f'CREATE DATABASE "{own}"'))
    admin.dispose()
    return f"{base}/{own}"


@pytest.fixture(scope="session")
def pg_url(worker_id: str) -> str:
    """This worker's PostgreSQL database (empty string when the tests run on SQLite)."""
    return _worker_database(PG_URL, worker_id) if PG_URL else ""


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory, pg_url: str) -> str:
    """Migrate once per run: a SQLite file to copy per test, or the PostgreSQL database itself."""
    if pg_url:
        _migrate(pg_url)
        return pg_url
    # scripts/mutation.py runs the tests hundreds of times on code whose migrations do not change: its first run
    # keeps the migrated file here and the others copy it (migrating took a few seconds of every run).
    kept = os.environ.get("PORTAL_TEST_SQLITE_TEMPLATE", "")
    if kept and Path(kept).is_file():
        return kept
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    if kept:
        shutil.copy(path, kept)
    return str(path)


_PG_ENGINE: dict[str, Any] = {}


def _truncate_postgres(url: str) -> None:
    """Empty every table between tests.

    DELETE is much quicker than TRUNCATE on small tables. The audit trail's trigger refuses deletes, so this
    session sets ``session_replication_role = replica``, which skips triggers (the test user is a superuser).
    """
    engine = _PG_ENGINE.get(url)
    if engine is None:
        engine = _PG_ENGINE[url] = create_engine(
            url, poolclass=NullPool, connect_args={"options": "-c synchronous_commit=off"}
        )
    with engine.begin() as connection:
        if "tables" not in _PG_ENGINE:
            _PG_ENGINE["tables"] = [
                table.name for table in reversed(_metadata().sorted_tables) if table.name != "alembic_version"
            ]
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in _PG_ENGINE["tables"]:
            connection.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 - table names from our own metadata


def _metadata() -> Any:
    """The models' metadata (tables in dependency order)."""
    from portal.extensions import db

    return db.metadata


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    """A database for one test, already migrated and empty."""
    if PG_URL:
        _truncate_postgres(database_template)
        return database_template
    target = tmp_path / "portal.db"
    shutil.copy(database_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    """The settings of the test app; a test may change them before ``app`` is built."""
    config = {**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url}
    if database_url.startswith("postgresql"):
        # A test database need not survive a power cut: don't wait for each commit to reach the disk.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": "-c synchronous_commit=off"}}
    return config


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """A fresh app bound to a fresh database."""
    application = create_app(app_config)

    def fresh_g() -> None:
        # The fixture keeps one app context open so tests can use the database; Flask then reuses it for
        # every request, and with it `g` (signed-in user, CSRF token, locale). Start each request with an
        # empty `g`, as it is in production where every request has its own app context.
        from flask import g

        g.__dict__.clear()

    application.before_request_funcs.setdefault(None, []).insert(0, fresh_g)
    with application.app_context():
        yield application
        from portal.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with cookies."""
    return app.test_client()


@pytest.fixture
def make_account(app: Flask) -> Any:
    """Create an account: ``make_account(role=Role.ASSESSOR, organisation=org)``."""
    from portal.extensions import db
    from portal.models import Account, Role
    from portal.security import hash_password

    counter = iter(range(1, 10_000))

    def make(
        role: Any = None,
        *,
        email: str | None = None,
        name: str = "Test Person",
        password: str = "correct horse battery",
        organisation: Any = None,
        level: int | None = None,
        locale: str = "en",
    ) -> Any:
        account = Account(
            email=email or f"person{next(counter)}@example.org",
            name=name,
            role=role or Role.CITIZEN,
            organisation_id=organisation.id if organisation else None,
            approval_level=level,
            password_hash=hash_password(password),
            locale=locale,
        )
        db.session.add(account)
        db.session.commit()
        return account

    return make


@pytest.fixture
def make_organisation(app: Flask) -> Any:
    """Create an organisation: ``make_organisation("Northfield", districts=("NF1",))``."""
    from portal.extensions import db
    from portal.models import Organisation, OrganisationKind, PostcodeDistrict

    def make(name: str = "Test Council", *, districts: tuple[str, ...] = (), kind: Any = None) -> Any:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        organisation = Organisation(
            name=name,
            slug=slug,
            kind=kind or OrganisationKind.COUNCIL,
            contact_email=f"care@{slug}.example.org",
        )
        organisation.postcode_districts = [PostcodeDistrict(district=d) for d in districts]
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return make


def sign_in(client: FlaskClient, account: Any, password: str = "correct horse battery") -> Any:
    """Sign in through the real form, CSRF token and all."""
    page = client.get("/account/sign-in")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/account/sign-in", data={"csrf_token": token, "email": account.email, "password": password}
    )


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


def check_page(html: str, *, lang: str = "en", errors: bool = False) -> BeautifulSoup:
    """Assert the basics every page must get right, and return it parsed.

    One <h1>; a <title> that starts with it (after "Error: " when the page shows errors); unique ids;
    <html lang> and dir; an error summary exactly when there are errors.
    """
    page = BeautifulSoup(html, "html.parser")
    assert "%(" not in html, "a gettext placeholder was left unfilled"
    headings = page.find_all("h1")
    assert len(headings) == 1, f"expected one h1, found {len(headings)}"
    title = page.title.get_text(" ", strip=True) if page.title else ""
    heading = " ".join(headings[0].get_text(" ", strip=True).split())
    summary = page.select_one(".govuk-error-summary")
    if errors:
        assert summary is not None, "expected an error summary"
        assert not title.startswith(heading), "an error page's title must start with its error prefix"
    else:
        assert summary is None, (
            f"unexpected error summary: {summary.get_text(' ', strip=True) if summary else ''}"
        )
        assert title.startswith(heading), f"title {title!r} does not start with h1 {heading!r}"
    ids = [tag["id"] for tag in page.find_all(attrs={"id": True})]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    assert page.html is not None and page.html.get("lang") == lang
    assert page.html.get("dir") == ("rtl" if lang == "ur" else "ltr")
    return page


@pytest.fixture
def client_request(client: FlaskClient, app: Flask) -> Any:
    """Get or post pages by endpoint name, check the status and the page basics, return the parsed page."""

    class ClientRequest:
        def get(
            self, endpoint: str, *, _status: int = 200, _lang: str = "en", _query: str = "", **values: Any
        ) -> Any:
            with app.test_request_context():
                url = url_for(endpoint, **values)
            response = client.get(url + (f"?{_query}" if _query else ""))
            assert response.status_code == _status, f"{url}: {response.status_code}"
            if _status in (301, 302, 303):
                return response
            return check_page(response.get_data(as_text=True), lang=_lang)

        def post(
            self,
            endpoint: str,
            data: dict[str, Any],
            *,
            _status: int = 200,
            _errors: bool = False,
            **values: Any,
        ) -> Any:
            with app.test_request_context():
                url = url_for(endpoint, **values)
            token = csrf_from(client.get(url).get_data(as_text=True))
            response = client.post(url, data={"csrf_token": token, **data})
            assert response.status_code == _status, f"{url}: {response.status_code}"
            if _status in (301, 302, 303):
                return response
            return check_page(response.get_data(as_text=True), errors=_errors)

    return ClientRequest()


class Inbox:
    """Messages received by the test SMTP server."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        from email import message_from_bytes
        from email.policy import default

        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def _free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[Inbox]:
    """A real SMTP server on loopback; the app's mail settings point at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=port)
    try:
        yield inbox
    finally:
        controller.stop()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the catalogues, as the install step does, so a checkout can run the tests directly."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as handle:
                catalog = read_po(handle)
            with mo.open("wb") as handle:
                write_mo(handle, catalog)
