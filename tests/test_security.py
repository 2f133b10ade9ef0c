"""Security headers, the Content-Security-Policy, and templates free of inline script and style."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_security_headers_on_every_kind_of_response(client):
    for path, status in (("/", 200), ("/no-such-page", 404), ("/staff/", 302)):
        response = client.get(path)
        assert response.status_code == status
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "style-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"
        assert "camera=()" in headers["Permissions-Policy"]


def test_hsts_is_sent_when_configured(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["HSTS"] = True
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_inline_script_and_the_policy_allows_only_our_own(client):
    response = client.get("/")
    policy = dict(
        part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert [s for s in page.find_all("script") if not s.get("src")] == []
    assert not page.find_all("style") and not page.select("[style]")
    first = page.body.find(True)
    assert first.name == "script" and first["src"].endswith("/js-enabled.js"), (
        "marks the page before it is drawn"
    )


def test_no_template_has_inline_script_style_or_handlers():
    pattern = re.compile(r"<style|\sstyle=\"|\son[a-z]+=\"|<script(?![^>]*\ssrc=)", re.I)
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_session_cookie_is_http_only_and_lax(client, make_account):
    from tests.conftest import sign_in

    response = sign_in(client, make_account())
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("portal_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_config_uses_secure_cookies():
    from portal.config import Config

    assert Config.SESSION_COOKIE_SECURE is True
    assert Config.ARGON2_MEMORY_COST >= 19 * 1024


def test_oversized_request_is_refused_politely(client):
    response = client.post("/account/sign-in", data={"email": "x" * (6 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
