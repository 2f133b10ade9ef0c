"""Browser tests: a live portal on loopback, Debian's chromium driven by Playwright, and axe-core.

Never `playwright install`: the browser is Debian's /usr/bin/chromium. These run on SQLite only.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from portal.app import create_app
from tests.conftest import _config_dict, _free_port, _migrate

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in this folder is a browser test."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_app(live_server: str) -> Any:
    """The app behind the live server, for a test to run the worker against the same database."""
    return _LIVE["app"]


_LIVE: dict[str, Any] = {}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal with the demo data, served on a free loopback port for the whole session."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run the README's test command, which installs it")
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci`")
    path = tmp_path_factory.mktemp("live") / "portal.db"
    url = f"sqlite:///{path}"
    _migrate(url)
    port = _free_port()
    config = {
        **_config_dict(),
        "SQLALCHEMY_DATABASE_URI": url,
        "TESTING": False,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "MAIL_PORT": _free_port(),
        # Every browser test comes from 127.0.0.1 into one database: lift the per-address limits.
        "REGISTRATIONS_PER_ADDRESS": 10_000,
        "RESET_EMAILS_PER_ADDRESS": 10_000,
        "SIGN_IN_ATTEMPTS_PER_ADDRESS": 10_000,
    }
    app = create_app(config)
    with app.test_request_context():
        from portal.demo import seed_demo, seed_demo_cases
        from portal.demo_configs import seed_demo_configurations
        from portal.demo_section117 import seed_section117_demo

        seed_demo()
        seed_demo_configurations()
        seed_demo_cases()
        seed_section117_demo()
    _LIVE["app"] = app
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def axe_page(browser: Any) -> Iterator[Any]:
    """A page whose context bypasses CSP so axe-core can be injected (CSP is checked separately)."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def csp_page(browser: Any) -> Iterator[Any]:
    """A page with CSP enforced that records every CSP violation the browser reports."""
    context = browser.new_context()
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on("console", lambda message: _note_csp(page, message.text))
    yield page
    context.close()


def _note_csp(page: Any, text: str) -> None:
    if "Content Security Policy" in text or "Content-Security-Policy" in text:
        page.csp_violations.append(text)


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.2 A and AA) on the page and return its violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def assert_accessible(page: Any) -> None:
    """Fail with a readable list if axe finds any violation."""
    violations = run_axe(page)
    summary = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in violations
    ]
    assert not violations, f"{page.url}: " + json.dumps(summary, indent=1)


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    """Sign in through the real form."""
    page.goto(f"{base}/account/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
