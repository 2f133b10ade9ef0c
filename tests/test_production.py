"""Production as documented: the secret key, Gunicorn's settings and access log, the health check."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from types import SimpleNamespace

from portal.settings import ROOT


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(ROOT),
    )


def test_the_app_refuses_to_start_without_a_secret_key_and_writes_none():
    key_file = ROOT / "instance" / "secret_key"
    before = key_file.stat().st_mtime if key_file.exists() else None
    result = _python("from portal.app import create_app; create_app()")
    assert result.returncode != 0
    assert "PORTAL_SECRET_KEY is not set" in result.stderr
    after = key_file.stat().st_mtime if key_file.exists() else None
    assert after == before  # nothing written to disk


def test_a_short_secret_key_is_refused_and_a_long_one_works():
    short = _python("from portal.app import create_app; create_app()", PORTAL_SECRET_KEY="too-short")
    assert short.returncode != 0 and "at least 32 characters" in short.stderr
    good = _python(
        "from portal.app import create_app; print(bool(create_app().secret_key))", PORTAL_SECRET_KEY="k" * 40
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == "True"


def test_the_demo_keeps_its_key_in_memory():
    result = _python(
        "from portal.config import DemoConfig; from portal.app import create_app; "
        "print(len(create_app(DemoConfig).secret_key))"
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 32


def test_gunicorn_configuration_file():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["worker_class"] == "gthread"
    assert settings["workers"] >= 2 and settings["threads"] >= 2
    assert 0 < settings["timeout"] <= 60 and settings["graceful_timeout"] > 0
    assert "%(h)s" not in settings["access_log_format"]  # no client address
    assert "%(q)s" not in settings["access_log_format"] and "%(r)s" not in settings["access_log_format"]
    # Workers are forked from a master that made and warmed the app (a cold worker took a second a page).
    assert settings["preload_app"] is True
    assert callable(settings["when_ready"]) and callable(settings["post_fork"])
    # Gunicorn itself accepts the file.
    from gunicorn.config import Config

    config = Config()
    for name, value in settings.items():
        if name in config.settings:
            config.set(name, value)
    assert config.logger_class.__name__ == "AccessLogger"


def test_access_log_has_no_personal_data():
    from datetime import timedelta

    from gunicorn.config import Config

    from portal.access_log import ACCESS_LOG_FORMAT, AccessLogger

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", "%(h)s %(a)s %(f)s %(q)s %(r)s %({cookie}i)s " + ACCESS_LOG_FORMAT)
    logger = AccessLogger(config)
    lines: list[str] = []
    logger.access_log = SimpleNamespace(info=lambda message, atoms: lines.append(message % atoms))
    environ = {
        "REMOTE_ADDR": "203.0.113.9",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/account/reset-password/SECRETTOKEN?email=alex@example.org",
        "PATH_INFO": "/account/reset-password/SECRETTOKEN",
        "QUERY_STRING": "email=alex@example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": "Alex's phone",
        "HTTP_REFERER": "https://mail.example/alex",
    }
    response = SimpleNamespace(status="200 OK", sent=123, headers=[("Set-Cookie", "portal_session=abc")])
    request = SimpleNamespace(headers=[("Cookie", "portal_session=abc")])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    (line,) = lines
    for secret in ("203.0.113.9", "SECRETTOKEN", "alex@example.org", "Alex's phone", "mail.example", "abc"):
        assert secret not in line
    assert '"GET /account/reset-password/[token]" 200 123 12ms' in line


def test_access_log_values_are_gunicorns_own():
    from datetime import timedelta

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from portal.access_log import _KEPT, AccessLogger

    ours, theirs = AccessLogger(Config()), Logger(Config())
    ours.now = theirs.now = lambda: "[07/Dec/2026:15:00:00 +0000]"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/my/cases?x=1",
        "PATH_INFO": "/my/cases",
        "SERVER_PROTOCOL": "HTTP/1.0",
    }
    request = SimpleNamespace(headers=[("Host", "portal.example")])
    for sent, status, took in (
        (0, "303 See Other", timedelta(seconds=2, microseconds=5_678)),
        (None, 500, timedelta()),
    ):
        response = SimpleNamespace(status=status, sent=sent, headers=[("Content-Type", "text/html")])
        expected = theirs.atoms(response, request, environ, took)
        assert ours.atoms(response, request, environ, took) == {key: expected[key] for key in _KEPT}


# -- the health check -----------------------------------------------------------------------------------

UNREACHABLE = "postgresql+psycopg://portal@127.0.0.1:1/portal?connect_timeout=2"


def test_health_reports_the_database_and_the_job_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "status": "ok",
        "database": {"ok": True},
        "jobs": {
            "ok": True,
            "waiting": 0,
            "oldest_waiting_seconds": 0,
            "running_past_lease": 0,
            "failed_last_day": 0,
        },
    }


def test_health_says_when_jobs_are_not_being_taken(app, client):
    from datetime import timedelta

    from portal.extensions import db
    from portal.mail import queue_email
    from portal.models import Job, utcnow

    queue_email("a@example.org", "password_reset", "en", name="A", link="x", hours=1, days=7, organisation="")
    db.session.commit()
    job = db.session.scalar(db.select(Job))
    job.run_after = utcnow() - timedelta(minutes=10)
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200  # the web process itself is fine
    body = response.get_json()
    assert body["status"] == "degraded" and not body["jobs"]["ok"]
    assert body["jobs"]["waiting"] == 1 and body["jobs"]["oldest_waiting_seconds"] >= 600
    assert "is a worker running" in body["jobs"]["problem"]


def test_health_says_when_the_database_does_not_answer(app_config):
    from portal.app import create_app
    from portal.extensions import db

    down = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": UNREACHABLE, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with down.app_context():
        try:
            response = down.test_client().get("/healthz")
        finally:
            db.session.remove()
            db.engine.dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "down" and body["database"]["ok"] is False
    assert "does not answer (OperationalError)" in body["database"]["problem"]
    assert "127.0.0.1" not in response.get_data(as_text=True)  # no connection details


# -- the worker when the database is away ---------------------------------------------------------------


def test_the_worker_waits_for_the_database_with_growing_delays(app_config, caplog):
    import threading
    import time

    from portal.app import create_app
    from portal.extensions import db
    from portal.jobs import work

    down = create_app(
        {
            **app_config,
            "SQLALCHEMY_DATABASE_URI": UNREACHABLE,
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "WORKER_RETRY_FIRST_SECONDS": 0.05,
            "WORKER_RETRY_MAX_SECONDS": 0.2,
        }
    )
    stop = threading.Event()
    outcome: dict[str, object] = {}

    def run() -> None:
        with down.app_context():
            try:
                outcome["done"] = work(stop=stop, poll_seconds=0.05)
            except Exception as error:  # noqa: BLE001 - the test reports it
                outcome["error"] = error
            finally:
                db.session.remove()
                db.engine.dispose()

    caplog.set_level("WARNING", logger="portal.jobs")
    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(1.5)
    alive = thread.is_alive()
    stop.set()
    thread.join(30)
    assert alive, f"the worker exited: {outcome}"
    assert outcome == {"done": 0}
    delays = [record.args[2] for record in caplog.records if "database unavailable" in record.getMessage()]
    assert len(delays) >= 3
    assert delays[:3] == [0.05, 0.1, 0.2] and max(delays) == 0.2  # doubling, capped


def test_the_worker_carries_on_when_the_database_comes_back(app, monkeypatch, smtp_server):
    from sqlalchemy.exc import OperationalError

    from portal import jobs
    from portal.extensions import db
    from portal.mail import queue_email
    from portal.models import Job, JobStatus

    app.config.update(WORKER_RETRY_FIRST_SECONDS=0.01, WORKER_RETRY_MAX_SECONDS=0.01)
    queue_email("a@example.org", "password_reset", "en", name="A", link="x", hours=1, days=7, organisation="")
    db.session.commit()
    real_claim = jobs.claim
    failures = iter([True, True, False])

    def flaky_claim(*args, **kwargs):
        if next(failures, False):
            raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(jobs, "claim", flaky_claim)
    assert jobs.work(max_jobs=1, poll_seconds=0.01) == 1
    assert db.session.scalar(db.select(Job)).status == JobStatus.DONE
    assert len(smtp_server.messages) == 1


def test_the_master_warms_the_app_before_forking_and_a_worker_drops_its_connections(app, monkeypatch):
    """What a worker's first page would do (read the tools and questionnaire, compile every template) is done
    once by gunicorn's master (when_ready); a forked worker then never reuses a connection opened before."""
    import runpy

    from portal import tool_service
    from portal.extensions import db

    monkeypatch.setattr(tool_service, "_last_read", None)
    app.jinja_env.cache.clear()
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    class Server:
        class app:  # noqa: N801 - gunicorn's server.app, whose wsgi() is the app
            @staticmethod
            def wsgi():
                return app

    import gc

    gc.unfreeze()
    try:
        settings["when_ready"](Server)
        # What the master made is kept out of the collector's full passes in the workers forked from it.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    assert tool_service._last_read is not None and "adult_social_care" in tool_service._last_read[2]
    compiled = {template.name for template in app.jinja_env.cache.values()}
    assert {"layout.html", "questions/question.html", "practitioner/case.html"} <= compiled
    disposed: list[bool] = []
    monkeypatch.setattr(type(db.engine), "dispose", lambda engine, close=True: disposed.append(close))
    settings["post_fork"](Server, object())
    assert disposed == [False], "the parent's connections are left to the parent, never closed or reused"


def test_the_hooks_leave_another_app_under_the_same_settings_alone():
    """bench/load.py serves a bare Flask app with this file too: the hooks must not touch it."""
    import runpy

    from flask import Flask

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    bare = Flask("hello")

    class Server:
        class app:  # noqa: N801 - gunicorn's server.app
            @staticmethod
            def wsgi():
                return bare

    settings["when_ready"](Server)
    settings["post_fork"](Server, object())
    assert bare.jinja_env.cache is None or not bare.jinja_env.cache
