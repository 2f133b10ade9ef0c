"""What changed between the decision in force and a review: need by area, and the budget line by line.

For each area of need, the level and the share of unpaid support then and now, and whether it was found eligible
each time; for the budget, each line of the allocation summary then and now, the lines that moved, and the engine's
reasons for each side by side, worded in the page's language (:mod:`portal.vocabulary`). A line that moved only
because what was found eligible changed (the need on it is the same) says so, rather than reading as a change in
need. Both front doors and the review's PDF read it from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from flask_babel import gettext

from portal import budgets, tool_service, vocabulary
from portal.engine import Estimate
from portal.engine.result import NOT_ELIGIBLE, Reason
from portal.extensions import db
from portal.models import Case, CaseStatus, Decision
from portal.models import Estimate as StoredEstimate
from portal.tools import DEFAULT_TOOL, Tool


@dataclass(frozen=True)
class AreaChange:
    """One area of need then and now."""

    area: str
    name: str
    level_then: int
    level_now: int
    unpaid_then: str
    unpaid_now: str
    changed: bool  # the need (level or unpaid help) changed
    eligible_then: bool | None = None  # found eligible (None: not known, e.g. before a determination)
    eligible_now: bool | None = None

    @property
    def eligibility_changed(self) -> bool:
        """Found eligible one time and not the other (both known)."""
        return None not in (self.eligible_then, self.eligible_now) and self.eligible_then != self.eligible_now


@dataclass(frozen=True)
class LineChange:
    """One line of the allocation summary then and now, with the engine's reasons for each."""

    key: str
    title: str
    then_pence: int
    now_pence: int
    reasons_then: tuple[str, ...]
    reasons_now: tuple[str, ...]
    # Moved only because an area on the line was found eligible one time and not the other: the need on the line,
    # everything else the engine took into account and the configuration are the same.
    eligibility_only: bool = False

    @property
    def moved(self) -> bool:
        """Whether the amount changed."""
        return self.then_pence != self.now_pence

    @property
    def why_words(self) -> str:
        """Why a line that moved only because of eligibility moved ("" for any other line)."""
        if not self.eligibility_only:
            return ""
        return str(
            gettext(
                "This line changed because of what was found eligible: the help needed is the same as last time."
            )
        )

    @property
    def difference_pence(self) -> int:
        """Now less then."""
        return self.now_pence - self.then_pence


@dataclass(frozen=True)
class WhatChanged:
    """Need and money then and now."""

    areas: list[AreaChange]
    lines: list[LineChange]
    total_then_pence: int | None  # the budget decided then (None: no budget)
    total_now_pence: int | None  # the budget decided now, or calculated while the review is open
    decided_now: bool  # whether "now" is a decision (else a calculation)

    @property
    def moved_lines(self) -> list[LineChange]:
        """The lines whose amount changed."""
        return [line for line in self.lines if line.moved]

    @property
    def eligibility_words(self) -> list[str]:
        """What changed in eligibility, in sentences: the areas found eligible last time and not now, and the other
        way round (empty when nothing did, or it is not known yet)."""
        lost = [row.name for row in self.areas if row.eligibility_changed and row.eligible_then]
        gained = [row.name for row in self.areas if row.eligibility_changed and row.eligible_now]
        words = []
        if lost:
            words.append(str(gettext("Found eligible last time, not now: %(areas)s.", areas=", ".join(lost))))
        if gained:
            words.append(
                str(gettext("Found eligible now, not last time: %(areas)s.", areas=", ".join(gained)))
            )
        return words


Funds = Callable[[str], bool]


def _funds(result: Estimate | None, decided: bool) -> Funds | None:
    """Whether the estimate funds each area (found eligible), or None when that is not known: an estimate made
    without a determination funds everything, which is what a decision made that way found; before a decision it
    says nothing about eligibility."""
    if result is None:
        return None
    if result.eligible is None:
        return (lambda key: True) if decided else None
    return frozenset(result.eligible).__contains__


def _levels(answers: Mapping[str, Any], tool: Tool) -> dict[str, tuple[int, Decimal]]:
    """Each of the tool's areas' level of need (0 to its highest) and unpaid share, from answers."""
    profile = tool.schema.to_profile(answers)
    found = {}
    for area in tool.areas:
        level = profile.get(f"need_{area}")
        share = profile.get(f"unpaid_{area}")
        found[area] = (
            int(level) if isinstance(level, int | float | Decimal) else 0,
            Decimal(str(share))
            if isinstance(share, int | float | Decimal | str) and str(share)
            else Decimal(0),
        )
    return found


def _share_words(share: Decimal) -> str:
    """An unpaid share in words ("none", "about half")."""
    if share <= 0:
        return str(gettext("none"))
    key = format(share.normalize(), "f")
    return str(vocabulary.UNPAID_SHARE_WORDS.get(key, key))


def areas_then_and_now(
    then: Mapping[str, Any],
    now: Mapping[str, Any],
    tool: Tool | None = None,
    *,
    funds_then: Funds | None = None,
    funds_now: Funds | None = None,
) -> list[AreaChange]:
    """Every area of the tool (by default the adult self-assessment) with a need then or now, in the order of its
    configuration, marking those whose need changed, and whether each was found eligible then and now (where
    known)."""
    tool = tool or tool_service.get(DEFAULT_TOOL)
    before, after = _levels(then, tool), _levels(now, tool)
    rows = []
    for area in tool.areas:
        (level_then, unpaid_then), (level_now, unpaid_now) = before[area], after[area]
        if not (level_then or level_now):
            continue
        rows.append(
            AreaChange(
                area=area,
                name=budgets.area_name(area, tool),
                level_then=level_then,
                level_now=level_now,
                unpaid_then=_share_words(unpaid_then),
                unpaid_now=_share_words(unpaid_now),
                changed=(level_then, unpaid_then) != (level_now, unpaid_now),
                eligible_then=funds_then(area) if funds_then is not None else None,
                eligible_now=funds_now(area) if funds_now is not None else None,
            )
        )
    return rows


def lines_then_and_now(
    then: Estimate | None, now: Estimate | None, tool: Tool | None = None, *, now_decided: bool = True
) -> list[LineChange]:
    """Every line allocated then or now, in the allocation summary's order, with its reasons on each side (in the
    tool's own words where it has them), and whether it moved only because of what was found eligible (``then`` is
    a decision; ``now`` one when ``now_decided``)."""
    then_lines = {line.key: line for line in budgets.worded_lines(then, tool=tool)} if then else {}
    now_lines = {line.key: line for line in budgets.worded_lines(now, tool=tool)} if now else {}
    amounts_then = {line.key: line.amount_pence for line in then.lines if line.allocated} if then else {}
    amounts_now = {line.key: line.amount_pence for line in now.lines if line.allocated} if now else {}
    shape = now or then
    order = [line.key for line in shape.lines] if shape is not None else []
    order += [key for key in then_lines if key not in order]
    rows = []
    for key in order:
        if key not in amounts_then and key not in amounts_now:
            continue
        worded = now_lines.get(key) or then_lines[key]
        rows.append(
            LineChange(
                key=key,
                title=worded.title,
                then_pence=amounts_then.get(key, 0),
                now_pence=amounts_now.get(key, 0),
                reasons_then=then_lines[key].reasons if key in then_lines else (),
                reasons_now=now_lines[key].reasons if key in now_lines else (),
            )
        )
    funds_then, funds_now = _funds(then, True), _funds(now, now_decided)
    if then is None or now is None or funds_then is None or funds_now is None:
        return rows
    return [
        replace(row, eligibility_only=_moved_by_eligibility(row.key, then, now, funds_then, funds_now))
        if row.moved
        else row
        for row in rows
    ]


def _moved_by_eligibility(
    key: str, then: Estimate, now: Estimate, funds_then: Funds, funds_now: Funds
) -> bool:
    """Whether the line moved only because an area on it was found eligible one time and not the other.

    From the engine's reasons on the line: some area on it is funded one time and not the other, at the same level
    of need both times, and every other reason on the line (other areas' need, unpaid help, factors, rates) is the
    same, under the same configuration.
    """
    if then.config_hash != now.config_hash:
        return False
    mine_then = [r for r in then.reasons if r.line == key]
    mine_now = [r for r in now.reasons if r.line == key]
    areas = {_area_of(r.field) for r in (*mine_then, *mine_now)} - {""}
    moved = {area for area in areas if funds_then(area) != funds_now(area)}
    if not moved:
        return False

    def level(reasons: list[Reason], area: str) -> set[Any]:
        return {r.value for r in reasons if r.field == f"need_{area}"}

    def others(reasons: list[Reason]) -> set[tuple[Any, ...]]:
        return {
            (r.effect, r.field, r.value, r.other_field, r.other_value)
            for r in reasons
            if r.effect != NOT_ELIGIBLE and not {_area_of(r.field), _area_of(r.other_field)} & moved
        }

    same_need = all(level(mine_then, area) == level(mine_now, area) for area in moved)
    return same_need and others(mine_then) == others(mine_now)


def _area_of(field: str | None) -> str:
    """The area a reason's field is about ("need_hygiene", "unpaid_hygiene": "hygiene"), else ""."""
    for prefix in ("need_", "unpaid_"):
        if field and field.startswith(prefix):
            return field.removeprefix(prefix)
    return ""


def decided_estimate(decision: Decision | None) -> Estimate | None:
    """The engine's result a decision was confirmed on."""
    if decision is None:
        return None
    stored = db.session.get(StoredEstimate, decision.estimate_id)
    return budgets.loaded(stored) if stored is not None else None


def compare(
    before: Case,
    before_decision: Decision | None,
    now_answers: Mapping[str, Any],
    now_result: Estimate | None,
    *,
    now_decision: Decision | None = None,
) -> WhatChanged:
    """What changed from the decided case ``before`` to the review's answers and budget now."""
    from portal.case_record import validated_answers

    then_result = decided_estimate(before_decision)
    tool = tool_service.of(before)  # a review keeps the tool of the case it follows
    decided_now = now_decision is not None
    return WhatChanged(
        areas=areas_then_and_now(
            validated_answers(before),
            now_answers,
            tool,
            funds_then=_funds(then_result, True),
            funds_now=_funds(now_result, decided_now),
        ),
        lines=lines_then_and_now(
            then_result if _has_budget(before_decision) else None, now_result, tool, now_decided=decided_now
        ),
        total_then_pence=before_decision.confirmed_weekly_pence if before_decision else None,
        total_now_pence=(
            now_decision.confirmed_weekly_pence
            if now_decision is not None
            else (now_result.total_weekly_pence if now_result else None)
        ),
        decided_now=decided_now,
    )


def _has_budget(decision: Decision | None) -> bool:
    return decision is not None and decision.confirmed_weekly_pence is not None


def for_review(case: Case, *, now_result: Estimate | None = None) -> WhatChanged | None:
    """What changed in a review: against the case it follows; "now" is the review's decision once decided, else
    ``now_result`` (the caller's calculation: the validated answers for staff, the person's own estimate)."""
    from portal import reviews
    from portal.case_record import final_decision, validated_answers

    before = reviews.previous_case(case)
    if before is None:
        return None
    before_decision = final_decision(before)
    decision = final_decision(case) if case.status == CaseStatus.DECIDED else None
    if decision is not None:
        result = decided_estimate(decision) if decision.confirmed_weekly_pence is not None else None
        return compare(before, before_decision, validated_answers(case), result, now_decision=decision)
    answers = (
        validated_answers(case)
        if case.sent_at is not None
        else tool_service.schema_of(case).decode_answers(case.answers or {})
    )
    return compare(before, before_decision, answers, now_result)
