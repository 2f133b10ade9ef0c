"""What needs a member of staff: approvals only they can give, returned budgets with their reasons, answers from
the person, and the cases they hold (issue 12 item 3)."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, CaseStatus, Decision
from portal.money import pounds_for_input
from portal.practitioner import service, worklist
from tests.conftest import check_page, sign_in
from tests.practitioner.test_casework import _agree_with_the_rest

PASSWORD = "correct horse battery"


def refreshed(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def client_for(app, account):
    client = app.test_client()
    sign_in(client, account, PASSWORD)
    return client


def _waiting(app, staff, sent_case, factor=3, reason="Two carers at every visit"):
    assert service.claim(staff["assessor"], sent_case)
    _agree_with_the_rest(app, staff["assessor"], refreshed(sent_case))
    result = service.recalculate(refreshed(sent_case))
    decision = service.confirm_budget(
        staff["assessor"],
        refreshed(sent_case),
        confirmed_pence=result.total_weekly_pence * factor,
        reason=reason,
    )
    assert refreshed(sent_case).status == CaseStatus.WAITING_FOR_APPROVAL
    return decision


def test_nobody_is_offered_a_budget_they_cannot_approve(app, staff, sent_case):
    decision = _waiting(app, staff, sent_case)
    decision = db.session.get(Decision, decision.id)
    # The approver confirmed this figure themselves (say, as holder of an earlier correction): the level is
    # theirs, but nobody approves their own budget, so it is not listed for them.
    decision.required_level = 3
    decision.decided_by_id = staff["approver"].id
    db.session.commit()
    inbox = client_for(app, staff["approver"]).get("/staff/approvals").get_data(as_text=True)
    assert sent_case.reference not in inbox
    assert worklist.approvals_for(staff["approver"]) == []
    # Someone else of that level sees it, and the home page counts it.
    assert [case.id for case, _ in worklist.approvals_for(staff["senior"])] == [sent_case.id]
    home = check_page(client_for(app, staff["senior"]).get("/staff/").get_data(as_text=True))
    link = home.select_one("a[href='/staff/approvals']")
    assert link is not None and "1" in link.get_text()


def test_a_returned_budget_shows_the_reason_and_the_form_keeps_the_figure_and_reasons(app, staff, sent_case):
    decision = _waiting(app, staff, sent_case)
    service.approve(
        staff["senior"], refreshed(sent_case), approved=False, reason="Please check the night support."
    )
    assert refreshed(sent_case).status == CaseStatus.CLAIMED
    assessor = client_for(app, staff["assessor"])
    url = f"/staff/cases/{sent_case.public_id}"
    text = check_page(assessor.get(url).get_data(as_text=True)).get_text(" ", strip=True)
    assert "Please check the night support." in text and "Dev Senior" in text
    budget = check_page(assessor.get(f"{url}/budget").get_data(as_text=True))
    assert budget.select_one("input[name=amount]")["value"] == pounds_for_input(
        decision.confirmed_weekly_pence
    )
    assert budget.select_one("textarea[name=reason]").get_text() == "Two carers at every visit"
    assert "Please check the night support." in budget.get_text()
    # The home page says a budget came back, and the case is among those held.
    home = check_page(assessor.get("/staff/").get_data(as_text=True)).get_text(" ", strip=True)
    assert "Returned to you (1)" in home and "Held by you (1)" in home
    # Once confirmed again, it is no longer "returned".
    result = service.recalculate(refreshed(sent_case))
    service.confirm_budget(
        staff["assessor"],
        refreshed(sent_case),
        confirmed_pence=result.total_weekly_pence * 2,
        reason="Checked",
    )
    assert worklist.returned_budget(refreshed(sent_case)) is None


def test_an_answer_from_the_person_is_counted_for_the_holder(app, staff, sent_case, citizen):
    assert service.claim(staff["assessor"], sent_case)
    service.ask_person(staff["assessor"], refreshed(sent_case), "Who helps at weekends?")
    assert worklist.needs_me(staff["assessor"]).answered == []
    from portal.sending import answer_question

    answer_question(citizen, refreshed(sent_case), "My son")
    mine = worklist.needs_me(staff["assessor"])
    assert [c.id for c in mine.answered] == [sent_case.id]
    assert worklist.needs_me(staff["assessor2"]).answered == []
    assert db.session.scalar(select(Case).filter_by(id=sent_case.id)).status == CaseStatus.CLAIMED


def _staff_emails(account):
    from portal.models import OutboxMessage

    return db.session.scalars(
        select(OutboxMessage).filter_by(to_address=account.email).order_by(OutboxMessage.id)
    ).all()


def test_each_event_emails_the_staff_member_with_only_a_link(app, staff, sent_case, citizen):
    from portal.models import Job
    from portal.sending import answer_question

    # Waiting for approval: every approver who could sign it off is told, nobody else.
    _waiting(app, staff, sent_case)
    decision = service.pending_decision(refreshed(sent_case))
    able = [
        a
        for a in (staff["approver"], staff["senior"], staff["admin"])
        if a.approval_level >= decision.required_level
    ]
    for account in able:
        (email,) = _staff_emails(account)
        assert email.kind == "staff_notice"
        assert f"/staff/cases/{sent_case.public_id}" in email.body_text
        for personal in ("Alex", "Morgan", sent_case.reference, "1948"):
            assert personal not in email.body_text and personal not in email.subject
    assert _staff_emails(staff["assessor2"]) == []
    assert db.session.scalar(select(Job).filter_by(kind="email")) is not None  # through the job table
    # Returned: the holder is told.
    service.approve(staff["senior"], refreshed(sent_case), approved=False, reason="Check nights")
    assert [e.kind for e in _staff_emails(staff["assessor"])] == ["staff_notice"]
    # The person answers a question: the holder is told, unless they turned these emails off.
    staff["assessor"].staff_emails = False
    db.session.commit()
    service.ask_person(staff["assessor"], refreshed(sent_case), "Who helps at weekends?")
    answer_question(citizen, refreshed(sent_case), "My son")
    assert len(_staff_emails(staff["assessor"])) == 1


def test_staff_turn_the_emails_off_and_on_from_their_home_page(app, staff):
    from tests.conftest import csrf_from

    client = client_for(app, staff["assessor"])
    page = client.get("/staff/").get_data(as_text=True)
    response = client.post("/staff/notifications", data={"csrf_token": csrf_from(page), "emails": "off"})
    assert response.status_code == 303
    db.session.expire_all()
    assert staff["assessor"].staff_emails is False
    page = check_page(client.get("/staff/").get_data(as_text=True))
    assert "off" in page.select_one("#notifications").get_text()
    client.post("/staff/notifications", data={"csrf_token": csrf_from(str(page)), "emails": "on"})
    db.session.expire_all()
    assert staff["assessor"].staff_emails is True
    # Bad input changes nothing and never fails.
    assert (
        client.post(
            "/staff/notifications", data={"csrf_token": csrf_from(str(page)), "emails": "x"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert staff["assessor"].staff_emails is True


def test_staff_pages_use_staff_wording_for_a_case_waiting_for_the_person(app, staff, sent_case):
    assert service.claim(staff["assessor"], sent_case)
    service.ask_person(staff["assessor"], refreshed(sent_case), "Who helps at weekends?")
    client = client_for(app, staff["assessor"])
    for url in (f"/staff/cases/{sent_case.public_id}", "/staff/queue"):
        text = check_page(client.get(url).get_data(as_text=True)).get_text(" ", strip=True)
        assert "Waiting for the person's answer" in text, url
        assert "Waiting for your answer" not in text, url


def test_the_case_page_says_who_sent_it_on_what_authority_how_to_reach_them_and_why_it_is_flagged(
    app, staff, sent_case
):
    from portal.i18n.schema_text import Words
    from portal.questionnaire import Voice, load_schema

    client = client_for(app, staff["assessor"])
    page = check_page(client.get(f"/staff/cases/{sent_case.public_id}").get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "Sent by Alex Morgan The person themselves" in text
    assert page.select_one("a[href='mailto:alex@example.org']") is not None
    schema = load_schema()
    with app.test_request_context():
        words = Words(voice=Voice.CARER, name=sent_case.person.name)
        expected = [
            words.of(schema.risk_rule(r), "description")
            for r in schema.risk(service.person_answers(sent_case)).rule_ids
        ]
    assert ("Why it is flagged" in text) == bool(expected)
    for description in expected:
        assert description in text
