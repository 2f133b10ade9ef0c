"""A review across roles in a real browser: the person starts it from their decision, writes their own sections,
sees what they said last time, sends it; the assessor finds it, is refused the budget until the review is recorded,
records it and confirms; the person reads what changed, their timeline with its charts (at 320 px too), and
downloads their copy. axe-core checks every page on the way."""

from __future__ import annotations

import re
from datetime import date
from random import Random

from sqlalchemy import select

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible
from tests.browser.test_casework_browser import press, signed_in
from tests.browser.test_inclusion import reflow_problem

PERSON = "reviewing-person@example.org"


def _decided_case(app) -> str:
    """A person with their own account whose first assessment has been decided (through the services)."""
    from portal.demo import demo_answers
    from portal.extensions import db
    from portal.models import Account, Case, CaseStatus, Role
    from portal.person_details import organisations_for_postcode
    from portal.practitioner import service
    from portal.questionnaire import storable
    from portal.security import hash_password
    from portal.selfassess import service as person_service
    from portal.sending import send
    from tests.practitioner.test_casework import _agree_with_the_rest

    with app.app_context():
        account = Account(
            email=PERSON, name="Robin Ellis", role=Role.CITIZEN, password_hash=hash_password(DEMO_PASSWORD)
        )
        db.session.add(account)
        db.session.flush()
        case = person_service.start_for_self(account)
        case.person.date_of_birth = date(1950, 6, 1)
        case.person.postcode = "NF1 1AA"
        case.organisation_id = organisations_for_postcode("NF1 1AA")[0].id
        answers = demo_answers(person_service.schema(), Random(11), 2, False, None)
        case.answers = {key: storable(value) for key, value in answers.items()}
        db.session.commit()
        send(account, case)
        db.session.commit()
        assessor = db.session.scalar(
            select(Account).filter_by(email="second-assessor@northfield.example.org")
        )
        assert service.claim(assessor, case)
        _agree_with_the_rest(app, assessor, db.session.get(Case, case.id))
        result = service.recalculate(case)
        service.confirm_budget(assessor, case, confirmed_pence=result.total_weekly_pence, reason="")
        if case.status != CaseStatus.DECIDED:
            senior = db.session.scalar(
                select(Account).filter_by(email="senior-approver@northfield.example.org")
            )
            service.approve(senior, case, approved=True)
        public_id = case.public_id
        db.session.remove()
        return public_id


def test_a_review_across_roles_in_a_browser(live_server, live_app, browser, tmp_path):
    base = live_server
    decided_id = _decided_case(live_app)

    # The person starts a review from their decision.
    person_context, person = signed_in(browser, base, PERSON)
    person.goto(f"{base}/my/cases/{decided_id}/status")
    assert_accessible(person)
    press(person, "Start a review")
    assert re.search(r"/my/cases/[0-9a-f]{32}/review$", person.url), person.url
    review_url = person.url.rsplit("/review", 1)[0]
    assert_accessible(person)
    person.fill("#working", "I go to the lunch club on Tuesdays and enjoy it.")
    person.fill("#goals", "To cook a meal for my grandchildren.")
    person.check("input[name=plan_meets][value=partly]")
    press(person, "Save and continue")
    assert "Your review" in person.locator("h1").inner_text()
    assert_accessible(person)

    # Each question shows what was said last time.
    person.goto(f"{review_url}/continue")
    person.goto(f"{review_url}/check")
    person.locator("main a[href*='/questions/']").first.click()
    person.wait_for_load_state()
    assert person.locator(".app-last-time").is_visible()
    assert "Last time:" in person.locator(".app-last-time").inner_text()
    assert_accessible(person)

    # Send it.
    person.goto(f"{review_url}/send")
    person.check("input[name=confirm]")
    press(person, "Send to the council")
    assert "/sent" in person.url or "/status" in person.url, person.url

    # The assessor finds it, claims it and checks the answers.
    staff_context, assessor = signed_in(browser, base, "assessor@northfield.example.org")
    assessor.goto(f"{base}/staff/reviews?upcoming=1")
    assert_accessible(assessor)
    case_url = f"{base}/staff/cases/{review_url.rsplit('/', 1)[1]}"
    assessor.goto(case_url)
    assert_accessible(assessor)
    press(assessor, "Claim this case")
    assessor.goto(case_url + "/validate")
    for _ in range(20):
        buttons = assessor.get_by_role("button", name=re.compile("^Agree with the"))
        if buttons.count() == 0:
            break
        with assessor.expect_navigation():
            buttons.first.click()
    from portal.extensions import db
    from portal.models import Account, Case
    from tests.practitioner.test_casework import _agree_with_the_rest

    with live_app.app_context():
        case = db.session.scalar(select(Case).filter_by(public_id=case_url.rsplit("/", 1)[1]))
        _agree_with_the_rest(live_app, db.session.get(Account, case.holder_id), case)
        db.session.remove()

    # The budget is refused until the review is recorded.
    assessor.goto(case_url + "/budget")
    press(assessor, "Confirm the budget")
    assert "Record the review before you confirm its budget" in assessor.content()
    assert_accessible(assessor)

    # The review page: the person's words, what changed, and the record (an error first, then whole).
    assessor.goto(case_url + "/review")
    assert "I go to the lunch club on Tuesdays" in assessor.content()
    assert "What changed" in assessor.content()
    assert_accessible(assessor)
    press(assessor, "Record the review")
    assert assessor.locator(".govuk-error-summary").is_visible()
    assert_accessible(assessor)
    assessor.check("input[name=review_type][value=planned]")
    assessor.fill("#took_part", "Robin, Robin's son and the assessor")
    assessor.check("input[name=carer_assessment][value=offered]")
    assessor.check("input[name=capacity][value=has_capacity]")
    assessor.check("input[name=outcome][value=unchanged]")
    press(assessor, "Record the review")
    assert "/budget" in assessor.url, assessor.url
    press(assessor, "Confirm the budget")
    if "has gone to a level" in assessor.content():
        level = int(re.search(r"level (\d) approver", assessor.content()).group(1))
        email = "senior-approver@northfield.example.org" if level == 4 else "approver@northfield.example.org"
        approver_context, approver = signed_in(browser, base, email)
        approver.goto(case_url + "/approve")
        approver.check("input[name=outcome][value=approve]")
        press(approver, "Save")
        approver_context.close()

    # Staff see the person's timeline with both decisions.
    assessor.goto(case_url + "/timeline")
    assert assessor.locator("svg.app-chart").count() == 2
    assert_accessible(assessor)

    # The person reads what changed and what was recorded, downloads their copy, and sees their timeline.
    person.goto(f"{review_url}/status")
    assert "What changed" in person.content()
    assert "Robin, Robin's son and the assessor" in person.content()
    assert_accessible(person)
    with person.expect_download() as download:
        person.get_by_role("link", name="Your review (PDF)").click()
    pdf = tmp_path / "review.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    person.goto(f"{review_url}/timeline")
    charts = person.locator("svg.app-chart")
    assert charts.count() == 2
    assert_accessible(person)
    person.set_viewport_size({"width": 320, "height": 900})
    assert reflow_problem(person) is None, reflow_problem(person)
    person.goto(f"{review_url}/status")
    assert reflow_problem(person) is None, reflow_problem(person)
    for context in (person_context, staff_context):
        context.close()
