"""The application factory."""

from __future__ import annotations

import gc
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext, refresh
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2 import BytecodeCache, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from jinja2.bccache import Bucket
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from portal.settings import ROOT


class _MemoryBytecodeCache(BytecodeCache):
    """Jinja bytecode kept in this process's memory."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket from memory, if this template was compiled before."""
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep a newly compiled template."""
        self._store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CACHE = _MemoryBytecodeCache()


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the portal: settings, extensions, blueprints, error pages and commands."""
    from portal.config import Config, check_secret_key, check_session_limits

    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    if isinstance(config, dict):
        app.config.from_object(Config)
        app.config.update(config)
    else:
        app.config.from_object(config or Config)
    check_secret_key(app.config)
    check_session_limits(app.config)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    # Compiled templates are shared by every app in the process (keyed by the template's source checksum,
    # so an edited template is compiled again): tests build many apps, and workers build one each.
    app.jinja_env.bytecode_cache = _TEMPLATE_CACHE
    # Loaded templates in a plain dict: Jinja's default LRU cache takes a lock and moves the template's name along
    # a queue at every look-up, and a page looks up a dozen (its layout, includes, imported macros): 4% of a
    # question page's time under load, measured. The templates are a fixed set of about 190, so nothing to evict.
    app.jinja_env.cache = {}
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from portal import request_guard

    request_guard.register_converters(app)  # before any route is added
    _init_extensions(app)
    request_guard.init_app(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_error_pages(app)

    from portal import cli

    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    """Bind the extensions, the locale selector and the account loader."""
    from portal import (  # noqa: F401 - mail, letters and review reminders register job handlers
        letters,
        mail,
        review_due,
        security,
        sessions,
        throttle,
    )
    from portal.extensions import (
        babel,
        csrf,
        db,
        htmx,
        login_manager,
        migrate,
        ping_after_idle,
        reads_without_transactions,
    )
    from portal.i18n.web import remember_choice, select_locale
    from portal.models import Account

    db.init_app(app)
    reads_without_transactions(app)
    ping_after_idle(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = lazy_gettext("Sign in to see this page.")
    login_manager.login_message_category = "info"
    security.init_app(app)
    throttle.init_app(app)
    sessions.init_app(app)

    @login_manager.user_loader
    def load_account(session_id: str) -> Account | None:
        # The account came with the session record, in the same query.
        return sessions.account_for_record(session_id)

    def unauthorized() -> Any:
        # Say why when a session has just ended, rather than the general "Sign in to see this page".
        flash(sessions.lost_message() or login_manager.login_message, "info")
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))

    login_manager.unauthorized_handler(unauthorized)

    @app.before_request
    def before_request() -> None:
        refresh()
        remember_choice()

    @app.after_request
    def push_final_url(response: Any) -> Any:
        # htmx follows a POST's redirect inside the XHR, so it cannot know the page's new address: tell it,
        # so the address bar, history and a reload all match the page shown.
        if htmx and request.method == "GET" and response.status_code == 200:
            response.headers["HX-Push-Url"] = request.full_path.rstrip("?")
        return response

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine)


def _tune_sqlite(engine: Engine) -> None:
    """Make SQLite behave under a web server and a worker at once: WAL, foreign keys, a busy wait."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    """Blueprints are imported here, inside the factory, to avoid import cycles."""
    from portal.account_settings import bp as account_settings_bp
    from portal.accounts import bp as accounts_bp
    from portal.pages import bp as pages_bp
    from portal.practitioner import bp as practitioner_bp
    from portal.selfassess import bp as selfassess_bp
    from portal.sessions import bp as sessions_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(account_settings_bp)
    app.register_blueprint(selfassess_bp)
    app.register_blueprint(practitioner_bp)


def same_site_path() -> str:
    """The request's path, re-encoded so a browser cannot read it as another site's address.

    A path such as ``/%5Cevil.example/x`` arrives decoded as ``/\\evil.example/x``, which browsers treat like
    ``//evil.example/x``: percent-encode everything but plain path characters, and never start with ``//``.
    """
    return "/" + quote(request.path.lstrip("/\\"), safe="/-._~!$&'()*+,;=:@")


def _register_template_helpers(app: Flask) -> None:
    """Values and filters every template may use."""
    from portal.formatting import (
        format_day,
        format_money,
        isolate_bidi,
        isolate_gettext_values,
        ltr,
        ltr_share,
    )
    from portal.i18n import BY_CODE, LANGUAGES, direction
    from portal.i18n.web import current_code, easy_read, install_template_gettext
    from portal.sessions import ends as session_ends
    from portal.sessions import notice_text as session_notice

    def here() -> tuple[str, dict[str, str]]:
        """The request's path and query, worked out once a request for the page's several switch links."""
        found: tuple[str, dict[str, str]] | None = g.get("_portal_here")
        if found is None:
            found = g._portal_here = (same_site_path(), request.args.to_dict(flat=True))
        return found

    def switch_language_url(code: str) -> str:
        """The current page in another language, keeping the person's place."""
        path, args = here()
        return f"{path}?{urlencode({**args, 'lang': code})}"

    def switch_easy_read_url(on: bool) -> str:
        """The current page with Easy Read switched on or off, keeping the person's place."""
        path, args = here()
        kept = {key: value for key, value in args.items() if key != "lang"}
        return f"{path}?{urlencode({**kept, 'easy_read': '1' if on else '0'})}"

    @app.context_processor
    def inject() -> dict[str, Any]:
        locale = current_code()
        return {
            "branding": app.config["BRANDING"],
            "languages": LANGUAGES,
            "current_language": BY_CODE.get(locale, BY_CODE["en"]),
            "text_direction": direction(locale),
            "switch_language_url": switch_language_url,
            "switch_easy_read_url": switch_easy_read_url,
            "easy_read_on": easy_read(),
            "current_user": current_user,
            "session_ends": session_ends,
            "session_notice": session_notice,
            "session_warning_seconds": app.config["SESSION_WARNING_SECONDS"],
        }

    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["ltr"] = ltr
    app.jinja_env.filters["share"] = ltr_share
    # Direction controls typed into a name (or any other value) stay inside it, on every page and in emails.
    app.jinja_env.finalize = isolate_bidi
    install_template_gettext(app.jinja_env)
    isolate_gettext_values(app.jinja_env)

    from portal import cases

    def moves(case: Any) -> frozenset[cases.Move]:
        """What the signed-in account may do to the case now: templates offer these and nothing else."""
        return cases.allowed_moves(current_user, case)

    app.jinja_env.globals["moves"] = moves

    from portal.fragments import fragment

    app.jinja_env.globals["fragment"] = fragment

    from portal.decision_easy_read import decision_lines

    # The decision in Easy Read, for the status page and the decision email (the letter gets it in its context).
    app.jinja_env.globals["decision_easy_read"] = decision_lines


def _register_error_pages(app: Flask) -> None:
    """Every error is a page in the person's language, never a stack trace."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        # An expired or missing token: say so and send the person back, keeping nothing secret.
        flash(
            lazy_gettext("Your session has timed out or the form was out of date. Please try again."), "error"
        )
        target = request.path if request.method == "POST" else url_for("pages.start")
        return redirect(target, code=303)

    from portal.cases import NotAllowed

    @app.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed) -> Any:
        # The lifecycle refused a move the page did not offer (a stale page, a crafted POST): a 403 page.
        from portal.extensions import db

        db.session.rollback()
        return render_template("errors/403.html"), 403

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        template = f"errors/{code}.html" if code in (400, 403, 404, 405, 413, 429) else "errors/500.html"
        return render_template(template, error=error), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> Any:
        app.logger.exception("unexpected error")
        from portal.extensions import db

        db.session.rollback()
        return render_template("errors/500.html"), 500


def warm(app: Flask) -> None:
    """Do once what each new worker's first requests would otherwise each do, before a server forks its workers.

    A fresh process spends about a second on its first question page: reading and checking the tools and the
    questionnaire (YAML and JSON Schema) and compiling templates. Under gunicorn (``preload_app``, see
    gunicorn.conf.py) every worker, and every worker started again after ``max_requests``, is forked warm
    instead, so no one waits a second or more behind a cold worker.
    """
    from portal import tool_service
    from portal.questionnaire import load_schema

    if not _is_portal(app):
        return
    with app.app_context():
        tool_service.available()
        load_schema()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    # Everything made so far (the app, tools, questionnaire, templates, about 150,000 objects) lives as long as
    # the process: out of the garbage collector's sight from now on. A full collection walked all of it, 80 to 200
    # ms during which the worker's other requests waited (a p99 latency of its own), and touching each object
    # copied the memory a forked worker shares with the master. Python's gc.freeze, made for servers that fork.
    gc.collect()
    gc.freeze()


def after_fork(app: Flask) -> None:
    """In a forked worker: never use a database connection opened before the fork (the parent's sockets)."""
    from portal.extensions import db

    if not _is_portal(app):
        return
    with app.app_context():
        db.engine.dispose(close=False)


def _is_portal(app: object) -> bool:
    """Whether a WSGI app is this portal (gunicorn's hooks also run for bench/hello.py under the same file)."""
    return isinstance(app, Flask) and "sqlalchemy" in app.extensions
