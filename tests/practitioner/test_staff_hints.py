"""The questionnaire's hints on the staff validation pages, in staff wording: about the person by name, never
addressed to whoever filled the form in ("this could be you"), where it helps the assessor (issue 12 item 5)."""

from __future__ import annotations

import re

from portal.practitioner import service
from portal.questionnaire import load_schema
from portal.questions_web import staff_hint
from tests.conftest import check_page, sign_in

PASSWORD = "correct horse battery"
SPOKEN_TO = re.compile(r"\b(you|your|yourself)\b", re.IGNORECASE)


def test_no_staff_hint_speaks_to_whoever_filled_the_form_in(app):
    schema = load_schema()
    hinted = 0
    for question in schema.questions:
        question_id = question.id
        hint = staff_hint(question, "Sam Taylor")
        hinted += bool(hint)
        assert not SPOKEN_TO.search(hint), (question_id, hint)
    assert hinted > 40  # nearly every question's hint helps the assessor


def test_the_validation_pages_show_each_questions_hint_in_staff_wording(app, staff, sent_case):
    assert service.claim(staff["assessor"], sent_case)
    client = app.test_client()
    sign_in(client, staff["assessor"], PASSWORD)
    url = f"/staff/cases/{sent_case.public_id}/validate"
    page = check_page(client.get(f"{url}/washing").get_data(as_text=True))
    hint = page.select_one("#question-hint")
    assert hint is not None and "brushing their teeth" in hint.get_text()
    page = check_page(client.get(f"{url}/contact-phone").get_data(as_text=True))
    hint = page.select_one("#question-hint").get_text(" ", strip=True)
    assert "the person's own or their carer's" in hint and "your number" not in hint
    overview = check_page(client.get(url).get_data(as_text=True))
    hints = [h.get_text(" ", strip=True) for h in overview.select("th .app-staff-hint")]
    assert any("brushing their teeth" in h for h in hints)
    assert not [h for h in hints if SPOKEN_TO.search(h)]
