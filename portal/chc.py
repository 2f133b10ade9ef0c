"""The adult NHS Continuing Healthcare record: what the multidisciplinary team and the ICB decided, as they decided it.

The National Framework for NHS Continuing Healthcare has the multidisciplinary team record the person's needs in
twelve care domains of the Decision Support Tool, each at one of the levels that domain has (no needs, low,
moderate, high, severe, priority; not every domain has every level), and the ICB decide whether the person is
eligible. The portal records both and works neither out: it never weighs the levels or suggests an outcome.

Rules, refused here: only active staff of the case's organisation record, and only on an open case (nothing on a
decided or withdrawn case changes, :func:`portal.cases.hold_open`); a tool's record names every domain at one of
that domain's own levels; dates are not in the future; an eligibility decision has reasons. A record is never
changed: a later one is a new row, and the latest counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select

from portal import case_record, cases, tool_service, transition
from portal.audit import record
from portal.cases import NotAllowed, Relation
from portal.extensions import db
from portal.health_models import ChcAssessment, ChcEligibility
from portal.models import Account, Case, CaseStatus, Organisation, OrganisationKind, Person


class Level(StrEnum):
    """The Decision Support Tool's levels of need, lowest first."""

    NO_NEEDS = "no_needs"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    SEVERE = "severe"
    PRIORITY = "priority"


L = Level
_ALL = (L.NO_NEEDS, L.LOW, L.MODERATE, L.HIGH, L.SEVERE, L.PRIORITY)

#: The twelve care domains in the tool's order, each with the levels it has (National Framework, Decision Support
#: Tool): only breathing, behaviour, and drug therapies and medication have all six; altered states of
#: consciousness has no moderate or severe level.
DOMAINS: Mapping[str, tuple[Level, ...]] = {
    "breathing": _ALL,
    "nutrition": (L.NO_NEEDS, L.LOW, L.MODERATE, L.HIGH, L.SEVERE),
    "continence": (L.NO_NEEDS, L.LOW, L.MODERATE, L.HIGH),
    "skin": (L.NO_NEEDS, L.LOW, L.MODERATE, L.HIGH, L.SEVERE),
    "mobility": (L.NO_NEEDS, L.LOW, L.MODERATE, L.HIGH, L.SEVERE),
    "communication": (L.NO_NEEDS, L.LOW, L.MODERATE, L.HIGH),
    "psychological": (L.NO_NEEDS, L.LOW, L.MODERATE, L.HIGH),
    "cognition": (L.NO_NEEDS, L.LOW, L.MODERATE, L.HIGH, L.SEVERE),
    "behaviour": _ALL,
    "drug_therapies": _ALL,
    "altered_states": (L.NO_NEEDS, L.LOW, L.HIGH, L.PRIORITY),
    "other_needs": (L.NO_NEEDS, L.LOW, L.MODERATE, L.HIGH, L.SEVERE),
}

_STAFF = frozenset({Relation.HOLDER, Relation.ASSESSOR, Relation.MANAGER})

ADULT_TOOL = "continuing_healthcare"
CHILD_TOOL = "continuing_care"


def for_children(tool_key: str) -> bool:
    """Whether a tool is for children and young people under 18 (every other tool is for adults)."""
    return tool_key == CHILD_TOOL


def transition_applies(organisation: Organisation | None) -> bool:
    """Whether the organisation follows young people moving from children's Continuing Care to adult NHS Continuing
    Healthcare (:func:`approaching_adult_services`): an NHS body, an ICB or a partnership with one, never a council
    on its own (the ICB decides both, and has the cases). The staff home and the list's page ask this."""
    return organisation is not None and organisation.kind != OrganisationKind.COUNCIL


class Refused(ValueError):
    """The record breaks a rule; ``code`` says which, ``field`` where (the page words it on that field)."""

    def __init__(self, code: str, field: str = "") -> None:
        super().__init__(f"{code} {field}".strip())
        self.code = code
        self.field = field


def applies(case: Case) -> bool:
    """Whether the case's eligibility is the ICB's recorded decision (its tool says ``icb_decision``): adult NHS
    Continuing Healthcare and children's Continuing Care. Without it such a case can never get a budget."""
    return tool_service.of(case).eligibility_test == case_record.ICB_DECISION


def dst_applies(case: Case) -> bool:
    """Whether the case has a Decision Support Tool record: only adult NHS Continuing Healthcare uses the DST."""
    return applies(case) and case.tool_key == ADULT_TOOL


def may_record(account: Account | None, case: Case) -> bool:
    """Whether the account may record on this case now: ICB-decided, open, and active staff of its organisation."""
    return applies(case) and cases.is_open(case) and bool(cases.relations(account, case) & _STAFF)


def latest_assessment(case: Case) -> ChcAssessment | None:
    """The Decision Support Tool as last recorded on the case."""
    return db.session.scalar(
        select(ChcAssessment).filter_by(case_id=case.id).order_by(ChcAssessment.id.desc()).limit(1)
    )


def latest_eligibility(case: Case) -> ChcEligibility | None:
    """The ICB's eligibility decision as last recorded on the case."""
    return case_record.icb_decision(case)


@dataclass(frozen=True)
class YoungPerson:
    """A young person on the list of those approaching adult NHS Continuing Healthcare."""

    person: Person
    case: Case  # their latest case with the organisation
    stage: transition.Stage
    milestones: transition.Milestones
    next_milestone: tuple[transition.Stage, date] | None
    adult_decision: ChcEligibility | None  # the latest eligibility decision on any of their cases here
    adult_case: Case | None  # the adult case started from one of their children's cases


def approaching_adult_services(organisation_id: int, today: date) -> list[YoungPerson]:
    """The organisation's young people from half a year before 14 until 18, the nearest milestone first.

    Everyone with a children's Continuing Care case sent to the organisation whose date of birth puts them there
    (:mod:`portal.transition`), with their latest such case, whether the ICB has recorded an adult eligibility
    decision for them, and their adult case if one was started from a children's case.
    """
    rows = db.session.execute(
        select(Case, Person)
        .join(Person, Person.id == Case.person_id)
        .where(
            Case.organisation_id == organisation_id,
            Case.status != CaseStatus.DRAFT,
            Case.deleted_at.is_(None),
            Case.tool_key == CHILD_TOOL,
            Person.date_of_birth.is_not(None),
        )
        .order_by(Case.id)
    ).all()
    latest: dict[int, tuple[Case, Person]] = {}
    for case, person in rows:
        latest[person.id] = (case, person)
    found = []
    for case, person in latest.values():
        born = person.date_of_birth
        if born is None or not transition.approaching(born, today):
            continue
        decision = db.session.scalar(
            select(ChcEligibility)
            .join(Case, Case.id == ChcEligibility.case_id)
            .where(Case.person_id == person.id, Case.organisation_id == organisation_id)
            .order_by(ChcEligibility.id.desc())
            .limit(1)
        )
        marks = transition.milestones(born)
        adult = db.session.scalar(
            select(Case)
            .where(Case.person_id == person.id, Case.tool_key == ADULT_TOOL, Case.follows_id.is_not(None))
            .order_by(Case.id.desc())
            .limit(1)
        )
        found.append(
            YoungPerson(
                person, case, transition.stage(born, today), marks, marks.next_on(today), decision, adult
            )
        )
    found.sort(key=lambda young: (young.milestones.adult_on, young.person.name))
    return found


def _check(account: Account, case: Case, on: date, today: date, field: str) -> None:
    if not may_record(account, case):
        raise NotAllowed("only staff of the case's organisation record this, and only on an open case")
    if on > today:
        raise Refused("date_in_future", field)


def record_assessment(
    account: Account,
    case: Case,
    domains: Mapping[str, str],
    *,
    completed_on: date,
    today: date,
    note: str = "",
    note_lang: str = "en",
) -> ChcAssessment:
    """Record the Decision Support Tool as the team completed it: every domain at one of its own levels."""
    if not dst_applies(case):
        raise NotAllowed(
            "the Decision Support Tool is recorded only on an adult NHS Continuing Healthcare case"
        )
    _check(account, case, completed_on, today, "completed_on")
    unknown = sorted(set(domains) - set(DOMAINS))
    if unknown:
        raise Refused("unknown_domain", unknown[0])
    for key, levels in DOMAINS.items():
        value = domains.get(key)
        if not value:
            raise Refused("level_missing", key)
        if value not in {level.value for level in levels}:
            raise Refused("level_not_in_domain", key)
    cases.hold_open(case)
    row = ChcAssessment(
        case_id=case.id,
        domains={key: str(domains[key]) for key in DOMAINS},
        completed_on=completed_on,
        note=note.strip(),
        note_lang=note_lang,
        recorded_by_id=account.id,
    )
    db.session.add(row)
    db.session.flush()
    record(
        "chc.dst_recorded",
        actor=account,
        case=case,
        reason=note.strip(),
        detail={"domains": row.domains, "completed_on": completed_on.isoformat()},
    )
    return row


def record_eligibility(
    account: Account,
    case: Case,
    *,
    eligible: bool,
    decided_on: date,
    today: date,
    reasons: str,
    reasons_lang: str = "en",
) -> ChcEligibility:
    """Record the ICB's decision on eligibility, with its date and reasons, as the ICB made it."""
    _check(account, case, decided_on, today, "decided_on")
    if not reasons.strip():
        raise Refused("reasons_missing", "reasons")
    cases.hold_open(case)
    row = ChcEligibility(
        case_id=case.id,
        eligible=eligible,
        decided_on=decided_on,
        reasons=reasons.strip(),
        reasons_lang=reasons_lang,
        recorded_by_id=account.id,
    )
    db.session.add(row)
    db.session.flush()
    record(
        "chc.eligibility_recorded",
        actor=account,
        case=case,
        reason=reasons.strip(),
        detail={"eligible": eligible, "decided_on": decided_on.isoformat()},
    )
    return row


def may_start_adult_case(account: Account | None, case: Case) -> bool:
    """Whether the account may start the adult CHC case from this children's Continuing Care case now."""
    from portal import tool_service

    return (
        case.tool_key == CHILD_TOOL
        and tool_service.is_enabled(case.organisation, ADULT_TOOL)
        and cases.may_start_adult_case(account, case)
    )


def start_adult_case(account: Account, case: Case) -> Case:
    """Start the young person's adult NHS Continuing Healthcare case from their decided children's case: linked to
    it, held by the assessor as a draft, starting from the answers that mean the same in both tools (the adult
    tool's ``carry_over.yaml``; amendments the children's assessor made count). The caller commits."""
    from portal import tool_service
    from portal.carry_over import load_carry_over
    from portal.case_record import current_validation, latest_snapshot

    if not may_start_adult_case(account, case):
        raise NotAllowed("the adult case cannot be started from this case by this account")
    adult_tool = tool_service.get(ADULT_TOOL)
    carry = load_carry_over(adult_tool, tool_service.available())
    answers = dict(latest_snapshot(case).answers)
    validation = current_validation(case)
    for question_id, item in ((validation.items if validation else None) or {}).items():
        if item.get("action") in ("amend", "answer"):
            answers[question_id] = item.get("value")
    return cases.start_adult_case(
        account,
        case,
        tool_key=adult_tool.key,
        tool_version=adult_tool.version,
        questionnaire_version=adult_tool.schema.version,
        answers=carry.apply(answers) if carry is not None and carry.source == CHILD_TOOL else {},
    )
