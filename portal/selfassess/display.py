"""Wording answers and organisation text for people to read (pages, check answers, PDFs)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal

from portal.formatting import format_day
from portal.i18n.schema_text import Words
from portal.i18n.web import current_code
from portal.models import Organisation
from portal.questionnaire import Question, QuestionType


def display_answer(question: Question, value: Any, words: Words) -> str:
    """An answer as the person would say it: option labels, a formatted date or number, or their text."""
    if value is None or value == [] or value == "":
        return words_not_given()
    if question.type is QuestionType.SINGLE:
        return words.question(question, f"option.{value}") or str(value)
    if question.type is QuestionType.MULTIPLE:
        return ", ".join(words.question(question, f"option.{v}") or str(v) for v in value)
    if question.type is QuestionType.DATE:
        try:
            return format_day(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if question.type is QuestionType.NUMBER:
        return str(format_decimal(Decimal(str(value))))
    return str(value)


def words_not_given() -> str:
    """Shown for an optional question left blank."""
    from flask_babel import gettext

    return gettext("Not given")


def urgent_wording(organisation: Organisation | None) -> dict[str, str] | None:
    """The organisation's own urgent-help wording in the page's language, else in English, marked with its language.

    Returns ``{"text": …, "lang": …}`` or None when the organisation has set none (the default wording is used).
    """
    if organisation is None:
        return None
    wording = (organisation.settings or {}).get("urgent_wording") or {}
    if not isinstance(wording, dict):
        return None
    locale = current_code()
    for lang in (locale, "en", *wording.keys()):
        text = wording.get(lang)
        if isinstance(text, str) and text.strip():
            return {"text": text.strip(), "lang": lang}
    return None
