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


def test_the_only_inline_script_carries_the_request_nonce(client):
    first = client.get("/")
    second = client.get("/")
    nonces = []
    for response in (first, second):
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        inline = [s for s in page.find_all("script") if not s.get("src")]
        assert len(inline) == 1 and inline[0]["nonce"] == nonce
        assert not page.find_all("style") and not page.select("[style]")
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "the nonce must change on every request"


def test_no_template_has_inline_script_style_or_handlers():
    pattern = re.compile(r"<style|\sstyle=\"|\son[a-z]+=\"|<script(?![^>]*\ssrc=)(?![^>]*nonce=)", re.I)
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
