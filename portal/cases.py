"""Case statuses and who may move a case between them (docs/decisions/0001-data-model.md).

Pure rules, no database: services call :func:`check_transition` before they change a case.
"""

from __future__ import annotations

from enum import StrEnum

from portal.models import CaseStatus as S


class Actor(StrEnum):
    """Who is asking to move a case, relative to that case."""

    PERSON = "person"  # the person, or an account acting for them
    HOLDER = "holder"  # the assessor who holds the case
    ASSESSOR = "assessor"  # any assessor of the case's organisation
    APPROVER = "approver"  # an approver of the organisation with enough authority
    ADMIN = "admin"  # the organisation's admin


#: (from, to) → the actors who may make that move.
TRANSITIONS: dict[tuple[S, S], frozenset[Actor]] = {
    (S.DRAFT, S.SENT): frozenset({Actor.PERSON, Actor.HOLDER}),
    (S.SENT, S.DRAFT): frozenset({Actor.PERSON}),  # taken back to change, only while unclaimed
    (S.SENT, S.CLAIMED): frozenset({Actor.ASSESSOR}),
    (S.CLAIMED, S.SENT): frozenset({Actor.HOLDER, Actor.APPROVER, Actor.ADMIN}),  # released
    (S.CLAIMED, S.WAITING_FOR_PERSON): frozenset({Actor.HOLDER}),
    (S.WAITING_FOR_PERSON, S.CLAIMED): frozenset({Actor.PERSON, Actor.HOLDER}),
    (S.CLAIMED, S.WAITING_FOR_APPROVAL): frozenset({Actor.HOLDER}),
    (S.WAITING_FOR_APPROVAL, S.CLAIMED): frozenset({Actor.APPROVER}),  # returned with a reason
    (S.CLAIMED, S.DECIDED): frozenset({Actor.HOLDER}),
    (S.WAITING_FOR_APPROVAL, S.DECIDED): frozenset({Actor.APPROVER}),
    (S.DRAFT, S.WITHDRAWN): frozenset({Actor.PERSON}),
    (S.SENT, S.WITHDRAWN): frozenset({Actor.PERSON}),
    (S.CLAIMED, S.WITHDRAWN): frozenset({Actor.HOLDER}),
    (S.WAITING_FOR_PERSON, S.WITHDRAWN): frozenset({Actor.PERSON, Actor.HOLDER}),
}


class TransitionError(ValueError):
    """A move between statuses that is not allowed, or not allowed for this actor."""


def allowed(current: S, target: S, actor: Actor) -> bool:
    """Whether ``actor`` may move a case from ``current`` to ``target``."""
    return actor in TRANSITIONS.get((current, target), frozenset())


def check_transition(current: S, target: S, actor: Actor) -> None:
    """Raise :class:`TransitionError` unless the move is allowed for the actor."""
    if (current, target) not in TRANSITIONS:
        raise TransitionError(f"a case cannot go from {current.value} to {target.value}")
    if not allowed(current, target, actor):
        raise TransitionError(f"{actor.value} cannot move a case from {current.value} to {target.value}")


#: Statuses in which the case is with the council (shown to the person as "with the council").
OPEN_WITH_COUNCIL = frozenset({S.SENT, S.CLAIMED, S.WAITING_FOR_APPROVAL})
