"""Reviews: a new case linked to the decision in force, the person's own words, and what the practitioner records.

A review never touches what was decided: it is a new case (:func:`portal.cases.start_linked_case`) whose own
record is a :class:`~portal.models.Review` row. The rules, each refusing by itself:

- a review starts only from a decided case, by the person, a carer on recorded authority, or an assessor or a
  manager (approver or admin) of its organisation: who may is the lifecycle's table (``cases.LINKS``) and nothing
  here narrows it; it follows the decision in force of the person's line, and never while another review of the
  line is still open (an unsent draft included);
- a review the person or a carer starts is their draft; one staff start is a draft the practitioner (assessor or
  manager) holds and goes through with the person (the pages for an assessment taken on the phone);
- the person's own sections change only while the review can be changed (the lifecycle's ``change`` move);
- what the practitioner records changes only while they hold the claimed review (the ``validate`` move), and must
  be complete before the review is decided (:func:`require_recorded`, which the budget services call);
- a decided review is final like any decided case: neither its sections nor its record change again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal import cases
from portal.audit import record
from portal.cases import Move, NotAllowed
from portal.extensions import db
from portal.models import Account, Case, CaseKind, CaseStatus, Review, utcnow

#: The person's own sections, in the order the review form asks them (seed 004's co-produced review).
SECTIONS: tuple[str, ...] = ("working", "worries", "matters", "goals")
#: Whether the plan is helping the person meet their outcomes.
PLAN_MEETS: tuple[str, ...] = ("yes", "partly", "no")
#: What a review must record, with the words each choice has (portal/review_words.py).
REVIEW_TYPES: tuple[str, ...] = ("first", "planned", "requested", "unplanned")
CARER_ASSESSMENT: tuple[str, ...] = ("offered", "not_offered", "no_carer")
CAPACITY: tuple[str, ...] = ("has_capacity", "lacks_capacity")
OUTCOMES: tuple[str, ...] = ("unchanged", "plan_changed", "budget_changed", "new_assessment", "ended")
MAX_TEXT = 4000


class ReviewUnderWay(ValueError):
    """Another review of this person's line is still open: it is finished (or withdrawn) first."""


class ReviewNotRecorded(ValueError):
    """A review is decided only once the practitioner has recorded everything a review must record."""


class InvalidRecord(ValueError):
    """What was entered for the review record breaks a rule: ``problems`` maps each field to a code."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(f"{field}: {code}" for field, code in problems.items()))
        self.problems = problems


def is_review(case: Case) -> bool:
    """Whether the case is a review."""
    return case.kind == CaseKind.REVIEW


def review_of(case: Case) -> Review | None:
    """The review record of a review case (None for any other case)."""
    if not is_review(case):
        return None
    return db.session.scalar(select(Review).filter_by(case_id=case.id))


def open_review(case: Case) -> Case | None:
    """The review of this case's line that is still open (a draft not deleted, or with the organisation)."""
    for member in cases.chain(case):
        if is_review(member) and not cases.is_final(member) and member.deleted_at is None:
            return member
    return None


def may_start(account: Account | None, case: Case) -> bool:
    """Whether the account may start a review from this case now (what pages offer; :func:`start` decides)."""
    in_force = cases.decision_in_force(case) if case.status == CaseStatus.DECIDED else None
    if in_force is None or open_review(case) is not None:
        return False
    return cases.may_start_linked(account, in_force[0], CaseKind.REVIEW)


def start(account: Account, case: Case) -> Case:
    """Start a review of the decision in force in the case's line: a new case, prefilled from the answers as
    validated; the decided cases stay exactly as they were. The caller commits."""
    if case.status != CaseStatus.DECIDED:
        raise NotAllowed("only a decided case can be reviewed")
    in_force = cases.decision_in_force(case)
    if in_force is None:
        raise NotAllowed("nothing in this line has been decided")
    under_way = open_review(case)
    if under_way is not None:
        raise ReviewUnderWay(f"review {under_way.reference} is still open")
    linked = cases.start_linked_case(account, in_force[0], CaseKind.REVIEW)
    db.session.add(Review(case_id=linked.id, words_lang=account.locale))
    db.session.flush()
    return linked


def previous_case(case: Case) -> Case | None:
    """The decided case a review follows."""
    if not is_review(case) or case.follows_id is None:
        return None
    return db.session.get(Case, case.follows_id)


def last_time(case: Case) -> dict[str, Any] | None:
    """For a review: the answers as they were last confirmed (validated), to show beside each question."""
    from portal.case_record import validated_answers

    before = previous_case(case)
    if before is None:
        return None
    return validated_answers(before)


# -- the person's own sections -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sections:
    """The person's own words: what is working, worries, what matters, goals, and whether the plan meets them."""

    working: str = ""
    worries: str = ""
    matters: str = ""
    goals: str = ""
    plan_meets: str = ""
    plan_meets_note: str = ""

    @classmethod
    def of(cls, review: Review) -> Sections:
        """As stored."""
        return cls(
            working=review.working,
            worries=review.worries,
            matters=review.matters,
            goals=review.goals,
            plan_meets=review.plan_meets,
            plan_meets_note=review.plan_meets_note,
        )

    def is_empty(self) -> bool:
        """Nothing said yet (every section is optional: the person chooses what matters to them)."""
        return not any(getattr(self, name).strip() for name in (*SECTIONS, "plan_meets", "plan_meets_note"))


def save_sections(account: Account, case: Case, sections: Sections) -> Review:
    """Keep the person's own words while the review can still be changed; refuse otherwise. The caller commits."""
    review = review_of(case)
    if review is None:
        raise NotAllowed("this case is not a review")
    if not cases.can(account, case, Move.CHANGE):
        raise NotAllowed("the review's own sections change only while it is a draft")
    if sections.plan_meets not in ("", *PLAN_MEETS):
        raise ValueError(f"unknown answer about the plan: {sections.plan_meets!r}")
    texts = {name: getattr(sections, name).strip() for name in (*SECTIONS, "plan_meets_note")}
    if any(len(text) > MAX_TEXT for text in texts.values()):
        raise ValueError(f"each section is at most {MAX_TEXT} characters")
    changed = [
        name
        for name in (*SECTIONS, "plan_meets", "plan_meets_note")
        if getattr(review, name) != (texts.get(name, sections.plan_meets))
    ]
    for name, text in texts.items():
        setattr(review, name, text)
    review.plan_meets = sections.plan_meets
    review.words_lang = account.locale
    record("review.sections_saved", actor=account, case=case, detail={"changed": changed})
    db.session.flush()
    return review


# -- what the practitioner records -------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What a review must record: date, type, who took part, a carer's assessment, capacity, outcome, next date."""

    held_on: date | None = None
    review_type: str = ""
    took_part: str = ""
    carer_assessment: str = ""
    carer_assessment_note: str = ""
    capacity: str = ""
    capacity_note: str = ""
    outcome: str = ""
    next_review_on: date | None = None

    @classmethod
    def of(cls, review: Review) -> Entry:
        """As stored."""
        return cls(**{name: getattr(review, name) for name in cls.__dataclass_fields__})


def problems_with(entry: Entry, case: Case, *, today: date | None = None) -> dict[str, str]:
    """Every rule the entry breaks, field by field (an empty dict when it may be recorded)."""
    from portal import review_due

    today = today or utcnow().date()
    problems: dict[str, str] = {}
    if entry.held_on is None:
        problems["held_on"] = "missing"
    elif entry.held_on > today:
        problems["held_on"] = "future"
    elif entry.held_on < case.created_at.date():
        problems["held_on"] = "before_start"
    if entry.review_type not in REVIEW_TYPES:
        problems["review_type"] = "missing"
    if not entry.took_part.strip():
        problems["took_part"] = "missing"
    if entry.carer_assessment not in CARER_ASSESSMENT:
        problems["carer_assessment"] = "missing"
    elif entry.carer_assessment == "not_offered" and not entry.carer_assessment_note.strip():
        problems["carer_assessment_note"] = (
            "missing"  # the duty to offer one (Care Act 2014 s.10): say why not
        )
    if entry.capacity not in CAPACITY:
        problems["capacity"] = "missing"
    elif entry.capacity == "lacks_capacity" and not entry.capacity_note.strip():
        problems["capacity_note"] = (
            "missing"  # how the best interests decision was made (Mental Capacity Act)
        )
    if entry.outcome not in OUTCOMES:
        problems["outcome"] = "missing"
    if entry.next_review_on is None:
        if entry.outcome != "ended":
            problems["next_review_on"] = "missing"
    elif entry.held_on is not None:
        if entry.next_review_on <= entry.held_on:
            problems["next_review_on"] = "not_after"
        elif entry.next_review_on > review_due.latest_next_review(case, entry.held_on):
            problems["next_review_on"] = "too_late"
    for name in ("took_part", "carer_assessment_note", "capacity_note"):
        if len(getattr(entry, name)) > MAX_TEXT:
            problems[name] = "too_long"
    return problems


def record_review(account: Account, case: Case, entry: Entry, *, expected_version: int) -> Review:
    """Record the review, as the practitioner holding it; refuse a wrong entry, a stale page or anyone else."""
    review = review_of(case)
    if review is None:
        raise NotAllowed("this case is not a review")
    if not cases.can(account, case, Move.VALIDATE):
        raise NotAllowed("only the practitioner holding the review records it, before it is decided")
    problems = problems_with(entry, case)
    if problems:
        raise InvalidRecord(problems)
    if review.version != expected_version:
        raise cases.Stale("someone else recorded this review first")
    before = {name: _plain(getattr(review, name)) for name in Entry.__dataclass_fields__}
    for name in Entry.__dataclass_fields__:
        value = getattr(entry, name)
        setattr(review, name, value.strip() if isinstance(value, str) else value)
    review.recorded_by_id = account.id
    review.recorded_at = utcnow()
    after = {name: _plain(getattr(review, name)) for name in Entry.__dataclass_fields__}
    record(
        "review.recorded",
        actor=account,
        case=case,
        detail={"before": before, "after": after},
    )
    db.session.flush()
    return review


def _plain(value: Any) -> Any:
    """A value as the audit trail keeps it."""
    return value.isoformat() if isinstance(value, date) else value


def is_recorded(review: Review) -> bool:
    """Whether everything a review must record has been recorded."""
    return review.recorded_at is not None and review.held_on is not None and bool(review.outcome)


def require_recorded(case: Case) -> None:
    """Refuse to decide a review until the practitioner has recorded it (nothing for any other case)."""
    if not is_review(case):
        return
    review = review_of(case)
    if review is None or not is_recorded(review):
        raise ReviewNotRecorded("record the review before deciding it")


def default_next_review(case: Case, held_on: date) -> date:
    """The next review date offered on the form: the agreed frequency after this review."""
    from portal import review_due

    return review_due.latest_next_review(case, held_on)
