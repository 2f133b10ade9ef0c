"""The Section 117 staff pages of the demo partnership pass axe-core (also showing their errors), reflow at 320 CSS
pixels, and work with JavaScript off: a detention is recorded and a refused section is explained beside its field."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_reflow_crawl import NARROW, overflow

ASSESSOR = "assessor@riverside.example.org"
ADMIN = "admin@riverside.example.org"


def _daniel(app: Any) -> tuple[str, str]:
    """The demo's Daniel Osei (entitled to aftercare), and one of his detentions."""
    from portal.extensions import db
    from portal.models import Case
    from portal.section117_models import Detention

    with app.app_context():
        case = db.session.scalar(select(Case).filter_by(person_name="Daniel Osei"))
        detention = db.session.scalar(select(Detention).filter_by(person_id=case.person_id))
        return case.public_id, detention.public_id


def _pages(base: str, case_id: str, detention_id: str) -> list[str]:
    root = f"{base}/staff/cases/{case_id}"
    return [
        root,
        f"{root}/section-117",
        f"{root}/section-117/detentions/new",
        f"{root}/section-117/detentions/{detention_id}/discharge",
        f"{root}/section-117/what-it-covers",
        f"{root}/section-117/splits/new",
    ]


def test_section_117_pages_are_accessible_and_reflow(live_server, live_app, browser, axe_page):
    case_id, detention_id = _daniel(live_app)
    sign_in(axe_page, live_server, ASSESSOR, DEMO_PASSWORD)
    for url in _pages(live_server, case_id, detention_id):
        response = axe_page.goto(url)
        assert response is not None and response.status == 200, url
        assert_accessible(axe_page)
    # A refused section: the error summary and the message beside the field pass too.
    axe_page.goto(f"{live_server}/staff/cases/{case_id}/section-117/detentions/new")
    axe_page.fill("#section", "2")
    with axe_page.expect_navigation():
        axe_page.click("main form button[type=submit]")
    assert "Section 2 does not give a right to aftercare" in axe_page.inner_text("#section-error")
    assert_accessible(axe_page)
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    try:
        sign_in(page, live_server, ASSESSOR, DEMO_PASSWORD)
        problems = []
        for url in _pages(live_server, case_id, detention_id):
            page.goto(url)
            if problem := overflow(page):
                problems.append(problem)
        context.clear_cookies()
        sign_in(page, live_server, ADMIN, DEMO_PASSWORD)
        page.goto(f"{live_server}/staff/organisation/pooled-split")
        if problem := overflow(page):
            problems.append(problem)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_the_pooled_split_page_is_accessible(live_server, axe_page):
    sign_in(axe_page, live_server, ADMIN, DEMO_PASSWORD)
    axe_page.goto(f"{live_server}/staff/organisation/pooled-split")
    assert "57.5%" in axe_page.inner_text("main") and "57.50%" not in axe_page.inner_text("main")  # as agreed
    assert_accessible(axe_page)


def test_a_detention_is_recorded_with_javascript_off(live_server, live_app, browser):
    case_id, _ = _daniel(live_app)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, ASSESSOR, DEMO_PASSWORD)
        page.goto(f"{live_server}/staff/cases/{case_id}/section-117/detentions/new")
        page.fill("#section", "s.37/41")
        page.fill("#detained_on-day", "2")
        page.fill("#detained_on-month", "3")
        page.fill("#detained_on-year", "2019")
        page.fill("#discharged_on-day", "9")
        page.fill("#discharged_on-month", "9")
        page.fill("#discharged_on-year", "2019")
        page.fill("#responsible_council", "Riverside Borough Council")
        page.fill("#responsible_icb", "NHS Riverside Integrated Care Board")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.url.endswith("/section-117")
        assert "The detention has been recorded." in page.inner_text("main")
    finally:
        context.close()
