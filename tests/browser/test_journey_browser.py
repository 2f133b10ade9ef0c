"""The citizen and carer journeys walked in a real browser, with JavaScript on and off, axe on every page."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import assert_accessible

COUNTER = itertools.count(1)


def register(page, base: str) -> str:
    """Create an account through the real form."""
    email = f"walker{next(COUNTER)}-{id(page)}@example.org"
    page.goto(f"{base}/account/register")
    page.fill("#name", "Robin Walker")
    page.fill("#email", email)
    page.fill("#password", "a long enough password")
    page.fill("#confirm", "a long enough password")
    submit(page)
    return email


def submit(page, button: str = "main form button[type=submit]") -> None:
    """Press the form's first submit button and wait until the next page (or the htmx swap) is in."""
    target = page.locator(button).first
    enhanced = page.evaluate(
        "() => !!(window.htmx && document.querySelector('main form[hx-post], main form[data-hx-post]'))"
    )
    if enhanced:
        page.evaluate(
            "() => { window.__settled = false;"
            " document.body.addEventListener('htmx:afterSettle', () => { window.__settled = true; }, {once: true}); }"
        )
        target.click()
        page.wait_for_function("() => window.__settled === true")
    else:
        with page.expect_navigation():
            target.click()
    page.wait_for_load_state()


def answer_page(page) -> None:
    """Answer whatever the current question page asks, choosing the first option."""
    form = page.locator("main form")
    if form.locator("input[type=radio]").count():
        form.locator("input[type=radio]").first.check()
    elif form.locator("input[type=checkbox]").count():
        form.locator("input[type=checkbox]").first.check()
    elif form.locator("textarea").count():
        form.locator("textarea").first.fill("Music and my friends.")
    elif form.locator("#answer-day").count():
        recent = date.today() - timedelta(days=10)  # "in the last 3 months" refuses older dates
        page.fill("#answer-day", str(recent.day))
        page.fill("#answer-month", str(recent.month))
        page.fill("#answer-year", str(recent.year))
    else:
        page.fill("#answer", "1")


def walk(page, base: str, *, carer: bool, check_each: bool) -> str:
    """Start, fill in the person's details, answer every question, check and send. Return the case URL."""
    page.goto(f"{base}/my/")
    page.click("text=Start a new assessment")
    page.wait_for_load_state()
    if check_each:
        assert_accessible(page)
    if carer:
        page.check("input[value=someone_else]")
        submit(page)
        if check_each:
            assert_accessible(page)
        page.fill("#name", "Sam")
        page.fill("#relationship", "Son")
        page.check("input[value=consent]")
    else:
        page.check("input[value=myself]")
    submit(page)
    # About the person: first an error state, then the real answers.
    submit(page)
    assert page.locator(".govuk-error-summary").is_visible()
    if check_each:
        assert_accessible(page)
    page.fill("#date_of_birth-day", "14")
    page.fill("#date_of_birth-month", "2")
    page.fill("#date_of_birth-year", "1948")
    page.fill("#postcode", "NF1 1AA")
    submit(page)
    # "About you" goes straight on to its questions; the task list is one link away.
    assert "/questions/" in page.url, page.url
    page.goto(page.url.split("/questions/")[0] + "/")
    if check_each:
        assert_accessible(page)  # the task list
    page.click("text=Carry on")
    page.wait_for_load_state()
    seen_error = False
    for _ in range(80):
        if "/questions/" not in page.url:
            break
        if check_each:
            assert_accessible(page)
        if not seen_error:
            submit(page)  # nothing chosen: an error state
            if page.locator(".govuk-error-summary").count():
                seen_error = True
                assert page.title().startswith("Error:")
                if check_each:
                    assert_accessible(page)
                continue
        answer_page(page)
        submit(page)
    assert page.url.endswith("/check"), page.url
    if check_each:
        assert_accessible(page)
    page.click("text=Continue")  # to the indicative budget
    page.wait_for_load_state()
    assert "/estimate" in page.url
    if check_each:
        assert_accessible(page)
    page.click("text=Continue to send your answers")
    page.wait_for_load_state()
    if check_each:
        assert_accessible(page)
    page.check("#confirm")
    submit(page)
    assert page.url.endswith("/sent")
    if check_each:
        assert_accessible(page)
    reference = re.search(r"CP-[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".govuk-panel").inner_text()).group(0)
    page.click("text=See where your assessment is up to")
    page.wait_for_load_state()
    assert reference in page.locator("main").inner_text()
    if check_each:
        assert_accessible(page)
    return page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("carer", [False, True], ids=["person", "carer"])
def test_journey_in_a_browser(live_server, browser, javascript, carer):
    context = browser.new_context(java_script_enabled=javascript, bypass_csp=True)
    page = context.new_page()
    register(page, live_server)
    # axe needs script: check every page with JavaScript on; with it off, the journey must simply work.
    status_url = walk(page, live_server, carer=carer, check_each=javascript)
    # Take it back and see the check page again.
    page.goto(status_url)
    page.click("text=Take it back to change something")
    page.wait_for_load_state()
    assert page.url.endswith("/check")
    if javascript:
        assert_accessible(page)
    context.close()


def test_carer_questions_name_the_person(live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    register(page, live_server)
    page.goto(f"{live_server}/my/new")
    page.check("input[value=someone_else]")
    submit(page)
    page.fill("#name", "Priya")
    page.fill("#relationship", "Friend")
    page.check("input[value=lpa_or_deputy]")
    submit(page)
    assert page.locator("h1").inner_text() == "About Priya"
    page.fill("#date_of_birth-day", "1")
    page.fill("#date_of_birth-month", "1")
    page.fill("#date_of_birth-year", "1950")
    page.fill("#postcode", "NF2 1AA")
    submit(page)
    assert "/questions/" in page.url, page.url  # "About Priya" goes straight on to its questions
    assert "Priya" in page.locator("h1").inner_text()
    context.close()


def test_htmx_saves_without_a_full_reload(live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    register(page, live_server)
    page.goto(f"{live_server}/my/new")
    page.check("input[value=myself]")
    submit(page)
    page.fill("#date_of_birth-day", "1")
    page.fill("#date_of_birth-month", "1")
    page.fill("#date_of_birth-year", "1950")
    page.fill("#postcode", "NF1 1AA")
    submit(page)
    assert "/questions/" in page.url, page.url
    page.evaluate("window.__marker = 'still the same document'")
    first_url = page.url
    submit(page)  # an error, shown without a reload
    assert page.locator(".govuk-error-summary").is_visible()
    answer_page(page)
    submit(page)
    assert page.url != first_url and "/questions/" in page.url
    assert page.evaluate("window.__marker") == "still the same document"
    context.close()
