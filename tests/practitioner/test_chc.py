"""The adult Continuing Healthcare record (portal/chc.py and its pages): recorded as decided, never worked out."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal import chc
from portal.cases import NotAllowed
from portal.extensions import db
from portal.health_models import ChcAssessment, ChcEligibility
from portal.models import AuditEvent, Case, CaseStatus, OrganisationKind, Role
from tests.conftest import csrf_from, sign_in
from tests.practitioner.test_phb import make_case

TODAY = date(2026, 12, 7)
ALL_LOW = dict.fromkeys(chc.DOMAINS, "low")


@pytest.fixture
def org(make_organisation):
    return make_organisation("Midshire Integrated Care Board", kind=OrganisationKind.ICB)


@pytest.fixture
def case(org, staff):
    return make_case(org, staff["assessor"], holder=staff["assessor"])


def test_the_twelve_domains_with_their_own_levels():
    assert len(chc.DOMAINS) == 12
    six = {key for key, levels in chc.DOMAINS.items() if len(levels) == 6}
    assert six == {"breathing", "behaviour", "drug_therapies"}
    assert [level.value for level in chc.DOMAINS["altered_states"]] == ["no_needs", "low", "high", "priority"]
    assert chc.Level.SEVERE not in chc.DOMAINS["continence"]
    assert all(levels[0] == chc.Level.NO_NEEDS for levels in chc.DOMAINS.values())


def test_a_dst_is_recorded_whole_and_a_later_one_counts(staff, case):
    first = chc.record_assessment(staff["assessor"], case, ALL_LOW, completed_on=TODAY, today=TODAY)
    db.session.commit()
    second = chc.record_assessment(
        staff["assessor"], case, {**ALL_LOW, "breathing": "priority"}, completed_on=TODAY, today=TODAY
    )
    db.session.commit()
    assert chc.latest_assessment(case).id == second.id != first.id
    assert second.domains["breathing"] == "priority"
    assert db.session.scalar(select(AuditEvent).filter_by(action="chc.dst_recorded")) is not None


@pytest.mark.parametrize(
    ("domains", "code", "field"),
    [
        ({k: v for k, v in ALL_LOW.items() if k != "mobility"}, "level_missing", "mobility"),
        ({**ALL_LOW, "continence": "severe"}, "level_not_in_domain", "continence"),
        ({**ALL_LOW, "altered_states": "moderate"}, "level_not_in_domain", "altered_states"),
        ({**ALL_LOW, "hearing": "low"}, "unknown_domain", "hearing"),
    ],
)
def test_a_dst_with_a_domain_missing_or_a_level_it_lacks_is_refused(staff, case, domains, code, field):
    with pytest.raises(chc.Refused) as refused:
        chc.record_assessment(staff["assessor"], case, domains, completed_on=TODAY, today=TODAY)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert db.session.scalar(select(ChcAssessment)) is None


def test_the_icb_decision_needs_reasons_and_a_past_date(staff, case):
    with pytest.raises(chc.Refused):
        chc.record_eligibility(
            staff["approver"], case, eligible=True, decided_on=TODAY, today=TODAY, reasons=" "
        )
    with pytest.raises(chc.Refused):
        chc.record_eligibility(
            staff["approver"],
            case,
            eligible=True,
            decided_on=date(2026, 12, 8),
            today=TODAY,
            reasons="Primary",
        )
    row = chc.record_eligibility(
        staff["approver"],
        case,
        eligible=False,
        decided_on=TODAY,
        today=TODAY,
        reasons="Needs met by the council",
    )
    db.session.commit()
    assert chc.latest_eligibility(case).eligible is False and row.recorded_by_id == staff["approver"].id


@pytest.mark.parametrize("status", [CaseStatus.DECIDED, CaseStatus.WITHDRAWN])
def test_nothing_is_recorded_on_a_final_case(org, staff, status):
    final = make_case(org, staff["assessor"], status=status)
    with pytest.raises(NotAllowed):
        chc.record_assessment(staff["senior"], final, ALL_LOW, completed_on=TODAY, today=TODAY)
    with pytest.raises(NotAllowed):
        chc.record_eligibility(
            staff["senior"], final, eligible=True, decided_on=TODAY, today=TODAY, reasons="x"
        )
    assert db.session.scalar(select(ChcEligibility)) is None


def test_staff_of_another_organisation_may_not_record(staff, case, citizen):
    for account in (staff["outsider"], staff["outsider_admin"], citizen):
        with pytest.raises(NotAllowed):
            chc.record_assessment(account, case, ALL_LOW, completed_on=TODAY, today=TODAY)


# -- pages --------------------------------------------------------------------------------------------------


def dst_data(**levels):
    return {
        **{f"domain_{key}": value for key, value in {**ALL_LOW, **levels}.items()},
        "completed_on": ["3", "12", "2026"],
    }


def test_recording_the_dst_and_the_decision_through_the_pages(client, client_request, staff, case):
    sign_in(client, staff["assessor"])
    page = client_request.get("practitioner.chc_dst", case_id=case.public_id)
    radios = page.select("input[name=domain_altered_states]")
    assert [r["value"] for r in radios] == ["no_needs", "low", "high", "priority"]
    client_request.post(
        "practitioner.chc_dst", dst_data(breathing="severe"), _status=303, case_id=case.public_id
    )
    page = client_request.post(
        "practitioner.chc_eligibility",
        {"eligible": "yes", "decided_on": ["5", "12", "2026"], "reasons": ""},
        _errors=True,
        case_id=case.public_id,
    )
    assert "Enter the ICB's reasons" in page.select_one(".govuk-error-summary").get_text()
    client_request.post(
        "practitioner.chc_eligibility",
        {"eligible": "yes", "decided_on": ["5", "12", "2026"], "reasons": "A primary health need"},
        _status=303,
        case_id=case.public_id,
    )
    text = client_request.get("practitioner.chc_record", case_id=case.public_id).get_text(" ", strip=True)
    assert "Eligible for NHS Continuing Healthcare" in text and "5 December 2026" in text
    assert "Breathing Severe" in text and "A primary health need" in text
    # The form starts from the levels last recorded.
    page = client_request.get("practitioner.chc_dst", case_id=case.public_id)
    assert page.select_one("input[name=domain_breathing][checked]")["value"] == "severe"


def test_a_dst_with_a_domain_left_out_keeps_the_rest(client, client_request, staff, case):
    sign_in(client, staff["assessor"])
    data = dst_data(mobility="high")
    del data["domain_cognition"]
    page = client_request.post("practitioner.chc_dst", data, _errors=True, case_id=case.public_id)
    assert (
        "Select the level the team recorded for Cognition"
        in page.select_one(".govuk-error-summary").get_text()
    )
    assert page.select_one("input[name=domain_mobility][checked]")["value"] == "high"
    assert db.session.scalar(select(ChcAssessment)) is None


def test_who_may_see_and_record(app, client, staff, case, citizen, make_account, org):
    base = f"/staff/cases/{case.public_id}/continuing-healthcare"
    for account, status in (
        (staff["outsider"], 404),
        (staff["outsider_admin"], 404),
        (citizen, 403),
        (make_account(Role.DEPLOYMENT_ADMIN, email="deploy@example.org"), 403),
    ):
        fresh = app.test_client()
        sign_in(fresh, account)
        token = csrf_from(fresh.get("/account/sign-out").get_data(as_text=True))
        for url in (base, f"{base}/decision-support-tool", f"{base}/eligibility"):
            assert fresh.get(url).status_code == status, (account.email, url)
        posted = fresh.post(
            f"{base}/eligibility",
            data={"csrf_token": token, "eligible": "yes", "decided_on": ["5", "12", "2026"], "reasons": "x"},
        )
        assert posted.status_code == status
    assert db.session.scalar(select(ChcEligibility)) is None
    decided = make_case(org, staff["assessor"], status=CaseStatus.DECIDED)
    sign_in(client, staff["senior"])
    assert client.get(f"/staff/cases/{decided.public_id}/continuing-healthcare").status_code == 200
    assert (
        client.get(f"/staff/cases/{decided.public_id}/continuing-healthcare/eligibility").status_code == 403
    )


# -- young people approaching adult services ------------------------------------------------------------------


def young_case(org, staff, name, born, **kwargs):
    kwargs.setdefault("tool", "continuing_care")
    case = make_case(org, staff["assessor"], **kwargs)
    case.person.name = name
    case.person.date_of_birth = born
    db.session.commit()
    return case


def test_the_list_of_young_people_approaching_adult_services(org, staff, make_organisation):
    today = date(2026, 12, 7)
    young_case(org, staff, "Too Young", date(2013, 12, 7))  # 13 exactly: the 14th is a year off
    soon = young_case(org, staff, "Nearly Fourteen", date(2012, 12, 8))
    nearly_adult = young_case(org, staff, "Nearly Eighteen", date(2009, 1, 10))
    young_case(org, staff, "Already Adult", date(2008, 12, 7))
    other = make_organisation("Westshire Integrated Care Board", kind=OrganisationKind.ICB)
    young_case(other, {"assessor": staff["outsider"]}, "Elsewhere", date(2009, 5, 1))
    adult = make_case(
        org, staff["assessor"], follows=nearly_adult
    )  # the adult CHC case, following the child's
    chc.record_eligibility(
        staff["approver"], adult, eligible=True, decided_on=today, today=today, reasons="In principle"
    )
    db.session.commit()
    found = chc.approaching_adult_services(org.id, today)
    assert [young.person.name for young in found] == ["Nearly Eighteen", "Nearly Fourteen"]
    first, second = found
    assert (
        first.stage.value == "decision" and first.adult_decision.eligible and first.adult_case.id == adult.id
    )
    assert first.next_milestone == (chc.transition.Stage.ADULT, date(2027, 1, 10))
    assert second.stage.value == "not_yet" and second.case.id == soon.id
    assert second.next_milestone == (chc.transition.Stage.FLAG, date(2026, 12, 8))


def test_the_list_page(client, client_request, staff, org, citizen, app, monkeypatch):
    monkeypatch.setattr("portal.practitioner.chc_pages.current_day", lambda: date(2026, 12, 7))
    young_case(org, staff, "Riley Nearly-Eighteen", date(2009, 1, 10))
    sign_in(client, staff["assessor"])
    home = client_request.get("practitioner.home")
    assert home.select_one("a[href='/staff/young-people-moving-to-adult-services']") is not None
    text = client_request.get("practitioner.chc_transition").get_text(" ", strip=True)
    assert "Riley Nearly-Eighteen" in text and "Adult support in place from 10 January 2027" in text
    assert "Not decided yet" in text
    for account, status in ((staff["outsider"], 404), (citizen, 403)):  # a council follows no one there
        fresh = app.test_client()
        sign_in(fresh, account)
        response = fresh.get("/staff/young-people-moving-to-adult-services")
        assert response.status_code == status
        assert "Riley" not in response.get_data(as_text=True)


def test_the_history_says_what_was_recorded(client, staff, case):
    from portal import phb

    chc.record_assessment(staff["assessor"], case, ALL_LOW, completed_on=TODAY, today=TODAY)
    chc.record_eligibility(
        staff["approver"], case, eligible=True, decided_on=TODAY, today=TODAY, reasons="Yes"
    )
    phb.sign_off(staff["assessor"], case, phb.Step.ASSESSED_NEEDS, signed_on=TODAY, today=TODAY)
    db.session.commit()
    sign_in(client, staff["assessor"])
    text = client.get(f"/staff/cases/{case.public_id}/history").get_data(as_text=True)
    assert "Asha Assessor recorded the Decision Support Tool." in text
    assert "Cara Approver recorded the ICB&#39;s decision on eligibility." in text
    assert "Asha Assessor recorded a sign-off of the personal health budget." in text


def test_a_childs_continuing_care_case_records_the_icbs_decision_but_no_decision_support_tool(
    client, org, staff
):
    child = make_case(org, staff["assessor"], holder=staff["assessor"], tool="continuing_care")
    assert chc.applies(child) and not chc.dst_applies(child) and chc.may_record(staff["senior"], child)
    with pytest.raises(NotAllowed):
        chc.record_assessment(staff["senior"], child, ALL_LOW, completed_on=TODAY, today=TODAY)
    sign_in(client, staff["assessor"])
    base = f"/staff/cases/{child.public_id}/continuing-healthcare"
    assert client.get(f"{base}/decision-support-tool").status_code == 404
    record_page = client.get(base).get_data(as_text=True)
    assert "Children&#39;s continuing care" in record_page and "Decision Support Tool" not in record_page
    assert client.get(f"{base}/eligibility").status_code == 200
    # Without the ICB's decision a Continuing Care case could never get a budget: it is recorded as for an adult.
    chc.record_eligibility(
        staff["approver"], child, eligible=True, decided_on=TODAY, today=TODAY, reasons="Yes"
    )
    db.session.commit()
    assert chc.latest_eligibility(child).eligible
    page = client.get(f"/staff/cases/{child.public_id}").get_data(as_text=True)
    assert "personal-health-budget" in page and "continuing-healthcare" in page
    assert "Eligible for children's continuing care" in client.get(base).get_data(as_text=True)


def test_a_care_act_case_has_no_icb_record(client, org, staff):
    adult = make_case(org, staff["assessor"], holder=staff["assessor"], tool="adult_social_care")
    assert not chc.applies(adult) and not chc.may_record(staff["senior"], adult)
    with pytest.raises(NotAllowed):
        chc.record_eligibility(
            staff["senior"], adult, eligible=True, decided_on=TODAY, today=TODAY, reasons="Yes"
        )
    sign_in(client, staff["assessor"])
    assert client.get(f"/staff/cases/{adult.public_id}/continuing-healthcare").status_code == 404


# -- the adult case, started from the children's case ---------------------------------------------------------


def enable_nhs_tools(org):
    org.settings = {**(org.settings or {}), "tools": {"continuing_healthcare": True, "continuing_care": True}}
    db.session.commit()


CHILD_ANSWERS = {
    "main-reason": "physical",
    "two-people": "yes",
    "need-breathing": "a_lot",
    "unpaid-breathing": "some",
    "need-daily-life": "some",
    "what-matters": "Swimming on Saturdays",
}


def test_the_adult_case_starts_from_the_childs_with_the_answers_that_mean_the_same(app, client, org, staff):
    enable_nhs_tools(org)
    child = young_case(
        org, staff, "Jordan Bell", date(2009, 1, 10), status=CaseStatus.DECIDED, answers=CHILD_ANSWERS
    )
    sign_in(client, staff["assessor"])
    token = csrf_from(client.get("/staff/young-people-moving-to-adult-services").get_data(as_text=True))
    response = client.post(f"/staff/cases/{child.public_id}/adult-case", data={"csrf_token": token})
    assert response.status_code == 303
    adult = db.session.scalar(select(Case).filter_by(follows_id=child.id))
    assert (adult.tool_key, adult.status, adult.holder_id, adult.person_id) == (
        "continuing_healthcare",
        CaseStatus.DRAFT,
        staff["assessor"].id,
        child.person_id,
    )
    assert adult.answers == {"two-people": "yes", "need-breathing": "a_lot", "unpaid-breathing": "some"}
    assert "/staff/assess/" in response.location  # completed with the person, question by question
    assert child.status == CaseStatus.DECIDED
    # Once only; and the list now shows the adult case.
    again = client.post(f"/staff/cases/{child.public_id}/adult-case", data={"csrf_token": token})
    assert again.status_code == 403
    text = client.get("/staff/young-people-moving-to-adult-services").get_data(as_text=True)
    assert (
        f"{adult.reference}: carry on with it" in text
        and "adult NHS Continuing Healthcare case</button>" not in text
    )


def test_who_may_start_the_adult_case(app, org, staff, citizen):
    enable_nhs_tools(org)
    child = young_case(org, staff, "Jordan Bell", date(2009, 1, 10), status=CaseStatus.DECIDED, answers={})
    open_child = young_case(org, staff, "Open Case", date(2009, 1, 10), answers={})
    for account, status, case in (
        (staff["approver"], 403, child),  # an assessor completes it with the person
        (staff["outsider"], 404, child),
        (citizen, 403, child),
        (staff["assessor"], 403, open_child),  # the children's case is not decided yet
    ):
        fresh = app.test_client()
        sign_in(fresh, account)
        token = csrf_from(fresh.get("/account/sign-out").get_data(as_text=True))
        response = fresh.post(f"/staff/cases/{case.public_id}/adult-case", data={"csrf_token": token})
        assert response.status_code == status, account.email
    org.settings = {**org.settings, "tools": {"continuing_care": True, "continuing_healthcare": False}}
    db.session.commit()
    assert not chc.may_start_adult_case(staff["assessor"], child)  # the ICB does not offer the adult tool
    assert db.session.scalar(select(Case).filter(Case.follows_id.is_not(None))) is None


# -- starting an NHS case with the person ---------------------------------------------------------------------


def test_a_childs_continuing_care_case_takes_a_childs_date_of_birth(make_organisation, make_account):
    from flask import current_app

    icb = make_organisation("Southmere Integrated Care Board", kind=OrganisationKind.ICB, districts=("SM1",))
    icb.settings = {"tools": {"continuing_healthcare": True, "continuing_care": True}}
    db.session.commit()
    assessor = make_account(Role.ASSESSOR, organisation=icb, level=2)
    client = current_app.test_client()
    sign_in(client, assessor)
    about = {"name": "Casey Quinn", "date_of_birth": ["3", "4", "2012"], "postcode": "SM1 1AA"}
    url = "/staff/assess/new?tool=continuing_care"
    token = csrf_from(client.get(url).get_data(as_text=True))
    started = client.post(url, data={**about, "csrf_token": token})
    assert started.status_code == 303
    case = db.session.scalar(select(Case).filter_by(person_name="Casey Quinn"))
    assert case.tool_key == "continuing_care" and case.holder_id == assessor.id
    # The adult tool keeps the adult age rule, and nothing is started.
    url = "/staff/assess/new?tool=continuing_healthcare"
    adult = client.post(url, data={**about, "name": "Too Young", "csrf_token": token})
    assert "This service is for adults aged 18 or over" in adult.get_data(as_text=True)
    assert db.session.scalar(select(Case).filter_by(person_name="Too Young")) is None
