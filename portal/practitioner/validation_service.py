"""Validation, answer by answer, and the practitioner's parts of the Needs Profile.

The holder agrees with each answer the person gave, amends it (with a reason), or answers a question an amendment
brought onto the path; one section can be agreed with in one step. Only the holder of a claimed case may (the
lifecycle's validate move), and every edit also uses the validation's version column (optimistic locking): a page
drawn before someone else changed the validation saves nothing and raises :class:`Conflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from portal import cases, tool_service
from portal.audit import record
from portal.case_record import current_validation, person_answers, validated_answers
from portal.cases import Move
from portal.extensions import db
from portal.models import Account, Case, Validation, utcnow
from portal.questionnaire import Schema, storable

Conflict = cases.Stale  # someone else changed the case or its validation first


def schema(case: Case) -> Schema:
    """The questionnaire of the case's tool (a Section 117 review asks its own questions, not the adult ones)."""
    return tool_service.schema_of(case)


@dataclass(frozen=True)
class ValidationRow:
    """One question on the validated path and where its check stands.

    ``state`` is ``to_check`` (the person answered it, nobody has checked it), ``to_answer`` (an amendment
    brought it onto the path: the assessor answers it), or the action recorded: ``agree``, ``amend``, ``answer``.
    """

    id: str
    section: str
    state: str
    asked: bool  # the person was asked it and answered it (so there is an answer to agree with)
    item: dict[str, Any]


def validation_rows(case: Case, validation: Validation | None = None) -> list[ValidationRow]:
    """Every question on the validated path, in order, with its state: the one reading of what is left."""
    validation = validation or current_validation(case)
    items = (validation.items if validation else None) or {}
    current = schema(case)
    person = person_answers(case)
    rows = []
    for question_id in current.path(validated_answers(case, validation)):
        asked = current.is_answered(question_id, person)  # answered on their own path (a walk knows no other)
        item = items.get(question_id) or {}
        rows.append(
            ValidationRow(
                id=question_id,
                section=current.question(question_id).section,
                state=item["action"] if item else ("to_check" if asked else "to_answer"),
                asked=asked,
                item=dict(item),
            )
        )
    return rows


class UnchangedAmendment(ValueError):
    """An "amendment" that gives the person's own answer: it is an agreement, or a slip."""


def validate_answer(
    assessor: Account,
    case: Case,
    question_id: str,
    *,
    action: str,
    value: Any = None,
    reason: str = "",
    note: str = "",
    expected_version: int,
) -> Validation:
    """Record agree / amend (with a reason) / answer (a question the amendments brought onto the path).

    ``expected_version`` is the validation version the assessor's page showed; if it has moved on, nothing is
    saved and :class:`Conflict` is raised, so nobody's work is silently overwritten.
    """
    if action not in ("agree", "amend", "answer"):
        raise ValueError(f"unknown action {action!r}")
    if action == "amend" and not reason.strip():
        raise ValueError("an amendment needs a reason")
    if action == "amend" and storable(value) == storable(person_answers(case).get(question_id)):
        raise UnchangedAmendment("the amendment gives the person's own answer")
    cases.move(assessor, case, Move.VALIDATE)  # only the holder, only while claimed: a decided case is final
    validation = current_validation(case)
    if validation is None:
        raise Conflict("the case has no validation")
    if validation.version != expected_version:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else")
    before = (validation.items or {}).get(question_id)
    item = {
        "action": action,
        "reason": reason.strip(),
        "note": note.strip(),
        "by": assessor.id,
        "at": utcnow().isoformat(),
    }
    if action in ("amend", "answer"):
        item["value"] = storable(value)
    items = dict(validation.items or {})
    items[question_id] = item
    validation.items = items
    try:
        db.session.flush()  # the version_id_col makes this an UPDATE … WHERE version = expected
    except StaleDataError:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else") from None
    record(
        "validation.answer",
        actor=assessor,
        case=case,
        reason=reason.strip(),
        detail={"question": question_id, "before": before, "after": item},
    )
    db.session.commit()
    return validation


def agree_with_section(assessor: Account, case: Case, section_id: str, *, expected_version: int) -> list[str]:
    """Agree with every answer of a section the person gave that is not yet checked, in one step.

    Each answer is recorded on its own (one item and one audit event each, as if agreed one by one); answers
    already agreed, amended or answered, and questions the person was not asked, are left as they are. Returns
    the questions agreed. A page drawn before someone else changed the validation agrees with nothing.
    """
    cases.move(assessor, case, Move.VALIDATE)
    validation = current_validation(case)
    if validation is None or validation.version != expected_version:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else")
    agreed = [
        row.id
        for row in validation_rows(case, validation)
        if row.section == section_id and row.state == "to_check"
    ]
    if not agreed:
        return []
    items = dict(validation.items or {})
    at = utcnow().isoformat()
    for question_id in agreed:
        items[question_id] = {"action": "agree", "reason": "", "note": "", "by": assessor.id, "at": at}
    validation.items = items
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else") from None
    for question_id in agreed:
        record(
            "validation.answer",
            actor=assessor,
            case=case,
            detail={
                "question": question_id,
                "before": None,
                "after": items[question_id],
                "section": section_id,
            },
        )
    db.session.commit()
    return agreed


def save_practitioner_items(
    assessor: Account, case: Case, items: dict[str, Any], *, expected_version: int
) -> None:
    """The practitioner-only parts of the Needs Profile: risks, Section 117 items and the eligibility decision."""
    cases.move(assessor, case, Move.VALIDATE)  # only the holder, only while claimed: a decided case is final
    validation = current_validation(case)
    if validation is None or validation.version != expected_version:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else")
    before = dict(validation.practitioner_items or {})
    validation.practitioner_items = items
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("the validation was changed by someone else") from None
    record("validation.needs_profile", actor=assessor, case=case, detail={"before": before, "after": items})
    db.session.commit()


def still_to_check(case: Case, validation: Validation | None = None) -> list[str]:
    """Questions on the validated path that the assessor has not yet agreed with, amended or answered.

    The validation page's count and the budget's refusal both read this, so they never disagree: it includes the
    questions an amendment brought onto the path, which the assessor answers like any other.
    """
    return [row.id for row in validation_rows(case, validation) if not row.item]
