"""The Section 117 aftercare Needs Profile in a real browser: completed by a practitioner with the person, and
prepared by the person themselves in Easy Read. Every page passes axe-core, and with "Add note" open none scrolls
sideways at 320 CSS pixels (WCAG 1.4.10)."""

from __future__ import annotations

from typing import Any

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_journey_browser import register, submit
from tests.browser.test_reflow_crawl import NARROW, overflow
from tests.questionnaire.test_section_117_schema import SEED_ANSWERS


def _checked(page: Any) -> None:
    """axe-core at the page's width, then every <details> open at 320 px with nothing past the edge."""
    assert_accessible(page)
    wide = page.viewport_size
    page.set_viewport_size(NARROW)
    problem = overflow(page)  # opens every <details>, "Add note" among them
    assert problem is None, problem
    page.set_viewport_size(wide)
    page.reload()


def _answer(page: Any, question_id: str, note: str = "") -> None:
    value = SEED_ANSWERS[question_id]
    form = page.locator("main form")
    if isinstance(value, list):
        for item in value:
            form.locator(f"input[type=checkbox][value={item}]").check()
    elif form.locator("input[type=radio]").count():
        form.locator(f"input[type=radio][value={value}]").check()
    else:
        form.locator("textarea[name=answer]").fill(value or "What helps: walking the dog.")
    if note:
        page.locator("details.app-answer-note summary").click()
        page.fill("textarea[name=note]", note)
    submit(page)


def _questions(page: Any, notes: dict[str, str]) -> None:
    for _ in range(40):
        if "/questions/" not in page.url:
            return
        question_id = page.url.split("?")[0].rsplit("/", 1)[1]
        assert page.locator("details.app-answer-note").count() == 1, question_id
        _checked(page)
        _answer(page, question_id, notes.get(question_id, ""))


def test_a_practitioner_completes_it_with_the_person(live_server, browser):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, "assessor@riverside.example.org", DEMO_PASSWORD)
    page.goto(f"{live_server}/staff/")
    page.click("text=Section 117 aftercare Needs Profile")
    page.wait_for_load_state()
    _checked(page)
    page.fill("#name", "Rhys Browser")
    page.fill("#date_of_birth-day", "3")
    page.fill("#date_of_birth-month", "4")
    page.fill("#date_of_birth-year", "1985")
    page.fill("#postcode", "RV1 2XY")
    submit(page)
    _questions(page, {"engaging-with-support": "Finds new workers hard"})
    assert page.url.endswith("/finish"), page.url
    _checked(page)
    submit(page)
    case_url = page.url.split("?")[0]
    page.goto(case_url + "/needs-profile")
    _checked(page)
    assert "Finds new workers hard" in page.locator("dl.app-answer-notes").inner_text()
    for key in ("mental_health", "medication", "community"):
        page.check(f"input[name=arising][value={key}]")
    page.check("input[name=reduces_risk][value=yes]")
    submit(page, "main form button[type=submit]")
    page.goto(case_url + "/budget")
    _checked(page)
    titles = page.locator("table.app-allocation-summary tbody th").all_inner_texts()
    assert titles[0] == "Carrying out essential daily living tasks"
    assert titles[-1] == "Weekly medication allocation"
    context.close()


def test_the_person_prepares_it_themselves_in_easy_read(live_server, browser):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    register(page, live_server)
    page.goto(f"{live_server}/my/new?tool=section_117&easy_read=1")
    _checked(page)
    page.check("input[value=myself]")
    submit(page)
    page.fill("#date_of_birth-day", "14")
    page.fill("#date_of_birth-month", "2")
    page.fill("#date_of_birth-year", "1980")
    page.fill("#postcode", "RV1 1AA")
    submit(page)
    assert "/questions/" in page.url, page.url
    assert page.locator("img.app-easy-read-picture").count() == 1  # Easy Read pages show a picture
    _questions(page, {"harder-times": "Winter is hard"})
    assert page.url.endswith("/check"), page.url
    _checked(page)
    context.close()
