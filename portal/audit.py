"""The append-only audit trail: who did what, when, to what, and why."""

from __future__ import annotations

from typing import Any

from portal.extensions import db
from portal.models import Account, AuditEvent, Case, Organisation


def record(
    action: str,
    *,
    actor: Account | None = None,
    case: Case | None = None,
    organisation: Organisation | None = None,
    detail: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Add an audit event to the current transaction (it is saved with the change it describes)."""
    org_id = organisation.id if organisation else (case.organisation_id if case else None)
    if org_id is None and actor is not None:
        org_id = actor.organisation_id
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        case_id=case.id if case else None,
        organisation_id=org_id,
        detail=detail or {},
        reason=reason,
    )
    db.session.add(event)
    return event
