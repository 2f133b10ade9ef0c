"""Turning what a form posts into a typed answer, and checking stored answers. Nothing here raises on input.

Typed answers: single -> str (an option value); multiple -> list[str] (option values, in option order);
number -> int (whole numbers) or Decimal; date -> "YYYY-MM-DD"; text -> str. An optional question left
blank is stored as None (multiple: []), which counts as answered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from portal.questionnaire.model import AnswerValue, ErrorCode, Question, QuestionType

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DIGITS = re.compile(r"\d{1,4}")
_MAX_NUMBER_CHARS = 64
# Control characters a browser never needs to send (tab and newline are kept); lone surrogates cannot be stored.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class ParseResult(NamedTuple):
    """A typed value (None when refused or left blank) and an error code (None when accepted)."""

    value: AnswerValue | None
    error: ErrorCode | None


def _clean(text: str) -> str:
    text = _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", text).strip()


def _strings(raw: object) -> list[str] | None:
    """Return the posted strings (cleaned, blanks dropped), or None for a shape no form posts."""
    if raw is None:
        return []
    if isinstance(raw, str):
        items: list[object] = [raw]
    elif isinstance(raw, list | tuple):
        items = list(raw)
    elif isinstance(raw, int | Decimal) and not isinstance(raw, bool):
        items = [str(raw)]
    else:
        return None
    if not all(isinstance(item, str) for item in items):
        return None
    cleaned = (_clean(item) for item in items)  # type: ignore[arg-type]
    return [item for item in cleaned if item]


def parse_answer(question: Question, raw: object, today: date | None = None) -> ParseResult:
    """Convert a posted value for ``question`` into a typed answer or an error code."""
    if question.type is QuestionType.DATE:
        return _parse_date(question, raw, today or date.today())
    strings = _strings(raw)
    if strings is None:
        return ParseResult(None, _shape_error(question))
    if question.type is QuestionType.MULTIPLE:
        return _parse_multiple(question, strings)
    if not strings:
        if question.mandatory:
            return ParseResult(None, ErrorCode.REQUIRED)
        return ParseResult(None, None)
    if question.type is QuestionType.SINGLE:
        if len(set(strings)) != 1 or strings[0] not in question.option_values:
            return ParseResult(None, ErrorCode.INVALID_OPTION)
        return ParseResult(strings[0], None)
    if len(strings) != 1:
        return ParseResult(None, _shape_error(question))
    if question.type is QuestionType.NUMBER:
        return _parse_number(question, strings[0])
    return _parse_text(question, strings[0])


def _shape_error(question: Question) -> ErrorCode:
    return {
        QuestionType.SINGLE: ErrorCode.INVALID_OPTION,
        QuestionType.MULTIPLE: ErrorCode.INVALID_OPTION,
        QuestionType.NUMBER: ErrorCode.NOT_A_NUMBER,
        QuestionType.DATE: ErrorCode.INVALID_DATE,
    }.get(question.type, ErrorCode.INVALID_VALUE)


def _parse_multiple(question: Question, strings: list[str]) -> ParseResult:
    chosen = set(strings)
    if not chosen:
        return ParseResult(None, ErrorCode.REQUIRED) if question.mandatory else ParseResult([], None)
    if not chosen <= set(question.option_values):
        return ParseResult(None, ErrorCode.INVALID_OPTION)
    if len(chosen) > 1 and any(option.exclusive and option.value in chosen for option in question.options):
        return ParseResult(None, ErrorCode.EXCLUSIVE_OPTION)
    return ParseResult([value for value in question.option_values if value in chosen], None)


def _parse_number(question: Question, text: str) -> ParseResult:
    text = text.replace(",", "").replace(" ", "")
    if len(text) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(text):
        return ParseResult(None, ErrorCode.NOT_A_NUMBER)
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets plain decimals through
        return ParseResult(None, ErrorCode.NOT_A_NUMBER)
    rules = question.validation
    whole = number == number.to_integral_value()
    if rules.whole_number and not whole:
        return ParseResult(None, ErrorCode.NOT_A_WHOLE_NUMBER)
    if rules.min_value is not None and number < rules.min_value:
        return ParseResult(None, ErrorCode.TOO_SMALL)
    if rules.max_value is not None and number > rules.max_value:
        return ParseResult(None, ErrorCode.TOO_LARGE)
    if rules.whole_number:
        return ParseResult(int(number), None)
    return ParseResult(number if number else Decimal(0), None)  # "-0" is stored as 0


def _parse_text(question: Question, text: str) -> ParseResult:
    limit = question.validation.max_length
    if limit is not None and len(text) > limit:
        return ParseResult(None, ErrorCode.TOO_LONG)
    return ParseResult(text, None)


def _date_parts(raw: object) -> tuple[str, str, str] | str | None:
    """Return (day, month, year) or an ISO string from what a form posts; None for an unusable shape."""
    if isinstance(raw, Mapping):
        parts = [raw.get(key, "") for key in ("day", "month", "year")]
    elif isinstance(raw, list | tuple) and len(raw) == 3:
        parts = list(raw)
    elif isinstance(raw, list | tuple) and len(raw) == 1:
        return _date_parts(raw[0])
    elif raw is None:
        parts = ["", "", ""]
    elif isinstance(raw, str):
        return _clean(raw)
    else:
        return None
    if not all(isinstance(part, str) or part is None for part in parts):
        return None
    day, month, year = (_clean(part or "") for part in parts)
    return day, month, year


def _parse_date(question: Question, raw: object, today: date) -> ParseResult:
    parts = _date_parts(raw)
    if parts is None:
        return ParseResult(None, ErrorCode.INVALID_DATE)
    if parts == "" or parts == ("", "", ""):
        return ParseResult(None, ErrorCode.REQUIRED) if question.mandatory else ParseResult(None, None)
    given = _to_date(parts)
    if given is None:
        return ParseResult(None, ErrorCode.INVALID_DATE)
    rules = question.validation
    if rules.not_in_future and given > today:
        return ParseResult(None, ErrorCode.DATE_IN_FUTURE)
    if rules.earliest is not None and given < rules.earliest:
        return ParseResult(None, ErrorCode.DATE_TOO_EARLY)
    if rules.within_months is not None and given < months_before(today, rules.within_months):
        return ParseResult(None, ErrorCode.DATE_TOO_EARLY)
    if rules.latest is not None and given > rules.latest:
        return ParseResult(None, ErrorCode.DATE_TOO_LATE)
    return ParseResult(given.isoformat(), None)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _to_date(parts: tuple[str, str, str] | str) -> date | None:
    if isinstance(parts, str):
        if not _ISO_DATE.fullmatch(parts):
            return None
        year, month, day = parts.split("-")
    else:
        day, month, year = parts
        if not (_DIGITS.fullmatch(day) and _DIGITS.fullmatch(month) and re.fullmatch(r"\d{4}", year)):
            return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def is_empty(value: object) -> bool:
    """True for a blank answer (None, "" or an empty list)."""
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def is_valid_value(question: Question, value: object) -> bool:
    """Say whether a stored answer is a well-typed, allowed value for the question (blank only if optional)."""
    if is_empty(value):
        return not question.mandatory
    kind = question.type
    if kind is QuestionType.SINGLE:
        return isinstance(value, str) and value in question.option_values
    if kind is QuestionType.MULTIPLE:
        if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
            return False
        chosen = set(value)
        if len(chosen) != len(value) or not chosen <= set(question.option_values):
            return False
        return len(chosen) == 1 or not any(o.exclusive and o.value in chosen for o in question.options)
    if kind is QuestionType.NUMBER:
        return _valid_number(question, value)
    if kind is QuestionType.DATE:
        return _valid_date(question, value)
    limit = question.validation.max_length
    return isinstance(value, str) and (limit is None or len(value) <= limit)


def _valid_number(question: Question, value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    try:
        number = Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):  # pragma: no cover - defensive
        return False
    if not number.is_finite():
        return False
    rules = question.validation
    if rules.whole_number and number != number.to_integral_value():
        return False
    if rules.min_value is not None and number < rules.min_value:
        return False
    return rules.max_value is None or number <= rules.max_value


def _valid_date(question: Question, value: object) -> bool:
    if not isinstance(value, str):
        return False
    given = _to_date(value)
    if given is None:
        return False
    rules = question.validation
    if rules.earliest is not None and given < rules.earliest:
        return False
    # Whether it was in the future was checked when it was given; a stored date does not expire.
    return rules.latest is None or given <= rules.latest


# -- the stored-answer codec ---------------------------------------------------------------------------
# Answers are kept as JSON. Whole numbers and everything else store as themselves; a number that is not whole is
# stored as text so it stays exact (JSON would make it a float), and is read back as a Decimal.


def storable(value: object) -> object:
    """The JSON-safe form of a typed answer."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


def decode_value(question: Question | None, value: object) -> tuple[bool, object]:
    """A stored answer typed again: (kept, value); a stored number that is not a number is dropped."""
    if question is not None and question.type is QuestionType.NUMBER and isinstance(value, str):
        try:
            return True, Decimal(value)
        except ArithmeticError:
            return False, None
    return True, value
