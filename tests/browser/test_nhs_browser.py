"""The ICB's pages in a real browser: the personal health budget's sign-offs, the Continuing Healthcare record and
the young people moving to adult services pass axe, reflow at 320 px, and work with JavaScript off."""

from __future__ import annotations

import pytest

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_reflow_crawl import NARROW, overflow

APPROVER = "approver@eastbrook.example.org"


def _pages_of_peter(page, base):
    """From the queue to Peter's case, and the links to its NHS pages, as a member of staff would find them."""
    page.goto(f"{base}/staff/queue")
    page.click("tr:has-text('Peter Okonkwo') a")
    case_url = page.url
    phb_url = page.get_attribute("nav.app-case-nav >> text=Personal health budget", "href")
    chc_url = page.get_attribute("nav.app-case-nav >> text=NHS Continuing Healthcare", "href")
    return case_url, phb_url, chc_url


@pytest.mark.parametrize("width", [None, NARROW])
def test_the_nhs_pages_are_accessible_and_reflow(live_server, browser, width):
    context = browser.new_context(bypass_csp=True, **({"viewport": width} if width else {}))
    page = context.new_page()
    try:
        sign_in(page, live_server, APPROVER, DEMO_PASSWORD)
        page.goto(f"{live_server}/staff/")
        page.click("text=Young people moving to adult services")
        assert "Jordan Bell" in page.inner_text("main")
        urls = [page.url]
        _, phb_url, chc_url = _pages_of_peter(page, live_server)
        urls += [f"{live_server}{phb_url}", f"{live_server}{chc_url}"]
        page.goto(urls[-2])
        urls.append(f"{live_server}{page.get_attribute('text=Record the sign-off', 'href')}")
        page.goto(urls[-2])
        urls.append(f"{live_server}{page.get_attribute('text=Record the Decision Support Tool', 'href')}")
        urls.append(
            f"{live_server}{page.get_attribute('text=Record the ICB' + chr(39) + 's decision', 'href')}"
        )
        problems = []
        for url in urls:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            if not width:
                # axe at the desktop width, as the crawl does (at 320 px the shared footer's links sit closer
                # than its target-size rule likes, on every page: not these pages' own)
                assert_accessible(page)
            else:
                problem = overflow(page)
                if problem:
                    problems.append(problem)
        assert not problems, problems
    finally:
        context.close()


def test_signing_off_the_plan_works_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, APPROVER, DEMO_PASSWORD)
        _, phb_url, _ = _pages_of_peter(page, live_server)
        page.goto(f"{live_server}{phb_url}")
        page.click("text=Record the sign-off")
        assert page.inner_text("h1") == "Personalised care and support plan"
        page.fill("textarea[name=note]", "Plan agreed at the review meeting")
        with page.expect_navigation():
            page.click("main form button[type=submit], main form input[type=submit]")
        text = page.inner_text("main")
        assert "Signed off: Personalised care and support plan." in text
        assert "Signed off by Eastbrook Approver" in text
        assert "Plan agreed at the review meeting" in text
    finally:
        context.close()
