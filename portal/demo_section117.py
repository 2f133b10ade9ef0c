"""The demo's Section 117 partnership: Riverside Health and Care Partnership, where Riverside Borough Council and
NHS Riverside Integrated Care Board share a pooled budget for aftercare (57.5% council : 42.5% NHS since 1 April
2023), with example people entitled to aftercare.

Everything is recorded through :mod:`portal.section117` by the partnership's own demo staff, as it would have been
on the day (each rule still applies), so the demo shows what the pages show: the detentions, the responsible bodies
fixed again by a later detention, the split in force and the free aftercare. None of it is a real person.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal import section117
from portal.extensions import db
from portal.models import Account, Case, Organisation, Role

PARTNERSHIP = "riverside"
COUNCIL = "Riverside Borough Council"
ICB = "NHS Riverside Integrated Care Board"
POOL_FROM = date(2023, 4, 1)

#: Each example person's detentions, oldest first: (section, began, days detained, council, ICB); days None:
#: still detained. A later qualifying detention fixes the responsible bodies again.
DETENTIONS: dict[str, tuple[tuple[str, date, int | None, str, str], ...]] = {
    "Daniel Osei": (
        ("3", date(2023, 2, 6), 70, "Westmoor County Council", "NHS Westmoor Integrated Care Board"),
        ("3", date(2025, 11, 3), 56, COUNCIL, ICB),
    ),
    "Gwen Price": (("3", date(2024, 6, 10), 120, COUNCIL, ICB),),
}


def seed_section117_demo(today: date | None = None) -> int:
    """Record the partnership's pooled split and its example people's detentions; safe to run twice.

    Returns how many detentions were recorded (0 when they already were, or the demo has no such people yet).
    """
    today = today or date.today()
    partnership = db.session.scalar(select(Organisation).filter_by(slug=PARTNERSHIP))
    if partnership is None:
        return 0
    admin = _staff(partnership, Role.ADMIN)
    assessor = _staff(partnership, Role.ASSESSOR)
    if admin is None or assessor is None:
        return 0
    if not section117.pooled_splits(partnership):
        section117.record_pooled_split(
            admin,
            partnership,
            council_percent="57.5",
            effective_from=POOL_FROM,
            reason="Pooled budget agreement between Riverside Borough Council and NHS Riverside ICB for "
            "section 117 aftercare (demo).",
            today=POOL_FROM,
        )
    recorded = 0
    for name, detentions in DETENTIONS.items():
        case = db.session.scalar(
            select(Case)
            .filter_by(organisation_id=partnership.id, person_name=name)
            .order_by(Case.id)
            .limit(1)
        )
        if case is None or section117.detentions(case.person, partnership):
            continue
        for section, began, days, council, icb in detentions:
            discharged = began + timedelta(days=days) if days is not None else None
            section117.record_detention(
                assessor,
                case.person,
                partnership,
                section=section,
                detained_on=began,
                discharged_on=discharged,
                responsible_council=council,
                responsible_icb=icb,
                notes="Demo record.",
                today=today,
            )
            recorded += 1
    return recorded


def _staff(organisation: Organisation, role: Role) -> Account | None:
    """The organisation's first active member of staff in the role."""
    return db.session.scalar(
        select(Account)
        .filter_by(organisation_id=organisation.id, role=role, is_active=True)
        .order_by(Account.id)
        .limit(1)
    )
