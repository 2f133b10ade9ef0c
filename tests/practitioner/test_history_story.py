"""History reads as a story: who did what, when and why, in words with money in pounds; views apart; the raw audit
trail kept for export (issue 12 item 5)."""

from __future__ import annotations

import json

from portal.extensions import db
from portal.models import Case
from portal.practitioner import service
from tests.conftest import check_page, sign_in
from tests.practitioner.test_casework import _agree_with_the_rest

PASSWORD = "correct horse battery"


def refreshed(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_history_is_a_story_with_views_apart_and_the_raw_trail_for_export(app, staff, sent_case):
    assert service.claim(staff["assessor"], sent_case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(sent_case))
    result = service.recalculate(refreshed(sent_case))
    service.confirm_budget(
        staff["assessor"],
        refreshed(sent_case),
        confirmed_pence=result.total_weekly_pence * 3 + 50,
        reason="Two carers at every visit",
    )
    client = app.test_client()
    sign_in(client, staff["assessor"], PASSWORD)
    url = f"/staff/cases/{sent_case.public_id}"
    for _ in range(5):
        client.get(url)
    page = check_page(client.get(f"{url}/history").get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "Asha Assessor claimed the case." in text
    assert "Asha Assessor agreed with the answer to" in text
    amount = f"£{(result.total_weekly_pence * 3 + 50) / 100:,.2f}"
    assert f"confirmed {amount} a week" in text and "Why: Two carers at every visit" in text
    for code in ("case.claimed", "validation.answer", "_pence", "{", "case.viewed"):
        assert code not in text, code
    # Views are counted apart, not one line per page view.
    assert "Looked at 5 times, by 1 person." in text or "Looked at 6 times" in text
    assert text.count("looked at") <= 1
    raw = json.loads(client.get(f"{url}/history.json").get_data(as_text=True))
    actions = [event["action"] for event in raw["events"]]
    assert "case.claimed" in actions and actions.count("case.viewed") >= 5
    assert any(event["detail"].get("confirmed_pence") for event in raw["events"])
