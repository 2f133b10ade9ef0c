"""What the citizen journey does to cases, kept out of the views so tests can call it directly.

Cases are found only through the accounts that act for their person (anyone else gets None, so a view answers
404). Taking a case back and claiming it are single conditional UPDATEs on the case's status and holder, so the
two exclude each other atomically on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal import cases, tool_service
from portal.audit import record
from portal.cases import Move
from portal.extensions import db
from portal.models import (
    Account,
    Authority,
    Case,
    Organisation,
    Person,
    PersonLink,
)
from portal.person_details import covers
from portal.questionnaire import Schema, SectionStatus, Voice, load_schema, storable, with_note
from portal.tools import DEFAULT_TOOL


def schema() -> Schema:
    """The adult self-assessment's questionnaire (cached per file by the loader)."""
    return load_schema()


def schema_for(case: Case) -> Schema:
    """The questionnaire of the case's tool: the adult self-assessment's through :func:`schema`."""
    if (case.tool_key or DEFAULT_TOOL) == DEFAULT_TOOL:
        return schema()
    return tool_service.schema_of(case)


def cases_for(account: Account) -> list[Case]:
    """Every case of a person this account acts for (themselves included), newest first."""
    person_ids = select(PersonLink.person_id).where(PersonLink.account_id == account.id)
    return list(
        db.session.scalars(
            select(Case)
            .where(Case.person_id.in_(person_ids), Case.deleted_at.is_(None))
            # Two queries however many cases: cases with people and organisations, then all their districts.
            .options(
                joinedload(Case.person),
                joinedload(Case.organisation).selectinload(Organisation.postcode_districts),
            )
            .order_by(Case.id.desc())
        )
    )


# Built once (every citizen page runs it): building the statement cost about a tenth of a millisecond a page.
_FIND_CASE = (
    select(Case, PersonLink)
    .join(PersonLink, PersonLink.person_id == Case.person_id)
    .where(
        Case.public_id == bindparam("public_id"),
        PersonLink.account_id == bindparam("account_id"),
        Case.deleted_at.is_(None),
    )
    .options(joinedload(Case.person), joinedload(Case.organisation))
)


def find_case(account: Account, public_id: str) -> Case | None:
    """The case with this public id if the account acts for its person; otherwise None (never a hint).

    One query brings the case, its person and how this account acts for them (kept on the case for
    :func:`link_for`), so a page reads the database once for all three.
    """
    if not re.fullmatch(r"[0-9a-f]{32}", public_id or ""):
        return None
    row = db.session.execute(_FIND_CASE, {"public_id": public_id, "account_id": account.id}).first()
    if row is None:
        return None
    case, link = row
    case.__dict__["_acting_link"] = link  # not a mapped attribute: lives as long as this session's copy
    return case


def link_for(account: Account, case: Case) -> PersonLink:
    """How this account acts for the case's person."""
    known = case.__dict__.get("_acting_link")
    if known is not None and known.account_id == account.id and known.person_id == case.person_id:
        return known
    link = db.session.scalar(select(PersonLink).filter_by(account_id=account.id, person_id=case.person_id))
    assert link is not None, "find_case only returns cases the account acts for"
    return link


@dataclass(frozen=True)
class Speaker:
    """Whose voice the questions use: the person's own, or a carer's about a named person."""

    voice: Voice
    name: str

    @classmethod
    def for_case(cls, account: Account, case: Case) -> Speaker:
        """The person speaks for themselves unless the account acts on some other authority."""
        link = link_for(account, case)
        if link.authority == Authority.SELF:
            return cls(Voice.PERSON, case.person.name)
        return cls(Voice.CARER, case.person.name)


def start_for_self(account: Account, tool_key: str = DEFAULT_TOOL) -> Case:
    """A new draft case for the account holder themselves (reusing their person record), with a tool offered.

    ``tool_service.ToolRefused`` if the tool does not exist, is not for a person to complete, or no organisation
    offers it.
    """
    tool_service.check_start(tool_key, by_person=True)
    link = db.session.scalar(select(PersonLink).filter_by(account_id=account.id, authority=Authority.SELF))
    if link is None:
        person = Person(name=account.name, created_by_id=account.id)
        db.session.add(person)
        db.session.flush()
        link = PersonLink(
            account_id=account.id,
            person_id=person.id,
            authority=Authority.SELF,
            relationship_to_person="self",
        )
        db.session.add(link)
        db.session.flush()
    return _new_case(account, link.person_id, tool_key)


def start_for_someone_else(
    account: Account, name: str, relationship: str, authority: Authority, tool_key: str = DEFAULT_TOOL
) -> Case:
    """A new draft case for a person the account cares for, recording on what authority it acts."""
    if authority == Authority.SELF:
        raise ValueError("a carer cannot act with the person's own authority")
    tool_service.check_start(tool_key, by_person=True)
    person = Person(name=name, created_by_id=account.id)
    db.session.add(person)
    db.session.flush()
    db.session.add(
        PersonLink(
            account_id=account.id,
            person_id=person.id,
            authority=authority,
            relationship_to_person=relationship,
        )
    )
    db.session.flush()
    return _new_case(account, person.id, tool_key)


def _new_case(account: Account, person_id: int, tool_key: str) -> Case:
    """Create the draft case with its tool and the tool's versions, and audit it."""
    tool = tool_service.get(tool_key)
    case = Case(
        person_id=person_id,
        created_by_id=account.id,
        answers={},
        questionnaire_version=tool.schema.version,
        tool_key=tool.key,
        tool_version=tool.version,
    )
    db.session.add(case)
    db.session.flush()
    record("case.started", actor=account, case=case)
    return case


def about_done(case: Case) -> bool:
    """Whether the "about the person" task is complete, and the case has an organisation that covers the postcode.

    A case whose postcode no organisation covers is never complete here, so it can never be sent (the person is
    told to find their local council instead, keeping their answers).
    """
    person = case.person
    return bool(person.name and person.date_of_birth and covers(case.organisation, person.postcode))


#: The questionnaire's section about the person: one task with their details ("About you" on the task list).
ABOUT_SECTION = "about-you"


def about_status(case: Case, section_status: SectionStatus | None) -> SectionStatus:
    """The "About you" task's status: the person's details and the questions about them, as one task."""
    details = about_done(case)
    questions = section_status in (None, SectionStatus.COMPLETED, SectionStatus.NOT_APPLICABLE)
    if details and questions:
        return SectionStatus.COMPLETED
    if details or section_status in (SectionStatus.IN_PROGRESS, SectionStatus.COMPLETED):
        return SectionStatus.IN_PROGRESS
    return SectionStatus.NOT_STARTED


# -- answers ---------------------------------------------------------------------------------------


def stored_answers(case: Case) -> dict[str, Any]:
    """The case's working answers as typed values."""
    return schema_for(case).decode_answers(case.answers or {})


def save_answer(
    account: Account, case: Case, question_id: str, value: Any, *, note: str | None = None
) -> None:
    """Save one answer the moment its page is sent (only while the case is a draft).

    ``note``: the note on the answer, kept with it, when the questionnaire offers notes ("" removes it).
    """
    if not cases.can(account, case, Move.CHANGE):
        raise PermissionError("only a draft can be changed")
    answers = dict(case.answers or {})
    answers[question_id] = storable(value)
    if note is not None:
        answers = with_note(answers, question_id, note)
    case.answers = answers
    case.questionnaire_version = schema_for(case).version
    db.session.commit()


# -- sending and taking back ------------------------------------------------------------------------


# Sending, taking back, withdrawing and answering live in the core (portal/sending.py), shared with the phone
# assessment.
from portal.sending import CaseMoved, answer_question, find_duplicates, send, take_back, withdraw  # noqa: E402

__all__ = ["CaseMoved", "answer_question", "find_duplicates", "send", "take_back", "withdraw"]


def age_on(born: date, today: date) -> int:
    """Whole years between a date of birth and a day."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
