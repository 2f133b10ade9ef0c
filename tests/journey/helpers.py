"""Walking the citizen journey with the test client, page by page, as a person would."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient

from portal.questionnaire import QuestionType, load_schema
from tests.conftest import csrf_from

QUESTION_URL = re.compile(r"/my/cases/([0-9a-f]{32})/questions/([a-z0-9-]+)")


def post(client: FlaskClient, url: str, data: dict[str, Any], *, token: str | None = None) -> Any:
    """Post a form with the CSRF token of its page (read first), or with the session's token when given one."""
    if token is None:
        token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def start(
    client: FlaskClient,
    *,
    carer_for: str | None = None,
    postcode: str = "NF1 1AA",
    authority: str = "consent",
) -> str:
    """Start an assessment (for oneself, or as a carer) and fill in the person's details; return its id."""
    response = post(client, "/my/new", {"who": "someone_else" if carer_for else "myself"})
    if carer_for:
        response = post(
            client,
            "/my/new/someone-else",
            {"name": carer_for, "relationship": "Daughter", "authority": authority},
        )
    about_url = response.headers["Location"]
    case_id = re.search(r"/my/cases/([0-9a-f]{32})/about", about_url).group(1)
    response = post(
        client,
        about_url,
        {"answer": "", "date_of_birth": ["14", "2", "1948"], "postcode": postcode, "nhs_number": ""},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return case_id


def first_option(question: Any) -> Any:
    """A valid answer for any question: the first option, a small number, a past date, some text."""
    if question.type is QuestionType.SINGLE:
        return question.options[0].value
    if question.type is QuestionType.MULTIPLE:
        return [question.options[0].value]
    if question.type is QuestionType.NUMBER:
        return "1"
    if question.type is QuestionType.DATE:
        # A recent past date: "in the last 3 months" questions refuse older ones.
        recent = date.today() - timedelta(days=10)
        return [str(recent.day), str(recent.month), str(recent.year)]
    return "I like gardening."


def answer(
    client: FlaskClient,
    case_id: str,
    question_id: str,
    value: Any,
    *,
    change: bool = False,
    token: str | None = None,
) -> Any:
    """Post one answer and return the response (reading the page first for its CSRF token, unless given one)."""
    url = f"/my/cases/{case_id}/questions/{question_id}" + ("?change=1" if change else "")
    return post(client, url, {"answer": value, "submit": "y"}, token=token)


def answer_all(
    client: FlaskClient, case_id: str, choose: Any = None, limit: int = 200, *, read_pages: bool = True
) -> list[str]:
    """Answer every question on the path, following the redirects; return the question ids asked.

    Each page is read before its answer is sent, as a person would. A fixture that only needs the answers sent
    passes ``read_pages=False``: one page gives the CSRF token (the same for the whole signed-in session) and
    every answer is still posted through its page.
    """
    schema = load_schema()
    asked = []
    url = client.get(f"/my/cases/{case_id}/continue").headers["Location"]
    token = None if read_pages else csrf_from(client.get(url).get_data(as_text=True))
    for _ in range(limit):
        match = QUESTION_URL.search(url)
        if not match:
            break
        question_id = match.group(2)
        question = schema.question(question_id)
        value = (choose or {}).get(question_id) if isinstance(choose, dict) else None
        if value is None:
            value = choose(question) if callable(choose) else first_option(question)
        response = answer(client, case_id, question_id, value, token=token)
        assert response.status_code == 303, (question_id, response.get_data(as_text=True)[:3000])
        asked.append(question_id)
        url = response.headers["Location"]
    return asked
