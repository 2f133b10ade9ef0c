"""Asking for a decision to be looked at again, across roles in a real browser: the person asks from their decision
(a wrong file refused beside its field, then a PDF accepted); the assessor who made the first decision is not
offered it; another assessor takes it, reads the reasons, downloads the file and changes the budget with reasons;
the person sees the decision changed, the first kept; the organisation's open figures count it. axe-core checks
every page on the way (the person's in Easy Read too), and the person's pages and the figures reflow at 320 px."""

from __future__ import annotations

import re
from datetime import date
from random import Random

import pytest
from sqlalchemy import select

from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible
from tests.browser.test_casework_browser import press, signed_in
from tests.browser.test_inclusion import NARROW, reflow_problem

PERSON = "asking-again@example.org"
FIRST_DECIDER = "second-assessor@northfield.example.org"
OTHER_ASSESSOR = "assessor@northfield.example.org"


def _first_decision(app, email: str = PERSON) -> tuple[str, int]:
    """A person with their own account whose assessment the second assessor decided (through the services);
    returns the case's public id and the weekly budget decided."""
    from portal.demo import demo_answers
    from portal.extensions import db
    from portal.models import Account, Case, CaseStatus, Decision, Role
    from portal.organisation_rules import Limit, OrganisationRules
    from portal.person_details import organisations_for_postcode
    from portal.practitioner import service
    from portal.questionnaire import storable
    from portal.security import hash_password
    from portal.selfassess import service as person_service
    from portal.sending import send
    from tests.practitioner.test_casework import _agree_with_the_rest

    with app.app_context():
        account = Account(
            email=email, name="Jo Okafor", role=Role.CITIZEN, password_hash=hash_password(DEMO_PASSWORD)
        )
        db.session.add(account)
        db.session.flush()
        case = person_service.start_for_self(account)
        case.person.date_of_birth = date(1961, 3, 4)
        case.person.postcode = "NF1 2AB"
        case.organisation_id = organisations_for_postcode("NF1 2AB")[0].id
        answers = demo_answers(person_service.schema(), Random(23), 2, False, None)
        case.answers = {key: storable(value) for key, value in answers.items()}
        db.session.commit()
        send(account, case)
        db.session.commit()
        organisation = case.organisation
        # Every budget within an assessor's own level, so the walk needs no approver.
        organisation.settings = {
            **(organisation.settings or {}),
            **OrganisationRules(
                limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}
            ).to_settings(),
        }
        db.session.commit()
        decider = db.session.scalar(select(Account).filter_by(email=FIRST_DECIDER))
        assert service.claim(decider, case)
        _agree_with_the_rest(app, decider, db.session.get(Case, case.id))
        result = service.recalculate(case)
        service.confirm_budget(decider, case, confirmed_pence=result.total_weekly_pence, reason="")
        assert case.status == CaseStatus.DECIDED
        weekly = db.session.scalar(select(Decision).filter_by(case_id=case.id)).confirmed_weekly_pence
        public_id = case.public_id
        db.session.remove()
        return public_id, weekly


@pytest.fixture
def limits_put_back(live_app):
    """The walk lifts Northfield's approval limits; the browser tests after it share the demo and need them back."""
    from portal.extensions import db
    from portal.models import Organisation

    with live_app.app_context():
        before = dict(db.session.scalar(select(Organisation).filter_by(slug="northfield")).settings or {})
        db.session.remove()
    yield
    with live_app.app_context():
        db.session.scalar(select(Organisation).filter_by(slug="northfield")).settings = before
        db.session.commit()
        db.session.remove()


def test_asking_again_across_roles_in_a_browser(live_server, live_app, browser, tmp_path, limits_put_back):
    base = live_server
    decided_id, weekly = _first_decision(live_app)

    # The person reads their decision and asks for it to be looked at again.
    person_context, person = signed_in(browser, base, PERSON)
    person.goto(f"{base}/my/cases/{decided_id}/status")
    assert "Complaints (England) Regulations 2009" in person.content()
    assert_accessible(person)
    narrow = browser.new_context(
        bypass_csp=True, viewport=NARROW, storage_state=person_context.storage_state()
    )
    small = narrow.new_page()
    problems = []
    for url in (f"{base}/my/cases/{decided_id}/status", f"{base}/my/cases/{decided_id}/ask-again"):
        small.goto(url)
        if problem := reflow_problem(small):
            problems.append(problem)
    # In Easy Read, the way to ask and the form say it in short sentences, with their pictures.
    for url in (f"{base}/my/cases/{decided_id}/status", f"{base}/my/cases/{decided_id}/ask-again"):
        person.goto(url + "?easy_read=1")
        assert "Someone new will look at it." in person.locator(".app-easy-read").last.inner_text()
        assert_accessible(person)
    person.goto(f"{base}/my/cases/{decided_id}/status?easy_read=0")
    person.get_by_role("button", name="Ask for the decision to be looked at again").click()
    person.wait_for_load_state()
    assert person.url.endswith(f"/my/cases/{decided_id}/ask-again")
    assert_accessible(person)

    # A file that is not a PDF or a picture is refused beside its field; what was typed stays.
    fake = tmp_path / "letter.pdf"
    fake.write_bytes(b"<html><body>not a pdf</body></html>")
    person.fill("#reason", "My night-time needs were missed: I need help twice a night.")
    person.fill("#considered", "The letter from my GP.")
    person.set_input_files("#evidence", str(fake))
    press(person, "Send the request")
    assert person.locator(".govuk-error-summary").is_visible()
    assert "must be a PDF, PNG or JPEG" in person.locator("#evidence-error").inner_text()
    assert person.input_value("#reason").startswith("My night-time needs were missed")
    assert_accessible(person)

    real = tmp_path / "gp-letter.pdf"
    real.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    person.set_input_files("#evidence", str(real))
    press(person, "Send the request")
    assert re.search(r"/my/cases/[0-9a-f]{32}/status$", person.url), person.url
    request_id = person.url.rsplit("/", 2)[1]
    assert "Your request to look at the decision again" in person.content()
    assert "stays in place until the new decision" in person.content()
    assert_accessible(person)
    person.goto(f"{base}/my/cases/{request_id}/status?easy_read=1")
    assert "You asked the council to look at the decision again." in person.content()
    assert_accessible(person)
    person.goto(f"{base}/my/cases/{request_id}/status?easy_read=0")

    # The assessor who made the first decision is told someone else must take it, and offered no claim.
    first_context, first = signed_in(browser, base, FIRST_DECIDER)
    case_url = f"{base}/staff/cases/{request_id}"
    first.goto(case_url)
    assert "someone else must take it" in first.content()
    assert first.get_by_role("button", name="Claim this case").count() == 0
    assert_accessible(first)

    # Another assessor takes it, reads the reasons and downloads the file.
    other_context, other = signed_in(browser, base, OTHER_ASSESSOR)
    other.goto(case_url)
    assert "I need help twice a night" in other.content()
    assert_accessible(other)
    with other.expect_download() as download:
        other.get_by_role("link", name="gp-letter.pdf").click()
    assert download.value.suggested_filename == "gp-letter.pdf"
    press(other, "Claim this case")
    from portal.extensions import db
    from portal.models import Account, Case
    from tests.practitioner.test_casework import _agree_with_the_rest

    with live_app.app_context():
        case = db.session.scalar(select(Case).filter_by(public_id=request_id))
        _agree_with_the_rest(live_app, db.session.get(Account, case.holder_id), case)
        db.session.remove()

    # The budget: reasons are needed even to keep it; then a higher figure, with reasons.
    other.goto(case_url + "/budget")
    other.fill("#reason", "")
    press(other, "Confirm the budget")
    assert other.locator(".govuk-error-summary").is_visible()
    assert_accessible(other)
    new_weekly = weekly + 4_000
    other.fill("#amount", f"{new_weekly / 100:.2f}")
    other.fill("#reason", "With your GP's letter, we agree you need help twice a night.")
    press(other, "Confirm the budget")
    assert "The budget is confirmed and the person has been told." in other.content()

    # The person sees the decision changed, and the first is kept on its own page.
    person.goto(f"{base}/my/cases/{request_id}/status")
    content = person.content()
    assert "looked at again and changed" in content
    assert "we agree you need help twice a night" in content
    assert person.get_by_role("link", name="Ask for the decision to be looked at again").count() == 0
    assert_accessible(person)
    person.goto(f"{base}/my/cases/{decided_id}/status")
    assert "The decision" in person.content()

    # The organisation's open figures count it; public, no sign-in.
    public = browser.new_context(bypass_csp=True)
    figures = public.new_page()
    figures.goto(f"{base}/organisations/northfield/decisions-and-challenges")
    assert "fewer than 5" in figures.content()
    assert_accessible(figures)

    # The person's pages and the figures reflow at 320 CSS pixels.
    for url in (
        f"{base}/my/cases/{request_id}/status",
        f"{base}/my/cases/{decided_id}/status",
        f"{base}/organisations/northfield/decisions-and-challenges",
    ):
        small.goto(url)
        if problem := reflow_problem(small):
            problems.append(problem)
    assert problems == []
    for context in (person_context, first_context, other_context, public, narrow):
        context.close()


def test_files_too_large_together_bring_the_form_back_in_a_browser(
    live_server, live_app, browser, tmp_path, limits_put_back
):
    """Five files of 11 MB (over the request's limit of 51 MB): the browser shows the form again, with the message
    beside the file field and what was typed, not a 413 page or a reset connection."""
    base = live_server
    decided_id, _ = _first_decision(live_app, email="too-large@example.org")
    _, person = signed_in(browser, base, "too-large@example.org")
    person.goto(f"{base}/my/cases/{decided_id}/ask-again")
    files = []
    for n in range(5):
        scan = tmp_path / f"scan-{n}.pdf"
        scan.write_bytes(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
        files.append(str(scan))
    person.fill("#reason", "My night-time needs were missed.")
    person.set_input_files("#evidence", files)
    press(person, "Send the request")
    assert person.url.endswith(f"/my/cases/{decided_id}/ask-again")
    assert "more than 51 MB in all" in person.locator("#evidence-error").inner_text()
    assert person.locator(".govuk-error-summary").is_visible()
    assert person.input_value("#reason") == "My night-time needs were missed."
    assert_accessible(person)
