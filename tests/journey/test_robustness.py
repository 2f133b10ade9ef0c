"""No input, however malformed, makes a question page fail; the schema alone decides what is asked."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case
from portal.questionnaire import DEFAULT_SCHEMA_PATH, build_schema, load_schema, parse_yaml
from portal.selfassess import service
from tests.conftest import check_page, csrf_from, sign_in
from tests.journey.helpers import answer, answer_all, start

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1e309",
        "NaN",
        "yes",
        "none",
        "a_lot",
        "<script>alert(1)</script>",
        "x" * 20000,
        "2024-02-30",
        "\x00",
        "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    ]
)
form_value = text | st.lists(text, max_size=5)
form_data = st.dictionaries(
    st.sampled_from(["answer", "submit", "later", "csrf_token", "answer-day", "zzz"]), form_value, max_size=5
)


@pytest.fixture
def started(client, make_account, make_organisation):
    make_organisation("Northfield City Council", districts=("NF1",))
    sign_in(client, make_account())
    case_id = start(client)
    answer_all(client, case_id)  # every question on a typical path has an answer
    return case_id


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=form_data, index=st.integers(min_value=0, max_value=200), keep_token=st.booleans())
def test_random_posts_to_question_pages_never_fail(client, started, data, index, keep_token):
    schema = load_schema()
    case = db.session.scalar(select(Case).filter_by(public_id=started))
    db.session.refresh(case)
    path = schema.path(service.stored_answers(case))
    question_id = path[index % len(path)] if index < 180 else "no-such-question"
    url = f"/my/cases/{started}/questions/{question_id}"
    payload = dict(data)
    if keep_token:
        payload["csrf_token"] = csrf_from(client.get(f"/my/cases/{started}/about").get_data(as_text=True))
    response = client.post(url, data=payload)
    # 400: the request guard refuses NUL bytes and files in text fields with a clear page, before any view.
    assert response.status_code in (200, 303, 302, 400, 404, 413), response.status_code
    if response.status_code == 400:
        values = [v for value in payload.values() for v in (value if isinstance(value, list) else [value])]
        assert any("\x00" in str(v) for v in values) or not keep_token
    if response.status_code == 200:
        check_page(response.get_data(as_text=True), errors=True)
    # Whatever was stored is still a valid answer.
    db.session.refresh(case)
    for qid, value in service.stored_answers(case).items():
        from portal.questionnaire import is_valid_value

        assert is_valid_value(schema.question(qid), value), (qid, value)


def test_tampered_fields_and_unknown_ids_never_fail(client, started):
    token = csrf_from(client.get(f"/my/cases/{started}/about").get_data(as_text=True))
    for url, data in [
        ("/my/new", {"csrf_token": token, "who": "the-president"}),
        (
            "/my/new/someone-else",
            {"csrf_token": token, "name": "S", "relationship": "x", "authority": "self"},
        ),
        (f"/my/cases/{started}/council", {"csrf_token": token, "organisation": "0" * 32}),
        (
            f"/my/cases/{started}/about",
            {"csrf_token": token, "date_of_birth": ["a", "b"], "postcode": ["x", "y"]},
        ),
        (f"/my/cases/{started}/send", {"csrf_token": token, "confirm": ["y", "n", "maybe"]}),
        ("/my/cases/../../etc/passwd/check", {"csrf_token": token}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, response.status_code)


def test_a_question_added_to_the_schema_appears_everywhere(client, started, monkeypatch):
    data = parse_yaml(DEFAULT_SCHEMA_PATH.read_text())
    data = copy.deepcopy(data)
    new = {
        "id": "favourite-pastime",
        "section": data["questions"][0]["section"],
        "type": "single",
        "mandatory": True,
        "title": {"person": "What do you most like doing?", "carer": "What does {name} most like doing?"},
        "summary": "Favourite pastime",
        "options": [{"value": "gardening", "label": "Gardening"}, {"value": "music", "label": "Music"}],
    }
    data["questions"].insert(1, new)
    data["content_version"] = "99.0.0"
    extended = build_schema(data)
    monkeypatch.setattr(service, "schema", lambda *_case: extended)
    assert "favourite-pastime" in extended.path({})
    # The new question is next to answer, its page works, and its answer shows on check your answers.
    location = client.get(f"/my/cases/{started}/continue").headers["Location"]
    assert location.endswith("/questions/favourite-pastime")
    page = check_page(client.get(location).get_data(as_text=True))
    assert page.h1.get_text(strip=True) == "What do you most like doing?"
    assert [i.get_text(strip=True) for i in page.select(".govuk-radios__label")] == ["Gardening", "Music"]
    assert answer(client, started, "favourite-pastime", "music").status_code == 303
    check = client.get(f"/my/cases/{started}/check").get_data(as_text=True)
    assert "Favourite pastime" in check and "Music" in check
    # It is offered to translators too.
    assert any(s.msgctxt.startswith("favourite-pastime.") for s in extended.translatable_strings())
