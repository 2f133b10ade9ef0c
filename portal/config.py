"""Configuration classes. Values come from environment variables, with laptop-safe defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping

from portal.settings import ROOT, Branding

LANGUAGES = ("en", "cy", "pl", "ur")


def _bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY_MIN_LENGTH = 32


def _secret_key() -> str | None:
    """PORTAL_SECRET_KEY, or None: the app refuses to start without one (see ``create_app``).

    Never a key made up and written to disk: every web process must share the operator's key, and a key left
    in the checkout is one more secret to leak.
    """
    return os.environ.get("PORTAL_SECRET_KEY", "").strip() or None


def check_secret_key(config: dict[str, object]) -> None:
    """Refuse to run without a proper secret key (tests and the demo bring their own)."""
    key = config.get("SECRET_KEY")
    if not key:
        raise RuntimeError(
            "PORTAL_SECRET_KEY is not set. Set it to the same long random value on every web and worker "
            "process, for example: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if not config.get("TESTING") and len(str(key)) < SECRET_KEY_MIN_LENGTH:
        raise RuntimeError(f"PORTAL_SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters long.")


def check_session_limits(config: Mapping[str, object]) -> None:
    """Refuse session limits that would break WCAG 2.2.1 (decision 0012).

    A citizen's absolute limit cannot be extended, by design; it conforms only as the 20-hour exception, so it
    must be at least 20 hours. Every warning gives at least two minutes' notice.
    """
    if int(str(config["SESSION_ABSOLUTE_HOURS"])) < 20:
        raise RuntimeError(
            "PORTAL_SESSION_ABSOLUTE_HOURS must be at least 20 hours: it cannot be extended, so WCAG 2.2.1 "
            "allows it only as its 20-hour exception."
        )
    if int(str(config["SESSION_WARNING_SECONDS"])) < 120:
        raise RuntimeError("SESSION_WARNING_SECONDS must be at least two minutes (WCAG 2.2.1).")


def normalise_database_url(url: str) -> str:
    """Use psycopg 3, the driver we ship, for ``postgres://`` and ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _database_url() -> str:
    """The database: PORTAL_DATABASE_URL, else a SQLite file under instance/."""
    url = os.environ.get("PORTAL_DATABASE_URL", "").strip()
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{ROOT / 'instance' / 'portal.db'}"


class Config:
    """Production-leaning defaults; override with PORTAL_* environment variables."""

    SECRET_KEY = _secret_key()
    DEMO = False
    SQLALCHEMY_DATABASE_URI = _database_url()
    # No pre-ping at every checkout: a connection idle longer than this is checked before use (extensions.py).
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": False}
    DATABASE_PING_AFTER_SECONDS = float(os.environ.get("PORTAL_DATABASE_PING_AFTER_SECONDS", "10"))
    BRANDING = Branding.from_env()
    BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    LANGUAGES = LANGUAGES
    BABEL_DEFAULT_LOCALE = "en"
    # Tool folders beyond those shipped in portal/tools/ (decision 0015), separated by ":".
    TOOL_FOLDERS: tuple[str, ...] = tuple(
        p for p in os.environ.get("PORTAL_TOOL_FOLDERS", "").split(":") if p.strip()
    )
    # How often a running process looks whether the tool files changed (a deployment changes them, then
    # restarts or waits this long). Looking costs a few dozen system calls, too many for every page.
    TOOL_FILES_CHECK_SECONDS = float(os.environ.get("PORTAL_TOOL_FILES_CHECK_SECONDS", "10"))
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")

    # Sessions live in the database (portal/sessions.py); the cookie holds a random token and lasts as long as
    # the browser session. A session ends after SESSION_IDLE_MINUTES without a request, or SESSION_ABSOLUTE_HOURS
    # after signing in, whichever comes first; staff sessions sooner. Pages warn SESSION_WARNING_SECONDS before
    # either (WCAG 2.2.1 asks for at least two minutes and one action to extend). The absolute limit cannot be
    # extended, so a citizen's must be at least 20 hours (2.2.1's 20-hour exception; check_session_limits).
    SESSION_IDLE_MINUTES = int(os.environ.get("PORTAL_SESSION_IDLE_MINUTES", "60"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("PORTAL_SESSION_ABSOLUTE_HOURS", "24"))
    STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("PORTAL_STAFF_SESSION_IDLE_MINUTES", "30"))
    STAFF_SESSION_ABSOLUTE_HOURS = int(os.environ.get("PORTAL_STAFF_SESSION_ABSOLUTE_HOURS", "12"))
    SESSION_WARNING_SECONDS = 180
    # A reading page writes the session record at most this often, to move the idle limit on.
    SESSION_TOUCH_SECONDS = 60
    # Typed input held after a failed save is shown back for this long, then deleted.
    HELD_INPUT_HOURS = 24
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("PORTAL_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    MAX_CONTENT_LENGTH = 5 * 1024 * 1024

    # Argon2id, OWASP's recommended minimum (19 MiB, 2 passes).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    # Guessing limits (portal/throttle.py): failures per email address from one client address (then a delay
    # that doubles from 30 s to 15 min, counted over SIGN_IN_LOCK_MINUTES), per email address from anywhere
    # and per client address in an hour (a council office shares one address: keep this high).
    SIGN_IN_ATTEMPTS = 5
    SIGN_IN_LOCK_MINUTES = 15
    SIGN_IN_ATTEMPTS_PER_EMAIL = int(os.environ.get("PORTAL_SIGN_IN_ATTEMPTS_PER_EMAIL", "20"))
    SIGN_IN_ATTEMPTS_PER_ADDRESS = int(os.environ.get("PORTAL_SIGN_IN_ATTEMPTS_PER_ADDRESS", "200"))
    RESET_EMAILS_PER_EMAIL = 3
    RESET_EMAILS_PER_ADDRESS = int(os.environ.get("PORTAL_RESET_EMAILS_PER_ADDRESS", "30"))
    REGISTRATIONS_PER_ADDRESS = int(os.environ.get("PORTAL_REGISTRATIONS_PER_ADDRESS", "30"))
    # How many proxies (load balancer, reverse proxy) stand in front of the web processes and add their
    # client's address to X-Forwarded-For. 0: the connection's own address is the client's.
    TRUSTED_PROXIES = int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0"))
    RESET_LINK_HOURS = 1
    SETUP_LINK_DAYS = 7

    MAIL_HOST = os.environ.get("PORTAL_MAIL_HOST", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("PORTAL_MAIL_PORT", "8025"))
    MAIL_FROM = os.environ.get("PORTAL_MAIL_FROM", "no-reply@care-portal.invalid")
    MAIL_DOMAIN = os.environ.get("PORTAL_MAIL_DOMAIN", "care-portal.invalid")
    # The demo runs a local SMTP sink and shows what it caught to the deployment admin.
    MAIL_SINK_ENABLED = _bool("PORTAL_MAIL_SINK", False)

    # The most one person's weekly budget may be, in pence (PORTAL_MAX_WEEKLY_BUDGET, in whole pounds): a typed
    # amount above it is refused as a slip. See portal/money.py.
    MAX_WEEKLY_BUDGET_PENCE = int(os.environ.get("PORTAL_MAX_WEEKLY_BUDGET", "25000")) * 100

    JOB_LEASE_SECONDS = int(os.environ.get("PORTAL_JOB_LEASE_SECONDS", "60"))
    # A worker that cannot reach the database waits 1 s, 2 s, 4 s … up to a minute between tries.
    WORKER_RETRY_FIRST_SECONDS = 1.0
    WORKER_RETRY_MAX_SECONDS = 60.0
    # The health check reports the job queue as stuck when a due job has waited longer than this.
    HEALTH_JOB_WAIT_SECONDS = int(os.environ.get("PORTAL_HEALTH_JOB_WAIT_SECONDS", "300"))
    # an accuracy test or a calibration that runs longer than this fails (and is not retried)
    JOB_TIME_LIMIT_SECONDS = int(os.environ.get("PORTAL_JOB_TIME_LIMIT_SECONDS", "900"))
    HSTS = _bool("PORTAL_HSTS", True)


class DemoConfig(Config):
    """The one-command laptop demo: SQLite, plain HTTP on loopback, a local mail sink."""

    DEMO = True
    # The demo is one process (server and worker threads): a key held in memory, new at each start (which
    # signs everyone out), unless PORTAL_SECRET_KEY is set.
    SECRET_KEY = _secret_key() or secrets.token_hex(32)

    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_SINK_ENABLED = True
    HSTS = False
    TOOL_FILES_CHECK_SECONDS = 0.0  # tests write tool files and expect them read at once


class TestConfig(Config):
    """Fast, isolated settings for the test suite."""

    TESTING = True
    SECRET_KEY = "test-secret-key-for-the-test-suite-only"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    BASE_URL = "http://localhost"
    # Cheap hashing in tests only; production keeps the defaults above.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    MAIL_SINK_ENABLED = True
    HSTS = False
