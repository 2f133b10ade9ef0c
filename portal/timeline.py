"""A person's timeline: their assessments, reviews, budgets and decisions in order, and the figures over time.

The person sees the cases of people their account acts for; staff see the person's cases in their own
organisation. Which cases are given is the caller's (each front door finds them its own way); this module only
reads them: events in order, and one point per decision (the weekly budget, and the level of need in each area on
the answers as validated) for the charts and the tables beside them (:mod:`portal.charts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, CaseKind, CaseStatus, Decision, Organisation, Person


@dataclass(frozen=True)
class Event:
    """Something that happened to one of the person's cases."""

    at: datetime
    what: str  # started, sent, decided, decided_no_budget, withdrawn
    case: Case
    weekly_pence: int | None = None


@dataclass(frozen=True)
class Point:
    """One decision: its day, the weekly budget (None when no needs were eligible) and the level in each area."""

    on: date
    case: Case
    weekly_pence: int | None
    levels: dict[str, int]


def cases_of_person(person: Person, organisation: Organisation | None = None) -> list[Case]:
    """The person's cases (in one organisation, for staff), oldest first; drafts only for the person's own view."""
    query = select(Case).where(Case.person_id == person.id, Case.deleted_at.is_(None))
    if organisation is not None:
        query = query.where(Case.organisation_id == organisation.id, Case.status != CaseStatus.DRAFT)
    return list(db.session.scalars(query.order_by(Case.created_at, Case.id)))


def _decisions(found: Iterable[Case]) -> dict[int, Decision]:
    ids = [c.id for c in found]
    decisions: dict[int, Decision] = {}
    for decision in db.session.scalars(
        select(Decision)
        .where(Decision.case_id.in_(ids), Decision.outcome == "approved")
        .order_by(Decision.id)
    ):
        decisions[decision.case_id] = decision
    return decisions


def events(found: list[Case]) -> list[Event]:
    """Every case's steps, in the order they happened."""
    decisions = _decisions(found)
    happened = []
    for case in found:
        if case.kind != CaseKind.ASSESSMENT or case.sent_at is None:
            happened.append(Event(case.created_at, "started", case))
        if case.sent_at is not None:
            happened.append(Event(case.sent_at, "sent", case))
        decision = decisions.get(case.id)
        if case.status == CaseStatus.DECIDED and decision is not None:
            kind = "decided" if decision.confirmed_weekly_pence is not None else "decided_no_budget"
            happened.append(Event(decision.created_at, kind, case, decision.confirmed_weekly_pence))
        elif case.status == CaseStatus.WITHDRAWN:
            happened.append(Event(case.updated_at, "withdrawn", case))
    return sorted(happened, key=lambda e: (e.at, e.case.id))


def points(found: list[Case]) -> list[Point]:
    """One point per decision, oldest first: the figures the charts draw."""
    from portal import tool_service
    from portal.case_record import validated_answers

    decisions = _decisions(found)
    drawn = []
    for case in found:
        decision = decisions.get(case.id)
        if case.status != CaseStatus.DECIDED or decision is None:
            continue
        tool = tool_service.of(case)  # each case's own tool: a line may run from children's to adult care
        profile = tool.schema.to_profile(validated_answers(case))
        levels = {}
        for area in tool.areas:
            value = profile.get(f"need_{area}")
            levels[area] = int(value) if isinstance(value, int | float) else 0
        drawn.append(Point(decision.created_at.date(), case, decision.confirmed_weekly_pence, levels))
    return sorted(drawn, key=lambda p: (p.on, p.case.id))


def context(found: list[Case]) -> dict[str, object]:
    """Everything the timeline component draws: the events, and the two charts with the figures beside them."""
    from portal import budgets, charts, tool_service, vocabulary

    drawn = points(found)
    names: dict[str, str] = {}  # every area any decided case's tool has, in the order the tools give them
    for point in drawn:
        tool = tool_service.of(point.case)
        for area in tool.areas:
            names.setdefault(area, budgets.area_name(area, tool))
    shown_areas = [area for area in names if any(p.levels.get(area) for p in drawn)]
    return {
        "events": events(found),
        "points": drawn,
        "budget_chart": charts.budget_chart([(p.on, p.weekly_pence) for p in drawn]) if drawn else None,
        "needs_chart": charts.needs_chart([p.on for p in drawn], [p.levels for p in drawn], shown_areas)
        if drawn and shown_areas
        else None,
        "areas": [(area, names[area]) for area in shown_areas],
        "level_words": {level: str(words) for level, words in vocabulary.NEED_LEVEL_WORDS.items()},
    }
