"""The person is told why: eligibility counts the ten outcomes of regulation 2(2), a decision without a budget
gives its reasons and Care Act section 13 advice on the page, in the email and in the letter, and a decision with a
budget says what the assessor changed and how it differs from the person's own estimate (issue 12 item 4)."""

from __future__ import annotations

import subprocess

from sqlalchemy import select

from portal.case_record import ELIGIBILITY_OUTCOMES, eligible_areas, funded_areas
from portal.extensions import db
from portal.jobs import work
from portal.models import Case, CaseStatus, Document, OutboxMessage, Validation
from portal.practitioner import service
from portal.questionnaire import load_schema
from tests.conftest import check_page, sign_in
from tests.practitioner.test_casework import _agree_with_the_rest

PASSWORD = "correct horse battery"
YES = {"impairment": "yes", "wellbeing": "yes"}


def refreshed(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def version_of(case: Case) -> int:
    return db.session.scalar(select(Validation).filter_by(case_id=case.id)).version


def test_eligibility_counts_the_ten_outcomes_of_regulation_2_2():
    assert ELIGIBILITY_OUTCOMES == (
        "nutrition",
        "hygiene",
        "toileting",
        "dressing",
        "home_safety",
        "home_environment",
        "relationships",
        "work_learning",
        "community",
        "childcare",
    )
    # Mental health and medication are areas of need the engine funds, not eligibility outcomes.
    assert eligible_areas({"eligibility": {**YES, "cannot_achieve": ["mental_health", "medication"]}}) == []
    assert eligible_areas({"eligibility": {**YES, "cannot_achieve": ["hygiene", "mental_health"]}}) == []
    chosen = {"eligibility": {**YES, "cannot_achieve": ["dressing", "medication", "hygiene"]}}
    assert eligible_areas(chosen) == ["hygiene", "dressing"]
    # Once the person is eligible, the engine still funds their mental health and medication lines.
    assert set(funded_areas(chosen)) == {
        "hygiene",
        "dressing",
        "mental_health",
        "medication",
        "night",
        "carer_breaks",
    }
    assert funded_areas({"eligibility": {**YES, "cannot_achieve": ["medication"]}}) == []
    assert funded_areas({}) is None


def test_the_needs_profile_offers_only_the_ten_outcomes(app, staff, sent_case):
    assert service.claim(staff["assessor"], sent_case)
    client = app.test_client()
    sign_in(client, staff["assessor"], PASSWORD)
    page = check_page(client.get(f"/staff/cases/{sent_case.public_id}/needs-profile").get_data(as_text=True))
    offered = [box["value"] for box in page.select("input[name=cannot_achieve]")]
    assert offered == list(ELIGIBILITY_OUTCOMES)


def _not_eligible(app, staff, case):
    assert service.claim(staff["assessor"], case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(case))
    service.save_practitioner_items(
        staff["assessor"],
        refreshed(case),
        {"eligibility": {**YES, "cannot_achieve": ["hygiene", "mental_health"]}},
        expected_version=version_of(case),
    )
    return service.decide_not_eligible(
        staff["assessor"], refreshed(case), reason="You can wash and dress with the rails fitted last month."
    )


def test_a_decision_without_a_budget_gives_reasons_and_section_13_advice_everywhere(
    app, staff, sent_case, citizen, smtp_server
):
    decision = _not_eligible(app, staff, sent_case)
    assert decision.confirmed_weekly_pence is None and refreshed(sent_case).status == CaseStatus.DECIDED
    work(until_empty=True)
    person = app.test_client()
    sign_in(person, citizen, PASSWORD)
    page = check_page(person.get(f"/my/cases/{sent_case.public_id}/status").get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "You can wash and dress with the rails fitted last month." in text
    assert "do not meet the national eligibility criteria" in text
    assert "section 13" in text and "prevent" in text  # advice on meeting, reducing and preventing needs
    assert "personal budget is" not in text
    assert "washing and personal care" in text  # the need found, and that it alone is not eligible
    email = db.session.scalar(select(OutboxMessage).filter_by(kind="case_decided"))
    assert "no eligible needs" in email.body_text and "£" not in email.body_text
    letter = db.session.scalar(select(Document).filter_by(case_id=sent_case.id, kind="decision_letter"))
    assert letter is not None
    words = subprocess.run(
        ["pdftotext", "-", "-"], input=letter.content, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    words = " ".join(words.split())
    assert "You can wash and dress with the rails fitted last month." in words
    assert "section 13" in words and "personal budget is" not in words


def test_a_decision_says_what_the_assessor_changed_and_how_it_differs_from_the_own_estimate(
    app, staff, sent_case, citizen
):
    assert service.claim(staff["assessor"], sent_case)
    schema = load_schema()
    person_answers = service.person_answers(sent_case)
    other = next(o.value for o in schema.question("washing").options if o.value != person_answers["washing"])
    service.validate_answer(
        staff["assessor"],
        refreshed(sent_case),
        "washing",
        action="amend",
        value=other,
        reason="Seen at the home visit",
        expected_version=version_of(sent_case),
    )
    _agree_with_the_rest(app, staff["assessor"], refreshed(sent_case))
    service.save_practitioner_items(
        staff["assessor"],
        refreshed(sent_case),
        {"eligibility": {**YES, "cannot_achieve": ["hygiene", "dressing", "nutrition"]}},
        expected_version=version_of(sent_case),
    )
    from portal.organisation_rules import Limit, OrganisationRules

    sent_case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}
    ).to_settings()
    db.session.commit()
    result = service.recalculate(refreshed(sent_case))
    confirmed = result.total_weekly_pence + 1234
    service.confirm_budget(
        staff["assessor"], refreshed(sent_case), confirmed_pence=confirmed, reason="Extra travel time."
    )
    person = app.test_client()
    sign_in(person, citizen, PASSWORD)
    page = check_page(person.get(f"/my/cases/{sent_case.public_id}/status").get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "Seen at the home visit" in text  # the answer the assessor changed, and why
    assert "your own estimate" in text.lower()
    # The lines add up to the headline: the adjustment is a line with its amount.
    amounts = [int(cell["data-pence"]) for cell in page.select("[data-pence]")]
    assert amounts and sum(amounts) == confirmed
    # Every funded line says why (the engine's reasons).
    assert page.select(".app-line-reasons li")


def _pdf_words(content: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True, timeout=30)
    return " ".join(text.stdout.decode().split())


def _plain(sentence: str) -> str:
    """A reason as the PDF's text layer reads it: no isolating tags, spaces as one."""
    import re

    return " ".join(re.sub(r"<[^>]+>", "", str(sentence)).split())


def _decide_with_budget(app, staff, case, *, extra_pence: int = 0):
    from portal.organisation_rules import Limit, OrganisationRules

    assert service.claim(staff["assessor"], case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(case))
    service.save_practitioner_items(
        staff["assessor"],
        refreshed(case),
        {"eligibility": {**YES, "cannot_achieve": ["hygiene", "dressing", "nutrition"]}},
        expected_version=version_of(case),
    )
    case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}
    ).to_settings()
    db.session.commit()
    result = service.recalculate(refreshed(case))
    confirmed = result.total_weekly_pence + extra_pence
    service.confirm_budget(
        staff["assessor"], refreshed(case), confirmed_pence=confirmed, reason="Extra travel time."
    )
    return confirmed


def test_the_letter_gives_each_lines_reasons_in_the_persons_language_and_the_lines_add_up(
    app, staff, sent_case, citizen, smtp_server
):
    from flask_babel import force_locale

    from portal.case_record import final_decision
    from portal.letters import decision_context

    citizen.locale = "cy"
    db.session.commit()
    confirmed = _decide_with_budget(app, staff, sent_case, extra_pence=1234)
    work(until_empty=True)
    case = refreshed(sent_case)
    letter = db.session.scalar(select(Document).filter_by(case_id=case.id, kind="decision_letter", lang="cy"))
    assert letter is not None
    words = _pdf_words(letter.content)
    with force_locale("cy"):
        welsh = decision_context(case, final_decision(case))
    with force_locale("en"):
        english = decision_context(case, final_decision(case))
    reasons = [_plain(r) for line in welsh["lines"] for r in line["reasons"]]
    assert reasons and len(reasons) == sum(len(line["reasons"]) for line in english["lines"])
    for reason in reasons:
        assert reason in words  # every line's reasons, as the decision page words them
    translated = [
        _plain(w)
        for line_w, line_e in zip(welsh["lines"], english["lines"], strict=True)
        for w, e in zip(line_w["reasons"], line_e["reasons"], strict=True)
        if _plain(w) != _plain(e)
    ]
    assert translated  # in the person's language, not English
    assert sum(line["amount_pence"] for line in welsh["lines"]) == confirmed
