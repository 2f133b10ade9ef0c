"""The task list and progress are honest, change links return where the person came from, and errors name the
question (issue 13, items 8 and 12)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from portal.questionnaire import load_schema
from tests.conftest import check_page, sign_in
from tests.journey.helpers import QUESTION_URL, answer, answer_all, first_option, post, start
from tests.journey.test_estimate_page import _high


@pytest.fixture
def case_id(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account())
    return start(client)


def test_the_task_list_has_one_about_you(client, case_id):
    page = check_page(client.get(f"/my/cases/{case_id}/").get_data(as_text=True))
    titles = [t.get_text(strip=True) for t in page.select(".govuk-task-list__name-and-hint")]
    assert sum(title == "About you" for title in titles) == 1


def test_the_progress_count_never_grows_unexplained(client, case_id):
    url = client.get(f"/my/cases/{case_id}/continue").headers["Location"]
    schema = load_schema()
    last_total = None
    grew = 0
    for _ in range(200):
        match = QUESTION_URL.search(url)
        if not match:
            break
        page = check_page(client.get(url).get_data(as_text=True))
        progress = re.search(r"Question (\d+) of about (\d+)", page.get_text(" ", strip=True))
        assert progress, url
        total = int(progress.group(2))
        if last_total is not None and total > last_total:
            grew += 1
            assert re.search(r"Your answer adds \d+ more questions?", page.get_text(" ", strip=True))
        last_total = total
        question = schema.question(match.group(2))
        response = answer(client, case_id, question.id, _high(question))
        assert response.status_code == 303
        url = response.headers["Location"]
    assert grew  # these answers bring more questions, so the test can fail


def test_changing_the_persons_details_from_check_answers_returns_there(client, case_id):
    answer_all(client, case_id)
    check = check_page(client.get(f"/my/cases/{case_id}/check").get_data(as_text=True))
    change = next(a["href"] for a in check.select("a") if "Date of birth" in a.get_text())
    about = check_page(client.get(change).get_data(as_text=True))
    assert about.select_one(".govuk-back-link")["href"].endswith(f"/my/cases/{case_id}/check")
    response = post(client, change, {"date_of_birth": ["2", "3", "1950"], "postcode": "NF1 1AA"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/my/cases/{case_id}/check")


def test_an_error_names_the_question(client, case_id):
    url = client.get(f"/my/cases/{case_id}/continue").headers["Location"]
    question_id = QUESTION_URL.search(url).group(2)
    question = load_schema().question(question_id)
    response = post(client, url, {"submit": "y"})
    page = check_page(response.get_data(as_text=True), errors=True)
    message = page.select_one(".govuk-error-summary a").get_text(" ", strip=True)
    assert message != "Select or enter an answer"
    # The question's own wording (tests/journey/test_error_wording.py), not a quotation of its title.
    assert message == question.text("error.REQUIRED"), (message, question.id)


def test_the_hospital_date_must_be_in_the_last_3_months(client, case_id):
    schema = load_schema()
    asked = schema.question("hospital-leaving-date")
    answers_to_reach = {"recent-hospital-stay": "yes"}
    answer_all(client, case_id, choose=lambda q: answers_to_reach.get(q.id) or first_option(q), limit=200)
    url = f"/my/cases/{case_id}/questions/{asked.id}"
    response = post(client, url, {"answer": ["1", "6", "2005"], "submit": "y"})
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "in the last 3 months" in page.select_one(".govuk-error-summary").get_text()
    recent = date.today() - timedelta(days=20)
    response = post(
        client, url, {"answer": [str(recent.day), str(recent.month), str(recent.year)], "submit": "y"}
    )
    assert response.status_code == 303
