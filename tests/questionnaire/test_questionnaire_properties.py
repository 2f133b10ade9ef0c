"""Properties over random answers to the real schema (hypothesis, bounded examples)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.questionnaire import CANONICAL_FIELDS, FIELD_NAMES, Question, QuestionType, Schema, load_schema

SCHEMA = load_schema()
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values a stale, tampered or half-migrated store could hold.
_JUNK: list[Any] = [None, "", "x", "none", 7, -1, Decimal("NaN"), True, [], ["x"], ["none", "none"], {"a": 1}]


def _valid_pool(question: Question) -> list[Any]:
    if question.type is QuestionType.SINGLE:
        return list(question.option_values)
    if question.type is QuestionType.MULTIPLE:
        values = list(question.option_values)
        return [[v] for v in values] + [values[:2], values[1:3], values]  # some break an exclusive option
    if question.type is QuestionType.NUMBER:
        rules = question.validation
        low = int(rules.min_value) if rules.min_value is not None else -1000
        high = int(rules.max_value) if rules.max_value is not None else 1000
        return sorted({low, high, (low + high) // 2, Decimal(low)})
    if question.type is QuestionType.DATE:
        return ["2000-01-01", "2024-02-29", "2030-01-01"]
    return [None, "Some words", "é" * 30]


def _answer(question: Question) -> st.SearchStrategy[Any]:
    # Sampling from small pools keeps generation cheap; valid values are weighted so the path goes deep.
    valid = _valid_pool(question)
    return st.sampled_from(valid * 3 + _JUNK)


ANSWERS = st.one_of(
    # Partly answered, with junk here and there.
    st.fixed_dictionaries({}, optional={q.id: _answer(q) for q in SCHEMA.questions}),
    # Every question answered with a valid value: deep paths and complete profiles.
    st.fixed_dictionaries({q.id: st.sampled_from(_valid_pool(q)) for q in SCHEMA.questions}),
)


def _exact_type(name: str, value: Any) -> bool:
    kind = CANONICAL_FIELDS[name].kind
    return type(value) is {"code": str, "int": int, "share": float}[kind]


@SETTINGS
@given(answers=ANSWERS, data=st.data())
def test_invariants(answers: dict[str, Any], data: st.DataObject) -> None:
    """One draw, several properties (generating 48 optional answers is the slow part)."""
    # to_profile always gives every canonical field, in the CSV's order, domain and type.
    profile = SCHEMA.to_profile(answers)
    assert tuple(profile) == FIELD_NAMES
    for name, value in profile.items():
        assert CANONICAL_FIELDS[name].accepts(value), (name, value)
        assert _exact_type(name, value), (name, value)
    assert set(profile.missing) <= set(FIELD_NAMES)
    path = SCHEMA.path(answers)
    assert set(profile.sources.values()) <= set(path)

    # The path goes forward only, starts at the first question, and answered/unanswered agree.
    indexes = [SCHEMA.question(qid).index for qid in path]
    assert indexes == sorted(set(indexes))
    assert path[0] == SCHEMA.questions[0].id
    effective = SCHEMA.effective_answers(answers)
    assert list(effective) == [qid for qid in path if qid in effective]
    first = SCHEMA.first_unanswered(answers)
    assert (first is None) == SCHEMA.is_complete(answers)
    assert first is None or (first in path and first not in effective)

    # next_id and previous_id step along the path.
    position = data.draw(st.integers(min_value=0, max_value=len(path) - 1), label="position")
    qid = path[position]
    assert SCHEMA.next_id(qid, answers) == (path[position + 1] if position + 1 < len(path) else None)
    assert SCHEMA.previous_id(qid, answers) == (path[position - 1] if position else None)
    assert SCHEMA.position(qid, answers) == (position + 1, len(path))

    # Risk flags agree with the rules that fired.
    risk = SCHEMA.risk(answers)
    levels = {rule.id: rule.level for rule in SCHEMA.risk_rules}
    assert risk.at_risk == bool(risk.rule_ids)
    assert risk.urgent == any(levels[rule_id] == "urgent" for rule_id in risk.rule_ids)


@SETTINGS
@given(answers=ANSWERS, leftovers=ANSWERS)
def test_answers_off_the_path_never_matter(answers: dict[str, Any], leftovers: dict[str, Any]) -> None:
    path = SCHEMA.path(answers)
    expected = (SCHEMA.to_profile(answers), SCHEMA.risk(answers), SCHEMA.is_self_funder(answers))
    statuses = SCHEMA.section_statuses(answers)
    on_path = {qid: value for qid, value in answers.items() if qid in path}
    noise = {qid: value for qid, value in leftovers.items() if qid not in path}
    for variant in ({**on_path, **noise}, SCHEMA.effective_answers(answers)):
        assert SCHEMA.path(variant) == path
        profile = SCHEMA.to_profile(variant)
        assert (profile, SCHEMA.risk(variant), SCHEMA.is_self_funder(variant)) == expected
        assert profile.missing == expected[0].missing
        assert SCHEMA.section_statuses(variant) == statuses


@settings(max_examples=50, deadline=None)
@given(
    level=st.sampled_from(["a_little", "some", "a_lot", "all_the_time"]),
    share=st.sampled_from(["none", "some", "about_half", "most", "all"]),
)
def test_unpaid_share_counts_only_when_there_is_a_need(level: str, share: str) -> None:
    with_need = SCHEMA.to_profile({"eating-drinking": level, "eating-drinking-unpaid": share})
    without = SCHEMA.to_profile({"eating-drinking": "none", "eating-drinking-unpaid": share})
    shares = {"none": 0.0, "some": 0.25, "about_half": 0.5, "most": 0.75, "all": 1.0}
    assert with_need["unpaid_nutrition"] == shares[share]
    assert without["unpaid_nutrition"] == 0.0 and without["need_nutrition"] == 0


def test_schema_fixture_is_the_same_object(schema: Schema) -> None:
    assert schema is SCHEMA


def test_decimal_number_answers_map(schema: Schema) -> None:
    profile = schema.to_profile({"has-unpaid-carer": "yes", "carer-breaks": Decimal("3")})
    assert profile["carer_breaks_weeks"] == 3 and type(profile["carer_breaks_weeks"]) is int


@SETTINGS
@given(first=ANSWERS, second=ANSWERS)
def test_a_remembered_walk_is_the_walk_of_the_same_answers(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    """The schema remembers its last walk; asking about other answers, or values equal but of another type
    (True, 1 and Decimal(1)), must never return it, and changing what a caller was given must not change it."""
    schema = load_schema()
    for answers in (first, second, first, {k: (int(v) if v is True else v) for k, v in first.items()}):
        assert schema.path(answers) == list(schema._walk_afresh(answers).path)
        assert schema.unanswered(answers) == [
            q for q in schema._walk_afresh(answers).path if q not in schema._walk_afresh(answers).known
        ]
        given = schema.effective_answers(answers)
        for value in given.values():
            if isinstance(value, list):
                value.append("changed by the caller")
        assert schema.effective_answers(answers) == {
            q: v
            for q, v in schema._walk_afresh(answers).known.items()
            if q in schema._walk_afresh(answers).path
        }


def test_true_is_not_remembered_as_the_number_one() -> None:
    """``True == 1``, but True is no answer to a number question: the walk of one is not the other's."""
    schema = load_schema()
    number = next(q for q in schema.questions if q.type is QuestionType.NUMBER)
    answers: dict[str, Any] = {}
    while (asked := schema.first_unanswered(answers)) not in (None, number.id):
        answers[asked] = _valid_pool(schema.question(asked))[0]
    assert asked == number.id
    assert schema.is_answered(number.id, {**answers, number.id: 1})
    assert not schema.is_answered(number.id, {**answers, number.id: True})
