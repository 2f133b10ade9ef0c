"""Reading what a case holds: the answers as sent and as validated, the estimate, messages and the decision.

Both front doors and the letters read a case through here; what may change a case is decided elsewhere (the
services and the lifecycle in :mod:`portal.cases`). Nothing here writes.
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import tool_service
from portal.engine import AREAS
from portal.extensions import db
from portal.health_models import ChcEligibility
from portal.models import (
    Account,
    Case,
    CaseMessage,
    CaseStatus,
    Decision,
    Estimate,
    PersonLink,
    Snapshot,
    Validation,
)
from portal.questionnaire import notes_of
from portal.tools import ELIGIBILITY_TESTS


def read_once(key: tuple[Any, ...], read: Any) -> Any:
    """``read()``, remembered for the rest of a read request (GET or HEAD), which changes no case, so what it
    read stays true: the case page asks for the latest snapshot and the decision from several places. Anywhere
    else (a form sent, a job) it reads afresh every time."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return read()
    memo: dict[tuple[Any, ...], Any] = g.setdefault("_case_reads", {})
    if key not in memo:
        memo[key] = read()
    return memo[key]


def latest_snapshot_or_none(case: Case) -> Snapshot | None:
    """The answers as last sent, or None before the case was first sent (the one query for them)."""
    snapshot: Snapshot | None = read_once(
        ("snapshot", case.id),
        lambda: db.session.scalar(
            select(Snapshot).filter_by(case_id=case.id).order_by(Snapshot.id.desc()).limit(1)
        ),
    )
    return snapshot


def latest_snapshot(case: Case) -> Snapshot:
    """The answers as last sent."""
    snapshot = latest_snapshot_or_none(case)
    assert snapshot is not None, "a sent case has a snapshot"
    return snapshot


def current_validation(case: Case) -> Validation | None:
    """The assessor's overlay on the latest snapshot."""
    return db.session.scalar(
        select(Validation).filter_by(case_id=case.id).order_by(Validation.id.desc()).limit(1)
    )


def own_estimate(case: Case) -> Estimate | None:
    """The person's own estimate, stored when they sent the case."""
    return db.session.scalar(
        select(Estimate)
        .filter_by(case_id=case.id, purpose="self_assessment")
        .order_by(Estimate.id.desc())
        .limit(1)
    )


def own_estimate_is_partial(case: Case) -> bool:
    """Whether the person's own estimate was worked out from only some of the answers (an urgent send can be).

    The one rule every page and PDF that shows the estimate asks, so each says so.
    """
    row = own_estimate(case)
    if row is None or row.snapshot_id is None:
        return False
    snapshot = db.session.get(Snapshot, row.snapshot_id)
    if snapshot is None:
        return False
    schema = tool_service.schema_of(case)
    return not schema.is_complete(schema.decode_answers(snapshot.answers))


def filled_in_by(case: Case) -> tuple[Account | None, PersonLink | None]:
    """Who filled in the answers (the sender of the latest snapshot, else whoever started the case) and how
    they act for the person (their authority and relationship), where they have an account that does."""
    snapshot = latest_snapshot_or_none(case)
    account_id = snapshot.completed_by_id if snapshot is not None else case.created_by_id
    account = db.session.get(Account, account_id) if account_id is not None else None
    link = (
        db.session.scalar(select(PersonLink).filter_by(account_id=account.id, person_id=case.person_id))
        if account is not None
        else None
    )
    return account, link


def person_answers(case: Case) -> dict[str, Any]:
    """The answers as the person sent them (typed)."""
    return tool_service.schema_of(case).decode_answers(latest_snapshot(case).answers)


def person_notes(case: Case) -> dict[str, str]:
    """The notes kept with the answers as sent ("Add note"), by question id."""
    return notes_of(latest_snapshot(case).answers)


def answer_note_rows(case: Case, words: Any) -> list[dict[str, str]]:
    """The notes on the answers as sent, in the questionnaire's order, for staff and the Needs Profile: each
    with the question's short label, the answer as given and the note."""
    from portal.questions_web import display_answer

    notes = person_notes(case)
    if not notes:
        return []
    schema = tool_service.schema_of(case)
    answers = person_answers(case)
    rows = []
    for question in schema.questions:
        note = notes.get(question.id)
        if note:
            rows.append(
                {
                    "id": question.id,
                    "question": words.question(question, "summary") or words.question(question, "title"),
                    "answer": display_answer(question, answers.get(question.id), words),
                    "note": note,
                }
            )
    return rows


def validated_answers(case: Case, validation: Validation | None = None) -> dict[str, Any]:
    """The person's answers with the assessor's amendments (and answers to newly reached questions) laid over."""
    answers = dict(latest_snapshot(case).answers)
    validation = validation or current_validation(case)
    for question_id, item in ((validation.items if validation else None) or {}).items():
        if item.get("action") in ("amend", "answer"):
            answers[question_id] = item.get("value")
    return tool_service.schema_of(case).decode_answers(answers)


#: The ten outcomes of regulation 2(2) of the Care and Support (Eligibility Criteria) Regulations 2015, (a) to (j),
#: as the engine names its areas. Eligibility counts these and nothing else.
ELIGIBILITY_OUTCOMES: tuple[str, ...] = (
    "nutrition",  # (a) managing and maintaining nutrition
    "hygiene",  # (b) maintaining personal hygiene
    "toileting",  # (c) managing toilet needs
    "dressing",  # (d) being appropriately clothed
    "home_safety",  # (e) being able to make use of the adult's home safely
    "home_environment",  # (f) maintaining a habitable home environment
    "relationships",  # (g) developing and maintaining family or other personal relationships
    "work_learning",  # (h) accessing and engaging in work, training, education or volunteering
    "community",  # (i) making use of necessary facilities or services in the local community
    "childcare",  # (j) carrying out any caring responsibilities the adult has for a child
)
assert set(ELIGIBILITY_OUTCOMES) <= set(AREAS), "every outcome is an area of the engine"

#: Areas of need the engine funds that are not outcomes of regulation 2(2), and the supplements: once a person's
#: needs are eligible, the support that meets them includes these (docs/decisions/0007-casework.md).
FUNDED_WITH_ELIGIBLE_NEEDS: tuple[str, ...] = (
    *(area for area in AREAS if area not in ELIGIBILITY_OUTCOMES),
    "night",
    "carer_breaks",
)


#: The tests a determination may apply (a tool's manifest names its own, ``eligibility_test``); the record keeps
#: the one it applied as ``eligibility.test`` (none: the Care Act's, as every record from before tools had).
CARE_ACT, SECTION_117, ICB_DECISION = ELIGIBILITY_TESTS
#: What Section 117 aftercare may meet: any area of need, and support at night.
AFTERCARE_KEYS: tuple[str, ...] = (*AREAS, "night")


def eligible_areas(items: dict[str, Any]) -> list[str] | None:
    """The areas of need found eligible, or None if no determination has been made.

    Under the Care Act test (the default): eligible needs arise from an impairment or illness, mean two or more of
    the ten outcomes of regulation 2(2) cannot be achieved, and have a significant impact on well-being; then those
    outcomes are eligible. Otherwise none are. Mental health and medication are not outcomes: ticking them never
    makes anyone eligible.

    Under the Section 117 test: aftercare meets the needs that arise from, or relate to, the person's mental
    disorder (any area of need, and support at night), where it reduces the risk of their condition getting
    worse and of going back into hospital; otherwise it meets none. A test this code does not know meets none.
    """
    eligibility = items.get("eligibility")
    if not isinstance(eligibility, dict):
        return None
    test = eligibility.get("test", CARE_ACT)
    if test == SECTION_117:
        arising = eligibility.get("arising")
        chosen_keys = set(arising) if isinstance(arising, list) else set()
        met = [key for key in AFTERCARE_KEYS if key in chosen_keys]
        return met if eligibility.get("reduces_risk") == "yes" else []
    if test == ICB_DECISION:
        # The ICB decided (NHS Continuing Healthcare, children's Continuing Care): the budget meets the areas of
        # need recorded with an eligible decision, and none otherwise; the portal never works eligibility out.
        areas = eligibility.get("areas")
        return (
            [str(a) for a in areas]
            if eligibility.get("eligible") == "yes" and isinstance(areas, list)
            else []
        )
    if test != CARE_ACT:
        return []
    chosen = set(eligibility.get("cannot_achieve") or [])
    outcomes = [area for area in ELIGIBILITY_OUTCOMES if area in chosen]
    if (
        eligibility.get("impairment") == "yes"
        and eligibility.get("wellbeing") == "yes"
        and len(outcomes) >= 2
    ):
        return outcomes
    return []


class AwaitingIcbDecision(ValueError):
    """The case's eligibility is the ICB's decision and none is recorded yet: no budget can be confirmed."""


def determination(case: Case, validation: Validation | None) -> dict[str, Any]:
    """The practitioner's items as eligibility weighs them (pass them to :func:`eligible_areas`).

    For a tool whose eligibility is the ICB's decision (``eligibility_test: icb_decision``: NHS Continuing
    Healthcare, children's Continuing Care), the determination is the ICB's latest recorded decision
    (:mod:`portal.chc`), never one typed on the Needs Profile: eligible, the tool's areas as assessed; not
    eligible, none; no decision recorded, none made yet. Any other tool: the items as the practitioner recorded them.
    """
    items = dict((validation.practitioner_items or {}) if validation is not None else {})
    tool = tool_service.of(case)
    if tool.eligibility_test != ICB_DECISION:
        return items
    items.pop("eligibility", None)
    decision = icb_decision(case)
    if decision is not None:
        items["eligibility"] = {
            "test": ICB_DECISION,
            "eligible": "yes" if decision.eligible else "no",
            "areas": list(tool.configuration.eligible_keys),
            "decision_id": decision.id,
        }
    return items


def icb_decision(case: Case) -> ChcEligibility | None:
    """The ICB's eligibility decision as last recorded on the case, if any."""
    return db.session.scalar(
        select(ChcEligibility).filter_by(case_id=case.id).order_by(ChcEligibility.id.desc()).limit(1)
    )


def require_icb_decision(case: Case) -> None:
    """Refuse (:class:`AwaitingIcbDecision`) to confirm a budget whose eligibility is the ICB's decision before
    the ICB's decision is recorded; nothing for any other tool."""
    if tool_service.of(case).eligibility_test == ICB_DECISION and icb_decision(case) is None:
        raise AwaitingIcbDecision("the ICB has not recorded its eligibility decision")


def funded_areas(items: dict[str, Any]) -> list[str] | None:
    """What the engine funds: None before a determination (everything), nothing when no needs are eligible, else
    the eligible outcomes with the areas and supplements that come with eligible needs (Care Act), or exactly the
    needs aftercare meets (Section 117)."""
    eligible = eligible_areas(items)
    if eligible is None:
        return None
    if not eligible or items["eligibility"].get("test") in (SECTION_117, ICB_DECISION):
        return eligible
    return [*eligible, *FUNDED_WITH_ELIGIBLE_NEEDS]


#: How a question reaches a person without an account, and how their answer comes back (never "online").
OFFLINE_CHANNELS: tuple[str, ...] = ("phone", "letter", "in_person")


def messages(case: Case) -> list[CaseMessage]:
    """Questions and answers, oldest first."""
    return list(db.session.scalars(select(CaseMessage).filter_by(case_id=case.id).order_by(CaseMessage.id)))


def _decision(case: Case, outcome: str) -> Decision | None:
    decision: Decision | None = read_once(
        ("decision", outcome, case.id),
        lambda: db.session.scalar(
            select(Decision).filter_by(case_id=case.id, outcome=outcome).order_by(Decision.id.desc()).limit(1)
        ),
    )
    return decision


def pending_decision(case: Case) -> Decision | None:
    """The decision waiting for approval, if any."""
    return _decision(case, "pending")


def final_decision(case: Case) -> Decision | None:
    """The approved decision of a decided case."""
    return _decision(case, "approved")


#: The answers staff need to reach and support the person (and their carer), in the order the case page shows.
CONTACT_QUESTIONS: tuple[str, ...] = (
    "contact-phone",
    "preferred-contact",
    "communication-needs",
    "communication-needs-details",
    "unpaid-carer-relationship",
    "carer-assessment",
)


def contact_rows(case: Case) -> list[tuple[str, str]]:
    """How to reach the person, what helps them communicate, and whether their unpaid carer wants a carer's
    assessment (Care Act 2014 s.10), from the answers as sent: (question summary, answer) for staff."""
    from portal.i18n.schema_text import Words
    from portal.questionnaire import Voice
    from portal.questions_web import display_answer

    snapshot = latest_snapshot_or_none(case)
    if snapshot is None:  # nothing sent yet
        return []
    schema = tool_service.schema_of(case)
    answers = schema.decode_answers(snapshot.answers)
    words = Words(voice=Voice.CARER, name=case.person.name, domain=tool_service.of(case).domain)
    path = set(schema.path(answers))
    rows = []
    for question_id in CONTACT_QUESTIONS:
        if question_id in schema and question_id in path and answers.get(question_id) not in (None, "", []):
            question = schema.question(question_id)
            key = words.question(question, "summary") or words.question(question, "title")
            rows.append((key, display_answer(question, answers[question_id], words)))
    return rows


def find_case_for_staff(account: Account, public_id: str) -> Case | None:
    """A case of the member of staff's organisation that has been sent at least once; None otherwise."""
    if not re.fullmatch(r"[0-9a-f]{32}", public_id or "") or account.organisation_id is None:
        return None
    return db.session.scalar(
        select(Case)
        .where(
            Case.public_id == public_id,
            Case.organisation_id == account.organisation_id,
            Case.status != CaseStatus.DRAFT,
        )
        .options(joinedload(Case.person))  # every staff page about a case names the person
    )
