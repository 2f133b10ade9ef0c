"""The checks a JSON Schema cannot express, and building the immutable Schema from checked data.

Unique ids, sections in order, routing only forward to questions that exist, conditions that refer to answers
asked before and compare them with values of the right type, the canonical Needs Profile fields each given by
one question (or fixed), wording with the right placeholders for each voice, and the risk rules. Every problem is
recorded as a SchemaIssue at its key path; ``loader.build_schema`` raises them together as one SchemaError.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from portal.questionnaire.conditions import COMPARISONS, Condition, ConditionShapeError, compile_when
from portal.questionnaire.model import (
    END,
    FieldMapping,
    Option,
    Question,
    QuestionType,
    RiskRule,
    Route,
    Section,
    Validation,
    Voice,
    Wording,
    freeze_texts,
    placeholders_ok,
)
from portal.questionnaire.profile import FieldSpec, ProfileValue
from portal.questionnaire.schema import Schema
from portal.questionnaire.schema_errors import PathParts, SchemaIssue, format_path, short_repr

_KIND_KEYS = {
    "title": "title",
    "hint": "hint",
    "staff_hint": "staff_hint",
    "summary": "summary",
    "picture.alt": "picture_alt",
}
_TYPE_KEYS = {
    QuestionType.NUMBER: {"min", "max", "whole_number"},
    QuestionType.TEXT: {"max_length"},
    QuestionType.DATE: {"earliest", "latest", "not_in_future", "within_months"},
}


def _iso(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


class SchemaBuilder:
    """Walks checked-shape schema data, records every semantic problem, and builds the objects."""

    def __init__(
        self, data: Mapping[str, Any], require_full_profile: bool, fields: Mapping[str, FieldSpec]
    ) -> None:
        self.data = data
        self.require_full_profile = require_full_profile
        self.fields = fields
        self.issues: list[SchemaIssue] = []
        self.index: dict[str, int] = {}
        self.raw_questions: list[Mapping[str, Any]] = list(data["questions"])
        self.section_ids: dict[str, int] = {}

    def issue(self, path: PathParts, message: str) -> None:
        """Record a problem at a key path."""
        self.issues.append(SchemaIssue(format_path(path), message))

    def build(self) -> Schema | None:
        """Check everything and return the Schema, or None when any problem was recorded."""
        sections = self._sections()
        self._index_questions()
        questions = [self._question(i, raw) for i, raw in enumerate(self.raw_questions)]
        self._check_section_order(questions)
        fixed = self._fixed_profile()
        producers = self._producers(questions, fixed)
        risk_rules = self._risk_rules()
        self_funder = None
        if "self_funder" in self.data:
            self_funder = self._when(
                self.data["self_funder"]["when"], ("self_funder", "when"), lambda _i: None
            )
        if self.issues:
            return None
        by_id = {q.id: q for q in questions}
        canonical_json = json.dumps(self.data, sort_keys=True, ensure_ascii=False, default=str)
        return Schema(
            format_version=int(self.data["format_version"]),
            content_version=str(self.data["content_version"]),
            content_hash=hashlib.sha256(canonical_json.encode("utf-8")).hexdigest(),
            sections=tuple(sections),
            questions=tuple(questions),
            risk_rules=tuple(risk_rules),
            self_funder_when=self_funder,
            _questions_by_id=MappingProxyType(by_id),
            _sections_by_id=MappingProxyType({s.id: s for s in sections}),
            _producers=MappingProxyType(producers),
            canonical=self.fields,
            fixed_profile=MappingProxyType(fixed),
            answer_notes=bool(self.data.get("answer_notes", False)),
        )

    # -- wording ------------------------------------------------------------------------------------

    def _wording(self, raw: Any, path: PathParts) -> Wording:
        if isinstance(raw, str):
            self._check_placeholders(raw, None, path)
            return Wording(raw, raw, split=False)
        self._check_placeholders(raw["person"], Voice.PERSON, (*path, "person"))
        self._check_placeholders(raw["carer"], Voice.CARER, (*path, "carer"))
        return Wording(raw["person"], raw["carer"], split=True)

    def _check_placeholders(self, text: str, voice: Voice | None, path: PathParts) -> None:
        problem = placeholders_ok(text, voice)
        if problem:
            self.issue(path, problem)

    # -- sections -------------------------------------------------------------------------------------

    def _sections(self) -> list[Section]:
        sections: list[Section] = []
        for i, raw in enumerate(self.data["sections"]):
            path: PathParts = ("sections", i)
            if raw["id"] in self.section_ids:
                self.issue((*path, "id"), f"duplicate section id '{raw['id']}'")
                continue
            self.section_ids[raw["id"]] = i
            texts = {("", "title"): self._wording(raw["title"], (*path, "title"))}
            if "easy_read" in raw:
                texts[("easy_read", "title")] = self._wording(
                    raw["easy_read"]["title"], (*path, "easy_read", "title")
                )
            sections.append(Section(id=raw["id"], index=len(sections), _texts=freeze_texts(texts)))
        return sections

    def _check_section_order(self, questions: list[Question]) -> None:
        """Each section's questions must sit together, in the order the sections are declared."""
        current = -1
        used: set[str] = set()
        for question in questions:
            order = self.section_ids.get(question.section)
            if order is None:
                continue
            if order < current or (order != current and question.section in used):
                self.issue(
                    ("questions", question.index, "section"),
                    f"questions of section '{question.section}' must sit together, in the order of the sections",
                )
            current = max(current, order)
            used.add(question.section)
        for section_id, order in self.section_ids.items():
            if section_id not in used:
                self.issue(("sections", order, "id"), f"section '{section_id}' has no questions")

    # -- questions ------------------------------------------------------------------------------------

    def _index_questions(self) -> None:
        for i, raw in enumerate(self.raw_questions):
            qid = raw["id"]
            if qid == END:
                self.issue(
                    ("questions", i, "id"), f"'{END}' is kept for routing to the end of the questionnaire"
                )
            elif qid in self.index:
                self.issue(("questions", i, "id"), f"duplicate question id '{qid}'")
            else:
                self.index[qid] = i

    def _question(self, i: int, raw: Mapping[str, Any]) -> Question:
        path: PathParts = ("questions", i)
        kind = QuestionType(raw["type"])
        if raw["section"] not in self.section_ids:
            self.issue((*path, "section"), f"unknown section '{raw['section']}'")
        options = self._options(kind, raw, path)
        values = tuple(option.value for option in options)
        validation = self._validation(kind, raw.get("validation", {}), (*path, "validation"))
        texts = self._question_texts(raw, values, path)
        routes = self._routes(i, raw.get("routing_rules", []), path)
        skips = []
        for j, rule in enumerate(raw.get("skip_conditions", [])):
            condition = self._when(
                rule["when"], (*path, "skip_conditions", j, "when"), self._before(i, strict=True)
            )
            if condition is not None:
                skips.append(condition)
        maps_to = self._maps_to(kind, raw, values, validation, path)
        return Question(
            id=raw["id"],
            index=i,
            section=raw["section"],
            type=kind,
            mandatory=bool(raw["mandatory"]),
            options=options,
            validation=validation,
            maps_to=maps_to,
            routing_rules=routes,
            skip_conditions=tuple(skips),
            picture=raw["picture"]["name"] if "picture" in raw else None,
            _texts=freeze_texts(texts),
        )

    def _options(self, kind: QuestionType, raw: Mapping[str, Any], path: PathParts) -> tuple[Option, ...]:
        has_options = kind in (QuestionType.SINGLE, QuestionType.MULTIPLE)
        if has_options and "options" not in raw:
            self.issue((*path, "options"), f"a {kind} question needs options")
        if not has_options and "options" in raw:
            self.issue((*path, "options"), f"a {kind} question has no options")
            return ()
        options: list[Option] = []
        for j, option in enumerate(raw.get("options", [])):
            if option["value"] in {o.value for o in options}:
                self.issue((*path, "options", j, "value"), f"duplicate option value '{option['value']}'")
                continue
            exclusive = bool(option.get("exclusive", False))
            if exclusive and kind is not QuestionType.MULTIPLE:
                self.issue(
                    (*path, "options", j, "exclusive"), "only a multiple question has an exclusive option"
                )
            options.append(Option(option["value"], exclusive))
        return tuple(options)

    def _validation(self, kind: QuestionType, raw: Mapping[str, Any], path: PathParts) -> Validation:
        allowed = _TYPE_KEYS.get(kind, set())
        for key in raw:
            if key not in allowed:
                self.issue((*path, key), f"not used by a {kind} question")
        if kind is QuestionType.TEXT and "max_length" not in raw:
            self.issue((*path, "max_length"), "a text question needs a maximum length")
        low = Decimal(str(raw["min"])) if "min" in raw else None
        high = Decimal(str(raw["max"])) if "max" in raw else None
        if low is not None and high is not None and low > high:
            self.issue((*path, "min"), "is greater than max")
        earliest, latest = _iso(raw.get("earliest")), _iso(raw.get("latest"))
        for key, parsed in (("earliest", earliest), ("latest", latest)):
            if key in raw and parsed is None:
                self.issue((*path, key), f"{raw[key]!r} is not a real date")
        if earliest and latest and earliest > latest:
            self.issue((*path, "earliest"), "is after latest")
        return Validation(
            min_value=low,
            max_value=high,
            whole_number=bool(raw.get("whole_number", True)),
            max_length=raw.get("max_length"),
            earliest=earliest,
            latest=latest,
            not_in_future=bool(raw.get("not_in_future", False)),
            within_months=raw.get("within_months"),
        )

    def _question_texts(
        self, raw: Mapping[str, Any], values: tuple[str, ...], path: PathParts
    ) -> dict[tuple[str, str], Wording]:
        texts: dict[tuple[str, str], Wording] = {}
        for key in ("title", "hint", "staff_hint", "summary"):
            if key in raw:
                texts[("", key)] = self._wording(raw[key], (*path, key))
        if "picture" in raw:
            texts[("", "picture.alt")] = self._wording(raw["picture"]["alt"], (*path, "picture", "alt"))
        for j, option in enumerate(raw.get("options", [])):
            texts[("", f"option.{option['value']}")] = self._wording(
                option["label"], (*path, "options", j, "label")
            )
            if "hint" in option:
                texts[("", f"option.{option['value']}.hint")] = self._wording(
                    option["hint"], (*path, "options", j, "hint")
                )
        for code, wording in raw.get("error_messages", {}).items():
            texts[("", f"error.{code}")] = self._wording(wording, (*path, "error_messages", code))
        blocks: list[tuple[str, Mapping[str, Any], PathParts]] = []
        if "self_funder" in raw:
            blocks.append(("self_funder", raw["self_funder"], (*path, "self_funder")))
        if "easy_read" in raw:
            blocks.append(("easy_read", raw["easy_read"], (*path, "easy_read")))
            if "self_funder" in raw["easy_read"]:
                blocks.append(
                    (
                        "easy_read.self_funder",
                        raw["easy_read"]["self_funder"],
                        (*path, "easy_read", "self_funder"),
                    )
                )
        for variant, block, block_path in blocks:
            texts.update(self._override_texts(variant, block, values, "picture" in raw, block_path))
        self._check_variants(texts, path)
        return texts

    def _override_texts(
        self,
        variant: str,
        block: Mapping[str, Any],
        values: tuple[str, ...],
        has_picture: bool,
        path: PathParts,
    ) -> dict[tuple[str, str], Wording]:
        texts: dict[tuple[str, str], Wording] = {}
        for kind, key in _KIND_KEYS.items():
            if key in block:
                if kind == "picture.alt" and not has_picture:
                    self.issue((*path, key), "there is no picture")
                texts[(variant, kind)] = self._wording(block[key], (*path, key))
        for key, suffix in (("options", ""), ("option_hints", ".hint")):
            for value, wording in block.get(key, {}).items():
                if value not in values:
                    self.issue((*path, key, value), f"'{value}' is not an option of this question")
                texts[(variant, f"option.{value}{suffix}")] = self._wording(wording, (*path, key, value))
        for code, wording in block.get("error_messages", {}).items():
            texts[(variant, f"error.{code}")] = self._wording(wording, (*path, "error_messages", code))
        return texts

    def _check_variants(self, texts: Mapping[tuple[str, str], Wording], path: PathParts) -> None:
        """Easy Read for a self-funder must not fall back to Easy Read wording written for everyone else."""
        for variant, kind in texts:
            if (
                variant == "self_funder"
                and ("easy_read", kind) in texts
                and ("easy_read.self_funder", kind) not in texts
            ):
                self.issue(
                    (*path, "easy_read", "self_funder", *_kind_path(kind)),
                    "missing: there is self-funder wording and Easy Read wording for this, so Easy Read "
                    "self-funder wording is needed too",
                )

    # -- routing and conditions -----------------------------------------------------------------------

    def _before(self, i: int, strict: bool) -> Callable[[int], str | None]:
        def check(target: int) -> str | None:
            if target < i or (target == i and not strict):
                return None
            return "is not asked before this question" if strict else "is asked after this question"

        return check

    def _routes(self, i: int, rules: list[Mapping[str, Any]], path: PathParts) -> tuple[Route, ...]:
        routes = []
        last = len(rules) - 1
        for j, rule in enumerate(rules):
            here = (*path, "routing_rules", j)
            if j < last and "when" not in rule:
                self.issue(here, "only the last routing rule is the default (without when)")
            if j == last and "when" in rule:
                self.issue((*here, "when"), "the last routing rule is the default and has no when")
            goto = rule["goto"]
            if goto != END:
                if goto not in self.index:
                    self.issue((*here, "goto"), f"unknown question '{goto}'")
                elif self.index[goto] == i:
                    self.issue((*here, "goto"), "routes to itself: routing only goes forward")
                elif self.index[goto] < i:
                    self.issue((*here, "goto"), f"goes back to '{goto}': routing only goes forward")
            condition = None
            if "when" in rule:
                condition = self._when(rule["when"], (*here, "when"), self._before(i, strict=False))
            routes.append(Route(goto, condition))
        return tuple(routes)

    def _when(
        self, raw: Mapping[str, Any], path: PathParts, allowed: Callable[[int], str | None]
    ) -> Condition | None:
        before = len(self.issues)
        self._check_when(raw, path, allowed)
        try:
            condition = compile_when(raw)
        except ConditionShapeError as exc:  # pragma: no cover - the JSON Schema catches these first
            self.issue(path, exc.message)
            return None
        return condition if len(self.issues) == before else None

    def _check_when(
        self, raw: Mapping[str, Any], path: PathParts, allowed: Callable[[int], str | None]
    ) -> None:
        ((op, arg),) = raw.items()
        here = (*path, op)
        if op in ("and", "or"):
            for k, item in enumerate(arg):
                self._check_when(item, (*here, k), allowed)
            return
        if op == "not":
            self._check_when(arg, here, allowed)
            return
        left, right = arg
        if not isinstance(left, Mapping):
            if isinstance(right, Mapping):
                self.issue(here, "put the answer on the left: [{answer: <id>}, value]")
            else:
                self.issue(here, "compares two fixed values: one side must be {answer: <id>}")
            return
        question = self._reference(left["answer"], (*here, 0, "answer"), allowed)
        if question is not None:
            self._check_operands(op, question, right, here, allowed)

    def _reference(
        self, qid: str, path: PathParts, allowed: Callable[[int], str | None]
    ) -> Mapping[str, Any] | None:
        if qid not in self.index:
            self.issue(path, f"unknown question '{qid}'")
            return None
        problem = allowed(self.index[qid])
        if problem:
            self.issue(path, f"answer '{qid}' {problem}")
            return None
        return self.raw_questions[self.index[qid]]

    def _check_operands(
        self,
        op: str,
        question: Mapping[str, Any],
        right: Any,
        here: PathParts,
        allowed: Callable[[int], str | None],
    ) -> None:
        qid, kind = question["id"], QuestionType(question["type"])
        if isinstance(right, Mapping):  # another answer: both must be the same type of question
            other = self._reference(right["answer"], (*here, 1, "answer"), allowed)
            if other is not None and other["type"] != kind:
                self.issue((*here, 1), f"compares a {kind} answer with a {other['type']} answer")
            elif (
                other is not None
                and op not in ("==", "!=")
                and kind not in (QuestionType.NUMBER, QuestionType.DATE)
            ):
                self.issue(here, f"'{op}' only compares number or date answers ('{qid}' is {kind})")
            return
        if op in COMPARISONS and op not in ("==", "!="):
            if kind not in (QuestionType.NUMBER, QuestionType.DATE):
                self.issue(here, f"'{op}' only compares number or date answers ('{qid}' is {kind})")
            elif right is None:
                self.issue((*here, 1), f"'{op}' cannot compare with null")
            else:
                self._check_literal(question, kind, right, (*here, 1))
        elif op == "any-in":
            if kind is not QuestionType.MULTIPLE:
                self.issue((*here, 0), f"any-in tests a multiple question ('{qid}' is {kind}): use in")
                return
            for k, value in enumerate(right):
                self._check_literal(question, QuestionType.SINGLE, value, (*here, 1, k))
        elif op == "in":
            if kind is QuestionType.MULTIPLE:
                self.issue((*here, 0), f"'{qid}' is a multiple question: use any-in")
                return
            for k, value in enumerate(right):
                if value is not None:
                    self._check_literal(question, kind, value, (*here, 1, k))
        elif kind is QuestionType.MULTIPLE and right is not None:
            self.issue(
                (*here, 1), f"'{qid}' is a multiple question: test it with any-in, or compare with null"
            )
        elif right is not None:
            self._check_literal(question, kind, right, (*here, 1))

    def _check_literal(
        self, question: Mapping[str, Any], kind: QuestionType, value: Any, path: PathParts
    ) -> None:
        qid = question["id"]
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            values = {option["value"] for option in question.get("options", [])}
            if not isinstance(value, str) or value not in values:
                self.issue(path, f"{short_repr(value)} is not an option of question '{qid}'")
        elif kind is QuestionType.NUMBER and not _is_number(value):
            self.issue(path, f"{short_repr(value)} is not a number (question '{qid}' takes a number)")
        elif kind is QuestionType.DATE and _iso(value) is None:
            self.issue(
                path, f"{short_repr(value)} is not a date written YYYY-MM-DD (question '{qid}' takes a date)"
            )
        elif kind is QuestionType.TEXT and not isinstance(value, str):
            self.issue(path, f"{short_repr(value)} is not text (question '{qid}' takes text)")

    # -- the canonical profile ----------------------------------------------------------------------

    def _maps_to(
        self,
        kind: QuestionType,
        raw: Mapping[str, Any],
        values: tuple[str, ...],
        validation: Validation,
        path: PathParts,
    ) -> tuple[FieldMapping, ...]:
        mappings: list[FieldMapping] = []
        for j, mapping in enumerate(raw.get("maps_to", [])):
            here = (*path, "maps_to", j)
            name = mapping["field"]
            spec = self.fields.get(name)
            if spec is None:
                self.issue((*here, "field"), f"'{name}' is not a canonical Needs Profile field")
                continue
            if name in {m.field for m in mappings}:
                self.issue((*here, "field"), f"this question already maps onto '{name}'")
                continue
            if "copy" in mapping:
                self._check_copy(kind, spec, validation, here, path)
                mappings.append(FieldMapping(name, copy=True))
                continue
            if kind not in (QuestionType.SINGLE, QuestionType.MULTIPLE):
                self.issue((*here, "values"), f"a {kind} question has no options to map")
                continue
            if kind is QuestionType.MULTIPLE and spec.kind == "code":
                self.issue(
                    (*here, "field"),
                    "a multiple question can only map onto a numeric field (the highest wins)",
                )
            table = {}
            for value, target in mapping["values"].items():
                if value not in values:
                    self.issue((*here, "values", value), f"'{value}' is not an option of this question")
                normalised = spec.normalise(Decimal(str(target)) if isinstance(target, float) else target)
                if normalised is None:
                    allowed = ", ".join(str(v) for v in spec.domain)
                    self.issue(
                        (*here, "values", value), f"{short_repr(target)} is not a value of {name} ({allowed})"
                    )
                    continue
                table[value] = normalised
            mappings.append(FieldMapping(name, values=MappingProxyType(table)))
        return tuple(mappings)

    def _check_copy(
        self, kind: QuestionType, spec: FieldSpec, validation: Validation, here: PathParts, path: PathParts
    ) -> None:
        if kind is not QuestionType.NUMBER:
            self.issue((*here, "copy"), f"only a number question can copy its answer (this is {kind})")
            return
        if spec.kind != "int":
            self.issue((*here, "field"), f"a number cannot be copied into {spec.name}: map options instead")
            return
        low, high = min(spec.domain), max(spec.domain)
        assert isinstance(low, int) and isinstance(high, int)
        if (
            not validation.whole_number
            or validation.min_value is None
            or validation.max_value is None
            or validation.min_value < low
            or validation.max_value > high
        ):
            self.issue(
                (*path, "validation"),
                f"a number copied into {spec.name} needs whole_number, min and max within {low} to {high}",
            )

    def _fixed_profile(self) -> dict[str, ProfileValue]:
        """Canonical fields a questionnaire fixes for everyone who answers it (e.g. Section 117's client group)."""
        fixed: dict[str, ProfileValue] = {}
        for name, value in self.data.get("fixed_profile", {}).items():
            spec = self.fields.get(name)
            if spec is None:
                self.issue(("fixed_profile", name), f"'{name}' is not a canonical Needs Profile field")
                continue
            normalised = spec.normalise(Decimal(str(value)) if isinstance(value, float) else value)
            if normalised is None:
                allowed = ", ".join(str(v) for v in spec.domain)
                self.issue(
                    ("fixed_profile", name), f"{short_repr(value)} is not a value of {name} ({allowed})"
                )
                continue
            fixed[name] = normalised
        return fixed

    def _producers(
        self, questions: list[Question], fixed: Mapping[str, ProfileValue]
    ) -> dict[str, tuple[Question, FieldMapping]]:
        found: dict[str, tuple[Question, FieldMapping]] = {}
        for question in questions:
            for j, mapping in enumerate(question.maps_to):
                here = ("questions", question.index, "maps_to", j, "field")
                if mapping.field in fixed:
                    self.issue(
                        here, f"'{mapping.field}' is fixed by fixed_profile, so no question may give it"
                    )
                elif mapping.field in found:
                    other = found[mapping.field][0].id
                    self.issue(here, f"'{mapping.field}' is already given by question '{other}'")
                else:
                    found[mapping.field] = (question, mapping)
        for name in self.fields if self.require_full_profile else ():
            if name not in found and name not in fixed:
                self.issue(("questions",), f"no question gives the canonical field '{name}'")
        return {name: found[name] for name in self.fields if name in found}

    # -- risk ----------------------------------------------------------------------------------------

    def _risk_rules(self) -> list[RiskRule]:
        rules: list[RiskRule] = []
        for i, raw in enumerate(self.data["risk_rules"]):
            path: PathParts = ("risk_rules", i)
            if raw["id"] in {rule.id for rule in rules}:
                self.issue((*path, "id"), f"duplicate risk rule id '{raw['id']}'")
                continue
            condition = self._when(raw["when"], (*path, "when"), lambda _i: None)
            texts = {("", "description"): self._wording(raw["description"], (*path, "description"))}
            if condition is not None:
                rules.append(
                    RiskRule(id=raw["id"], level=raw["level"], when=condition, _texts=freeze_texts(texts))
                )
        return rules


def _kind_path(kind: str) -> PathParts:
    if kind in _KIND_KEYS:
        return (_KIND_KEYS[kind],)
    if kind.startswith("option.") and kind.endswith(".hint"):
        return ("option_hints", kind.removeprefix("option.").removesuffix(".hint"))
    if kind.startswith("option."):
        return ("options", kind.removeprefix("option."))
    return ("error_messages", kind.removeprefix("error."))
