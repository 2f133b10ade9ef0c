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


def test_what_changed_in_a_continuing_healthcare_review_reads_the_tools_own_areas(
    app, make_organisation, make_account
):
    """A CHC review (three months after the first decision) compares the tool's own areas of need (breathing,
    skin …), in the tool's words, not the adult self-assessment's."""
    from portal import changes, reviews
    from portal.models import Case, Role
    from tests.practitioner.test_chc_walk import test_a_continuing_healthcare_case_from_start_to_letter

    test_a_continuing_healthcare_case_from_start_to_letter(app, make_organisation, make_account)
    decided = db.session.scalar(select(Case).filter_by(person_name="Peter Okonkwo"))
    assessor = make_account(Role.ASSESSOR, organisation=decided.organisation, level=2, name="Rhys Reviewer")
    review = reviews.start(assessor, decided)
    db.session.commit()
    changed = changes.for_review(review)
    assert changed is not None
    names = [row.name for row in changed.areas]
    assert "Breathing" in names, names
    assert not {"eating and drinking", "washing and personal care"} & set(names)
    breathing = next(row for row in changed.areas if row.area == "breathing")
    assert breathing.level_then == breathing.level_now == 3 and not breathing.changed


def test_the_timeline_of_a_continuing_healthcare_case_charts_the_tools_own_areas(
    app, make_organisation, make_account
):
    """The person's timeline draws need by area from each decided case's own tool."""
    from portal import timeline
    from portal.models import Case
    from tests.practitioner.test_chc_walk import test_a_continuing_healthcare_case_from_start_to_letter

    test_a_continuing_healthcare_case_from_start_to_letter(app, make_organisation, make_account)
    decided = db.session.scalar(select(Case).filter_by(person_name="Peter Okonkwo"))
    drawn = timeline.context([decided])
    assert ("breathing", "Breathing") in drawn["areas"], drawn["areas"]
    assert drawn["needs_chart"] is not None
    assert drawn["points"][0].levels["breathing"] == 3


def test_the_first_decider_who_tries_to_claim_the_request_is_told_why_not(app, staff, sent_case, citizen):
    """Claiming from a case page opened before the request came in (or a second tab) is refused, with the reason,
    not 'someone else has already claimed this case'."""
    from portal import asking_again
    from portal.models import Case
    from tests.conftest import csrf_from
    from tests.practitioner.test_casework import staff_client
    from tests.practitioner.test_lifecycle import _decided

    decided = _decided(app, staff, sent_case)
    linked = asking_again.ask_again(citizen, decided, reason="My nights were missed.")
    client = staff_client(app, staff["assessor"])
    page = client.get("/staff/").get_data(as_text=True)
    response = client.post(
        f"/staff/cases/{linked.public_id}/claim", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    text = check_page(response.get_data(as_text=True)).get_text(" ", strip=True)
    assert "already claimed" not in text
    assert "You confirmed or approved the decision this asks about" in text
    db.session.expire_all()
    assert db.session.get(Case, linked.id).holder_id is None
