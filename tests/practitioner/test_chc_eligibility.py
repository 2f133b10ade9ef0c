"""NHS Continuing Healthcare eligibility is the ICB's recorded decision, never the Care Act outcomes (0017)."""

from __future__ import annotations

from datetime import date

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal import case_record, chc, tool_service
from portal.extensions import db
from portal.models import Case, Decision, OrganisationKind, Snapshot, Validation
from portal.organisation_rules import Limit, OrganisationRules
from portal.practitioner import service
from portal.tools import builtin_tools
from tests.conftest import csrf_from, sign_in
from tests.practitioner.test_phb import make_case
from tests.test_nhs_tools import answers_for

TODAY = date(2026, 12, 7)
#: A Care Act determination that, if it counted, would find needs eligible.
CARE_ACT_YES = {
    "eligibility": {"cannot_achieve": ["nutrition", "hygiene"], "impairment": "yes", "wellbeing": "yes"},
    "risks": "Falls at night",
}


@pytest.fixture
def org(make_organisation):
    organisation = make_organisation("Midshire Integrated Care Board", kind=OrganisationKind.ICB)
    organisation.settings = {
        **OrganisationRules(limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}).to_settings(),
        "tools": {"continuing_healthcare": True, "continuing_care": True},
    }
    db.session.commit()
    return organisation


@pytest.fixture
def case(org, staff):
    tool = builtin_tools()["continuing_healthcare"]
    found = make_case(org, staff["assessor"], holder=staff["assessor"], answers=answers_for(tool))
    snapshot = db.session.scalar(select(Snapshot).filter_by(case_id=found.id))
    db.session.add(
        Validation(
            case_id=found.id,
            snapshot_id=snapshot.id,
            assessor_id=staff["assessor"].id,
            items={},
            practitioner_items=dict(CARE_ACT_YES),
            path_taken="quick",
        )
    )
    db.session.commit()
    return found


def decide(staff, case, eligible):
    chc.record_eligibility(
        staff["approver"],
        case,
        eligible=eligible,
        decided_on=TODAY,
        today=TODAY,
        reasons="Panel of 3 December",
    )
    db.session.commit()


def weighed(case):
    return case_record.determination(case, case_record.current_validation(case))


def test_without_an_icb_decision_nothing_is_decided_and_the_budget_is_refused(staff, case):
    assert case_record.eligible_areas(weighed(case)) is None  # the Care Act outcomes recorded do not count
    assert weighed(case)["risks"] == "Falls at night"  # the rest of the Needs Profile stays
    result = service.recalculate(case)
    with pytest.raises(case_record.AwaitingIcbDecision):
        service.confirm_budget(staff["assessor"], case, confirmed_pence=result.total_weekly_pence, reason="")
    assert db.session.scalar(select(Decision)) is None


def test_an_eligible_decision_funds_the_tools_areas_as_assessed(staff, case):
    decide(staff, case, True)
    tool = tool_service.of(case)
    assert case_record.funded_areas(weighed(case)) == list(tool.configuration.eligible_keys)
    result = service.recalculate(case)
    assert result.total_weekly_pence > 0
    decision = service.confirm_budget(
        staff["assessor"], case, confirmed_pence=result.total_weekly_pence, reason=""
    )
    assert decision.confirmed_weekly_pence == result.total_weekly_pence


def test_a_later_not_eligible_decision_funds_nothing_and_decides_without_a_budget(staff, case):
    decide(staff, case, True)
    decide(staff, case, False)  # the latest counts
    assert case_record.eligible_areas(weighed(case)) == []
    assert service.recalculate(case).total_weekly_pence == 0
    decision = service.decide_not_eligible(
        staff["assessor"], case, reason="The ICB decided you are not eligible."
    )
    assert decision.confirmed_weekly_pence is None
    assert db.session.get(Case, case.id).status.value == "decided"


def test_the_needs_profile_shows_the_icb_decision_not_the_care_act_outcomes(client, staff, case):
    sign_in(client, staff["assessor"])
    url = f"/staff/cases/{case.public_id}/needs-profile"
    page = client.get(url).get_data(as_text=True)
    assert "cannot_achieve" not in page and "Care Act eligibility" not in page
    assert "The ICB has not recorded its eligibility decision yet" in page
    # Saving the risks keeps no Care Act determination, whatever is posted.
    version = db.session.scalar(select(Validation).filter_by(case_id=case.id)).version
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(page),
            "version": str(version),
            "risks": "Falls at night, and on the stairs",
            "cannot_achieve": ["nutrition", "hygiene"],
            "impairment": "yes",
            "wellbeing": "yes",
        },
    )
    assert response.status_code == 303
    items = db.session.scalar(select(Validation).filter_by(case_id=case.id)).practitioner_items
    assert "eligibility" not in items and items["risks"] == "Falls at night, and on the stairs"
    decide(staff, case, False)
    page = client.get(url).get_data(as_text=True)
    # Staff read about the person by name (the tool's carer wording), not "you are not eligible".
    name = str(escape(case.person.name))
    assert f"The ICB decided {name} is not eligible for NHS Continuing Healthcare." in page
    assert "you are not eligible" not in page


def test_the_budget_page_says_the_icb_decision_is_awaited(client, staff, case):
    sign_in(client, staff["assessor"])
    url = f"/staff/cases/{case.public_id}/budget"
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_from(page), "amount": "100.00", "reason": "Agreed"})
    assert response.status_code == 200
    assert "the ICB has not recorded its eligibility decision" in response.get_data(as_text=True)
    assert db.session.scalar(select(Decision)) is None


def test_the_decision_reads_the_icb_outcome_in_easy_read_for_the_person_and_a_carer(app, staff, case):
    """The decision the person reads (page, letter): the tool's Easy Read words for the ICB's decision, in their
    voice, where they chose Easy Read; a carer's Easy Read names the person."""
    from portal.i18n.schema_text import Words
    from portal.letters import decision_context
    from portal.questionnaire import Voice

    decide(staff, case, False)
    decision = service.decide_not_eligible(staff["assessor"], case, reason="The ICB's panel decided.")
    name = case.person.name
    with app.test_request_context("/?lang=en"):
        easy = decision_context(case, decision, Words(name=name, easy_read=True))["eligibility_words"]
        carer = decision_context(case, decision, Words(voice=Voice.CARER, name=name, easy_read=True))[
            "eligibility_words"
        ]
        plain = decision_context(case, decision, Words(name=name))["eligibility_words"]
    assert easy["no_budget"].startswith("The ICB decided you cannot get NHS Continuing Healthcare.")
    assert carer["no_budget"].startswith(f"The ICB decided {name} cannot get NHS Continuing Healthcare.")
    assert plain["no_budget"].startswith("The ICB decided you are not eligible for NHS Continuing Healthcare")


def test_the_easy_read_decision_says_the_nhs_decided_on_the_page_in_the_email_and_the_letter(
    app, staff, case, make_account
):
    """An ICB's decision in Easy Read is the NHS's, never "the council has decided" or the Care Act's rules."""
    import subprocess

    from portal.jobs import work
    from portal.models import Authority, Document, OutboxMessage, PersonLink
    from tests.conftest import check_page

    reader = make_account(email="sam.carter@example.org", name="Sam Carter")
    reader.easy_read = True
    db.session.add(PersonLink(account_id=reader.id, person_id=case.person_id, authority=Authority.SELF))
    decide(staff, case, False)
    service.decide_not_eligible(staff["assessor"], case, reason="The ICB's panel decided.")
    work(until_empty=True)
    email = db.session.scalar(select(OutboxMessage).filter_by(to_address="sam.carter@example.org"))
    letter = db.session.scalar(select(Document).filter_by(case_id=case.id, kind="decision_letter"))
    letter_text = subprocess.run(
        ["pdftotext", "-", "-"], input=letter.content, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    client = app.test_client()
    sign_in(client, reader)
    page = check_page(client.get(f"/my/cases/{case.public_id}/status?easy_read=1").get_data(as_text=True))
    block = page.select_one(".app-easy-read--decision").get_text(" ", strip=True)
    for where, text in (
        ("page", block),
        ("email", email.body_text),
        ("letter", " ".join(letter_text.split())),
    ):
        assert "The NHS has decided about your care." in text, where
        assert "You will not get money for care from the NHS." in text, where
        assert "The council has decided" not in text and "money for care from the council" not in text, where
        assert "Tell the council." not in text, where
    assert "Care Act" not in email.body_text


def test_an_nhs_budget_is_a_personal_health_budget_in_the_email_and_the_letter(
    app, staff, case, make_account
):
    """The plain email and letter of an ICB's budget say "personal health budget", as the NHS calls it."""
    import subprocess

    from portal.jobs import work
    from portal.models import Authority, Document, OutboxMessage, PersonLink

    reader = make_account(email="sam.carter@example.org", name="Sam Carter")
    db.session.add(PersonLink(account_id=reader.id, person_id=case.person_id, authority=Authority.SELF))
    decide(staff, case, True)
    result = service.recalculate(case)
    service.confirm_budget(staff["assessor"], case, confirmed_pence=result.total_weekly_pence, reason="")
    work(until_empty=True)
    email = db.session.scalar(select(OutboxMessage).filter_by(to_address="sam.carter@example.org"))
    letter = db.session.scalar(select(Document).filter_by(case_id=case.id, kind="decision_letter"))
    letter_text = " ".join(
        subprocess.run(
            ["pdftotext", "-", "-"], input=letter.content, capture_output=True, check=True, timeout=30
        )
        .stdout.decode()
        .split()
    )
    assert email.subject.startswith("Your personal health budget has been decided")
    assert "has decided the personal health budget for" in email.body_text
    assert "Decision about your personal health budget" in letter_text
    assert f"/my/cases/{case.public_id}/status" in email.body_text.splitlines()[-3], (
        "the link on a line of its own"
    )
    for text in (email.subject, email.body_text, letter_text):
        assert "personal budget" not in text
