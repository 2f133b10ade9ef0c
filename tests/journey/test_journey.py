"""The citizen and carer journey, from start to a sent case, through the real pages."""

from __future__ import annotations

import re
import threading

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.extensions import db
from portal.jobs import work
from portal.models import AuditEvent, Authority, Case, CaseStatus, PersonLink, Role, Snapshot
from portal.practitioner.service import claim
from portal.questionnaire import load_schema
from portal.selfassess import service
from tests.conftest import check_page, csrf_from, sign_in
from tests.journey.helpers import answer, answer_all, first_option, post, start

PASSWORD = "correct horse battery"


@pytest.fixture
def northfield(make_organisation):
    return make_organisation("Northfield City Council", districts=("NF1", "NF3"))


@pytest.fixture
def citizen(client, make_account, northfield):
    account = make_account(email="alex@example.org", name="Alex Morgan")
    sign_in(client, account)
    return account


def case_of(case_id: str) -> Case:
    db.session.expire_all()
    return db.session.scalar(select(Case).filter_by(public_id=case_id))


def test_whole_journey_for_oneself(client, citizen, northfield, smtp_server):
    case_id = start(client)
    case = case_of(case_id)
    assert case.organisation_id == northfield.id and case.status == CaseStatus.DRAFT
    assert case.person.postcode == "NF1 1AA" and case.person.name == "Alex Morgan"

    # The task list shows the sections with their status.
    page = check_page(client.get(f"/my/cases/{case_id}/").get_data(as_text=True))
    assert "About you" in page.get_text() and "Not yet started" in page.get_text()

    asked = answer_all(client, case_id)
    schema = load_schema()
    answers = service.stored_answers(case_of(case_id))
    assert asked == schema.path(answers)
    assert schema.is_complete(answers)

    check = check_page(client.get(f"/my/cases/{case_id}/check").get_data(as_text=True))
    change_links = check.select(".govuk-summary-list__actions a")
    assert len(change_links) >= len(asked)
    assert "Northfield City Council" in check.get_text()

    # The declaration must be ticked.
    response = post(client, f"/my/cases/{case_id}/send", {})
    page = check_page(response.get_data(as_text=True), errors=True)
    assert page.select_one(".govuk-error-summary a")["href"] == "#confirm"

    response = post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    assert response.headers["Location"].endswith(f"/my/cases/{case_id}/sent")
    confirmation = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    case = case_of(case_id)
    assert case.reference in confirmation.get_text()
    assert "urgent" not in confirmation.get_text().lower()
    assert case.status == CaseStatus.SENT and case.sent_at is not None and case.client_group == "older_people"

    snapshot = db.session.scalar(select(Snapshot).filter_by(case_id=case.id))
    assert snapshot.answers == case.answers and snapshot.questionnaire_version == schema.version
    assert snapshot.completed_by_id == citizen.id and snapshot.authority == Authority.SELF
    assert db.session.scalar(select(AuditEvent).filter_by(action="case.sent", case_id=case.id))

    work(until_empty=True)
    (receipt,) = smtp_server.messages
    assert receipt["To"] == "alex@example.org" and case.reference in receipt["Subject"]

    # Nothing can be changed once sent: question pages go to the status page.
    response = client.get(f"/my/cases/{case_id}/questions/{asked[0]}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/status")
    # Sending twice does nothing more.
    assert client.post(f"/my/cases/{case_id}/send", data={"confirm": "y"}).status_code in (302, 303)
    assert db.session.query(Snapshot).count() == 1


def test_carer_journey_words_questions_about_the_person(client, citizen):
    case_id = start(client, carer_for="Sam", authority="best_interests")
    link = db.session.scalar(
        select(PersonLink).where(PersonLink.account_id == citizen.id, PersonLink.authority != Authority.SELF)
    )
    assert link.authority == Authority.BEST_INTERESTS and link.relationship_to_person == "Daughter"
    first = client.get(f"/my/cases/{case_id}/continue").headers["Location"]
    page = check_page(client.get(first).get_data(as_text=True))
    heading = page.h1.get_text(" ", strip=True)
    assert "Sam" in heading and "you" not in heading.lower().split()
    answer_all(client, case_id)
    response = client.get(f"/my/cases/{case_id}/send")
    assert "acting in their best interests" in response.get_data(as_text=True)
    post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    snapshot = db.session.scalar(select(Snapshot))
    assert snapshot.authority == Authority.BEST_INTERESTS
    # One account holds assessments for itself and for the people it cares for.
    own = start(client)
    dashboard = client.get("/my/").get_data(as_text=True)
    assert case_of(own).reference in dashboard and case_of(case_id).reference in dashboard


def test_answers_survive_signing_out_and_sign_in_returns_to_the_first_unanswered(client, citizen):
    case_id = start(client)
    schema = load_schema()
    asked = answer_all(client, case_id, limit=3)
    post(client, "/account/sign-out", {})
    response = sign_in(client, citizen, PASSWORD)
    stored = service.stored_answers(case_of(case_id))
    # The oracle is the path itself, not first_unanswered (the function the page uses).
    expected = next(qid for qid in schema.path(stored) if qid not in stored)
    # Sign-in lands on the latest draft's "carry on" address, which goes to its first unanswered question.
    assert response.headers["Location"].endswith(f"/my/cases/{case_id}/continue")
    location = client.get(response.headers["Location"]).headers["Location"]
    assert location.endswith(f"/my/cases/{case_id}/questions/{expected}")
    assert expected not in asked
    # The answers given before are shown again when going back.
    page = client.get(f"/my/cases/{case_id}/questions/{asked[0]}").get_data(as_text=True)
    assert "checked" in page


def test_save_and_come_back_later(client, citizen):
    case_id = start(client)
    question_id = client.get(f"/my/cases/{case_id}/continue").headers["Location"].rsplit("/", 1)[1]
    first = load_schema().question(question_id)
    url = f"/my/cases/{case_id}/questions/{question_id}"
    response = post(client, url, {"answer": first.options[0].value, "later": "y"})
    assert response.headers["Location"].endswith(f"/my/cases/{case_id}/")
    assert service.stored_answers(case_of(case_id))[question_id] == first.options[0].value


def test_bad_answer_shows_an_error_and_keeps_nothing_wrong(client, citizen):
    case_id = start(client)
    schema = load_schema()
    question_id = client.get(f"/my/cases/{case_id}/continue").headers["Location"].rsplit("/", 1)[1]
    response = answer(client, case_id, question_id, "")
    page = check_page(response.get_data(as_text=True), errors=True)
    link = page.select_one(".govuk-error-summary a")
    assert link["href"] == "#answer" and page.select_one("#answer-error")
    assert question_id not in case_of(case_id).answers
    # A number question keeps what was typed when it is wrong.
    number = next(q for q in schema.questions if q.type.value == "number")
    _walk_to(client, case_id, number.id)  # answer what leads to the number question
    response = answer(client, case_id, number.id, "lots and lots")
    page = check_page(response.get_data(as_text=True), errors=True)
    assert page.select_one("#answer")["value"] == "lots and lots"
    assert "number" in page.select_one("#answer-error").get_text()


def _walk_to(client, case_id: str, target: str) -> None:
    """Answer questions until ``target`` is on the path and next to answer (choosing answers that lead there)."""
    schema = load_schema()
    for _ in range(100):
        answers = service.stored_answers(case_of(case_id))
        if schema.is_on_path(target, answers) and schema.first_unanswered(answers) == target:
            return
        question_id = schema.first_unanswered(answers)
        question = schema.question(question_id)
        # Prefer an answer that keeps the target reachable: "yes" for yes/no gateways.
        values = [o.value for o in question.options]
        value = "yes" if "yes" in values else (values[-1] if values else "1")
        if question.type.value == "multiple":
            value = [values[0]]
        elif question.type.value == "date":
            value = first_option(question)
        elif question.type.value == "text":
            value = "Some words"
        elif question.type.value == "number":
            value = "1"
        assert answer(client, case_id, question_id, value).status_code == 303
    raise AssertionError(f"could not reach {target}")


def test_off_path_and_unknown_questions_cannot_be_reached(client, citizen):
    case_id = start(client)
    schema = load_schema()
    answers = service.stored_answers(case_of(case_id))
    off_path = [q.id for q in schema.questions if not schema.is_on_path(q.id, answers)]
    assert off_path, "the schema skips some questions for an empty set of answers"
    token = csrf_from(client.get(f"/my/cases/{case_id}/about").get_data(as_text=True))
    for question_id in off_path[:5]:
        url = f"/my/cases/{case_id}/questions/{question_id}"
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": token, "answer": "yes"}).status_code == 404
    assert not set(off_path) & set(case_of(case_id).answers)
    assert client.get(f"/my/cases/{case_id}/questions/not-a-question").status_code == 404


def test_answers_on_skipped_pages_are_ignored(client, citizen):
    case_id = start(client)
    schema = load_schema()
    answer_all(client, case_id)
    case = case_of(case_id)
    stale = {
        q.id: "yes" for q in schema.questions if not schema.is_on_path(q.id, service.stored_answers(case))
    }
    assert stale
    case.answers = {**case.answers, **stale}
    db.session.commit()
    before = dict(schema.to_profile(service.stored_answers(case)))
    assert before == dict(
        schema.to_profile({k: v for k, v in service.stored_answers(case).items() if k not in stale})
    )


def test_another_account_gets_404_everywhere(client, app, citizen, make_account):
    case_id = start(client)
    question_id = client.get(f"/my/cases/{case_id}/continue").headers["Location"].rsplit("/", 1)[1]
    answer(client, case_id, question_id, load_schema().question(question_id).options[0].value)
    other = app.test_client()
    sign_in(other, make_account(email="other@example.org"))
    for path in (
        "/",
        "/about",
        "/council",
        "/check",
        "/send",
        "/urgent",
        "/sent",
        "/status",
        "/continue",
        f"/questions/{question_id}",
    ):
        assert other.get(f"/my/cases/{case_id}{path}").status_code == 404, path
    token = csrf_from(other.get("/my/new").get_data(as_text=True))
    assert other.post(f"/my/cases/{case_id}/take-back", data={"csrf_token": token}).status_code == 404
    assert (
        other.post(f"/my/cases/{case_id}/send", data={"csrf_token": token, "confirm": "y"}).status_code == 404
    )
    assert other.get("/my/cases/not-a-real-id/").status_code == 404
    # Staff cannot use the citizen pages at all.
    staff = app.test_client()
    sign_in(staff, make_account(Role.ASSESSOR, email="assessor@example.org"))
    assert staff.get(f"/my/cases/{case_id}/").status_code == 403


def test_case_ids_in_urls_are_not_guessable(client, citizen):
    first, second = start(client), start(client)
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    assert int(first, 16) - int(second, 16) not in (-1, 1)


def test_taking_a_sent_case_back_and_sending_again(client, citizen):
    case_id = start(client)
    answer_all(client, case_id)
    post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    token_page = client.get(f"/my/cases/{case_id}/status").get_data(as_text=True)
    assert "Take it back to change something" in token_page
    response = client.post(f"/my/cases/{case_id}/take-back", data={"csrf_token": csrf_from(token_page)})
    assert response.headers["Location"].endswith("/check")
    assert case_of(case_id).status == CaseStatus.DRAFT
    post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    snapshots = db.session.scalars(select(Snapshot).order_by(Snapshot.id)).all()
    assert len(snapshots) == 2  # the earlier one is kept


def test_a_claimed_case_cannot_be_taken_back(client, citizen, northfield, make_account):
    case_id = start(client)
    answer_all(client, case_id)
    post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    assessor = make_account(Role.ASSESSOR, organisation=northfield, level=2)
    status_page = client.get(f"/my/cases/{case_id}/status").get_data(as_text=True)
    assert claim(assessor, case_of(case_id))
    response = client.post(f"/my/cases/{case_id}/take-back", data={"csrf_token": csrf_from(status_page)})
    assert response.headers["Location"].endswith("/status")
    assert case_of(case_id).status == CaseStatus.CLAIMED
    page = client.get(f"/my/cases/{case_id}/status").get_data(as_text=True)
    assert "cannot be taken back" in page


def test_take_back_and_claim_exclude_each_other(app, client, citizen, northfield, make_account):
    """Both start from a case seen as sent and free; exactly one of the two conditional updates wins."""
    from portal.models import Account

    assessor = make_account(Role.ASSESSOR, organisation=northfield, level=2)
    case_id = start(client)
    answer_all(client, case_id)
    post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    for _round in range(10):
        case = case_of(case_id)
        assert case.status == CaseStatus.SENT and case.holder_id is None
        barrier = threading.Barrier(2)
        results: dict[str, bool] = {}

        def run(name, action, case_pk=case.id, barrier=barrier, results=results):
            with app.app_context():
                fresh = db.session.get(Case, case_pk)
                barrier.wait()  # both have read the case as sent and unheld
                results[name] = action(fresh)
                db.session.remove()

        threads = [
            threading.Thread(
                target=run, args=("claim", lambda c: claim(db.session.get(Account, assessor.id), c))
            ),
            threading.Thread(
                target=run, args=("back", lambda c: service.take_back(db.session.get(Account, citizen.id), c))
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(results.values()) == [False, True], results
        final = case_of(case_id)
        if results["claim"]:
            assert final.status == CaseStatus.CLAIMED and final.holder_id == assessor.id
            from portal.practitioner.service import release

            assert release(db.session.get(Account, assessor.id), final)
        else:
            assert final.status == CaseStatus.DRAFT and final.holder_id is None
            service.send(db.session.get(Account, citizen.id), final)


def test_urgent_answers_show_who_to_contact_and_allow_an_urgent_send(
    client, citizen, northfield, smtp_server
):
    northfield.settings = {"urgent_wording": {"en": "Call our duty team on 0300 555 0101, 24 hours a day."}}
    northfield.duty_phone = "0300 555 0199"
    db.session.commit()
    case_id = start(client)
    schema = load_schema()
    rule = schema.risk_rule("carer-cannot-go-on")
    assert rule.level == "urgent"
    _walk_to(client, case_id, "carer-can-continue")
    question = schema.question("carer-can-continue")
    cannot = next(o.value for o in question.options if "cannot" in o.value or o.value in ("no",))
    response = answer(client, case_id, "carer-can-continue", cannot)
    assert response.headers["Location"].endswith(f"/my/cases/{case_id}/urgent")
    page = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    text = page.get_text()
    assert "Call our duty team on 0300 555 0101" in text and "111" in text and "999" in text
    assert not schema.is_complete(service.stored_answers(case_of(case_id)))
    response = post(client, f"/my/cases/{case_id}/urgent", {"confirm": "y"})
    assert response.status_code == 303
    case = case_of(case_id)
    assert case.status == CaseStatus.SENT and case.urgent and case.risk_rank == 2
    # The confirmation says it is urgent and what happens next today, in the organisation's own words.
    confirmation = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    said = " ".join(confirmation.get_text(" ", strip=True).split())
    assert "marked urgent" in confirmation.select_one(".govuk-panel").get_text()
    assert "What happens next today" in said
    assert "Call our duty team on 0300 555 0101, 24 hours a day." in said
    assert "0300 555 0199" in said  # the duty (out-of-hours) number
    assert "111" in said and "999" in said
    # The estimate worked out from part of the answers says so, on the status page and in the PDF.
    status = check_page(client.get(f"/my/cases/{case_id}/status").get_data(as_text=True))
    assert "only some of the answers" in status.get_text(" ", strip=True)
    from tests.test_pdf import pdftotext

    pdf = client.get(f"/my/cases/{case_id}/estimate.pdf")
    assert pdf.status_code == 200
    assert "only some of the answers" in " ".join(pdftotext(pdf.data).split())
    # The task list of another draft shows nothing urgent.
    other = start(client)
    assert "may not be safe now" not in client.get(f"/my/cases/{other}/").get_data(as_text=True)


def test_postcode_overlap_lets_the_person_choose(client, citizen, northfield, make_organisation):
    riverside = make_organisation("Riverside Partnership", districts=("NF3", "RV1"))
    response = post(client, "/my/new", {"who": "myself"})
    about_url = response.headers["Location"]
    response = post(client, about_url, {"date_of_birth": ["1", "1", "1950"], "postcode": "nf3 2ab"})
    assert "/council" in response.headers["Location"]
    page = check_page(client.get(response.headers["Location"]).get_data(as_text=True))
    options = [i.get_text(strip=True) for i in page.select(".govuk-radios__label")]
    assert options == ["Northfield City Council", "Riverside Partnership"]
    response = post(client, response.headers["Location"], {"organisation": riverside.public_id})
    case_id = re.search(r"cases/([0-9a-f]{32})", about_url).group(1)
    assert case_of(case_id).organisation_id == riverside.id


def test_postcode_outside_every_area_is_told_plainly_and_never_sent(client, citizen, northfield):
    case_id = start(client)
    asked = answer_all(client, case_id, limit=3)
    before = dict(case_of(case_id).answers)
    response = post(
        client,
        f"/my/cases/{case_id}/about",
        {"date_of_birth": ["1", "1", "1950"], "postcode": "ZZ9 9ZZ"},
    )
    council_url = response.headers["Location"]
    assert "/council" in council_url
    page = check_page(client.get(council_url).get_data(as_text=True))
    text = page.get_text(" ", strip=True)
    assert "ZZ9 9ZZ is not in an area that uses this service" in text
    assert page.select_one('a[href="https://www.gov.uk/find-local-council"]')
    # No council is offered, since none covers it.
    assert not page.select(".govuk-radios__input")
    # Choosing one anyway does nothing.
    token = csrf_from(client.get(f"/my/cases/{case_id}/about").get_data(as_text=True))
    client.post(council_url, data={"csrf_token": token, "organisation": northfield.public_id})
    case = case_of(case_id)
    assert case.organisation_id is None
    # Every answer is kept.
    assert case.answers == before and len(before) == len(asked)
    # It cannot be sent, urgently or not.
    assert not service.about_done(case)
    for page_name in ("urgent", "send"):
        client.post(f"/my/cases/{case_id}/{page_name}", data={"csrf_token": token, "confirm": "y"})
    assert case_of(case_id).status == CaseStatus.DRAFT


def test_a_case_is_never_left_with_a_council_that_does_not_cover_it(client, citizen, northfield):
    case_id = start(client)
    case = case_of(case_id)
    assert service.about_done(case)
    case.person.postcode = "ZZ9 9ZZ"  # the organisation still set, as an older draft could have it
    db.session.commit()
    assert not service.about_done(case_of(case_id))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date_of_birth": ["", "", ""], "postcode": "NF1 1AA"}, "Enter a date of birth"),
        ({"date_of_birth": ["31", "2", "1950"], "postcode": "NF1 1AA"}, "must be a real date"),
        ({"date_of_birth": ["1", "1", "2090"], "postcode": "NF1 1AA"}, "must be in the past"),
        ({"date_of_birth": ["1", "1", "2015"], "postcode": "NF1 1AA"}, "for adults aged 18 or over"),
        ({"date_of_birth": ["1", "1", "1950"], "postcode": "not a postcode"}, "Enter a real postcode"),
        (
            {"date_of_birth": ["1", "1", "1950"], "postcode": "NF1 1AA", "nhs_number": "1234567890"},
            "Enter a real NHS number",
        ),
    ],
)
def test_about_the_person_errors(client, citizen, fields, message):
    response = post(client, "/my/new", {"who": "myself"})
    response = post(client, response.headers["Location"], fields)
    page = check_page(response.get_data(as_text=True), errors=True)
    assert message in page.select_one(".govuk-error-summary").get_text()
    # What was typed is kept.
    if fields["date_of_birth"][0]:
        assert page.select_one("#date_of_birth-day")["value"] == fields["date_of_birth"][0]


def test_valid_nhs_number_is_kept(client, citizen):
    response = post(client, "/my/new", {"who": "myself"})
    post(
        client,
        response.headers["Location"],
        {"date_of_birth": ["1", "1", "1950"], "postcode": "NF1 1AA", "nhs_number": "943 476 5919"},
    )
    assert db.session.scalar(select(Case)).person.nhs_number == "9434765919"


def test_welsh_pages_and_questions(client, citizen):
    case_id = start(client)
    html = client.get(f"/my/cases/{case_id}/?lang=cy").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    assert page.html["lang"] == "cy"
