"""The assessor and approver journeys, from the queue to a decision the person reads, through the real pages."""

from __future__ import annotations

import json
import re
import threading

import pikepdf
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.jobs import work
from portal.models import (
    Account,
    AuditEvent,
    Case,
    CaseStatus,
    Decision,
    Document,
    Role,
    Validation,
)
from portal.organisation_rules import Limit, OrganisationRules, ValidationRule
from portal.practitioner import service
from portal.questionnaire import load_schema
from tests.conftest import check_page, csrf_from, sign_in
from tests.journey.helpers import post

PASSWORD = "correct horse battery"


def staff_client(app, account):
    client = app.test_client()
    sign_in(client, account, PASSWORD)
    return client


def refreshed(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_queue_shows_the_case_with_flags_and_filters(app, staff, sent_case):
    client = staff_client(app, staff["assessor"])
    page = check_page(client.get("/staff/queue").get_data(as_text=True))
    assert sent_case.reference in page.get_text()
    assert (
        check_page(client.get("/staff/queue?holder=me").get_data(as_text=True)).find(
            string=re.compile(sent_case.reference)
        )
        is None
    )
    for query in (
        "q=alex",
        f"q={sent_case.reference}",
        "q=14/2/1948",
        "client_group=older_people&waiting=any",
    ):
        assert sent_case.reference in client.get(f"/staff/queue?{query}").get_data(as_text=True), query
    assert sent_case.reference not in client.get("/staff/queue?q=nobody-of-that-name").get_data(as_text=True)
    # Malformed filters never fail.
    for query in (
        "page=abc",
        "page=-5",
        "status=nonsense",
        "waiting=99",
        "q=" + "x" * 500,
        "client_group=<b>",
    ):
        assert client.get(f"/staff/queue?{query}").status_code == 200


def test_queue_puts_cases_at_risk_first_then_the_oldest(app, staff, sent_case, org):
    from datetime import timedelta

    from portal.models import utcnow

    other = Case(
        person_id=sent_case.person_id,
        created_by_id=sent_case.created_by_id,
        organisation_id=org.id,
        status=CaseStatus.SENT,
        sent_at=utcnow() - timedelta(days=30),
        risk_rank=0,
        person_name="Old Case",
    )
    urgent = Case(
        person_id=sent_case.person_id,
        created_by_id=sent_case.created_by_id,
        organisation_id=org.id,
        status=CaseStatus.SENT,
        sent_at=utcnow(),
        risk_rank=2,
        urgent=True,
        person_name="Urgent Case",
    )
    db.session.add_all([other, urgent])
    db.session.commit()
    cases, total = service.queue_page(staff["assessor"], service.QueueFilter())
    assert total == 3
    assert cases[0].id == urgent.id
    ranks = [(c.risk_rank, c.sent_at) for c in cases]
    assert ranks == sorted(ranks, key=lambda r: (-r[0], r[1]))


def test_whole_casework_journey(app, staff, sent_case, citizen, smtp_server):
    # Full validation, always: the journey checks that a budget waits for every answer (the light path and its
    # random share are decided by ValidationRule.path, tested on its own in tests/test_organisation_rules.py).
    sent_case.organisation.settings = OrganisationRules(
        validation=ValidationRule(light_max_weekly_pence=None)
    ).to_settings()
    db.session.commit()
    assessor = staff_client(app, staff["assessor"])
    case_url = f"/staff/cases/{sent_case.public_id}"
    page = assessor.get(case_url).get_data(as_text=True)
    response = assessor.post(f"{case_url}/claim", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    case = refreshed(sent_case)
    assert case.status == CaseStatus.CLAIMED and case.holder_id == staff["assessor"].id
    validation = db.session.scalar(select(Validation).filter_by(case_id=case.id))
    assert validation.path_taken == "full"

    # Validate: agree with one answer, amend another with a reason.
    check_page(assessor.get(f"{case_url}/validate").get_data(as_text=True))
    schema = load_schema()
    answers = service.person_answers(case)
    path = schema.path(answers)
    first = path[0]
    response = post(
        assessor, f"{case_url}/validate/{first}", {"action": "agree", "version": str(validation.version)}
    )
    assert response.status_code == 303
    washing = schema.question("washing")
    new_value = next(o.value for o in washing.options if o.value != answers["washing"])
    version = db.session.scalar(select(Validation).filter_by(case_id=case.id)).version
    # An amendment without a reason is refused, and what was typed is kept.
    response = post(
        assessor,
        f"{case_url}/validate/washing",
        {"action": "amend", "answer": new_value, "version": str(version)},
    )
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "Enter why you are changing the answer" in page.get_text()
    response = post(
        assessor,
        f"{case_url}/validate/washing",
        {
            "action": "amend",
            "answer": new_value,
            "reason": "Seen at the home visit",
            "note": "Daily",
            "version": str(version),
        },
    )
    assert response.status_code == 303
    assert service.validated_answers(refreshed(case))["washing"] == new_value
    assert service.person_answers(refreshed(case))["washing"] == answers["washing"]

    # Ask the person a question; they answer on their status page; the case comes back.
    response = post(assessor, f"{case_url}/ask", {"question": "Who helps you at weekends?"})
    assert refreshed(case).status == CaseStatus.WAITING_FOR_PERSON
    person = staff_client(app, citizen)
    status = person.get(f"/my/cases/{case.public_id}/status").get_data(as_text=True)
    assert "Who helps you at weekends?" in status
    response = person.post(
        f"/my/cases/{case.public_id}/status",
        data={"csrf_token": csrf_from(status), "answer": "My son, on Saturdays."},
    )
    assert response.status_code == 303
    assert refreshed(case).status == CaseStatus.CLAIMED

    # The Needs Profile and the eligibility decision.
    version = db.session.scalar(select(Validation).filter_by(case_id=case.id)).version
    response = post(
        assessor,
        f"{case_url}/needs-profile",
        {
            "cannot_achieve": ["hygiene", "nutrition", "dressing"],
            "impairment": "yes",
            "wellbeing": "yes",
            "risks": "Falls at night",
            "version": str(version),
        },
    )
    assert response.status_code == 303
    assert service.eligible_areas(
        db.session.scalar(select(Validation).filter_by(case_id=case.id)).practitioner_items
    ) == ["nutrition", "hygiene", "dressing"]

    # Full validation needs every answer checked before a budget: agree with the rest.
    response = post(assessor, f"{case_url}/budget", {"amount": "100.00", "reason": "x"})
    assert "needs full validation" in response.get_data(as_text=True)
    assert refreshed(case).status == CaseStatus.CLAIMED
    _agree_with_the_rest(app, staff["assessor"], refreshed(case))

    # Confirm a budget above the assessor's limit: it goes to an approver.
    result = service.recalculate(refreshed(case))
    assert result.eligible is not None
    higher = result.total_weekly_pence + 100_000
    page = check_page(assessor.get(f"{case_url}/budget").get_data(as_text=True))
    assert "Calculated on the validated answers" in page.get_text()
    response = post(assessor, f"{case_url}/budget", {"amount": f"{higher / 100:.2f}"})
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "Enter the reasons" in page.get_text()
    response = post(
        assessor,
        f"{case_url}/budget",
        {
            "amount": f"{higher / 100:.2f}",
            "reason": "Two carers are needed for every visit.",
            "contribution": "25.00",
        },
    )
    assert response.status_code == 303
    case = refreshed(case)
    assert case.status == CaseStatus.WAITING_FOR_APPROVAL
    decision = db.session.scalar(select(Decision).filter_by(case_id=case.id))
    assert decision.required_level >= 3 and decision.outcome == "pending"

    # An assessor cannot approve; a level-3 approver can (if the level suffices).
    assert assessor.get(f"{case_url}/approve").status_code == 403
    approver_account = staff["senior"] if decision.required_level == 4 else staff["approver"]
    approver = staff_client(app, approver_account)
    inbox = approver.get("/staff/approvals").get_data(as_text=True)
    assert case.reference in inbox
    response = post(approver, f"{case_url}/approve", {"outcome": "approve"})
    assert response.status_code == 303
    case = refreshed(case)
    assert case.status == CaseStatus.DECIDED

    # The person is told by email, and the worker renders the letter.
    work(until_empty=True)
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert any("has been decided" in s for s in subjects)
    assert any("question about your assessment" in s for s in subjects)
    letter = db.session.scalar(select(Document).filter_by(case_id=case.id, kind="decision_letter"))
    assert letter is not None and letter.lang == "en"
    with pikepdf.open(__import__("io").BytesIO(letter.content)) as pdf:
        assert str(pdf.Root.Lang) == "en"
        assert "/StructTreeRoot" in pdf.Root

    status = person.get(f"/my/cases/{case.public_id}/status").get_data(as_text=True)
    page = check_page(status)
    text = page.get_text(" ", strip=True)
    assert "Two carers are needed for every visit." in text
    assert "financial assessment" in text and "£25.00 a week" in text
    assert "Local Government and Social Care Ombudsman" in text
    assert "meet the national eligibility criteria" in text and "washing and personal care" in text
    download = page.select_one("a[href*='/documents/']")["href"]
    response = person.get(download)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"

    # Export and history.
    exported = json.loads(assessor.get(f"{case_url}/export.json").get_data(as_text=True))
    assert exported["reference"] == case.reference
    assert exported["decision"]["confirmed_weekly_pence"] == higher
    # The raw audit trail is kept for export (the history page itself reads as a story).
    history = assessor.get(f"{case_url}/history.json").get_data(as_text=True)
    for action in (
        "case.claimed",
        "validation.answer",
        "case.question_asked",
        "case.budget_confirmed",
        "case.budget_approved",
        "case.viewed",
    ):
        assert action in history, action
    amend = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "validation.answer", AuditEvent.reason == "Seen at the home visit"
        )
    )
    assert amend.detail["after"]["value"] == new_value


def _agree_with_the_rest(app, assessor, case):
    """Agree with every answer not yet checked (answering any the person was not asked with the first option)."""
    from portal.practitioner.validation_pages import worded_validation_rows

    with app.test_request_context():
        rows = worded_validation_rows(case)
    schema = load_schema()
    for row in rows:
        version = db.session.scalar(select(Validation).filter_by(case_id=case.id)).version
        if row["state"] == "to_check":
            service.validate_answer(assessor, case, row["id"], action="agree", expected_version=version)
        elif row["state"] == "to_answer":
            question = schema.question(row["id"])
            value = question.options[0].value if question.options else "1"
            service.validate_answer(
                assessor, case, row["id"], action="answer", value=value, expected_version=version
            )


def test_budget_within_the_limit_is_decided_at_once(app, staff, sent_case, smtp_server):
    assert service.claim(staff["assessor"], sent_case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(sent_case))
    result = service.recalculate(refreshed(sent_case))
    sent_case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=10_000_000), 3: Limit(), 4: Limit()}
    ).to_settings()
    db.session.commit()
    decision = service.confirm_budget(
        staff["assessor"], refreshed(sent_case), confirmed_pence=result.total_weekly_pence, reason=""
    )
    assert decision.outcome == "approved" and refreshed(sent_case).status == CaseStatus.DECIDED
    assert decision.required_level == 2


def test_returned_budget_goes_back_to_the_assessor(app, staff, sent_case):
    assert service.claim(staff["assessor"], sent_case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(sent_case))
    result = service.recalculate(refreshed(sent_case))
    service.confirm_budget(
        staff["assessor"],
        refreshed(sent_case),
        confirmed_pence=result.total_weekly_pence * 3,
        reason="Complex needs",
    )
    case = refreshed(sent_case)
    assert case.status == CaseStatus.WAITING_FOR_APPROVAL
    with pytest.raises(ValueError):
        service.approve(staff["senior"], case, approved=False, reason="")
    service.approve(staff["senior"], case, approved=False, reason="Please check the night support.")
    assert refreshed(case).status == CaseStatus.CLAIMED
    assert db.session.scalar(select(Decision).filter_by(case_id=case.id)).outcome == "returned"


def test_an_approver_below_the_required_level_cannot_approve(app, staff, sent_case):
    assert service.claim(staff["assessor"], sent_case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(sent_case))
    result = service.recalculate(refreshed(sent_case))
    decision = service.confirm_budget(
        staff["assessor"],
        refreshed(sent_case),
        confirmed_pence=result.total_weekly_pence + 10_000_000,
        reason="Exceptional",
    )
    assert decision.required_level == 4
    with pytest.raises(PermissionError):
        service.approve(staff["approver"], refreshed(sent_case), approved=True)
    client = staff_client(app, staff["approver"])
    assert sent_case.reference not in client.get("/staff/approvals").get_data(as_text=True)
    assert client.get(f"/staff/cases/{sent_case.public_id}/approve").status_code == 403


def test_two_people_editing_at_once_get_a_conflict_and_keep_their_work(app, staff, sent_case):
    assert service.claim(staff["assessor"], sent_case)
    client = staff_client(app, staff["assessor"])
    url = f"/staff/cases/{sent_case.public_id}/validate/washing"
    page = client.get(url).get_data(as_text=True)
    stale_version = re.search(r'name="version" value="(\d+)"', page).group(1)
    # Someone else saves first.
    service.validate_answer(
        staff["assessor"],
        refreshed(sent_case),
        "eating-drinking",
        action="agree",
        expected_version=int(stale_version),
    )
    schema = load_schema()
    value = next(
        o.value
        for o in schema.question("washing").options
        if o.value != service.person_answers(refreshed(sent_case))["washing"]
    )
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(page),
            "action": "amend",
            "answer": value,
            "reason": "My typed reason",
            "version": stale_version,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this case" in html
    assert "My typed reason" in html
    assert "washing" not in (
        db.session.scalar(select(Validation).filter_by(case_id=sent_case.id)).items or {}
    )


def _claim_race(
    app, case_id: int, accounts: list[Account], barrier: threading.Barrier, results: dict
) -> None:
    """Each thread, on its own connection, reads the case as free, waits for the others, then claims."""

    def run(account_id: int) -> None:
        with app.app_context():
            case = db.session.get(Case, case_id)
            assert case.status == CaseStatus.SENT and case.holder_id is None  # both see it free
            barrier.wait()
            results[account_id] = service.claim(db.session.get(Account, account_id), case)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(a.id,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


def test_two_assessors_claiming_at_once_never_both_hold_the_case(app, staff, sent_case):
    """Many rounds, each forcing both to read the case as free before either writes."""
    assessors = [staff["assessor"], staff["assessor2"]]
    for _round in range(15):
        results: dict[int, bool] = {}
        _claim_race(app, sent_case.id, assessors, threading.Barrier(2), results)
        assert sorted(results.values()) == [False, True], results
        winner = next(account_id for account_id, won in results.items() if won)
        case = refreshed(sent_case)
        assert case.holder_id == winner and case.status == CaseStatus.CLAIMED
        assert service.release(db.session.get(Account, winner), case)


def test_staff_routes_by_role_and_organisation(app, staff, sent_case, citizen):
    case_pages = ["", "/validate", "/validate/washing", "/needs-profile", "/budget", "/history"]
    outsider = staff_client(app, staff["outsider"])
    for page in case_pages:
        assert outsider.get(f"/staff/cases/{sent_case.public_id}{page}").status_code == 404, page
    assert sent_case.reference not in outsider.get("/staff/queue").get_data(as_text=True)
    person = staff_client(app, citizen)
    for page in [
        "/staff/queue",
        "/staff/approvals",
        *[f"/staff/cases/{sent_case.public_id}{p}" for p in case_pages],
    ]:
        assert person.get(page).status_code == 403, page
    assessor = staff_client(app, staff["assessor"])
    assert assessor.get("/staff/approvals").status_code == 403
    # An assessor who does not hold the case cannot change it.
    assert service.claim(staff["assessor2"], sent_case)
    page = assessor.get("/account/sign-out").get_data(as_text=True)  # any page with a form, for a token
    response = assessor.post(
        f"/staff/cases/{sent_case.public_id}/validate/washing",
        data={"csrf_token": csrf_from(page), "action": "agree", "version": "1"},
    )
    assert response.status_code == 403
    assert assessor.get(f"/staff/cases/{sent_case.public_id}/ask").status_code == 403
    # Not guessable, not found.
    assert assessor.get("/staff/cases/00000000000000000000000000000000").status_code == 404
    assert assessor.get("/staff/cases/not-an-id").status_code == 404


def test_approver_can_reassign(app, staff, sent_case):
    assert service.claim(staff["assessor"], sent_case)
    client = staff_client(app, staff["approver"])
    page = client.get(f"/staff/cases/{sent_case.public_id}").get_data(as_text=True)
    token = csrf_from(page)
    response = client.post(
        f"/staff/cases/{sent_case.public_id}/reassign",
        data={"csrf_token": token, "assessor": staff["assessor2"].public_id, "reason": "Leave"},
    )
    assert response.status_code == 303
    assert refreshed(sent_case).holder_id == staff["assessor2"].id
    event = db.session.scalar(select(AuditEvent).filter_by(action="case.reassigned"))
    assert event.reason == "Leave"


def test_every_view_of_personal_data_is_audited(app, staff, sent_case):
    client = staff_client(app, staff["approver"])
    before = db.session.query(AuditEvent).filter_by(action="case.viewed").count()
    for page in ("", "/validate", "/needs-profile", "/budget", "/history"):
        assert client.get(f"/staff/cases/{sent_case.public_id}{page}").status_code == 200
    views = db.session.scalars(select(AuditEvent).filter_by(action="case.viewed")).all()
    assert len(views) - before == 5
    assert {v.actor_id for v in views} == {staff["approver"].id}


def test_a_person_sent_twice_is_marked_as_a_possible_duplicate(app, citizen, make_account, org):
    from tests.conftest import sign_in as sign_in_client
    from tests.journey.helpers import answer_all, start

    carer = make_account(email="carer@example.org")
    references = []
    for account, carer_for in ((citizen, None), (carer, "Alex Morgan")):
        client = app.test_client()
        sign_in_client(client, account)
        case_id = start(client, carer_for=carer_for)
        answer_all(client, case_id)
        post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
        references.append(case_id)
    db.session.expire_all()
    cases = db.session.scalars(select(Case).where(Case.public_id.in_(references))).all()
    assert all(c.possible_duplicate for c in cases)


def test_eligibility_rule():
    assert service.eligible_areas({}) is None
    yes = {"impairment": "yes", "wellbeing": "yes"}
    assert service.eligible_areas({"eligibility": {**yes, "cannot_achieve": ["hygiene"]}}) == []
    assert service.eligible_areas(
        {"eligibility": {**yes, "cannot_achieve": ["hygiene", "dressing", "bogus"]}}
    ) == ["hygiene", "dressing"]
    assert (
        service.eligible_areas(
            {
                "eligibility": {
                    "impairment": "no",
                    "wellbeing": "yes",
                    "cannot_achieve": ["hygiene", "dressing"],
                }
            }
        )
        == []
    )


def test_role_of_staff_pages_is_declared(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("practitioner."):
            assert getattr(app.view_functions[rule.endpoint], "allowed_roles", None), rule.endpoint
    assert Role.CITIZEN not in app.view_functions["practitioner.queue"].allowed_roles


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ("£1,234,567.89", "amount", "The amount must be £25,000.00 or less"),
        ("240,95", "amount", "Use a full stop before the pence, and commas only between thousands"),
        ("12.345", "amount", "Enter the amount to the nearest penny"),
        ("-3", "contribution", "The amount must be £0 or more"),
    ],
)
def test_budget_page_refuses_money_slips_and_keeps_what_was_typed(
    app, staff, sent_case, typed, field, message
):
    assert service.claim(staff["assessor"], sent_case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(sent_case))
    assessor = staff_client(app, staff["assessor"])
    url = f"/staff/cases/{sent_case.public_id}/budget"
    data = {"amount": "100", "reason": "Two carers at every visit.", field: typed}
    page = check_page(post(assessor, url, data).get_data(as_text=True), errors=True)
    assert message in page.select_one(f"#{field}-error").get_text()
    assert page.select_one(f"#{field}")["value"] == typed
    assert refreshed(sent_case).status == CaseStatus.CLAIMED


def test_budget_page_reads_pence_alone(app, staff, sent_case):
    """ ".50" is 50p on every staff form (it was refused here and accepted on the admin's)."""
    assert service.claim(staff["assessor"], sent_case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(sent_case))
    sent_case.organisation.settings = OrganisationRules(
        limits={2: Limit(weekly_pence=2_500_000), 3: Limit(), 4: Limit()}
    ).to_settings()
    db.session.commit()
    assessor = staff_client(app, staff["assessor"])
    url = f"/staff/cases/{sent_case.public_id}/budget"
    response = post(assessor, url, {"amount": ".50", "reason": "A token amount.", "contribution": ".25"})
    assert response.status_code == 303
    decision = db.session.scalar(select(Decision).filter_by(case_id=sent_case.id))
    assert (decision.confirmed_weekly_pence, decision.contribution_pence) == (50, 25)


def test_needs_profile_page_words_every_value_never_a_code(app, staff, sent_case):
    """The factors showed raw codes such as older_people; every value now comes from portal.vocabulary."""
    assert service.claim(staff["assessor"], sent_case)
    assessor = staff_client(app, staff["assessor"])
    page = check_page(
        assessor.get(f"/staff/cases/{sent_case.public_id}/needs-profile").get_data(as_text=True)
    )
    table = page.select_one("table")
    levels = [row.select("td")[0].get_text(strip=True) for row in table.select("tbody tr")]
    assert levels and all(levels), levels
    assert set(levels) <= {"None", "A little", "Some", "A lot", "All the time"}
    factors = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in page.select(".govuk-summary-list__row")
        if row.select_one("dt")
    }
    assert factors["The main reason for support"] in {
        "Older people",
        "Physical disability",
        "Learning disability",
        "Mental health",
        "Autism",
    }
    assert not [value for value in factors.values() if "_" in value or value.isdigit()], factors
