"""A personal health budget's process and its sign-offs, at the four levels of the PHB governance framework.

The framework (seed 004) follows a budget through its steps, and each step is signed off by someone accountable at
one of four levels: 1 the person's own decisions; 2 clinical decisions by the professional or service manager;
3 higher organisational accountability (the care and support plan, how the budget was set); 4 the highest
(commissioning, quality and finance). Staff accounts carry their level (2 to 4, ``Account.approval_level``);
level 1 is the person, whose own sign-off a member of staff records.

The rules, all here and refused here:

- a step is signed off by someone whose level is at least the organisation's level for that step
  (:data:`DEFAULT_LEVELS`, overridden in the organisation's settings under ``phb_levels``);
- the person may sign off only a step whose level is 1;
- the steps of a case are signed in order, each once;
- the final budget authorises the budget the case's assessor confirmed, so it needs one waiting for sign-off, and
  its sign-off records that budget (the decision and its weekly figure); it counts only while that budget is the
  case's budget (:func:`budget_in_question`): returned, or confirmed again (at a new figure or not), the budget
  needs its final budget signed off again (:func:`final_budget_changed` says why);
- a case whose PHB process has started is decided only once its final budget is signed off for the budget
  being decided (:func:`awaits_final_budget`, :func:`require_final_budget`: the budget services ask);
- only active staff of the case's organisation record a sign-off, and only while the case is open: nothing on a
  decided or withdrawn case changes (:func:`portal.cases.hold_open`).

Setting a budget up (assessed needs, indicative budget, PHB method, plan, final budget) is the work of a first
assessment, a correction or a reconsideration; the reviews (of the plan, of the budget with whether it stops or
continues, and the audit) are the work of a review, which is a new case linked to the decided one, because the
decided case never changes again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import cases
from portal.audit import record
from portal.case_record import pending_decision
from portal.cases import NotAllowed, Relation, Stale
from portal.extensions import db
from portal.health_models import PhbStep
from portal.models import Account, Case, CaseKind, Decision, Organisation


class Step(StrEnum):
    """The steps of the PHB process, in the framework's order."""

    ASSESSED_NEEDS = "assessed_needs"
    INDICATIVE_BUDGET = "indicative_budget"
    PHB_METHOD = "phb_method"
    PLAN = "plan"
    FINAL_BUDGET = "final_budget"
    PLAN_REVIEW = "plan_review"
    BUDGET_REVIEW = "budget_review"
    AUDIT = "audit"


class PhbForm(StrEnum):
    """How the budget is held: the NHS arranges it (notional), an organisation holds it, or the person does."""

    NOTIONAL = "notional"
    THIRD_PARTY = "third_party"
    DIRECT_PAYMENT = "direct_payment"


class ReviewOutcome(StrEnum):
    """What a budget review decides."""

    CONTINUE = "continue"
    STOP = "stop"


SETTING_UP: tuple[Step, ...] = (
    Step.ASSESSED_NEEDS,
    Step.INDICATIVE_BUDGET,
    Step.PHB_METHOD,
    Step.PLAN,
    Step.FINAL_BUDGET,
)
"""The steps of a first assessment, a correction or a reconsideration."""
REVIEWING: tuple[Step, ...] = (Step.PLAN_REVIEW, Step.BUDGET_REVIEW, Step.AUDIT)
"""The steps of a review (a new case linked to the decided one)."""

PERSON_LEVEL = 1
LEVELS = (1, 2, 3, 4)

#: The level each step needs unless the organisation sets its own: clinical steps at 2, the plan and how the
#: budget was set at 3, the final budget's authorisation and the audit at 4, and the method (how the person
#: wants the budget held) the person's own decision.
DEFAULT_LEVELS: Mapping[Step, int] = {
    Step.ASSESSED_NEEDS: 2,
    Step.INDICATIVE_BUDGET: 3,
    Step.PHB_METHOD: 1,
    Step.PLAN: 3,
    Step.FINAL_BUDGET: 4,
    Step.PLAN_REVIEW: 2,
    Step.BUDGET_REVIEW: 3,
    Step.AUDIT: 4,
}

#: The tools whose budgets are NHS personal health budgets: Continuing Healthcare, children's Continuing Care, and
#: Section 117 aftercare (whose NHS part the person has the right to have as a personal health budget).
PHB_TOOLS = frozenset({"continuing_healthcare", "continuing_care", "section_117"})

_KNOWN = frozenset(step.value for step in Step)
_STAFF = frozenset({Relation.HOLDER, Relation.ASSESSOR, Relation.MANAGER})


class Refused(ValueError):
    """The sign-off breaks a rule; ``code`` says which (the page words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def steps_for(case: Case) -> tuple[Step, ...]:
    """The steps this case goes through: a review's, or setting a budget up."""
    return REVIEWING if case.kind == CaseKind.REVIEW else SETTING_UP


def required_level(organisation: Organisation | None, step: Step) -> int:
    """The organisation's level for the step (its ``phb_levels`` setting), else the default."""
    configured = ((organisation.settings or {}) if organisation is not None else {}).get("phb_levels") or {}
    value = configured.get(step.value) if isinstance(configured, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and value in LEVELS:
        return value
    return DEFAULT_LEVELS[step]


def budget_in_question(case: Case) -> Decision | None:
    """The budget a final budget authorises: the one the assessor confirmed last, while it waits for sign-off or
    once approved; None when there is none, or it was returned (until the assessor confirms one again)."""
    latest = db.session.scalar(
        select(Decision).filter_by(case_id=case.id).order_by(Decision.id.desc()).limit(1)
    )
    return latest if latest is not None and latest.outcome in ("pending", "approved") else None


def _authorises(row: PhbStep, budget: Decision | None) -> bool:
    """Whether a final budget's sign-off is of this budget (the confirmed decision it recorded)."""
    return budget is not None and row.decision_id == budget.id


def _rows(case: Case) -> list[PhbStep]:
    rows = db.session.scalars(select(PhbStep).filter_by(case_id=case.id).order_by(PhbStep.id))
    return [row for row in rows if row.step in _KNOWN]


def signed(case: Case) -> dict[Step, PhbStep]:
    """The sign-offs that count on the case, by step: a final budget's only while the budget it authorised is the
    case's budget (:func:`budget_in_question`)."""
    rows = _rows(case)
    budget = budget_in_question(case) if any(row.step == Step.FINAL_BUDGET for row in rows) else None
    return {Step(row.step): row for row in rows if row.step != Step.FINAL_BUDGET or _authorises(row, budget)}


@dataclass(frozen=True)
class Changed:
    """Why a final budget signed off no longer counts: the budget it authorised was returned (``now_pence`` None,
    until it is confirmed again) or confirmed again (at ``now_pence`` a week; the same figure or another)."""

    signoff: PhbStep
    signed_pence: int | None
    now_pence: int | None

    @property
    def why(self) -> str:
        """``returned`` (not confirmed again yet), ``figure_changed`` or ``confirmed_again`` (the same figure)."""
        if self.now_pence is None:
            return "returned"
        return "confirmed_again" if self.now_pence == self.signed_pence else "figure_changed"


def final_budget_changed(case: Case) -> Changed | None:
    """The final budget signed off last, when it no longer counts because the budget changed since; else None."""
    finals = [row for row in _rows(case) if row.step == Step.FINAL_BUDGET]
    if not finals:
        return None
    budget = budget_in_question(case)
    if any(_authorises(row, budget) for row in finals):
        return None
    return Changed(
        signoff=finals[-1],
        signed_pence=finals[-1].weekly_pence,
        now_pence=budget.confirmed_weekly_pence if budget is not None else None,
    )


def next_step(case: Case, done: Mapping[Step, PhbStep] | None = None) -> Step | None:
    """The first step of the case not yet signed off, or None when all are."""
    done = signed(case) if done is None else done
    return next((step for step in steps_for(case) if step not in done), None)


def applies(case: Case) -> bool:
    """Whether the case's budget is an NHS personal health budget (its tool is one of :data:`PHB_TOOLS`)."""
    return case.tool_key in PHB_TOOLS


def may_record(account: Account | None, case: Case) -> bool:
    """Whether the account may record sign-offs on this case now (a PHB case, open, staff of its organisation)."""
    return applies(case) and cases.is_open(case) and bool(cases.relations(account, case) & _STAFF)


def awaits_final_budget(case: Case) -> bool:
    """Whether the case sets a personal health budget up, its PHB process has started (a step is signed off) and
    its final budget is not yet signed off: its confirmed budget then waits for that sign-off before a decision."""
    if not applies(case) or Step.FINAL_BUDGET not in steps_for(case):
        return False
    done = signed(case)
    return bool(done) and Step.FINAL_BUDGET not in done


def require_final_budget(case: Case) -> None:
    """Refuse (:class:`Refused`, ``final_budget_not_signed``) to decide a budget that waits for its final budget."""
    if awaits_final_budget(case):
        raise Refused("final_budget_not_signed")


@dataclass(frozen=True)
class Row:
    """A step as the page shows it: its level, its sign-off if any, and whether it is the one to sign next."""

    step: Step
    required_level: int
    signoff: PhbStep | None
    is_next: bool
    changed: Changed | None = None


def progress(case: Case) -> list[Row]:
    """Every step of the case in order, with its sign-off or what it still needs (the final budget: why it is to
    sign off again, when the budget changed since it was)."""
    done = signed(case)
    upcoming = next_step(case, done)
    changed = final_budget_changed(case) if Step.FINAL_BUDGET not in done else None
    return [
        Row(
            step,
            required_level(case.organisation, step),
            done.get(step),
            step == upcoming,
            changed if step == Step.FINAL_BUDGET else None,
        )
        for step in steps_for(case)
    ]


def form_in_force(case: Case) -> PhbForm | None:
    """The budget's form as last recorded in the case's line (a review keeps the form chosen before it)."""
    found: PhbForm | None = None
    for member in cases.chain(case):
        row = db.session.scalar(select(PhbStep).filter_by(case_id=member.id, step=Step.PHB_METHOD.value))
        if row is not None and row.phb_form:
            found = PhbForm(row.phb_form)
        if member.id == case.id:
            break
    return found


def sign_off(
    account: Account,
    case: Case,
    step: Step,
    *,
    signed_on: date,
    today: date,
    by_person: bool = False,
    note: str = "",
    note_lang: str = "en",
    phb_form: PhbForm | None = None,
    outcome: ReviewOutcome | None = None,
) -> PhbStep:
    """Record a step's sign-off, or refuse (:class:`NotAllowed`, :class:`Refused`, :class:`Stale`).

    ``by_person``: the person signed it off themselves (level 1) and ``account`` records it; otherwise
    ``account`` signs it off at their own approval level. The caller commits.
    """
    if not may_record(account, case):
        raise NotAllowed("only staff of the case's organisation record sign-offs, and only on an open case")
    if step not in steps_for(case):
        raise Refused("not_this_case")
    done = signed(case)
    if step in done:
        raise Refused("already_signed")
    if next_step(case, done) != step:
        raise Refused("out_of_order")
    needed = required_level(case.organisation, step)
    if by_person:
        if needed > PERSON_LEVEL:
            raise Refused("level_too_low")
        level = PERSON_LEVEL
    else:
        level = account.approval_level or 0
        if level < needed:
            raise Refused("level_too_low")
    if signed_on > today:
        raise Refused("date_in_future")
    if step == Step.PHB_METHOD and phb_form is None:
        raise Refused("form_missing")
    if step == Step.BUDGET_REVIEW and outcome is None:
        raise Refused("outcome_missing")
    authorised = pending_decision(case) if step == Step.FINAL_BUDGET else None
    if step == Step.FINAL_BUDGET and authorised is None:
        raise Refused("no_confirmed_budget")  # it authorises the budget the assessor confirmed
    cases.hold_open(case)
    row = PhbStep(
        case_id=case.id,
        step=step.value,
        level=level,
        required_level=needed,
        signed_by_id=None if by_person else account.id,
        by_person=by_person,
        recorded_by_id=account.id,
        signed_on=signed_on,
        note=note.strip(),
        note_lang=note_lang,
        phb_form=phb_form.value if step == Step.PHB_METHOD and phb_form else "",
        outcome=outcome.value if step == Step.BUDGET_REVIEW and outcome else "",
        decision_id=authorised.id if authorised is not None else None,
        weekly_pence=authorised.confirmed_weekly_pence if authorised is not None else None,
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError as error:  # someone signed the same step at the same moment
        db.session.rollback()
        raise Stale("the step was signed off by someone else meanwhile") from error
    record(
        "phb.step_signed",
        actor=account,
        case=case,
        reason=note.strip(),
        detail={
            "step": step.value,
            "level": level,
            "required_level": needed,
            "by_person": by_person,
            "signed_on": signed_on.isoformat(),
            **({"phb_form": row.phb_form} if row.phb_form else {}),
            **({"outcome": row.outcome} if row.outcome else {}),
            **(
                {"decision_id": row.decision_id, "weekly_pence": row.weekly_pence}
                if row.decision_id is not None
                else {}
            ),
        },
    )
    return row
