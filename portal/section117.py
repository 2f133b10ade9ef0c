"""Section 117 of the Mental Health Act 1983: who is entitled to free aftercare, which bodies are responsible, how
entitlement ends, what a case's aftercare covers, and how its cost is shared between the council and the NHS.

Every rule is here and refuses by itself (:class:`Refused` names the field and a code the pages word; staff of the
wrong organisation or role get :class:`~portal.cases.NotAllowed`); the pages only turn forms into calls.

- Only a detention under section 3, 37, 45A, 47 or 48 gives the right to aftercare (a restriction order or
  direction, 37/41, 47/49 or 48/49, is the same section).
- The responsible council is the one where the person was ordinarily resident immediately before the detention,
  and the responsible ICB is recorded beside it. A later qualifying detention ends the duty that came from the
  earlier one and fixes the bodies again (R (Worcestershire CC) v Secretary of State [2023] UKSC 31): the bodies in
  force are always those of the latest qualifying detention, and aftercare runs from its discharge.
- Entitlement ends only by a joint decision of the council and the ICB, made with the person and recorded with
  reasons. Nothing ends it automatically: not time, not a case closing, not a budget of nothing.
- Aftercare is free to the person (:func:`is_aftercare` is the one test the pages, emails and letters ask). The
  only payment a person may choose to make is a top-up for preferred accommodation (section 117A), recorded as such.
- The funding split of an aftercare budget: a split agreed for the person (with a reason, approved by someone other
  than the one who proposed it), else the partnership's pooled split in force on the day, else each line's funder
  as configured. A new split starts today or later, so a decision already made keeps the split it recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from portal.audit import record
from portal.cases import FINAL, NotAllowed
from portal.engine import Estimate, apportion
from portal.extensions import db
from portal.models import Account, Case, Organisation, OrganisationKind, Person, Role, utcnow
from portal.money import AmountError, parse_percent
from portal.section117_models import AgreedSplit, CaseAftercare, Detention, Ending, PooledSplit
from portal.tools import Tool

QUALIFYING_SECTIONS = ("3", "37", "45A", "47", "48")
#: Sections a practitioner may meet that do not give the right to aftercare.
OTHER_SECTIONS = ("2", "4", "5(2)", "5(4)", "7", "35", "36", "38", "135", "136")
#: A restriction order or direction goes with the section it restricts.
RESTRICTED = {"37/41": "37", "47/49": "47", "48/49": "48", "45A/45B": "45A"}
CASEWORKERS = (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)
MANAGERS = (Role.APPROVER, Role.ADMIN)
NAME_LIMIT = 200
TEXT_LIMIT = 4000


class Refused(ValueError):
    """A rule refused what was asked: ``field`` is the form field it belongs beside, ``code`` says which rule."""

    def __init__(self, field: str, code: str, **values: Any) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.values = values


def _staff_of(actor: Account, organisation_id: int | None, roles: Iterable[Role]) -> None:
    """Only active staff of the organisation, in one of ``roles``."""
    if (
        actor is None
        or not actor.is_active
        or actor.role not in tuple(roles)
        or organisation_id is None
        or actor.organisation_id != organisation_id
    ):
        raise NotAllowed("only staff of the organisation in the right role may do this")


def _text(field: str, value: str | None, *, limit: int = TEXT_LIMIT, required: bool = True) -> str:
    """Trimmed text, refused when required and empty or when too long."""
    text = (value or "").strip()
    if required and not text:
        raise Refused(field, "required")
    if len(text) > limit:
        raise Refused(field, "too_long", limit=limit)
    return text


def _not_future(field: str, day: date | None, today: date) -> date:
    """A day that has happened (or is today)."""
    if day is None:
        raise Refused(field, "required")
    if day > today:
        raise Refused(field, "in_future")
    return day


# -- the section -----------------------------------------------------------------------------------


def qualifying_section(text: str | None) -> str:
    """The section as stored ("3", "37", "45A", "47", "48"), from what staff typed ("s.37/41", "Section 3")."""
    cleaned = re.sub(r"\s+", "", (text or "").upper())
    cleaned = re.sub(r"^(SECTION|SECT\.?|S\.?)", "", cleaned)
    if not cleaned:
        raise Refused("section", "required")
    cleaned = RESTRICTED.get(cleaned, cleaned)
    if cleaned in QUALIFYING_SECTIONS:
        return cleaned
    if cleaned in OTHER_SECTIONS or re.fullmatch(r"\d{1,3}[A-Z]?(\(\d\))?", cleaned):
        raise Refused("section", "not_qualifying", section=cleaned)
    raise Refused("section", "unknown")


# -- detentions and entitlement --------------------------------------------------------------------


def detentions(person: Person, organisation: Organisation | None) -> list[Detention]:
    """The person's recorded detentions with this organisation, latest first."""
    if organisation is None:
        return []
    return list(
        db.session.scalars(
            select(Detention)
            .filter_by(person_id=person.id, organisation_id=organisation.id)
            .order_by(Detention.detained_on.desc(), Detention.id.desc())
        )
    )


def endings(person: Person, organisation: Organisation | None) -> list[Ending]:
    """The joint decisions that ended the person's entitlement, latest first."""
    if organisation is None:
        return []
    return list(
        db.session.scalars(
            select(Ending)
            .filter_by(person_id=person.id, organisation_id=organisation.id)
            .order_by(Ending.ended_on.desc(), Ending.id.desc())
        )
    )


@dataclass(frozen=True)
class Standing:
    """Where the person stands on a day: ``state`` is entitled, detained, ended or none."""

    state: str
    detention: Detention | None  # the latest qualifying detention by then, which fixes the bodies
    ending: Ending | None = None

    @property
    def entitled(self) -> bool:
        """Aftercare is in force."""
        return self.state == "entitled"

    @property
    def council(self) -> str:
        """The responsible council in force (from the latest qualifying detention)."""
        return self.detention.responsible_council if self.detention else ""

    @property
    def icb(self) -> str:
        """The responsible ICB in force (from the latest qualifying detention)."""
        return self.detention.responsible_icb if self.detention else ""


def standing(person: Person, organisation: Organisation | None, day: date | None = None) -> Standing:
    """The person's entitlement with this organisation on ``day``.

    The latest qualifying detention begun by then decides: while it lasts the person is detained (the duty from
    any earlier detention ended when it began); from its discharge they are entitled, until a joint decision
    ends that entitlement.
    """
    day = day or date.today()
    latest = next((d for d in detentions(person, organisation) if d.detained_on <= day), None)
    if latest is None:
        return Standing("none", None)
    if latest.discharged_on is None or latest.discharged_on > day:
        return Standing("detained", latest)
    ending = db.session.scalar(
        select(Ending)
        .where(Ending.detention_id == latest.id, Ending.ended_on <= day)
        .order_by(Ending.ended_on.desc())
        .limit(1)
    )
    if ending is not None:
        return Standing("ended", latest, ending)
    return Standing("entitled", latest)


def record_detention(
    actor: Account,
    person: Person,
    organisation: Organisation,
    *,
    section: str | None,
    detained_on: date | None,
    discharged_on: date | None,
    responsible_council: str | None,
    responsible_icb: str | None,
    notes: str | None = "",
    today: date | None = None,
) -> Detention:
    """Record a detention that gives the right to aftercare; refuse any other section, or dates that cannot be."""
    _staff_of(actor, organisation.id, CASEWORKERS)
    today = today or date.today()
    code = qualifying_section(section)
    start = _not_future("detained_on", detained_on, today)
    if discharged_on is not None:
        _not_future("discharged_on", discharged_on, today)
        if discharged_on < start:
            raise Refused("discharged_on", "before_detention")
    council = _text("responsible_council", responsible_council, limit=NAME_LIMIT)
    icb = _text("responsible_icb", responsible_icb, limit=NAME_LIMIT)
    note = _text("notes", notes, required=False)
    end = discharged_on or date.max
    for other in detentions(person, organisation):
        other_end = other.discharged_on or date.max
        if start <= other_end and other.detained_on <= end:
            raise Refused("detained_on", "overlaps", day=other.detained_on)
    detention = Detention(
        person_id=person.id,
        organisation_id=organisation.id,
        section=code,
        detained_on=start,
        discharged_on=discharged_on,
        responsible_council=council,
        responsible_icb=icb,
        notes=note,
        recorded_by_id=actor.id,
    )
    db.session.add(detention)
    db.session.flush()
    record(
        "section117.detention_recorded",
        actor=actor,
        organisation=organisation,
        detail={
            "person": person.public_id,
            "detention": detention.public_id,
            "section": code,
            "detained_on": start.isoformat(),
            "discharged_on": discharged_on.isoformat() if discharged_on else None,
            "responsible_council": council,
            "responsible_icb": icb,
        },
    )
    db.session.commit()
    return detention


def record_discharge(
    actor: Account, detention: Detention, *, discharged_on: date | None, today: date | None = None
) -> Detention:
    """Record the discharge of a detention still open: aftercare runs from that day."""
    _staff_of(actor, detention.organisation_id, CASEWORKERS)
    today = today or date.today()
    if detention.discharged_on is not None:
        raise Refused("discharged_on", "already_discharged")
    day = _not_future("discharged_on", discharged_on, today)
    if day < detention.detained_on:
        raise Refused("discharged_on", "before_detention")
    detention.discharged_on = day
    record(
        "section117.discharge_recorded",
        actor=actor,
        organisation=db.session.get(Organisation, detention.organisation_id),
        detail={"detention": detention.public_id, "discharged_on": day.isoformat()},
    )
    db.session.commit()
    return detention


def end_entitlement(
    actor: Account,
    person: Person,
    organisation: Organisation,
    *,
    ended_on: date | None,
    reasons: str | None,
    council_decided_by: str | None,
    icb_decided_by: str | None,
    person_involved: bool,
    person_view: str | None = "",
    today: date | None = None,
) -> Ending:
    """Record the joint decision that aftercare is no longer needed: the council and the ICB each name who decided,
    the person took part, and the reasons are written down. Only a manager records it; it is never automatic."""
    _staff_of(actor, organisation.id, MANAGERS)
    today = today or date.today()
    day = _not_future("ended_on", ended_on, today)
    now = standing(person, organisation, day)
    if not now.entitled or now.detention is None:  # nothing to end on that day (before discharge, or ended)
        raise Refused("ended_on", "not_entitled")
    text = _text("reasons", reasons)
    council = _text("council_decided_by", council_decided_by, limit=NAME_LIMIT)
    icb = _text("icb_decided_by", icb_decided_by, limit=NAME_LIMIT)
    if not person_involved:
        raise Refused("person_involved", "without_person")
    view = _text("person_view", person_view, required=False)
    ending = Ending(
        person_id=person.id,
        organisation_id=organisation.id,
        detention_id=now.detention.id,
        ended_on=day,
        reasons=text,
        council_decided_by=council,
        icb_decided_by=icb,
        person_involved=True,
        person_view=view,
        recorded_by_id=actor.id,
    )
    db.session.add(ending)
    record(
        "section117.entitlement_ended",
        actor=actor,
        organisation=organisation,
        detail={
            "person": person.public_id,
            "detention": now.detention.public_id,
            "ended_on": day.isoformat(),
            "council_decided_by": council,
            "icb_decided_by": icb,
            "person_involved": True,
        },
        reason=text,
    )
    db.session.commit()
    return ending


# -- is this aftercare ------------------------------------------------------------------------------


def relevant_day(case: Case) -> date:
    """The day a case's aftercare is judged on: its decision's day once decided, else today."""
    from portal.case_record import final_decision

    decision = final_decision(case)
    return decision.created_at.date() if decision is not None else date.today()


def applies_to(case: Case) -> bool:
    """Whether Section 117 can apply to a case, so its staff pages, its tab and the case page's part are there
    (the pages are a 404 otherwise).

    It applies to a case of a Section 117 tool, and to a case of care and support that aftercare could make free
    (a tool that is not free to the person by itself) whose organisation offers a Section 117 tool, or already
    has a detention of the person on record (so a record made before the tool was turned off stays in reach).
    Never to NHS care that is free to the person by itself (Continuing Healthcare, Continuing Care), nor to a
    case without an organisation.
    """
    from portal import tool_service

    if case.organisation is None:
        return False
    tool = tool_service.of(case)
    if _is_aftercare_tool(tool):
        return True
    if tool.free_to_person:
        return False
    return offers_aftercare(case.organisation) or bool(detentions(case.person, case.organisation))


def offers_aftercare(organisation: Organisation | None) -> bool:
    """Whether the organisation offers a Section 117 tool."""
    from portal import tool_service

    return any(_is_aftercare_tool(tool) for tool in tool_service.enabled(organisation))


def is_aftercare(case: Case, day: date | None = None) -> bool:
    """Whether a case is Section 117 aftercare, free to the person: the person's entitlement is in force with the
    case's organisation on the day (its decision's day, else today). The one test every page, email and letter
    asks before it mentions paying."""
    from portal import tool_service

    if case.organisation is None:
        return False
    tool = tool_service.of(case)
    if _is_aftercare_tool(tool):
        return True
    if tool.free_to_person:  # NHS care, free by itself, is never called aftercare
        return False
    return standing(case.person, case.organisation, day or relevant_day(case)).entitled


def _is_aftercare_tool(tool: Tool) -> bool:
    """A Section 117 tool: one free to the person whose eligibility test is aftercare's.

    (Continuing Healthcare and Continuing Care are free to the person too, but they are not aftercare: their
    letters must not speak of section 117. :func:`free_to_person` covers them.)"""
    return bool(tool.free_to_person and tool.eligibility_test == "section_117")


def free_to_person(case: Case) -> bool:
    """Nothing is charged: Section 117 aftercare, or a tool that declares itself free to the person (NHS care)."""
    from portal import tool_service

    return tool_service.of(case).free_to_person or is_aftercare(case)


# -- what a case's aftercare covers ---------------------------------------------------------------------


def case_aftercare(case: Case) -> CaseAftercare | None:
    """The lines that are not aftercare and any section 117A top-up recorded for the case."""
    return db.session.scalar(select(CaseAftercare).filter_by(case_id=case.id))


def save_case_aftercare(
    actor: Account,
    case: Case,
    *,
    line_keys: Iterable[str],
    not_aftercare: Iterable[str],
    not_aftercare_reason: str | None,
    top_up_pence: int | None,
    top_up_paid_by: str | None,
    top_up_accommodation: str | None,
) -> CaseAftercare:
    """Record which lines are not aftercare (shown apart, with the reason) and a top-up for preferred
    accommodation (section 117A), on an aftercare case that is still open."""
    _staff_of(actor, case.organisation_id, CASEWORKERS)
    if case.status in FINAL:
        raise Refused("not_aftercare", "case_final")
    if not is_aftercare(case):
        raise Refused("not_aftercare", "not_aftercare_case")
    known = list(line_keys)
    chosen = [key for key in known if key in set(not_aftercare)]
    if len(chosen) != len(set(not_aftercare)):
        raise Refused("not_aftercare", "unknown_line")
    reason = _text("not_aftercare_reason", not_aftercare_reason, required=bool(chosen))
    paid_by = _text("top_up_paid_by", top_up_paid_by, limit=NAME_LIMIT, required=bool(top_up_pence))
    accommodation = _text("top_up_accommodation", top_up_accommodation, required=bool(top_up_pence))
    if top_up_pence is not None and top_up_pence <= 0:
        raise Refused("top_up", "not_positive")
    row = case_aftercare(case)
    before = _aftercare_detail(row)
    if row is None:
        row = CaseAftercare(case_id=case.id, updated_by_id=actor.id)
        db.session.add(row)
    row.not_aftercare = chosen
    row.not_aftercare_reason = reason
    row.top_up_pence = top_up_pence or None
    row.top_up_paid_by = paid_by if top_up_pence else ""
    row.top_up_accommodation = accommodation if top_up_pence else ""
    row.updated_by_id = actor.id
    record(
        "section117.aftercare_recorded",
        actor=actor,
        case=case,
        detail={"before": before, "after": _aftercare_detail(row)},
        reason=reason,
    )
    db.session.commit()
    return row


def _aftercare_detail(row: CaseAftercare | None) -> dict[str, Any] | None:
    """A row as the audit trail keeps it."""
    if row is None:
        return None
    return {
        "not_aftercare": list(row.not_aftercare or []),
        "top_up_pence": row.top_up_pence,
        "top_up_paid_by": row.top_up_paid_by,
        "top_up_accommodation": row.top_up_accommodation,
    }


# -- funding splits -------------------------------------------------------------------------------------


def _percent(field: str, value: Any, *, low: Decimal, high: Decimal) -> Decimal:
    """A percentage with at most two decimal places, between ``low`` and ``high`` inclusive, read by the one
    parser of percentages typed by staff (:func:`portal.money.parse_percent`: "57.5", "57,5 %")."""
    try:
        number = parse_percent(None if value is None else str(value), maximum=high, places=2)
    except AmountError as refused:
        code = {"decimals": "too_precise", "too_large": "out_of_range", "negative": "out_of_range"}
        if refused.code in code:
            raise Refused(field, code[refused.code], low=low, high=high) from None
        raise Refused(field, "not_a_percent") from None
    if number is None:
        raise Refused(field, "not_a_percent")
    if number < low:
        raise Refused(field, "out_of_range", low=low, high=high)
    return number.quantize(Decimal("0.01"))


def _from_today(day: date | None, today: date) -> date:
    """A split starts today or later, so the decisions already made keep the split they recorded."""
    if day is None:
        raise Refused("effective_from", "required")
    if day < today:
        raise Refused("effective_from", "in_past")
    return day


def pooled_split_applies(organisation: Organisation | None) -> bool:
    """Whether the organisation pools aftercare costs in a split of its own: a partnership of a council and an NHS
    body does; a council or an ICB on its own has nothing to pool with (the staff home and the page ask this)."""
    return organisation is not None and organisation.kind == OrganisationKind.PARTNERSHIP


def pooled_splits(organisation: Organisation) -> list[PooledSplit]:
    """The partnership's pooled splits, latest start first: the history, never rewritten."""
    return list(
        db.session.scalars(
            select(PooledSplit)
            .filter_by(organisation_id=organisation.id)
            .order_by(PooledSplit.effective_from.desc(), PooledSplit.id.desc())
        )
    )


def pooled_split_in_force(organisation: Organisation | None, day: date) -> PooledSplit | None:
    """The pooled split in force on ``day``: the one that started latest on or before it."""
    if organisation is None:
        return None
    return next((s for s in pooled_splits(organisation) if s.effective_from <= day), None)


def record_pooled_split(
    actor: Account,
    organisation: Organisation,
    *,
    council_percent: Any,
    effective_from: date | None,
    reason: str | None,
    today: date | None = None,
) -> PooledSplit:
    """A partnership's admin records the split of its pooled budget from a day on (the NHS has the rest)."""
    _staff_of(actor, organisation.id, (Role.ADMIN,))
    if not pooled_split_applies(organisation):
        raise Refused("council_percent", "not_partnership")
    today = today or date.today()
    percent = _percent("council_percent", council_percent, low=Decimal("0.01"), high=Decimal("99.99"))
    start = _from_today(effective_from, today)
    text = _text("reason", reason)
    split = PooledSplit(
        organisation_id=organisation.id,
        council_percent=percent,
        effective_from=start,
        reason=text,
        recorded_by_id=actor.id,
    )
    db.session.add(split)
    record(
        "section117.pooled_split_recorded",
        actor=actor,
        organisation=organisation,
        detail={"council_percent": str(percent), "effective_from": start.isoformat()},
        reason=text,
    )
    db.session.commit()
    return split


def agreed_splits(person: Person, organisation: Organisation | None) -> list[AgreedSplit]:
    """The splits proposed for the person with this organisation, latest first."""
    if organisation is None:
        return []
    return list(
        db.session.scalars(
            select(AgreedSplit)
            .filter_by(person_id=person.id, organisation_id=organisation.id)
            .order_by(AgreedSplit.effective_from.desc(), AgreedSplit.id.desc())
        )
    )


def agreed_split_in_force(person: Person, organisation: Organisation | None, day: date) -> AgreedSplit | None:
    """The approved split for the person that started latest on or before ``day``."""
    return next(
        (
            s
            for s in agreed_splits(person, organisation)
            if s.status == "approved" and s.effective_from <= day
        ),
        None,
    )


def propose_agreed_split(
    actor: Account,
    person: Person,
    organisation: Organisation,
    *,
    council_percent: Any,
    effective_from: date | None,
    reason: str | None,
    today: date | None = None,
) -> AgreedSplit:
    """Propose a split the partners agree for this person, with the reason; it waits for a manager's approval."""
    _staff_of(actor, organisation.id, CASEWORKERS)
    today = today or date.today()
    percent = _percent("council_percent", council_percent, low=Decimal(0), high=Decimal(100))
    start = _from_today(effective_from, today)
    text = _text("reason", reason)
    split = AgreedSplit(
        person_id=person.id,
        organisation_id=organisation.id,
        council_percent=percent,
        effective_from=start,
        reason=text,
        proposed_by_id=actor.id,
    )
    db.session.add(split)
    db.session.flush()
    record(
        "section117.split_proposed",
        actor=actor,
        organisation=organisation,
        detail={
            "person": person.public_id,
            "split": split.public_id,
            "council_percent": str(percent),
            "effective_from": start.isoformat(),
        },
        reason=text,
    )
    db.session.commit()
    return split


def decide_agreed_split(
    actor: Account, split: AgreedSplit, *, approve: bool, reason: str | None = "", today: date | None = None
) -> AgreedSplit:
    """A manager approves a proposed split, or refuses it with a reason; never the one who proposed it, and not
    once the day it was to start has passed (propose it again from a new day)."""
    _staff_of(actor, split.organisation_id, MANAGERS)
    if actor.id == split.proposed_by_id:
        raise NotAllowed("the person who proposed a split cannot approve it")
    if split.status != "proposed":
        raise Refused("outcome", "already_decided")
    today = today or date.today()
    if approve and split.effective_from < today:
        raise Refused("outcome", "start_passed")
    text = _text("reason", reason, required=not approve)
    split.status = "approved" if approve else "refused"
    split.decided_by_id = actor.id
    split.decided_at = utcnow()
    split.decision_reason = text
    record(
        "section117.split_approved" if approve else "section117.split_refused",
        actor=actor,
        organisation=db.session.get(Organisation, split.organisation_id),
        detail={"split": split.public_id, "council_percent": str(split.council_percent)},
        reason=text,
    )
    db.session.commit()
    return split


@dataclass(frozen=True)
class SplitBasis:
    """Which split a budget uses: ``kind`` is lines (each line's funder), pooled or agreed."""

    kind: str
    council_percent: Decimal | None = None
    effective_from: date | None = None
    reference: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As a stored estimate keeps it."""
        if self.kind == "lines":
            return {"kind": "lines"}
        council = self.council_percent or Decimal(0)
        return {
            "kind": self.kind,
            "council_percent": str(council),
            "nhs_percent": str((Decimal(100) - council).quantize(Decimal("0.01"))),
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "reference": self.reference,
        }


def split_for(case: Case, day: date | None = None) -> SplitBasis:
    """The split a case's budget uses on ``day``: one agreed for the person, else (for aftercare) the
    partnership's pooled split in force, else each line's funder."""
    day = day or date.today()
    agreed = agreed_split_in_force(case.person, case.organisation, day)
    if agreed is not None:
        return SplitBasis("agreed", Decimal(agreed.council_percent), agreed.effective_from, agreed.public_id)
    if is_aftercare(case, day):
        pooled = pooled_split_in_force(case.organisation, day)
        if pooled is not None:
            return SplitBasis("pooled", Decimal(pooled.council_percent), pooled.effective_from)
    return SplitBasis("lines")


def funded(case: Case, result: Estimate, day: date | None = None) -> tuple[Estimate, SplitBasis]:
    """The estimate with the split in force for the case on ``day`` applied, and which split that was."""
    basis = split_for(case, day)
    if basis.council_percent is None:
        return result, basis
    return apportion(result, Fraction(basis.council_percent) / 100), basis
