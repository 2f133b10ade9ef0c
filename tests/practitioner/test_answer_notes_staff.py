"""Staff see the notes kept with the answers: beside the person's answer when validating, and in the Needs Profile."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Snapshot
from portal.questionnaire import with_note
from tests.conftest import check_page, sign_in


def _note_on(case, question_id: str, note: str) -> None:
    snapshot = db.session.scalar(select(Snapshot).filter_by(case_id=case.id))
    snapshot.answers = with_note(snapshot.answers, question_id, note)
    db.session.commit()


def test_the_note_shows_beside_the_answer_and_in_the_profile(app, staff, sent_case):
    _note_on(sent_case, "live-alone", "Her son stays most weekends")
    client = app.test_client()
    sign_in(client, staff["assessor"])
    page = check_page(client.get(f"/staff/cases/{sent_case.public_id}/validate").get_data(as_text=True))
    row = next(r for r in page.select("tbody tr") if "Her son stays most weekends" in r.get_text())
    assert "Note with the answer:" in row.get_text()
    page = check_page(client.get(f"/staff/cases/{sent_case.public_id}/needs-profile").get_data(as_text=True))
    notes = page.select_one("dl.app-answer-notes")
    assert notes is not None
    assert "Her son stays most weekends" in notes.get_text()
    assert "Living on their own" in notes.select_one("dt").get_text()


def test_no_notes_no_section(app, staff, sent_case):
    client = app.test_client()
    sign_in(client, staff["assessor"])
    page = check_page(client.get(f"/staff/cases/{sent_case.public_id}/needs-profile").get_data(as_text=True))
    assert page.select_one("dl.app-answer-notes") is None
    assert "Notes with the answers" not in page.get_text()


def test_another_organisation_cannot_read_the_notes(app, staff, sent_case):
    _note_on(sent_case, "live-alone", "Private note")
    client = app.test_client()
    sign_in(client, staff["outsider"])
    response = client.get(f"/staff/cases/{sent_case.public_id}/needs-profile")
    assert response.status_code == 404
    assert "Private note" not in response.get_data(as_text=True)
