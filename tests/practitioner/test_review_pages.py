"""Reviews through the real pages: the person starts one from their decision, writes their own sections, sees what
they said last time on each question and sends it; the assessor records it, confirms the budget; the person reads
what changed, their timeline with its charts, and downloads their copy. Every page refuses the wrong user."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import cases, review_due, reviews
from portal.extensions import db
from portal.models import AuditEvent, Case, CaseKind, CaseStatus, Decision, Review, utcnow
from portal.practitioner import service
from tests.conftest import check_page, csrf_from, sign_in
from tests.journey.helpers import post
from tests.practitioner.test_casework import PASSWORD, _agree_with_the_rest, refreshed, staff_client
from tests.practitioner.test_lifecycle import _decided

S = CaseStatus


def person_client(app, citizen):
    client = app.test_client()
    sign_in(client, citizen, PASSWORD)
    return client


def record_data(**changes):
    today = utcnow().date()
    later = today + timedelta(days=300)
    data = {
        "held_on": [str(today.day), str(today.month), str(today.year)],
        "review_type": "planned",
        "took_part": "Alex, Alex's daughter and the assessor",
        "carer_assessment": "offered",
        "capacity": "has_capacity",
        "outcome": "budget_changed",
        "next_review_on": [str(later.day), str(later.month), str(later.year)],
    }
    data.update(changes)
    return data


def post_form(client, url, data):
    """Post a form with its page's CSRF token (and the version of what it edits, if the page has one)."""
    html = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html)
    extra = {"version": version.group(1)} if version else {}
    return client.post(url, data={"csrf_token": csrf_from(html), **extra, **data})


@pytest.fixture
def decided(app, staff, sent_case):
    return _decided(app, staff, sent_case)


def started_review(app, citizen, decided):
    client = person_client(app, citizen)
    page = client.get(f"/my/cases/{decided.public_id}/status").get_data(as_text=True)
    assert "Start a review" in page
    token = csrf_from(page)
    response = client.post(f"/my/cases/{decided.public_id}/review/start", data={"csrf_token": token})
    assert response.status_code == 303
    review = db.session.scalar(select(Case).filter_by(follows_id=decided.id, kind=CaseKind.REVIEW))
    assert response.headers["Location"].endswith(f"/my/cases/{review.public_id}/review")
    return client, review


def test_the_person_walks_a_review_and_the_assessor_records_it(app, staff, citizen, decided):
    client, review = started_review(app, citizen, decided)
    # Their own sections, in the first person; then the task list shows the review's own task.
    page = check_page(client.get(f"/my/cases/{review.public_id}/review").get_data(as_text=True))
    assert "What is working well for me?" in page.get_text()
    response = post_form(
        client,
        f"/my/cases/{review.public_id}/review",
        {"working": "My PA and I go swimming", "goals": "Cook for myself", "plan_meets": "partly"},
    )
    assert response.status_code == 303
    tasks = check_page(client.get(f"/my/cases/{review.public_id}/").get_data(as_text=True))
    assert "Your review" in tasks.h1.get_text()
    assert "What is working, what worries you, what matters and your goals" in tasks.get_text()
    # Every question shows what was said last time.
    schema = service.schema(review)
    answers = schema.decode_answers(refreshed(review).answers)
    first = schema.path(answers)[0]
    question = check_page(
        client.get(f"/my/cases/{review.public_id}/questions/{first}").get_data(as_text=True)
    )
    assert question.select_one(".app-last-time") is not None
    assert "Last time:" in question.select_one(".app-last-time").get_text()
    # Send it, as any assessment.
    response = post(client, f"/my/cases/{review.public_id}/send", {"confirm": "y"})
    assert response.status_code == 303
    review = refreshed(review)
    assert review.status == S.SENT
    # The assessor claims and checks it; the budget is refused until the review is recorded.
    assert service.claim(staff["assessor"], review)
    _agree_with_the_rest(app, staff["assessor"], refreshed(review))
    result = service.recalculate(refreshed(review))
    with pytest.raises(reviews.ReviewNotRecorded):
        service.confirm_budget(
            staff["assessor"], refreshed(review), confirmed_pence=result.total_weekly_pence, reason=""
        )
    assessor = staff_client(app, staff["assessor"])
    budget_page = post_form(
        assessor,
        f"/staff/cases/{review.public_id}/budget",
        {"amount": str(result.total_weekly_pence / 100), "reason": ""},
    )
    assert "Record the review before you confirm its budget" in budget_page.get_data(as_text=True)
    review_page = check_page(assessor.get(f"/staff/cases/{review.public_id}/review").get_data(as_text=True))
    assert "My PA and I go swimming" in review_page.get_text()
    assert review_page.select_one("[lang=en]") is not None
    # A wrong entry keeps what was typed, with a message beside the field.
    refused = post_form(assessor, f"/staff/cases/{review.public_id}/review", record_data(took_part=""))
    assert refused.status_code == 200
    refused_page = check_page(refused.get_data(as_text=True), errors=True)
    assert "Enter who took part" in refused_page.get_text()
    # Another assessor may read it but not record it.
    other = staff_client(app, staff["assessor2"])
    assert other.get(f"/staff/cases/{review.public_id}/review").status_code == 200
    token = csrf_from(other.get("/account/password").get_data(as_text=True))
    refused = other.post(
        f"/staff/cases/{review.public_id}/review", data={"csrf_token": token, **record_data()}
    )
    assert refused.status_code == 403
    response = post_form(assessor, f"/staff/cases/{review.public_id}/review", record_data())
    assert response.status_code == 303
    assert db.session.scalar(select(AuditEvent).filter_by(action="review.recorded", case_id=review.id))
    service.confirm_budget(
        staff["assessor"],
        refreshed(review),
        confirmed_pence=result.total_weekly_pence + 500,
        reason="More swimming",
    )
    review = refreshed(review)
    assert review.status == S.DECIDED
    in_force = cases.decision_in_force(decided)
    assert in_force is not None and in_force[0].id == review.id
    assert refreshed(decided).status == S.DECIDED, "the first decision is kept as it was"
    # The person reads what changed, what was recorded, and downloads their copy.
    status = check_page(client.get(f"/my/cases/{review.public_id}/status").get_data(as_text=True))
    text = status.get_text()
    assert "What changed" in text and "The budget, line by line" in text
    assert "What the review recorded" in text and "Alex, Alex's daughter and the assessor" in text
    copy = client.get(f"/my/cases/{review.public_id}/review.pdf")
    assert copy.status_code == 200 and copy.mimetype == "application/pdf"
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(client.get(f"/my/cases/{review.public_id}/review.pdf?lang=cy").data)) as pdf:
        assert str(pdf.Root.Lang) == "cy" and pdf.Root.MarkInfo.Marked, "tagged, in the person's language"
    client.get(f"/my/cases/{review.public_id}/status?lang=en")
    # Their timeline: both decisions in order, with charts that have titles and tables beside them.
    line = check_page(client.get(f"/my/cases/{review.public_id}/timeline").get_data(as_text=True))
    charts = line.select("svg.app-chart")
    assert len(charts) == 2
    for chart in charts:
        assert chart.find("title") is not None and chart.find("desc") is not None
        assert chart.get("role") == "img" and chart.get("aria-labelledby")
        assert chart.find(attrs={"style": True}) is None
    table = line.select("table")[0]
    assert decided.reference in table.get_text() and review.reference in table.get_text()
    # The next review is the date recorded; the staff list shows it coming up.
    due = review_due.due_for_case(review)
    assert due is not None and due.due_on == utcnow().date() + timedelta(days=300) and due.state == "upcoming"
    assert review_due.counts(review.organisation_id) == {
        "overdue": 0,
        "due": 0,
        "under_way": 0,
        "upcoming": 1,
    }


def test_the_review_page_offers_start_only_while_none_is_open(app, citizen, decided):
    client, review = started_review(app, citizen, decided)
    page = client.get(f"/my/cases/{decided.public_id}/status").get_data(as_text=True)
    assert "Start a review" not in page
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    response = client.post(f"/my/cases/{decided.public_id}/review/start", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/status")
    assert (
        db.session.scalar(select(Case.id).where(Case.follows_id == decided.id).order_by(Case.id.desc()))
        == review.id
    )


def test_an_assessor_goes_through_a_review_with_the_person(app, staff, decided):
    assessor = staff_client(app, staff["assessor2"])
    timeline_page = check_page(
        assessor.get(f"/staff/cases/{decided.public_id}/timeline").get_data(as_text=True)
    )
    assert "Start a review with the person" in timeline_page.get_text()
    assert len(timeline_page.select("svg.app-chart")) == 2
    token = csrf_from(assessor.get(f"/staff/cases/{decided.public_id}/timeline").get_data(as_text=True))
    response = assessor.post(f"/staff/cases/{decided.public_id}/review/start", data={"csrf_token": token})
    assert response.status_code == 303
    review = db.session.scalar(select(Case).filter_by(follows_id=decided.id))
    assert (review.status, review.holder_id) == (S.DRAFT, staff["assessor2"].id)
    response = post_form(assessor, f"/staff/assess/{review.public_id}/review", {"matters": "My garden"})
    assert response.status_code == 303 and "/staff/assess/" in response.headers["Location"]
    question = check_page(assessor.get(response.headers["Location"]).get_data(as_text=True))
    assert question.select_one(".app-last-time") is not None
    assert db.session.scalar(select(Review).filter_by(case_id=review.id)).matters == "My garden"
    # Another assessor cannot reach this draft.
    other = staff_client(app, staff["assessor"])
    assert other.get(f"/staff/assess/{review.public_id}/review").status_code == 404


def test_a_manager_goes_through_a_review_with_the_person(app, staff, decided):
    """An approver starts a review as an assessor does, goes through it with the person, finishes it and then
    holds it to check (or gives it to an assessor); another manager cannot reach their draft."""
    approver = staff_client(app, staff["approver"])
    timeline_page = check_page(
        approver.get(f"/staff/cases/{decided.public_id}/timeline").get_data(as_text=True)
    )
    assert "Start a review with the person" in timeline_page.get_text()
    token = csrf_from(approver.get(f"/staff/cases/{decided.public_id}/timeline").get_data(as_text=True))
    response = approver.post(f"/staff/cases/{decided.public_id}/review/start", data={"csrf_token": token})
    assert response.status_code == 303
    review = db.session.scalar(select(Case).filter_by(follows_id=decided.id, kind=CaseKind.REVIEW))
    assert (review.status, review.holder_id) == (S.DRAFT, staff["approver"].id)
    assert review.reference in approver.get("/staff/").get_data(as_text=True), (
        "on their home page to carry on"
    )
    response = post_form(approver, f"/staff/assess/{review.public_id}/review", {"matters": "My garden"})
    assert response.status_code == 303 and "/staff/assess/" in response.headers["Location"]
    check_page(approver.get(response.headers["Location"]).get_data(as_text=True))
    schema = service.schema(review)
    answers = schema.decode_answers(refreshed(review).answers)
    assert schema.first_unanswered(answers) is None, "prefilled from the answers as confirmed"
    response = post_form(approver, f"/staff/assess/{review.public_id}/finish", {})
    assert response.status_code == 303
    review = refreshed(review)
    assert (review.status, review.holder_id) == (S.CLAIMED, staff["approver"].id)
    assert cases.can(staff["approver"], review, cases.Move.VALIDATE)
    checking = approver.get(f"/staff/cases/{review.public_id}/validate").get_data(as_text=True)
    section = re.search(r'action="(/staff/cases/[0-9a-f]+/validate/sections/[^"]+)"', checking).group(1)
    html = approver.get(f"/staff/cases/{review.public_id}/validate").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = approver.post(section, data={"csrf_token": csrf_from(html), "version": version})
    assert response.status_code == 303, "the holder agrees with a section's answers, manager or not"
    senior = staff_client(app, staff["senior"])
    assert senior.get(f"/staff/assess/{review.public_id}/review").status_code == 404


def test_reviews_due_for_staff(app, staff, decided):
    decision = db.session.scalar(select(Decision).filter_by(case_id=decided.id, outcome="approved"))
    due = review_due.due_for_case(decided)
    assert (decision.review_due_on, decision.review_window_from) == (due.due_on, due.window_from), (
        "the budget services store the review a decision brings when they make it"
    )
    decision.created_at = decision.created_at - timedelta(days=70)
    db.session.commit()
    review_due.store_next_review(decided)  # as if it had been decided 70 days ago
    db.session.commit()
    client = staff_client(app, staff["approver"])
    page = check_page(client.get("/staff/reviews").get_data(as_text=True))
    assert decided.reference in page.get_text() and "Overdue" in page.get_text()
    outsider = staff_client(app, staff["outsider"])
    assert decided.reference not in outsider.get("/staff/reviews").get_data(as_text=True)
    assert "Reviews overdue (1) and due (0)" in client.get("/staff/queue").get_data(as_text=True)
    assert "Reviews overdue (0) and due (0)" in outsider.get("/staff/queue").get_data(as_text=True)


def test_wrong_users_are_refused(app, staff, citizen, decided, make_account):
    _, review = started_review(app, citizen, decided)
    stranger = person_client(app, make_account(email="stranger@example.org"))
    for url in (
        f"/my/cases/{decided.public_id}/timeline",
        f"/my/cases/{review.public_id}/review",
        f"/my/cases/{decided.public_id}/review.pdf",
    ):
        assert stranger.get(url).status_code == 404, url
    token = csrf_from(stranger.get("/account/password").get_data(as_text=True))
    response = stranger.post(f"/my/cases/{decided.public_id}/review/start", data={"csrf_token": token})
    assert response.status_code == 404
    outsider = staff_client(app, staff["outsider"])
    for url in (
        f"/staff/cases/{decided.public_id}/timeline",
        f"/staff/cases/{decided.public_id}/review",
        f"/staff/cases/{decided.public_id}/review.pdf",
        f"/staff/cases/{decided.public_id}/reminders/{'0' * 32}",
    ):
        assert outsider.get(url).status_code == 404, url
    person = person_client(app, citizen)
    assert person.get(f"/staff/cases/{decided.public_id}/timeline").status_code == 403
    assert person.get("/staff/reviews").status_code == 403
    token = csrf_from(outsider.get("/account/password").get_data(as_text=True))
    response = outsider.post(f"/staff/cases/{decided.public_id}/review/start", data={"csrf_token": token})
    assert response.status_code == 404, "another organisation's case"
    approver = staff_client(app, staff["approver"])
    assert approver.get(f"/staff/cases/{decided.public_id}/review").status_code == 404, "not a review"
    assert (
        staff_client(app, staff["assessor"]).get(f"/my/cases/{decided.public_id}/timeline").status_code == 403
    )


def test_reminders_are_sent_once_by_email_or_letter(app, staff, citizen, decided, smtp_server):
    from portal.jobs import run_once
    from portal.models import Document, Job, OutboxMessage, ReviewReminder, Snapshot

    decision = db.session.scalar(select(Decision).filter_by(case_id=decided.id, outcome="approved"))
    decision.created_at = decision.created_at - timedelta(days=50)
    db.session.commit()
    assert review_due.send_reminders() == 1
    assert review_due.send_reminders() == 0, "never two reminders for the same due date"
    emails = db.session.scalars(select(OutboxMessage).filter_by(kind="review_due")).all()
    assert [m.to_address for m in emails] == [citizen.email]
    assert "due to be reviewed by" in emails[0].body_text
    # The job runs it, and queues tomorrow's run; running it again sends nothing new.
    from portal.jobs import start_recurring

    start_recurring()  # as a worker does when it starts
    assert review_due.schedule_reminders() is None, "one waiting job at a time"
    while run_once():
        pass
    assert db.session.scalar(select(Job).filter_by(kind="review_reminders", status="done")) is not None
    assert db.session.scalar(select(Job).filter_by(kind="review_reminders", status="pending")) is not None
    assert len(db.session.scalars(select(ReviewReminder)).all()) == 1
    # Someone who asked for letters gets a letter, kept for staff to print and post.
    snapshot = db.session.scalar(select(Snapshot).filter_by(case_id=decided.id))
    snapshot.answers = {**snapshot.answers, "preferred-contact": "letter"}
    db.session.execute(ReviewReminder.__table__.delete())
    db.session.commit()
    assert review_due.channel_for(decided) == "letter"
    assert review_due.send_reminders() == 1
    while run_once():
        pass
    letter = db.session.scalar(select(Document).filter_by(case_id=decided.id, kind="review_reminder"))
    assert letter is not None and letter.content.startswith(b"%PDF")
    page = staff_client(app, staff["assessor"]).get("/staff/reviews").get_data(as_text=True)
    assert "Reminder letter (PDF)" in page


def test_a_review_with_the_person_goes_on_to_its_own_tools_questions(app, staff, decided):
    """A review of a Section 117 decision asks that tool's questions, not the adult self-assessment's."""
    decided.tool_key = "section_117"
    db.session.commit()
    assessor = staff_client(app, staff["assessor2"])
    token = csrf_from(assessor.get(f"/staff/cases/{decided.public_id}/timeline").get_data(as_text=True))
    assert (
        assessor.post(
            f"/staff/cases/{decided.public_id}/review/start", data={"csrf_token": token}
        ).status_code
        == 303
    )
    review = db.session.scalar(select(Case).filter_by(follows_id=decided.id, kind=CaseKind.REVIEW))
    assert review.tool_key == "section_117"
    response = post_form(assessor, f"/staff/assess/{review.public_id}/review", {"matters": "My garden"})
    assert response.status_code == 303
    schema = service.schema(review)
    answers = schema.decode_answers(refreshed(review).answers or {})
    first = schema.first_unanswered(answers) or schema.path(answers)[0]
    assert response.headers["Location"].endswith(f"/staff/assess/{review.public_id}/questions/{first}")
    assert assessor.get(response.headers["Location"]).status_code == 200


def test_a_manager_holding_a_case_asks_the_person_as_an_assessor_would(app, staff, sent_case):
    """Who may ask is the lifecycle's rule (the holder), not the page's: a manager who holds a review they went
    through with the person asks and records answers like any holder; a manager who does not hold it may not."""
    from portal.practitioner.queue_service import claim

    assert claim(staff["assessor"], sent_case, draw=0.5)
    case = refreshed(sent_case)
    case.holder_id = staff["approver"].id  # as after a review the manager went through with the person
    db.session.commit()
    approver = staff_client(app, staff["approver"])
    assert approver.get(f"/staff/cases/{case.public_id}/ask").status_code == 200
    response = post_form(
        approver, f"/staff/cases/{case.public_id}/ask", {"question": "Who helps you at night?"}
    )
    assert response.status_code == 303
    assert refreshed(case).status == S.WAITING_FOR_PERSON
    senior = staff_client(app, staff["senior"])
    assert senior.get(f"/staff/cases/{case.public_id}/ask").status_code == 403
