"""The `when` operators, as a data table (the eq habit), plus shape errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from portal.questionnaire.conditions import OPERATORS, ConditionShapeError, compile_when

ANSWERS: dict[str, Any] = {
    "colour": "red",
    "pets": ["cat", "dog"],
    "none-ticked": [],
    "count": 5,
    "exact": Decimal("2.5"),
    "day": "2024-03-01",
    "blank": None,
}


def A(qid: str) -> dict[str, str]:  # noqa: N802 - reads like the YAML
    return {"answer": qid}


TABLE: list[tuple[dict[str, Any], bool]] = [
    ({"==": [A("colour"), "red"]}, True),
    ({"==": [A("colour"), "blue"]}, False),
    ({"!=": [A("colour"), "blue"]}, True),
    ({"==": [A("missing"), None]}, True),
    ({"!=": [A("missing"), None]}, False),
    ({"==": [A("blank"), None]}, True),
    ({"!=": [A("missing"), "red"]}, True),
    ({"==": [A("count"), 5]}, True),
    ({"==": [A("count"), 5.0]}, True),
    ({"==": [A("exact"), 2.5]}, True),
    ({"==": [A("count"), "5"]}, False),
    ({"==": [A("count"), True]}, False),
    ({"==": [A("pets"), None]}, False),
    ({"<": [A("count"), 6]}, True),
    ({"<": [A("count"), 5]}, False),
    ({"<=": [A("count"), 5]}, True),
    ({">": [A("exact"), 2]}, True),
    ({">=": [A("exact"), 2.5]}, True),
    ({">": [A("missing"), 0]}, False),
    ({"<": [A("missing"), 0]}, False),
    ({">": [A("colour"), 0]}, False),
    ({"<": [A("day"), "2024-03-02"]}, True),
    ({">=": [A("day"), "2024-03-01"]}, True),
    ({"in": [A("colour"), ["red", "green"]]}, True),
    ({"in": [A("colour"), ["blue"]]}, False),
    ({"in": [A("missing"), ["red"]]}, False),
    ({"in": [A("missing"), [None, "red"]]}, True),
    ({"in": [A("count"), [4, 5]]}, True),
    ({"in": [A("pets"), ["cat"]]}, False),
    ({"any-in": [A("pets"), ["dog", "fish"]]}, True),
    ({"any-in": [A("pets"), ["fish"]]}, False),
    ({"any-in": [A("none-ticked"), ["fish"]]}, False),
    ({"any-in": [A("missing"), ["fish"]]}, False),
    ({"any-in": [A("colour"), ["red"]]}, True),
    ({"and": [{"==": [A("colour"), "red"]}, {">": [A("count"), 4]}]}, True),
    ({"and": [{"==": [A("colour"), "red"]}, {">": [A("count"), 5]}]}, False),
    ({"or": [{"==": [A("colour"), "blue"]}, {">": [A("count"), 4]}]}, True),
    ({"or": [{"==": [A("colour"), "blue"]}, {">": [A("count"), 5]}]}, False),
    ({"not": {"==": [A("colour"), "blue"]}}, True),
    ({"not": {"any-in": [A("pets"), ["cat"]]}}, False),
]


@pytest.mark.parametrize(("when", "expected"), TABLE, ids=[str(row[0]) for row in TABLE])
def test_operator_table(when: dict[str, Any], expected: bool) -> None:
    assert compile_when(when).evaluate(ANSWERS.get) is expected


def test_every_operator_is_in_the_table() -> None:
    used: set[str] = set()

    def collect(node: dict[str, Any]) -> None:
        ((op, arg),) = node.items()
        used.add(op)
        if op in ("and", "or"):
            for item in arg:
                collect(item)
        elif op == "not":
            collect(arg)

    for when, _expected in TABLE:
        collect(when)
    assert used == set(OPERATORS)


def test_references_lists_every_answer_read() -> None:
    condition = compile_when({"and": [{"==": [A("a"), 1]}, {"not": {"any-in": [A("b"), ["x"]]}}]})
    assert list(condition.references()) == ["a", "b"]


def test_odd_stored_values_never_raise() -> None:
    odd = {"x": Decimal("sNaN"), "y": float("nan"), "z": object(), "w": {"a": 1}}
    for qid in odd:
        for op in ("==", "!=", "<", "<=", ">", ">="):
            assert compile_when({op: [A(qid), 1]}).evaluate(odd.get) in (True, False)
        assert compile_when({"in": [A(qid), [1]]}).evaluate(odd.get) in (True, False)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({}, "exactly one operator"),
        ({"~": [1, 2]}, "unknown operator"),
        ({"and": [{"==": [A("a"), 1]}]}, "at least two"),
        ({"==": [A("a")]}, "two operands"),
        ({"in": [A("a"), "x"]}, "a list of values"),
        ({"==": [{"question": "a"}, 1]}, "{answer: <question id>}"),
        ({"==": [A("a"), [1]]}, "text, a number"),
    ],
)
def test_shape_errors(when: dict[str, Any], message: str) -> None:
    with pytest.raises(ConditionShapeError) as caught:
        compile_when(when)
    assert message in str(caught.value)
