"""A case's history as staff read it: who did what, when and why, in words, with money in pounds; who looked at the
case kept apart from what changed; and the raw audit trail, unchanged, for export.

Reads the audit trail only; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from portal import tool_service
from portal.extensions import db
from portal.formatting import format_money
from portal.i18n.schema_text import Words
from portal.models import Account, AuditEvent, Case
from portal.questionnaire import Voice
from portal.questions_web import display_answer

VIEWED = "case.viewed"

#: One sentence per event; %(who)s is the person or member of staff who did it.
SENTENCES: dict[str, Any] = {
    "case.started": lazy_gettext("%(who)s started the assessment."),
    "case.started_by_phone": lazy_gettext("%(who)s started an assessment on the phone."),
    "case.person_details": lazy_gettext("%(who)s changed the person's details."),
    "case.sent": lazy_gettext("%(who)s sent the answers."),
    "case.taken_back": lazy_gettext("%(who)s took the answers back to change them."),
    "case.withdrawn": lazy_gettext("%(who)s closed the case as withdrawn."),
    "case.claimed": lazy_gettext("%(who)s claimed the case."),
    "case.released": lazy_gettext("%(who)s gave the case back to the queue."),
    "case.reassigned": lazy_gettext("%(who)s gave the case to %(to)s."),
    "case.question_asked": lazy_gettext("%(who)s asked the person: “%(question)s”"),
    "case.question_answered": lazy_gettext("%(who)s answered the question."),
    "validation.needs_profile": lazy_gettext("%(who)s saved the Needs Profile."),
    "case.budget_approved": lazy_gettext("%(who)s approved the budget."),
    "case.budget_returned": lazy_gettext("%(who)s returned the budget to the assessor."),
    "case.correction_started": lazy_gettext("%(who)s started this case to correct %(other)s."),
    "case.correction_opened": lazy_gettext("%(who)s started %(other)s to correct this decision."),
    "case.review_started": lazy_gettext("%(who)s started this case to review %(other)s."),
    "case.review_opened": lazy_gettext("%(who)s started a review of this decision: %(other)s."),
    "case.reconsideration_started": lazy_gettext("%(who)s asked for %(other)s to be looked at again."),
    "case.reconsideration_opened": lazy_gettext(
        "%(who)s asked for this decision to be looked at again: %(other)s."
    ),
    "phb.step_signed": lazy_gettext("%(who)s recorded a sign-off of the personal health budget."),
    "chc.dst_recorded": lazy_gettext("%(who)s recorded the Decision Support Tool."),
    "chc.eligibility_recorded": lazy_gettext("%(who)s recorded the ICB's decision on eligibility."),
}

PATHS = {
    "full": lazy_gettext("full validation"),
    "light": lazy_gettext("a lighter check"),
    "phone": lazy_gettext("answers taken on the phone"),
}


@dataclass(frozen=True)
class Entry:
    """One change, worded."""

    at: datetime
    who: str
    what: str
    why: str


@dataclass(frozen=True)
class Views:
    """Who looked at the case: how often, how many people, and the latest looks."""

    count: int
    people: int
    latest: list[tuple[datetime, str]]


def _events(case: Case) -> list[tuple[AuditEvent, Account | None]]:
    return [
        (event, actor)
        for event, actor in db.session.execute(
            select(AuditEvent, Account)
            .outerjoin(Account, Account.id == AuditEvent.actor_id)
            .where(AuditEvent.case_id == case.id)
            .order_by(AuditEvent.id.desc())
        ).all()
    ]


def _pounds(pence: Any) -> str:
    return format_money(int(pence)) if isinstance(pence, int) else ""


def _validation_sentence(who: str, detail: dict[str, Any], case: Case) -> Any:
    tool = tool_service.of(case)
    schema = tool.schema
    question_id = str(detail.get("question", ""))
    after = detail.get("after") or {}
    if question_id not in schema:
        return gettext("%(who)s checked an answer.", who=who)
    question = schema.question(question_id)
    words = Words(voice=Voice.CARER, name=case.person.name, domain=tool.domain)
    title = words.question(question, "summary") or words.question(question, "title")
    action = after.get("action")
    if action in ("amend", "answer"):
        value = schema.decode_answers({question_id: after.get("value")}).get(question_id)
        answer = display_answer(question, value, words)
        if action == "amend":
            return gettext(
                "%(who)s changed the answer to “%(question)s” to: %(answer)s",
                who=who,
                question=title,
                answer=answer,
            )
        return gettext("%(who)s answered “%(question)s”: %(answer)s", who=who, question=title, answer=answer)
    return gettext("%(who)s agreed with the answer to “%(question)s”.", who=who, question=title)


def _sentence(event: AuditEvent, who: str, case: Case) -> Any:
    """One event in a sentence (gettext's string)."""
    detail = dict(event.detail or {})
    if event.action == "validation.answer":
        return _validation_sentence(who, detail, case)
    if event.action == "case.validation_path":
        return gettext(
            "The case was set for %(path)s.", path=PATHS.get(str(detail.get("path")), detail.get("path"))
        )
    if event.action == "case.budget_confirmed":
        if detail.get("eligible") is False:
            return gettext("%(who)s decided that no needs are eligible: no budget.", who=who)
        confirmed, calculated = (
            _pounds(detail.get("confirmed_pence")),
            _pounds(detail.get("calculated_pence")),
        )
        decided = detail.get("to") == "decided"
        if confirmed == calculated:
            return (
                gettext(
                    "%(who)s decided the budget: %(amount)s a week, as calculated.", who=who, amount=confirmed
                )
                if decided
                else gettext(
                    "%(who)s confirmed %(amount)s a week, as calculated; it went for approval.",
                    who=who,
                    amount=confirmed,
                )
            )
        return (
            gettext(
                "%(who)s decided the budget: %(amount)s a week (calculated: %(calculated)s).",
                who=who,
                amount=confirmed,
                calculated=calculated,
            )
            if decided
            else gettext(
                "%(who)s confirmed %(amount)s a week (calculated: %(calculated)s); it went for approval.",
                who=who,
                amount=confirmed,
                calculated=calculated,
            )
        )
    sentence = SENTENCES.get(event.action)
    if sentence is None:
        return gettext("%(who)s changed the case.", who=who)
    to = db.session.get(Account, detail["holder_to"]) if isinstance(detail.get("holder_to"), int) else None
    return str(sentence) % {
        "who": who,
        "to": to.name if to else gettext("another assessor"),
        "question": detail.get("question", ""),
        "other": detail.get("follows") or detail.get("by") or "",
    }


def story(case: Case) -> tuple[list[Entry], Views]:
    """The changes, newest first, each in a sentence; and the views, apart."""
    entries: list[Entry] = []
    viewers: set[int | None] = set()
    views: list[tuple[datetime, str]] = []
    for event, actor in _events(case):
        who = actor.name if actor else str(gettext("The system"))
        if event.action == VIEWED:
            viewers.add(event.actor_id)
            views.append((event.at, who))
            continue
        entries.append(
            Entry(at=event.at, who=who, what=str(_sentence(event, who, case)), why=event.reason or "")
        )
    return entries, Views(count=len(views), people=len(viewers), latest=views[:20])


def raw(case: Case) -> list[dict[str, Any]]:
    """The audit trail as recorded, oldest first, for export."""
    return [
        {
            "at": event.at.isoformat(),
            "action": event.action,
            "actor": actor.name if actor else None,
            "actor_role": actor.role.value if actor else None,
            "reason": event.reason,
            "detail": event.detail,
        }
        for event, actor in reversed(_events(case))
    ]
