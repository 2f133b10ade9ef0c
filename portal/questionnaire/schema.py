"""The loaded questionnaire: an immutable, id-indexed schema and pure functions of an answers dict.

Every method takes the answers as a mapping of question id -> typed value (see answers.py) and recomputes
the path from them, so nothing here keeps state between calls. Conditions only ever read answers to
questions already on the path (the loader makes sure they can only refer to earlier questions), so an
answer left behind on a skipped page never changes routing, risk or the profile.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from portal.questionnaire.answers import ParseResult, decode_value, is_valid_value, parse_answer
from portal.questionnaire.conditions import Condition
from portal.questionnaire.model import (
    END,
    AnswerValue,
    ErrorCode,
    FieldMapping,
    Question,
    QuestionType,
    Risk,
    RiskRule,
    Section,
    SectionStatus,
    SourceString,
)
from portal.questionnaire.notes import NOTES_KEY
from portal.questionnaire.profile import (
    CANONICAL_FIELDS,
    FieldSpec,
    ProfileMapping,
    ProfileValue,
    default_profile,
)

Answers = Mapping[str, Any]

URGENT = "urgent"
AT_RISK = "at_risk"


@dataclass(frozen=True)
class _Walk:
    """The path for some answers, and the valid answers on it (None for an optional question left blank)."""

    path: tuple[str, ...]
    known: Mapping[str, Any]


def _answers_key(given: Mapping[Any, Any]) -> tuple[Any, ...] | None:
    """The answers as a hashable value to remember a walk by, or None when a value cannot be hashed.

    Each value goes with its type, since ``True == 1 == Decimal(1)`` and the three are not equally valid answers.
    """
    key = tuple((k, _typed(v)) for k, v in given.items())
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _typed(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return (type(value), tuple(_typed(item) for item in value))
    return (type(value), value)


def _copy(value: Any) -> Any:
    """A list answer copied, so a caller changing it never changes the remembered walk."""
    return list(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class Place:
    """Where a question stands for some answers: on the path or not, its position, its neighbours, the wording."""

    on_path: bool
    position: tuple[int, int] | None  # (1-based position, path length), None off the path
    previous_id: str | None
    next_id: str | None
    self_funder: bool  # use the self-funder wording


@dataclass(frozen=True, eq=False)
class Schema:
    """A validated questionnaire. Build it with load_schema() or build_schema(), never by hand."""

    format_version: int
    content_version: str
    content_hash: str  # sha256 of the schema's canonical JSON, to tell two copies of one version apart
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    risk_rules: tuple[RiskRule, ...]
    self_funder_when: Condition | None
    _questions_by_id: Mapping[str, Question] = field(repr=False)
    _sections_by_id: Mapping[str, Section] = field(repr=False)
    _producers: Mapping[str, tuple[Question, FieldMapping]] = field(repr=False)
    #: The canonical Needs Profile fields of its tool (decision 0015): the adult tool's by default.
    canonical: Mapping[str, FieldSpec] = field(default_factory=lambda: CANONICAL_FIELDS, repr=False)
    #: Canonical fields this questionnaire fixes for everyone (no question asks them), e.g. Section 117's client group.
    fixed_profile: Mapping[str, ProfileValue] = field(default_factory=lambda: MappingProxyType({}))
    #: Whether every question offers "Add note": a note kept with the answer.
    answer_notes: bool = False
    #: The last walk, by its answers: one page asks about the same answers many times (the check page asks
    #: whether each of ~40 questions is answered), and a walk evaluates every question's conditions.
    _last_walk: dict[str, tuple[tuple[Any, ...], _Walk]] = field(default_factory=dict, init=False, repr=False)

    # -- lookup -------------------------------------------------------------------------------------

    @property
    def version(self) -> str:
        """The version to store beside saved answers: "<format_version>/<content_version>"."""
        return f"{self.format_version}/{self.content_version}"

    def question(self, question_id: str) -> Question:
        """Return the question with this id (KeyError if there is none)."""
        return self._questions_by_id[question_id]

    def section(self, section_id: str) -> Section:
        """Return the section with this id (KeyError if there is none)."""
        return self._sections_by_id[section_id]

    def risk_rule(self, rule_id: str) -> RiskRule:
        """Return the risk rule with this id, e.g. to word a queue flag (KeyError if there is none)."""
        for rule in self.risk_rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def __contains__(self, question_id: object) -> bool:
        return isinstance(question_id, str) and question_id in self._questions_by_id

    def section_questions(self, section_id: str) -> tuple[Question, ...]:
        """Return every question of a section, in order, whether on the path or not."""
        return tuple(q for q in self.questions if q.section == section_id)

    @property
    def producers(self) -> frozenset[str]:
        """The canonical fields some question gives."""
        return frozenset(self._producers)

    def question_for_field(self, field_name: str) -> Question:
        """Return the question whose answer gives a canonical field (KeyError for an unknown field)."""
        return self._producers[field_name][0]

    # -- the path -----------------------------------------------------------------------------------

    def _walk(self, answers: object) -> _Walk:
        given: Mapping[Any, Any] = answers if isinstance(answers, Mapping) else {}
        key = _answers_key(given)
        if key is not None:
            last = self._last_walk.get("last")  # one read and one write of the slot: safe between threads
            if last is not None and last[0] == key:
                return last[1]
        walk = self._walk_afresh(given)
        if key is not None:
            self._last_walk["last"] = (key, walk)
        return walk

    def _walk_afresh(self, given: Mapping[Any, Any]) -> _Walk:
        known: dict[str, Any] = {}
        path: list[str] = []
        lookup = known.get
        index = 0
        while index < len(self.questions):
            question = self.questions[index]
            if any(condition.evaluate(lookup) for condition in question.skip_conditions):
                index += 1
                continue
            path.append(question.id)
            if question.id in given and is_valid_value(question, given[question.id]):
                value = given[question.id]
                known[question.id] = list(value) if isinstance(value, list | tuple) else value
            target = next(
                (
                    rule.goto
                    for rule in question.routing_rules
                    if rule.when is None or rule.when.evaluate(lookup)
                ),
                None,
            )
            if target == END:
                break
            index = self._questions_by_id[target].index if target else index + 1
        return _Walk(tuple(path), MappingProxyType(known))

    def path(self, answers: Answers) -> list[str]:
        """Return the ids of the questions to ask, in order, for these answers (skipped ones left out)."""
        return list(self._walk(answers).path)

    def place(self, question_id: str, answers: Answers) -> Place:
        """Everything a question's page needs from the path, from one walk over the answers."""
        walk = self._walk(answers)
        path = walk.path
        on_path = question_id in path
        return Place(
            on_path=on_path,
            position=(path.index(question_id) + 1, len(path)) if on_path else None,
            previous_id=self._previous_on(path, question_id),
            next_id=self._next_on(path, question_id),
            self_funder=self._self_funder(walk),
        )

    def is_on_path(self, question_id: str, answers: Answers) -> bool:
        """Say whether a question is asked for these answers (refuse a page that is not)."""
        return question_id in self._walk(answers).path

    def next_id(self, question_id: str, answers: Answers) -> str | None:
        """Return the question after this one on the path, or None at the end (go to check answers)."""
        return self._next_on(self._walk(answers).path, question_id)

    def _next_on(self, path: tuple[str, ...], question_id: str) -> str | None:
        if question_id in path:
            position = path.index(question_id) + 1
            return path[position] if position < len(path) else None
        if question_id not in self:
            return None
        after = self.question(question_id).index
        return next((qid for qid in path if self.question(qid).index > after), None)

    def previous_id(self, question_id: str, answers: Answers) -> str | None:
        """Return the question before this one on the path (for the back link), or None at the start."""
        return self._previous_on(self._walk(answers).path, question_id)

    def _previous_on(self, path: tuple[str, ...], question_id: str) -> str | None:
        if question_id in path:
            position = path.index(question_id)
            return path[position - 1] if position > 0 else None
        if question_id not in self:
            return None
        before = self.question(question_id).index
        earlier = [qid for qid in path if self.question(qid).index < before]
        return earlier[-1] if earlier else None

    def position(self, question_id: str, answers: Answers) -> tuple[int, int] | None:
        """Return (1-based position, path length) for a progress indicator, or None if off the path."""
        path = self._walk(answers).path
        if question_id not in path:
            return None
        return path.index(question_id) + 1, len(path)

    # -- answered or not ----------------------------------------------------------------------------

    def is_answered(self, question_id: str, answers: Answers) -> bool:
        """Say whether a question on the path has a valid answer (a blank optional question counts)."""
        return question_id in self._walk(answers).known

    def unanswered(self, answers: Answers) -> list[str]:
        """Return the questions on the path still without a valid answer, in order.

        After an assessor amends an answer, this lists the questions it brought onto the path.
        """
        walk = self._walk(answers)
        return [qid for qid in walk.path if qid not in walk.known]

    def first_unanswered(self, answers: Answers) -> str | None:
        """Return the first question on the path without a valid answer (where to resume), or None."""
        remaining = self.unanswered(answers)
        return remaining[0] if remaining else None

    def is_complete(self, answers: Answers) -> bool:
        """Say whether every question on the path has a valid answer."""
        return not self.unanswered(answers)

    def effective_answers(self, answers: Answers) -> dict[str, Any]:
        """Return only the valid answers to questions on the path, in path order."""
        walk = self._walk(answers)
        return {qid: _copy(walk.known[qid]) for qid in walk.path if qid in walk.known}

    def section_statuses(self, answers: Answers) -> dict[str, SectionStatus]:
        """Return each section's task-list status, in section order."""
        walk = self._walk(answers)
        statuses: dict[str, SectionStatus] = {}
        for section in self.sections:
            asked = [qid for qid in walk.path if self.question(qid).section == section.id]
            answered = sum(1 for qid in asked if qid in walk.known)
            if not asked:
                statuses[section.id] = SectionStatus.NOT_APPLICABLE
            elif answered == 0:
                statuses[section.id] = SectionStatus.NOT_STARTED
            elif answered == len(asked):
                statuses[section.id] = SectionStatus.COMPLETED
            else:
                statuses[section.id] = SectionStatus.IN_PROGRESS
        return statuses

    def section_start(self, section_id: str, answers: Answers) -> str | None:
        """Return where a task-list link should go: the section's first unanswered question, else its first."""
        walk = self._walk(answers)
        asked = [qid for qid in walk.path if self.question(qid).section == section_id]
        return next((qid for qid in asked if qid not in walk.known), asked[0] if asked else None)

    # -- what the answers mean ----------------------------------------------------------------------

    def to_profile(self, answers: Answers) -> ProfileMapping:
        """Map the answers on the path onto every canonical Needs Profile field (defaults where not asked)."""
        walk = self._walk(answers)
        values: dict[str, ProfileValue] = default_profile(self.canonical)
        values.update(self.fixed_profile)
        missing: list[str] = []
        sources: dict[str, str] = {}
        on_path = set(walk.path)
        for field_name, (question, mapping) in self._producers.items():
            if question.id not in on_path:
                continue  # not asked for these answers: the neutral default stands
            mapped = _map_answer(self.canonical[field_name], question, mapping, walk.known.get(question.id))
            if mapped is None:
                missing.append(field_name)
            else:
                values[field_name] = mapped
                sources[field_name] = question.id
        return ProfileMapping(values, tuple(missing), sources)

    def risk(self, answers: Answers) -> Risk:
        """Return which risk rules hold for the answers on the path."""
        lookup = self._walk(answers).known.get
        fired = [rule for rule in self.risk_rules if rule.when.evaluate(lookup)]
        return Risk(
            urgent=any(rule.level == URGENT for rule in fired),
            at_risk=bool(fired),
            rule_ids=tuple(rule.id for rule in fired),
        )

    def is_self_funder(self, answers: Answers) -> bool:
        """Say whether the person expects to pay for their own care (use the self-funder wording)."""
        if self.self_funder_when is None:
            return False
        return self._self_funder(self._walk(answers))

    def _self_funder(self, walk: _Walk) -> bool:
        if self.self_funder_when is None:
            return False
        return self.self_funder_when.evaluate(walk.known.get)

    # -- input and wording --------------------------------------------------------------------------

    def parse(self, question_id: object, raw: object, *, today: date | None = None) -> ParseResult:
        """Convert what a form posted for a question into (typed value, None) or (None, error code)."""
        if not isinstance(question_id, str) or question_id not in self._questions_by_id:
            return ParseResult(None, ErrorCode.UNKNOWN_QUESTION)
        return parse_answer(self._questions_by_id[question_id], raw, today)

    def decode_answers(self, stored: Mapping[str, object]) -> dict[str, Any]:
        """Answers as stored in JSON (see :func:`~portal.questionnaire.answers.storable`), typed again."""
        loaded: dict[str, Any] = {}
        for question_id, value in stored.items():
            if question_id == NOTES_KEY:  # the notes on answers are not answers (see notes.py)
                continue
            kept, typed = decode_value(self._questions_by_id.get(question_id), value)
            if kept:
                loaded[question_id] = typed
        return loaded

    def translatable_strings(self) -> Iterator[SourceString]:
        """Yield (msgctxt, English text, translator comment) for every user-facing string in the schema."""
        for section in self.sections:
            yield from section.translatable_strings()
        for question in self.questions:
            yield from question.translatable_strings()
        for rule in self.risk_rules:
            yield from rule.translatable_strings()


def _map_answer(
    spec: FieldSpec, question: Question, mapping: FieldMapping, value: AnswerValue | None
) -> ProfileValue | None:
    if value is None:
        return None
    if mapping.copy:
        return spec.normalise(value)
    assert mapping.values is not None
    if question.type is QuestionType.MULTIPLE and isinstance(value, list):
        mapped = [spec.normalise(mapping.values[item]) for item in value if item in mapping.values]
        numbers = [item for item in mapped if isinstance(item, int | float)]
        return max(numbers) if numbers else None
    if isinstance(value, str) and value in mapping.values:
        return spec.normalise(mapping.values[value])
    return None
