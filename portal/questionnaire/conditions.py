"""The `when` tree: a few operators over answers, evaluated by table lookup.

A `when` is a one-key mapping: ``{"and": [when, ...]}``, ``{"or": [when, ...]}``, ``{"not": when}``, or
``{op: [left, right]}`` with op one of ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``, ``any-in``.
An operand is ``{"answer": "<question id>"}`` or a literal (text, number, true/false, null); the right-hand
side of ``in`` and ``any-in`` is a list of literals. An unanswered question reads as null. Evaluation never
raises: operands of types that cannot be compared make the comparison false.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

LOGICAL_OPERATORS = ("and", "or", "not")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
MEMBERSHIP = ("in", "any-in")
OPERATORS = LOGICAL_OPERATORS + COMPARISONS + MEMBERSHIP

Lookup = Callable[[str], Any]


@dataclass(frozen=True)
class AnswerRef:
    """An operand that reads the answer to a question."""

    id: str


Operand = Any  # AnswerRef | str | int | float | Decimal | bool | None | tuple[literal, ...]


@dataclass(frozen=True)
class Condition:
    """A compiled `when` node: an operator and its arguments (conditions or operands)."""

    op: str
    args: tuple[Any, ...]

    def evaluate(self, lookup: Lookup) -> bool:
        """Evaluate against answers read through ``lookup(question_id)`` (None when unanswered)."""
        if self.op == "and":
            return all(arg.evaluate(lookup) for arg in self.args)
        if self.op == "or":
            return any(arg.evaluate(lookup) for arg in self.args)
        if self.op == "not":
            return not self.args[0].evaluate(lookup)
        left, right = (_resolve(arg, lookup) for arg in self.args)
        try:
            return bool(_BINARY[self.op](left, right))
        except (TypeError, ArithmeticError, ValueError):
            return False

    def references(self) -> Iterator[str]:
        """Yield every question id this condition reads."""
        for arg in self.args:
            if isinstance(arg, Condition):
                yield from arg.references()
            elif isinstance(arg, AnswerRef):
                yield arg.id

    def comparisons(self) -> Iterator[Condition]:
        """Yield every non-logical node (for checking operand types)."""
        if self.op in LOGICAL_OPERATORS:
            for arg in self.args:
                yield from arg.comparisons()
        else:
            yield self


class ConditionShapeError(ValueError):
    """A `when` tree that is not well formed; ``path`` is relative to the tree."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def compile_when(raw: object, path: str = "") -> Condition:
    """Compile a `when` mapping (as loaded from YAML) into a Condition, checking its shape."""
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise ConditionShapeError(path, "a condition must be a mapping with exactly one operator")
    ((op, arg),) = raw.items()
    here = f"{path}{_key(op)}"
    if op not in OPERATORS:
        raise ConditionShapeError(here, f"unknown operator {op!r}")
    if op == "not":
        return Condition(op, (compile_when(arg, here),))
    if op in ("and", "or"):
        if not isinstance(arg, list) or len(arg) < 2:
            raise ConditionShapeError(here, f"'{op}' takes a list of at least two conditions")
        return Condition(op, tuple(compile_when(item, f"{here}[{i}]") for i, item in enumerate(arg)))
    if not isinstance(arg, list) or len(arg) != 2:
        raise ConditionShapeError(here, f"'{op}' takes a list of two operands")
    left = _operand(arg[0], f"{here}[0]")
    if op in MEMBERSHIP:
        if not isinstance(arg[1], list):
            raise ConditionShapeError(f"{here}[1]", f"'{op}' needs a list of values on the right")
        right: Any = tuple(_literal(item, f"{here}[1][{i}]") for i, item in enumerate(arg[1]))
    else:
        right = _operand(arg[1], f"{here}[1]")
    return Condition(op, (left, right))


def _key(op: object) -> str:
    text = str(op)
    return f".{text}" if text.isidentifier() else f"[{text!r}]"


def _operand(raw: object, path: str) -> Operand:
    if isinstance(raw, Mapping):
        if set(raw) != {"answer"} or not isinstance(raw["answer"], str):
            raise ConditionShapeError(path, "an operand mapping must be {answer: <question id>}")
        return AnswerRef(raw["answer"])
    return _literal(raw, path)


def _literal(raw: object, path: str) -> Operand:
    if raw is None or isinstance(raw, str | bool | int | Decimal):
        return raw
    if isinstance(raw, float):
        return Decimal(str(raw))
    raise ConditionShapeError(path, "a value must be text, a number, true, false or null")


def _resolve(arg: Operand, lookup: Lookup) -> Any:
    return lookup(arg.id) if isinstance(arg, AnswerRef) else arg


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _comparable(left: object, right: object) -> bool:
    if _is_number(left) and _is_number(right):
        return True
    return isinstance(left, str) and isinstance(right, str)


def _as_collection(value: object) -> tuple[Any, ...] | None:
    if isinstance(value, list | tuple | frozenset | set):
        return tuple(value)
    return None


def _equal(left: object, right: object) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    left_items, right_items = _as_collection(left), _as_collection(right)
    if left_items is not None or right_items is not None:
        if left_items is None or right_items is None:
            return False
        return len(left_items) == len(right_items) and all(_member(x, right_items) for x in left_items)
    if _is_number(left) and _is_number(right):
        return left == right
    return type(left) is type(right) and left == right


def _member(value: object, items: tuple[Any, ...]) -> bool:
    return any(_equal(value, item) for item in items)


def _order(compare: Callable[[Any, Any], bool]) -> Callable[[object, object], bool]:
    def check(left: object, right: object) -> bool:
        return _comparable(left, right) and compare(left, right)

    return check


def _in(left: object, right: tuple[Any, ...]) -> bool:
    return _as_collection(left) is None and _member(left, right)


def _any_in(left: object, right: tuple[Any, ...]) -> bool:
    items = _as_collection(left)
    if items is None:
        items = () if left is None else (left,)
    return any(_member(item, right) for item in items)


_BINARY: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda left, right: not _equal(left, right),
    "<": _order(operator.lt),
    "<=": _order(operator.le),
    ">": _order(operator.gt),
    ">=": _order(operator.ge),
    "in": _in,
    "any-in": _any_in,
}
