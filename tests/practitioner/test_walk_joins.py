"""Where the new journeys meet, as a browser walk of the demo found them: a Section 117 budget shared by a pooled
split names no single payer on any of its lines; an assessor who made the first decision is told why they
cannot take the request to look at it again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal import section117
from portal.extensions import db
from portal.jobs import work
from portal.models import Decision, OrganisationKind
from tests.conftest import check_page
from tests.practitioner.test_section117_pages import (
    _decide,
    _letter_text,
    client_for,
    entitle,
)


def test_lines_of_a_pooled_aftercare_budget_name_no_single_payer(app, staff, sent_case, citizen, smtp_server):
    """Under a pooled split the whole budget is shared: a line 'paid by Council' beside 'Council pays 58%' would
    contradict itself (and the per-line funder would not match what each funder pays)."""
    organisation = sent_case.organisation
    organisation.kind = OrganisationKind.PARTNERSHIP
    db.session.commit()
    entitle(staff, sent_case)
    section117.record_pooled_split(
        staff["admin"],
        organisation,
        council_percent="57.5",
        effective_from=date.today(),
        reason="Pool agreement",
    )
    decision = _decide(app, staff, sent_case)
    assert decision.outcome == "approved"
    work(until_empty=True)
    page = check_page(
        client_for(app, citizen).get(f"/my/cases/{sent_case.public_id}/status").get_data(as_text=True)
    )
    text = page.get_text(" ", strip=True)
    assert "(Council)" not in text and "(NHS)" not in text
    assert "(Council and NHS)" in text
    letter = _letter_text(sent_case)
    assert "Council and NHS" in letter
    assert db.session.scalar(select(Decision).filter_by(case_id=sent_case.id)) is not None


def test_lines_funded_line_by_line_keep_their_payer(app, staff, sent_case, citizen, smtp_server):
    entitle(staff, sent_case)  # a council, no pooled split: each line's own funder
    _decide(app, staff, sent_case)
    work(until_empty=True)
    page = check_page(
        client_for(app, citizen).get(f"/my/cases/{sent_case.public_id}/status").get_data(as_text=True)
    )
    text = page.get_text(" ", strip=True)
    assert "(Council)" in text and "(Council and NHS)" not in text
