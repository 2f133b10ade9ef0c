"""Every page the crawler can reach, as every role, passes axe-core with no CSP violation."""

from __future__ import annotations

from collections import deque
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from portal.demo import DEMO_PASSWORD
from portal.i18n import LANGUAGES
from tests.browser.conftest import assert_accessible, sign_in

ROLES = {
    "anonymous": None,
    "citizen": "citizen@example.org",
    "assessor": "assessor@northfield.example.org",
    "approver": "approver@northfield.example.org",
    "admin": "admin@riverside.example.org",
    "deployment_admin": "deployment-admin@example.org",
}
SKIP = ("/static/", "/account/sign-out", "mailto:", "/healthz", "/download", ".pdf", ".json", ".yaml", ".csv")


def crawl(page, base: str, limit: int = 60) -> list[str]:
    """Visit every same-site page reachable by links (English only), checking each with axe."""
    seen: set[str] = set()
    queue = deque([f"{base}/"])
    visited = []
    while queue and len(visited) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.status < 500, (
            f"{url}: {response.status if response else '?'}"
        )
        assert_accessible(page)
        visited.append(url)
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
        ):
            target = urldefrag(urljoin(url, href))[0]
            parsed = urlparse(target)
            if parsed.netloc != urlparse(base).netloc or "lang=" in (parsed.query or ""):
                continue
            if any(part in target for part in SKIP):
                continue
            if target not in seen:
                queue.append(target)
    return visited


@pytest.mark.parametrize("role", list(ROLES))
def test_every_reachable_page_is_accessible(live_server, axe_page, role):
    if ROLES[role]:
        sign_in(axe_page, live_server, ROLES[role], DEMO_PASSWORD)
    visited = crawl(axe_page, live_server)
    assert len(visited) >= 7  # the start page, the five information pages and at least one more


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_pages_at_320_px_are_accessible(live_server, axe_page, lang):
    # WCAG 2.2's target size (2.5.8): links that sit side by side on a wide screen wrap into rows on a narrow one.
    axe_page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/account/sign-in", "/privacy"):
        axe_page.goto(f"{live_server}{path}?lang={lang}")
        assert_accessible(axe_page)


@pytest.mark.parametrize("lang", [language.code for language in LANGUAGES if language.code != "en"])
def test_pages_in_other_languages_are_accessible(live_server, axe_page, lang):
    for path in ("/", "/account/sign-in", "/account/register", "/privacy", "/cookies"):
        axe_page.goto(f"{live_server}{path}?lang={lang}")
        assert axe_page.get_attribute("html", "lang") == lang
        assert axe_page.get_attribute("html", "dir") == ("rtl" if lang == "ur" else "ltr")
        assert_accessible(axe_page)


def test_error_states_are_accessible(live_server, axe_page):
    axe_page.goto(f"{live_server}/account/sign-in")
    with axe_page.expect_navigation():
        axe_page.click("main form button[type=submit]")
    assert axe_page.locator(".govuk-error-summary").is_visible()
    assert_accessible(axe_page)
    axe_page.goto(f"{live_server}/account/register")
    axe_page.fill("#email", "not an email")
    with axe_page.expect_navigation():
        axe_page.click("main form button[type=submit]")
    assert axe_page.title().startswith("Error:")
    assert_accessible(axe_page)
    axe_page.goto(f"{live_server}/no-such-page")
    assert_accessible(axe_page)


def test_no_page_reports_a_csp_violation(live_server, csp_page):
    for path in (
        "/",
        "/account/sign-in",
        "/account/register",
        "/privacy",
        "/accessibility",
        "/cookies",
        "/contact",
        "/complaints",
        "/?lang=ur",
    ):
        csp_page.goto(f"{live_server}{path}")
        csp_page.wait_for_load_state("networkidle")
        # GOV.UK Frontend's JavaScript ran (it needs js-enabled.js and the module script).
        assert "govuk-frontend-supported" in csp_page.get_attribute("body", "class")
    sign_in(csp_page, live_server, "deployment-admin@example.org", DEMO_PASSWORD)
    for path in ("/staff/", "/staff/organisations", "/staff/organisations/new", "/staff/mailbox"):
        csp_page.goto(f"{live_server}{path}")
        csp_page.wait_for_load_state("networkidle")
    assert csp_page.csp_violations == []
    assert csp_page.evaluate("typeof window.htmx") == "object"


def test_sign_in_works_with_javascript_off(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "citizen@example.org", DEMO_PASSWORD)
    assert page.url.endswith("/my/")
    assert page.locator("h1").inner_text() == "Your assessments"
    context.close()
