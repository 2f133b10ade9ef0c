"""Parsing what forms post into typed answers or error codes; it never raises."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.questionnaire import ErrorCode, Schema, is_valid_value
from portal.questionnaire.answers import is_empty

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def answers_schema(load_fixture) -> Schema:
    return load_fixture("answers")


E = ErrorCode
PARSE_TABLE: list[tuple[str, Any, Any, ErrorCode | None]] = [
    # single
    ("pick", "red", "red", None),
    ("pick", "  blue ", "blue", None),
    ("pick", ["red"], "red", None),
    ("pick", ["red", "red"], "red", None),
    ("pick", "", None, E.REQUIRED),
    ("pick", None, None, E.REQUIRED),
    ("pick", [], None, E.REQUIRED),
    ("pick", "purple", None, E.INVALID_OPTION),
    ("pick", ["red", "blue"], None, E.INVALID_OPTION),
    ("pick", {"a": 1}, None, E.INVALID_OPTION),
    ("pick", [1], None, E.INVALID_OPTION),
    ("pick-optional", "", None, None),
    # multiple
    ("pick-many", ["blue", "red"], ["red", "blue"], None),  # option order, not posting order
    ("pick-many", "green", ["green"], None),
    ("pick-many", ["red", "red", ""], ["red"], None),
    ("pick-many", [], None, E.REQUIRED),
    ("pick-many", ["red", "mauve"], None, E.INVALID_OPTION),
    ("pick-many", ["red", "no_colour"], None, E.EXCLUSIVE_OPTION),
    ("pick-many", ["no_colour"], ["no_colour"], None),
    ("pick-many-optional", None, [], None),
    # whole number 0..6
    ("weeks", "3", 3, None),
    ("weeks", " 6 ", 6, None),
    ("weeks", "3.0", 3, None),
    ("weeks", "-0", 0, None),
    ("weeks", 4, 4, None),
    ("weeks", "3.5", None, E.NOT_A_WHOLE_NUMBER),
    ("weeks", "7", None, E.TOO_LARGE),
    ("weeks", "-1", None, E.TOO_SMALL),
    ("weeks", "three", None, E.NOT_A_NUMBER),
    ("weeks", "1e3", None, E.NOT_A_NUMBER),
    ("weeks", "NaN", None, E.NOT_A_NUMBER),
    ("weeks", "Infinity", None, E.NOT_A_NUMBER),
    ("weeks", "9" * 100, None, E.NOT_A_NUMBER),
    ("weeks", "", None, E.REQUIRED),
    ("weeks", ["1", "2"], None, E.NOT_A_NUMBER),
    ("weeks", 2.5, None, E.NOT_A_NUMBER),
    # decimal -5.5..1000
    ("amount", "1,000", Decimal("1000"), None),
    ("amount", "12.50", Decimal("12.50"), None),
    ("amount", ".5", Decimal("0.5"), None),
    ("amount", "-5.5", Decimal("-5.5"), None),
    ("amount", "-5.51", None, E.TOO_SMALL),
    ("amount", "1000.01", None, E.TOO_LARGE),
    ("any-number", "", None, None),
    ("any-number", "123456789012345678901234567890", 123456789012345678901234567890, None),
    # date, not in the future, from 1900
    ("past-date", ["1", "6", "2025"], "2025-06-01", None),
    ("past-date", {"day": "01", "month": "02", "year": "2024"}, "2024-02-01", None),
    ("past-date", "2024-02-29", "2024-02-29", None),
    ("past-date", [" 9 ", "3", "1950"], "1950-03-09", None),
    ("past-date", ["2", "6", "2025"], None, E.DATE_IN_FUTURE),
    ("past-date", ["1", "1", "1899"], None, E.DATE_TOO_EARLY),
    ("past-date", ["30", "2", "2024"], None, E.INVALID_DATE),
    ("past-date", ["1", "13", "2024"], None, E.INVALID_DATE),
    ("past-date", ["1", "1", "24"], None, E.INVALID_DATE),
    ("past-date", ["", "1", "2024"], None, E.INVALID_DATE),
    ("past-date", ["", "", ""], None, E.REQUIRED),
    ("past-date", {}, None, E.REQUIRED),
    ("past-date", None, None, E.REQUIRED),
    ("past-date", "20240101", None, E.INVALID_DATE),
    ("past-date", "2024-W01-1", None, E.INVALID_DATE),
    ("past-date", 20240101, None, E.INVALID_DATE),
    ("past-date", ["1", 2, "2024"], None, E.INVALID_DATE),
    ("window", ["1", "1", "2025"], None, E.DATE_TOO_LATE),
    ("window", ["31", "12", "2023"], None, E.DATE_TOO_EARLY),
    ("window", "", None, None),
    # text, at most 10 characters; mandatory story
    ("note", "  hello  ", "hello", None),
    ("note", "line\r\nnext", "line\nnext", None),
    ("note", "a\x00b", "ab", None),
    ("note", "x" * 10, "x" * 10, None),
    ("note", "x" * 11, None, E.TOO_LONG),
    ("note", "", None, None),
    ("note", ["a", "b"], None, E.INVALID_VALUE),
    ("story", "   ", None, E.REQUIRED),
    # unknown question
    ("nowhere", "x", None, E.UNKNOWN_QUESTION),
    (["not", "an", "id"], "x", None, E.UNKNOWN_QUESTION),
]


@pytest.mark.parametrize(
    ("qid", "raw", "value", "error"), PARSE_TABLE, ids=[f"{r[0]}-{r[1]!r}"[:60] for r in PARSE_TABLE]
)
def test_parse_table(answers_schema: Schema, qid: Any, raw: Any, value: Any, error: ErrorCode | None) -> None:
    parsed, code = answers_schema.parse(qid, raw, today=TODAY)
    assert code == error
    assert parsed == value
    assert type(parsed) is type(value)
    if error is None:
        assert is_valid_value(answers_schema.question(qid), parsed)


def test_error_codes_are_plain_strings() -> None:
    assert ErrorCode.REQUIRED == "REQUIRED"
    assert {code.value for code in ErrorCode} >= {
        "REQUIRED",
        "INVALID_OPTION",
        "NOT_A_NUMBER",
        "TOO_SMALL",
        "TOO_LARGE",
        "TOO_LONG",
        "INVALID_DATE",
        "DATE_IN_FUTURE",
    }


def test_stored_value_checks(answers_schema: Schema) -> None:
    q = answers_schema.question
    assert is_valid_value(q("weeks"), 6) and not is_valid_value(q("weeks"), 7)
    assert not is_valid_value(q("weeks"), True)
    assert not is_valid_value(q("weeks"), Decimal("NaN"))
    assert is_valid_value(q("amount"), 2.5) and not is_valid_value(q("amount"), float("inf"))
    assert is_valid_value(q("pick-many"), ("red", "blue"))
    assert not is_valid_value(q("pick-many"), ["red", "red"])
    assert not is_valid_value(q("pick-many"), "red")
    assert is_valid_value(q("past-date"), "2099-01-01")  # "not in the future" is checked when given
    assert not is_valid_value(q("past-date"), "1899-12-31")
    assert not is_valid_value(q("window"), "2025-01-01")
    assert is_valid_value(q("note"), None) and not is_valid_value(q("story"), "")
    assert not is_valid_value(q("note"), "x" * 11)
    assert is_empty([]) and is_empty("") and is_empty(None) and not is_empty(0)


# -- never raises -------------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789.,-+ eE", max_size=30),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.booleans(),
    st.binary(max_size=10),
)
_posted = st.one_of(
    _scalars,
    st.lists(_scalars, max_size=5),
    st.tuples(st.text(max_size=4), st.text(max_size=4), st.text(max_size=6)),
    st.dictionaries(
        st.sampled_from(["day", "month", "year", "other"]),
        st.one_of(st.text(max_size=6), st.none(), st.integers()),
    ),
    st.lists(st.sampled_from(["red", "green", "blue", "no_colour", "x"]), max_size=5),
)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_parse_never_raises(answers_schema: Schema, data: st.DataObject) -> None:
    qid = data.draw(st.sampled_from([q.id for q in answers_schema.questions] + ["nowhere"]))
    raw = data.draw(_posted)
    value, error = answers_schema.parse(qid, raw, today=TODAY)
    assert (value is None) or (error is None)
    if error is None and qid in answers_schema:
        assert is_valid_value(answers_schema.question(qid), value)
    if error is not None:
        assert isinstance(error, ErrorCode)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_parse_never_raises_on_the_real_schema(schema: Schema, data: st.DataObject) -> None:
    question = data.draw(st.sampled_from(schema.questions))
    raw = data.draw(st.one_of(_posted, st.sampled_from(question.option_values or ("",))))
    value, error = schema.parse(question.id, raw, today=TODAY)
    if error is None:
        assert is_valid_value(question, value)
    else:  # a refusal carries a code and no value
        assert isinstance(error, ErrorCode) and value is None


def test_stored_answers_keep_numbers_exact_and_drop_a_broken_number(schema: Schema) -> None:
    """The codec beside ``parse``: a number that is not whole is stored as text and read back as the same Decimal."""
    from portal.questionnaire import QuestionType, storable

    number = next(q for q in schema.questions if q.type is QuestionType.NUMBER)
    single = next(q for q in schema.questions if q.type is QuestionType.SINGLE)
    assert storable(Decimal("2.50")) == "2.50" and storable(Decimal("3")) == 3 and storable(["a"]) == ["a"]
    typed = {number.id: Decimal("2.5"), single.id: single.options[0].value}
    stored = {key: storable(value) for key, value in typed.items()}
    assert stored[number.id] == "2.5"
    assert schema.decode_answers(stored) == typed
    assert schema.decode_answers({number.id: "two", single.id: "x"}) == {single.id: "x"}
