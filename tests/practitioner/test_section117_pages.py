"""Section 117 on the staff pages and in what the person reads: entitlement recorded per detention (a refused
section gets its message beside the field and keeps what was typed), ending it jointly with the person, the case page
showing the entitlement and the funders, roles and organisations enforced (403/404), and the decision of an
aftercare case free to the person on the page, in the email and in the letter (issue 14 items 2, 4 and 5)."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal import section117
from portal.extensions import db
from portal.jobs import work
from portal.models import Case, CaseStatus, Document, OrganisationKind, OutboxMessage, Role, Validation
from portal.models import Estimate as StoredEstimate
from portal.organisation_rules import Limit, OrganisationRules
from portal.practitioner import service
from portal.section117_models import AgreedSplit
from portal.tool_service import SETTINGS_KEY
from tests.conftest import check_page, csrf_from, sign_in
from tests.practitioner.test_casework import _agree_with_the_rest
from tests.practitioner.test_section_117_with_the_person import partnership, s117_staff  # noqa: F401,F811 - fixtures

PASSWORD = "correct horse battery"
YES = {"impairment": "yes", "wellbeing": "yes"}
LAST_YEAR = date.today() - timedelta(days=300)


def client_for(app, account):
    client = app.test_client()
    sign_in(client, account, PASSWORD)
    return client


def post_form(client, url, data):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def refreshed(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def entitle(staff, case, **kw):
    values = {
        "section": "3",
        "detained_on": LAST_YEAR - timedelta(days=60),
        "discharged_on": LAST_YEAR,
        "responsible_council": "Northfield City Council",
        "responsible_icb": "NHS Northfield ICB",
    }
    values.update(kw)
    return section117.record_detention(staff["assessor"], case.person, case.organisation, **values)


def day_fields(name, day):
    return {name: [str(day.day), str(day.month), str(day.year)]}


CASE_PAGES = (
    "section-117",
    "section-117/detentions/new",
    "section-117/end",
    "section-117/what-it-covers",
    "section-117/splits/new",
)


def test_section_117_pages_check_role_and_organisation(app, staff, sent_case, citizen):
    detention = entitle(staff, sent_case, discharged_on=None)
    split = section117.propose_agreed_split(
        staff["assessor"],
        sent_case.person,
        sent_case.organisation,
        council_percent="60",
        effective_from=date.today(),
        reason="Agreed by both",
    )
    pages = [
        *CASE_PAGES,
        f"section-117/detentions/{detention.public_id}/discharge",
        f"section-117/splits/{split.public_id}",
    ]
    outsider = client_for(app, staff["outsider_admin"])
    for page in pages:
        assert outsider.get(f"/staff/cases/{sent_case.public_id}/{page}").status_code == 404, page
    person = client_for(app, citizen)
    for page in pages:
        assert person.get(f"/staff/cases/{sent_case.public_id}/{page}").status_code == 403, page
    assert person.get("/staff/organisation/pooled-split").status_code == 403
    assessor = client_for(app, staff["assessor"])
    assert assessor.get(f"/staff/cases/{sent_case.public_id}/section-117/end").status_code == 403
    assert (
        assessor.get(f"/staff/cases/{sent_case.public_id}/section-117/splits/{split.public_id}").status_code
        == 403
    )
    assert assessor.get("/staff/organisation/pooled-split").status_code == 403
    # The one who proposed a split cannot decide it, even as a manager.
    approver_split = section117.propose_agreed_split(
        staff["approver"],
        sent_case.person,
        sent_case.organisation,
        council_percent="55",
        effective_from=date.today(),
        reason="Another",
    )
    approver = client_for(app, staff["approver"])
    url = f"/staff/cases/{sent_case.public_id}/section-117/splits/{approver_split.public_id}"
    assert approver.get(url).status_code == 403
    assert (
        approver.get(f"/staff/cases/{sent_case.public_id}/section-117/splits/{split.public_id}").status_code
        == 200
    )
    # A council is not a partnership: its admin has no pooled split page.
    assert client_for(app, staff["admin"]).get("/staff/organisation/pooled-split").status_code == 404
    # Another organisation's detention is not found through this case.
    assert (
        outsider.get(
            f"/staff/cases/{sent_case.public_id}/section-117/detentions/{detention.public_id}/discharge"
        ).status_code
        == 404
    )


def test_the_section_117_tab_and_pages_are_only_where_section_117_can_apply(app, staff, sent_case):
    """A council that does not offer the Section 117 tool has no Section 117 tab, part or pages on its cases."""
    case_url = f"/staff/cases/{sent_case.public_id}"
    for who in ("assessor", "approver"):
        client = client_for(app, staff[who])
        page = check_page(client.get(case_url).get_data(as_text=True))
        assert page.select_one(f'a[href="{case_url}/section-117"]') is None, who
        assert "Section 117" not in page.get_text(" ", strip=True), who
        for url in (f"{case_url}/budget", f"{case_url}/needs-profile"):
            nav = check_page(client.get(url).get_data(as_text=True)).select_one("nav.app-case-nav")
            assert nav is not None and "Section 117" not in nav.get_text(), url
        for page_url in CASE_PAGES:
            wrong_role = who == "assessor" and page_url == "section-117/end"  # a manager's page: 403 first
            assert client.get(f"{case_url}/{page_url}").status_code == (403 if wrong_role else 404), (
                who,
                page_url,
            )
    split = section117.propose_agreed_split(
        staff["approver"],
        sent_case.person,
        sent_case.organisation,
        council_percent="60",
        effective_from=date.today(),
        reason="Agreed by both",
    )
    senior = client_for(app, staff["senior"])
    assert senior.get(f"{case_url}/section-117/splits/{split.public_id}").status_code == 404
    # Once the council offers the tool, its care and support cases have the tab, the part and the pages.
    sent_case.organisation.settings = {
        **(sent_case.organisation.settings or {}),
        SETTINGS_KEY: {"section_117": True},
    }
    db.session.commit()
    assessor = client_for(app, staff["assessor"])
    page = check_page(assessor.get(case_url).get_data(as_text=True))
    assert page.select_one(f'a[href="{case_url}/section-117"]') is not None
    assert "Section 117 aftercare" in page.get_text(" ", strip=True)
    for page_url in CASE_PAGES[:2]:
        assert assessor.get(f"{case_url}/{page_url}").status_code == 200, page_url


def test_the_case_page_asks_whether_section_117_applies_once(app, staff, sent_case, monkeypatch):
    """The tab and the summary both ask; the answer is kept for the request (one look at the detentions)."""
    asked = []
    real = section117.applies_to
    monkeypatch.setattr(section117, "applies_to", lambda case: asked.append(case.id) or real(case))
    client = client_for(app, staff["assessor"])
    assert client.get(f"/staff/cases/{sent_case.public_id}").status_code == 200
    assert asked == [sent_case.id]
    client.get(f"/staff/cases/{sent_case.public_id}")
    assert asked == [sent_case.id] * 2  # asked again on the next request


def test_a_section_that_gives_no_right_is_refused_beside_its_field_keeping_what_was_typed(
    app, staff, sent_case
):
    sent_case.organisation.settings = {SETTINGS_KEY: {"section_117": True}}
    db.session.commit()
    assessor = client_for(app, staff["assessor"])
    url = f"/staff/cases/{sent_case.public_id}/section-117/detentions/new"
    response = post_form(
        assessor,
        url,
        {
            "section": "2",
            **day_fields("detained_on", LAST_YEAR),
            "responsible_council": "Northfield City Council",
            "responsible_icb": "NHS Northfield ICB",
        },
    )
    assert response.status_code == 200
    page = check_page(response.get_data(as_text=True), errors=True)
    message = page.select_one("#section-error").get_text(" ", strip=True)
    assert "Section 2 does not give a right to aftercare" in message and "3, 37, 45A, 47 and 48" in message
    assert page.select_one("input[name=responsible_council]")["value"] == "Northfield City Council"
    assert section117.detentions(sent_case.person, sent_case.organisation) == []
    response = post_form(
        assessor,
        url,
        {
            "section": "37/41",
            **day_fields("detained_on", LAST_YEAR - timedelta(days=30)),
            **day_fields("discharged_on", LAST_YEAR),
            "responsible_council": "Northfield City Council",
            "responsible_icb": "NHS Northfield ICB",
        },
    )
    assert response.status_code == 303
    page = check_page(assessor.get(f"/staff/cases/{sent_case.public_id}").get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "Entitled since" in text and "Aftercare is free to the person" in text
    assert "NHS Northfield ICB" in text and "Each line's funder" in text


def test_ending_entitlement_is_recorded_by_a_manager_only_with_the_person(app, staff, sent_case):
    entitle(staff, sent_case)
    approver = client_for(app, staff["approver"])
    url = f"/staff/cases/{sent_case.public_id}/section-117/end"
    data = {
        **day_fields("ended_on", date.today()),
        "reasons": "Well for two years and wants no more support.",
        "council_decided_by": "Jo Smith, team manager",
        "icb_decided_by": "Dr Lee, mental health lead",
        "person_involved": "no",
    }
    page = check_page(post_form(approver, url, data).get_data(as_text=True), errors=True)
    assert "made with the person" in page.select_one("#person_involved-error").get_text()
    assert section117.standing(sent_case.person, sent_case.organisation).entitled
    assert post_form(approver, url, {**data, "person_involved": "yes"}).status_code == 303
    assert section117.standing(sent_case.person, sent_case.organisation).state == "ended"
    page = check_page(approver.get(f"/staff/cases/{sent_case.public_id}/section-117").get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "Jo Smith, team manager" in text and "Dr Lee, mental health lead" in text


def _decide(app, staff, case):
    assert service.claim(staff["assessor"], case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(case))
    version = db.session.scalar(select(Validation).filter_by(case_id=case.id)).version
    service.save_practitioner_items(
        staff["assessor"],
        refreshed(case),
        {"eligibility": {**YES, "cannot_achieve": ["hygiene", "nutrition", "community"]}},
        expected_version=version,
    )
    case = refreshed(case)
    case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}
    ).to_settings()
    db.session.commit()
    result = service.recalculate(case)
    return service.confirm_budget(
        staff["assessor"], case, confirmed_pence=result.total_weekly_pence, reason=""
    )


def _letter_text(case):
    letter = db.session.scalar(select(Document).filter_by(case_id=case.id, kind="decision_letter"))
    words = subprocess.run(
        ["pdftotext", "-", "-"], input=letter.content, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    return " ".join(words.split())


PAYING = ("contribution", "financial assessment")


def test_aftercare_is_free_to_the_person_on_the_page_in_the_email_and_in_the_letter(
    app, staff, sent_case, citizen, smtp_server
):
    entitle(staff, sent_case)
    assert section117.is_aftercare(refreshed(sent_case))
    assert service.claim(staff["assessor"], sent_case)
    case = refreshed(sent_case)
    lines = [line.key for line in service.recalculate(case).lines if line.allocated]
    section117.save_case_aftercare(
        staff["assessor"],
        case,
        line_keys=lines,
        not_aftercare=[lines[0]],
        not_aftercare_reason="Help after a hip operation, which is not about his mental health.",
        top_up_pence=4500,
        top_up_paid_by="His sister",
        top_up_accommodation="A room with a garden view at Elm House",
    )
    with pytest.raises(ValueError, match="free"):
        service.confirm_budget(
            staff["assessor"], case, confirmed_pence=100, reason="x", contribution_pence=500
        )
    service.release(staff["assessor"], refreshed(case))
    decision = _decide(app, staff, sent_case)
    assert decision.outcome == "approved"
    work(until_empty=True)
    letter = _letter_text(sent_case).lower()
    for word in PAYING:
        assert word not in letter, word
    assert "aftercare is free" in letter and "section 117a" in letter and "his sister" in letter
    assert "right to have a personal health budget" in letter
    assert "other support, which is not aftercare" in letter and "hip operation" in letter
    email = db.session.scalar(select(OutboxMessage).filter_by(kind="case_decided")).body_text.lower()
    assert "free" in email and not any(word in email for word in PAYING)
    person = client_for(app, citizen)
    page = check_page(person.get(f"/my/cases/{sent_case.public_id}/status").get_data(as_text=True))
    text = page.get_text(" ", strip=True).lower()
    assert "aftercare is free" in text and "personal health budget" in text
    assert not any(word in text for word in PAYING)
    # In Easy Read too: the aftercare sentences beside the money (the email and the letter use the same lines).
    easy = check_page(
        person.get(f"/my/cases/{sent_case.public_id}/status?easy_read=1").get_data(as_text=True)
    )
    block = easy.select_one(".app-easy-read--decision").get_text(" ", strip=True)
    assert "This is aftercare after a stay in hospital under the Mental Health Act." in block
    assert "You do not pay for it." in block


def test_a_case_that_is_not_aftercare_still_explains_paying(app, staff, sent_case, citizen, smtp_server):
    """The control for the test above: without entitlement, the same letter speaks of a financial assessment."""
    _decide(app, staff, sent_case)
    work(until_empty=True)
    assert "financial assessment" in _letter_text(sent_case).lower()


def test_the_split_in_force_on_the_decision_day_is_recorded_and_kept(
    app, staff, sent_case, make_account, citizen
):
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
    budget = client_for(app, staff["assessor"]).get(f"/staff/cases/{sent_case.public_id}/budget")
    assert "(57.5%)" in check_page(budget.get_data(as_text=True)).get_text().replace(" ", "")
    decision = _decide(app, staff, sent_case)
    stored = db.session.get(StoredEstimate, decision.estimate_id)
    assert stored.split_basis["kind"] == "pooled" and stored.split_basis["council_percent"] == "57.50"
    status = client_for(app, citizen).get(f"/my/cases/{sent_case.public_id}/status").get_data(as_text=True)
    assert "(57.5%)" in check_page(status).get_text().replace(" ", "")
    council = next(s for s in stored.result["split"] if s["funder"] == "council")
    assert council["percent"] == "57.50"
    # A later split does not rewrite the decision already made.
    section117.record_pooled_split(
        staff["admin"],
        organisation,
        council_percent="60",
        effective_from=date.today() + timedelta(days=30),
        reason="Review of the pool",
    )
    db.session.expire_all()
    assert db.session.get(StoredEstimate, decision.estimate_id).split_basis["council_percent"] == "57.50"
    page = check_page(
        client_for(app, staff["assessor"]).get(f"/staff/cases/{sent_case.public_id}").get_data(as_text=True)
    )
    text = " ".join(page.get_text().split())
    # Shown as agreed (57.5%), never rounded (58%) nor with the stored decimals (57.50%).
    assert "pooled split: council 57.5%, NHS 42.5%" in text
    assert "(57.5%)" in text.replace(" ", "") and "(42.5%)" in text.replace(" ", "")
    assert "58%" not in text and "57.50" not in text
    admin = client_for(app, staff["admin"])
    pooled = check_page(admin.get("/staff/organisation/pooled-split").get_data(as_text=True))
    text = " ".join(pooled.get_text().split())
    assert "In force today: council 57.5%, NHS 42.5%." in text
    cells = [td.get_text(strip=True) for td in pooled.select("tbody td")]
    assert "57.5%" in cells and "42.5%" in cells and "60%" in cells and "40%" in cells
    polish = admin.get("/staff/organisation/pooled-split?lang=pl").get_data(as_text=True)
    text = check_page(polish, lang="pl").get_text()
    assert "57,5%" in text and "42,5%" in text and "57.5%" not in text


def test_a_split_is_proposed_and_approved_through_the_pages(app, staff, sent_case):
    entitle(staff, sent_case)
    assessor = client_for(app, staff["assessor"])
    url = f"/staff/cases/{sent_case.public_id}/section-117/splits/new"
    data = {"council_percent": "70", **day_fields("effective_from", date.today()), "reason": ""}
    page = check_page(post_form(assessor, url, data).get_data(as_text=True), errors=True)
    assert page.select_one("#reason-error") is not None
    assert page.select_one("input[name=council_percent]")["value"] == "70"
    assert (
        post_form(
            assessor, url, {**data, "council_percent": "72.5", "reason": "Mostly social care"}
        ).status_code
        == 303
    )
    split = db.session.scalar(select(AgreedSplit))
    overview = assessor.get(f"/staff/cases/{sent_case.public_id}/section-117").get_data(as_text=True)
    assert "Council 72.5%, NHS 27.5%" in " ".join(check_page(overview).get_text().split())
    approver = client_for(app, staff["approver"])
    decide = f"/staff/cases/{sent_case.public_id}/section-117/splits/{split.public_id}"
    page = check_page(approver.get(decide).get_data(as_text=True))
    assert "Council 72.5%, NHS 27.5%" in " ".join(page.get_text().split())
    assert post_form(approver, decide, {"outcome": "approve", "reason": ""}).status_code == 303
    summary = check_page(assessor.get(f"/staff/cases/{sent_case.public_id}").get_data(as_text=True))
    assert "Split agreed for this person: council 72.5%, NHS 27.5%" in " ".join(summary.get_text().split())
    db.session.expire_all()
    assert section117.split_for(refreshed(sent_case)).kind == "agreed"
    assert sent_case.status == CaseStatus.SENT and Role.APPROVER


def test_a_case_of_the_section_117_tool_is_aftercare_and_its_letter_says_it_is_free(app, s117_staff):  # noqa: F811
    """A tool that declares itself Section 117 aftercare makes its cases aftercare, entitlement recorded or not;
    NHS tools that are free to the person are free too, but never called aftercare."""
    from tests.journey.helpers import post
    from tests.practitioner.test_section_117_with_the_person import _complete

    client = client_for(app, s117_staff["assessor"])
    case = _complete(client, {})
    assert section117.is_aftercare(case) and section117.free_to_person(case)
    assert section117.detentions(case.person, case.organisation) == []
    profile_url = f"/staff/cases/{case.public_id}/needs-profile"
    version = check_page(client.get(profile_url).get_data(as_text=True)).select_one("input[name=version]")[
        "value"
    ]
    post(
        client,
        profile_url,
        {"arising": ["mental_health", "medication"], "reduces_risk": "yes", "version": version},
    )
    result = service.recalculate(case)
    with pytest.raises(ValueError, match="free"):
        service.confirm_budget(
            s117_staff["assessor"],
            case,
            confirmed_pence=result.total_weekly_pence,
            reason="",
            contribution_pence=1,
        )
    service.confirm_budget(s117_staff["assessor"], case, confirmed_pence=result.total_weekly_pence, reason="")
    work(until_empty=True)
    letter = _letter_text(case).lower()
    assert "aftercare is free" in letter and "right to have a personal health budget" in letter
    assert not any(word in letter for word in PAYING)
    assert (
        "these needs arise from, or relate to, your mental health condition" in letter
    )  # the tool's own words


def test_nhs_care_free_to_the_person_is_not_called_aftercare(app, sent_case, monkeypatch):
    from portal import tool_service

    chc = tool_service.get("continuing_healthcare")
    monkeypatch.setattr(tool_service, "of", lambda case: chc)
    assert section117.free_to_person(sent_case) and not section117.is_aftercare(sent_case)


def test_a_carer_reads_the_aftercare_decision_about_the_person_by_name(app, staff, make_account):
    """The carer is not the one entitled to aftercare: the decision speaks of the person by name, as the rest of
    the carer's decision does, and never tells the carer it is their aftercare or their right."""
    from tests.practitioner.test_decision_voice import _carers_case, _text

    client, case = _carers_case(app, make_account)
    entitle(staff, case)
    assert service.claim(staff["assessor"], case)
    lines = [line.key for line in service.recalculate(refreshed(case)).lines if line.allocated]
    section117.save_case_aftercare(
        staff["assessor"],
        refreshed(case),
        line_keys=lines,
        not_aftercare=[lines[0]],
        not_aftercare_reason="Help after a hip operation.",
        top_up_pence=4500,
        top_up_paid_by="His sister",
        top_up_accommodation="A room at Elm House",
    )
    service.release(staff["assessor"], refreshed(case))
    _decide(app, staff, case)
    text = _text(client, refreshed(case))
    assert (
        "Aftercare for Sam Taylor is free" in text and "Sam Taylor does not pay anything towards it" in text
    )
    assert "Sam Taylor chose accommodation" in text and "the choice of Sam Taylor" in text
    assert "Sam Taylor has the right to have a personal health budget" in text
    assert "mental health condition of Sam Taylor" in text
    for own_words in (
        "Your aftercare",
        "you do not pay",
        "your budget",
        "You chose",
        "you chose",
        "your choice",
    ):
        assert own_words not in text, own_words
    for own_words in (
        "You have the right",
        "Your right",
        "your mental health",
        "your aftercare",
        "write to you",
    ):
        assert own_words not in text, own_words
