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
