"""A person assessed on the phone, in a real browser: their postal address is taken on the phone page, and a
question asked by letter is recorded with its answer by the assessor holding the case; every page passes axe and
reflows at 320 CSS pixels (issue 12 item 2)."""

from __future__ import annotations

from random import Random

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_inclusion import reflow_problem

ASSESSOR = "second-assessor@northfield.example.org"


def _phone_case(app) -> str:
    """A phone assessment of the second assessor's, every question answered and finished: claimed, no account."""
    from datetime import date

    from sqlalchemy import select

    from portal.demo import demo_answers
    from portal.extensions import db
    from portal.models import Account
    from portal.practitioner import service
    from portal.questionnaire import storable

    with app.app_context():
        assessor = db.session.scalar(select(Account).filter_by(email=ASSESSOR))
        case = service.start_phone_assessment(
            assessor,
            name="Owen Evans",
            date_of_birth=date(1945, 4, 3),
            postcode="NF1 2XY",
            nhs_number="",
            address={"address_line_1": "12 Station Road", "town": "Northfield"},
        )
        answers = demo_answers(service.schema(case), Random(11), 2, False, None)
        case.answers = {key: storable(value) for key, value in answers.items()}
        db.session.commit()
        service.finish_phone_assessment(assessor, case)
        return case.public_id


def _check(page) -> None:
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 900})
    assert reflow_problem(page) is None, reflow_problem(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_offline_question_and_answer_in_a_browser(live_server, live_app, browser):
    case_id = _phone_case(live_app)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, ASSESSOR, DEMO_PASSWORD)

    page.goto(f"{live_server}/staff/assess/new")
    assert page.locator("input[name=address_line_1]").is_visible()
    _check(page)

    case_url = f"{live_server}/staff/cases/{case_id}"
    page.goto(case_url)
    assert "12 Station Road" in page.inner_text("main")
    _check(page)
    page.get_by_role("button", name="Record a question asked by phone, letter or in person").click()
    page.wait_for_load_state()
    _check(page)
    page.fill("textarea[name=question]", "Do you use the stairlift every day?")
    page.get_by_label("By letter").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the question").click()

    page.get_by_role("button", name="Record the person's answer").click()
    page.wait_for_load_state()
    assert "Do you use the stairlift every day?" in page.inner_text("main")
    # Nothing typed is lost when the answer is refused: the form comes back with a message.
    with page.expect_navigation():
        page.get_by_role("button", name="Record the answer").click()
    assert page.locator(".govuk-error-summary").is_visible()
    _check(page)
    page.fill("textarea[name=answer]", "Yes, twice a day.")
    page.get_by_label("By letter").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the answer").click()
    text = page.inner_text("main")
    assert "Asked by letter" in text and "Answered by letter" in text and "Yes, twice a day." in text

    page.goto(f"{case_url}/address")
    assert page.locator("input[name=town]").input_value() == "Northfield"
    _check(page)

    page.goto(f"{case_url}/validate")
    assert page.locator(".app-staff-hint").count() > 10
    _check(page)
    context.close()
