"""Immutable objects a loaded schema is made of: sections, questions, wording, routes, risk rules."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple

from portal.questionnaire.conditions import Condition
from portal.questionnaire.profile import ProfileValue


class Voice(StrEnum):
    """Who the wording speaks to: the person themselves, or a carer filling it in for them."""

    PERSON = "person"
    CARER = "carer"


class QuestionType(StrEnum):
    """The kinds of answer a question takes."""

    SINGLE = "single"  # radios: one option value (str)
    MULTIPLE = "multiple"  # checkboxes: a list of option values (list[str])
    NUMBER = "number"  # int, or Decimal when fractions are allowed
    DATE = "date"  # ISO date text, YYYY-MM-DD
    TEXT = "text"  # free text with a maximum length


class SectionStatus(StrEnum):
    """A section's status for the GOV.UK task list."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    NOT_APPLICABLE = "not_applicable"  # every question in it is skipped for these answers


class ErrorCode(StrEnum):
    """Why an answer was refused; the web layer words each code through gettext."""

    REQUIRED = "REQUIRED"
    INVALID_OPTION = "INVALID_OPTION"
    EXCLUSIVE_OPTION = "EXCLUSIVE_OPTION"  # "none of these" ticked together with another box
    NOT_A_NUMBER = "NOT_A_NUMBER"
    NOT_A_WHOLE_NUMBER = "NOT_A_WHOLE_NUMBER"
    TOO_SMALL = "TOO_SMALL"
    TOO_LARGE = "TOO_LARGE"
    TOO_LONG = "TOO_LONG"
    INVALID_DATE = "INVALID_DATE"
    DATE_IN_FUTURE = "DATE_IN_FUTURE"
    DATE_TOO_EARLY = "DATE_TOO_EARLY"
    DATE_TOO_LATE = "DATE_TOO_LATE"
    INVALID_VALUE = "INVALID_VALUE"  # a shape no form field posts (e.g. a list for a text box)
    UNKNOWN_QUESTION = "UNKNOWN_QUESTION"


AnswerValue = str | list[str] | int | Decimal


#: Wording variants, most specific first; "" is the standard wording.
VARIANTS = ("easy_read.self_funder", "easy_read", "self_funder", "")

#: The placeholder the web layer fills with the person's name; the only one allowed.
NAME_PLACEHOLDER = "{name}"
_BRACES = re.compile(r"[{}]")


class SourceString(NamedTuple):
    """One English source string with its gettext context and a comment for translators."""

    msgctxt: str
    text: str
    comment: str


@dataclass(frozen=True)
class Wording:
    """A piece of text in both voices; ``split`` is False when one text serves both."""

    person: str
    carer: str
    split: bool

    def for_voice(self, voice: Voice | str) -> str:
        """Return the text for a voice."""
        return self.carer if Voice(voice) is Voice.CARER else self.person


def fill_name(text: str, name: str) -> str:
    """Put the person's name in place of ``{name}`` (plain replacement: no format() surprises)."""
    return text.replace(NAME_PLACEHOLDER, name)


_KIND_LABELS = {
    "title": "Question",
    "hint": "Hint under the question",
    "staff_hint": "Hint for practitioners checking the answer (about the person, never addressed to them)",
    "summary": "Short label for the check-your-answers page",
    "picture.alt": "Text alternative for the picture",
    "description": "Risk flag shown to practitioners",
}


def _kind_label(kind: str) -> str:
    if kind in _KIND_LABELS:
        return _KIND_LABELS[kind]
    if kind.startswith("option."):
        value = kind.removeprefix("option.")
        if value.endswith(".hint"):
            return f"Hint for answer option '{value.removesuffix('.hint')}'"
        return f"Answer option '{value}'"
    if kind.startswith("error."):
        return f"Error message ({kind.removeprefix('error.')})"
    return kind


def _comment(kind: str, variant: str, voice: Voice | None, owner: str) -> str:
    label = owner if kind == "title" and owner != "Question" else _kind_label(kind)
    notes = []
    if "easy_read" in variant:
        notes.append("Easy Read: short sentences, everyday words")
    if "self_funder" in variant:
        notes.append("for a person who expects to pay for their own care")
    if voice is Voice.PERSON:
        notes.append("said to the person themselves")
    elif voice is Voice.CARER:
        notes.append("said to a carer filling it in; {name} is the person's name, keep it as it is")
    return f"Type: {label}" + (f" ({'; '.join(notes)})" if notes else "")


class Worded:
    """Shared wording lookup for anything with user-facing text (questions, sections, risk rules)."""

    _texts: Mapping[tuple[str, str], Wording]
    _owner_label = "Question"

    @property
    def _context_prefix(self) -> str:
        raise NotImplementedError

    def _possible_kinds(self) -> frozenset[str]:
        raise NotImplementedError

    def kinds(self) -> tuple[str, ...]:
        """Every kind of text this item has in any variant."""
        seen: dict[str, None] = {}
        for _variant, kind in self._texts:
            seen.setdefault(kind, None)
        return tuple(seen)

    def source(
        self,
        kind: str,
        voice: Voice | str = Voice.PERSON,
        *,
        easy_read: bool = False,
        self_funder: bool = False,
    ) -> SourceString | None:
        """Return the English source string (with msgctxt) for a kind of text, or None if there is none.

        Kept on the item by its arguments: an item's wording never changes once loaded, and pages ask the same
        few dozen strings on every request.
        """
        memo = self.__dict__.get("_sources")
        # Kept with the wording it was found in: a copy given other wording looks again.
        if memo is None or memo[0] is not self._texts:
            memo = self.__dict__["_sources"] = (self._texts, {})
        kept: dict[tuple[str, str, bool, bool], SourceString | None] = memo[1]
        key = (kind, voice, easy_read, self_funder)
        if key in kept:
            return kept[key]
        found = kept[key] = self._find_source(kind, Voice(voice), easy_read, self_funder)
        return found

    def _find_source(
        self, kind: str, voice: Voice, easy_read: bool, self_funder: bool
    ) -> SourceString | None:
        if not self._is_known_kind(kind):
            raise ValueError(f"unknown kind of text {kind!r}")
        for variant in VARIANTS:
            if ("easy_read" in variant and not easy_read) or ("self_funder" in variant and not self_funder):
                continue
            wording = self._texts.get((variant, kind))
            if wording is not None:
                return SourceString(
                    self._msgctxt(variant, kind, voice if wording.split else None),
                    wording.for_voice(voice),
                    _comment(kind, variant, voice if wording.split else None, self._owner_label),
                )
        return None

    def text(
        self,
        kind: str,
        voice: Voice | str = Voice.PERSON,
        *,
        easy_read: bool = False,
        self_funder: bool = False,
    ) -> str | None:
        """Return the English source text for a kind of text in a voice (None if this item has none)."""
        found = self.source(kind, voice, easy_read=easy_read, self_funder=self_funder)
        return found.text if found else None

    def translatable_strings(self) -> Iterator[SourceString]:
        """Yield every user-facing string of this item with its msgctxt and a translator comment."""
        for (variant, kind), wording in self._texts.items():
            voices: tuple[Voice | None, ...] = (Voice.PERSON, Voice.CARER) if wording.split else (None,)
            for voice in voices:
                text = wording.for_voice(voice or Voice.PERSON)
                yield SourceString(
                    self._msgctxt(variant, kind, voice),
                    text,
                    _comment(kind, variant, voice, self._owner_label),
                )

    def _msgctxt(self, variant: str, kind: str, voice: Voice | None) -> str:
        parts = [self._context_prefix]
        if variant:
            parts.append(variant)
        parts.append(kind)
        if voice is not None:
            parts.append(voice.value)
        return ".".join(parts)

    def _is_known_kind(self, kind: str) -> bool:
        return kind in self._possible_kinds()


@dataclass(frozen=True)
class Option:
    """One choice of a single or multiple question; ``value`` is a stable code."""

    value: str
    exclusive: bool = False  # a "none of these" box that cannot be ticked with others


@dataclass(frozen=True)
class Validation:
    """Bounds on an answer."""

    min_value: Decimal | None = None
    max_value: Decimal | None = None
    whole_number: bool = True
    max_length: int | None = None
    earliest: date | None = None
    latest: date | None = None
    not_in_future: bool = False
    within_months: int | None = None  # a date question about "the last N months": no earlier than that


@dataclass(frozen=True)
class FieldMapping:
    """How an answer feeds one canonical field: option value -> field value, or the number itself."""

    field: str
    values: Mapping[str, ProfileValue] | None = None  # for single and multiple (the highest value wins)
    copy: bool = False  # for number: the answer is the field value


@dataclass(frozen=True)
class Route:
    """One routing rule: go to ``goto`` (a question id or "end") when ``when`` holds (None: always)."""

    goto: str
    when: Condition | None


END = "end"


@dataclass(frozen=True, eq=False)
class Section(Worded):
    """A group of questions shown as one task in the task list."""

    id: str
    index: int
    _texts: Mapping[tuple[str, str], Wording] = field(repr=False)
    _owner_label = "Section title in the task list"

    @property
    def _context_prefix(self) -> str:
        return f"section.{self.id}"

    def _possible_kinds(self) -> frozenset[str]:
        return frozenset({"title"})


@dataclass(frozen=True, eq=False)
class RiskRule(Worded):
    """A risk rule: when ``when`` holds, the case is urgent (unsafe now) or at risk (for the queue)."""

    id: str
    level: str  # "urgent" or "at_risk"
    when: Condition
    _texts: Mapping[tuple[str, str], Wording] = field(repr=False)
    _owner_label = "Risk flag shown to practitioners"

    @property
    def _context_prefix(self) -> str:
        return f"risk.{self.id}"

    def _possible_kinds(self) -> frozenset[str]:
        return frozenset({"description"})


@dataclass(frozen=True)
class Risk:
    """The risk rules that hold for a set of answers; ``at_risk`` is also true when ``urgent`` is."""

    urgent: bool
    at_risk: bool
    rule_ids: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Question(Worded):
    """One question page. Text is read through ``text(kind, voice, easy_read=, self_funder=)``."""

    id: str
    index: int
    section: str
    type: QuestionType
    mandatory: bool
    options: tuple[Option, ...]
    validation: Validation
    maps_to: tuple[FieldMapping, ...]
    routing_rules: tuple[Route, ...]
    skip_conditions: tuple[Condition, ...]
    picture: str | None
    _texts: Mapping[tuple[str, str], Wording] = field(repr=False)

    @property
    def _context_prefix(self) -> str:
        return self.id

    def _possible_kinds(self) -> frozenset[str]:
        return self._kinds

    @cached_property
    def _kinds(self) -> frozenset[str]:
        return question_kinds(self.option_values)

    @cached_property
    def option_values(self) -> tuple[str, ...]:
        """The option codes, in order."""
        return tuple(option.value for option in self.options)

    def option(self, value: str) -> Option:
        """Return the option with this code (KeyError if none)."""
        for option in self.options:
            if option.value == value:
                return option
        raise KeyError(value)


def question_kinds(option_values: tuple[str, ...]) -> frozenset[str]:
    """Every kind of text a question with these options may have."""
    kinds = {"title", "hint", "staff_hint", "summary", "picture.alt"}
    for value in option_values:
        kinds.update({f"option.{value}", f"option.{value}.hint"})
    kinds.update(f"error.{code.value}" for code in ErrorCode)
    return frozenset(kinds)


def freeze_texts(texts: Mapping[tuple[str, str], Wording]) -> Mapping[tuple[str, str], Wording]:
    """Return a read-only copy of a wording table."""
    return MappingProxyType(dict(texts))


def placeholders_ok(text: str, voice: Voice | None) -> str | None:
    """Return why a text's placeholders are wrong, or None: only {name}, and only in the carer's voice.

    ``voice`` None means one text serves both voices, so it cannot name the person either.
    """
    rest = text.replace(NAME_PLACEHOLDER, "")
    if _BRACES.search(rest):
        return "only the {name} placeholder is allowed (and no other braces)"
    if voice is Voice.PERSON and NAME_PLACEHOLDER in text:
        return "{name} cannot appear in wording said to the person themselves"
    if voice is None and NAME_PLACEHOLDER in text:
        return "{name} cannot appear in wording shared by both voices: give person and carer wording"
    return None
