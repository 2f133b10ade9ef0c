"""The NHS tables: personal health budget sign-offs and the adult Continuing Healthcare record.

Kept beside :mod:`portal.models` (which imports this module at its end, so the metadata holds these tables)
because they belong to the NHS tools, not to every case. Each row is a record made once and never changed: a
later record of the same thing (a corrected Decision Support Tool, a new eligibility decision) is a new row, and
the latest is the one that counts. The rules are in :mod:`portal.phb` and :mod:`portal.chc`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models import Account, UTCDateTime, utcnow


class PhbStep(db.Model):  # type: ignore[misc,name-defined]
    """One step of the personal health budget process signed off, by whom, when and at which governance level.

    ``level`` is the level it was signed at: 1 when the person signed it off themselves (recorded by staff), or
    the signatory's approval level (2 to 4). ``required_level`` is the organisation's level for the step then.
    The final budget's sign-off records the budget it authorises (``decision_id``, the confirmed budget waiting
    then, and its weekly figure): confirmed again, the budget needs a new sign-off, a new row (:mod:`portal.phb`).
    Each other step is signed once a case; the final budget once for each budget confirmed.
    """

    __tablename__ = "phb_steps"
    __table_args__ = (
        Index(
            "uq_phb_steps_case_id_step",
            "case_id",
            "step",
            unique=True,
            sqlite_where=text("decision_id IS NULL"),
            postgresql_where=text("decision_id IS NULL"),
        ),
        Index(
            "uq_phb_steps_case_id_step_decision_id",
            "case_id",
            "step",
            "decision_id",
            unique=True,
            sqlite_where=text("decision_id IS NOT NULL"),
            postgresql_where=text("decision_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(Integer)
    required_level: Mapped[int] = mapped_column(Integer)
    # Who signed it off: a member of staff, or (by_person) the person themselves, which staff recorded.
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    by_person: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    signed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    note_lang: Mapped[str] = mapped_column(String(8), default="en")
    # The PHB method step records the budget's form; the budget review whether it continues or stops.
    phb_form: Mapped[str] = mapped_column(String(32), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="")
    # The final budget: the confirmed budget it authorises and its weekly figure then.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), nullable=True)
    weekly_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    signed_by: Mapped[Account | None] = relationship(foreign_keys=[signed_by_id])
    recorded_by: Mapped[Account] = relationship(foreign_keys=[recorded_by_id])


class ChcAssessment(db.Model):  # type: ignore[misc,name-defined]
    """The Decision Support Tool's care domains and levels as the multidisciplinary team recorded them."""

    __tablename__ = "chc_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # Domain key -> level key, exactly as the team recorded them (portal.chc.DOMAINS names both).
    domains: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    completed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    note_lang: Mapped[str] = mapped_column(String(8), default="en")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[Account] = relationship()


class ChcEligibility(db.Model):  # type: ignore[misc,name-defined]
    """The ICB's decision on eligibility for NHS Continuing Healthcare, as the ICB made it."""

    __tablename__ = "chc_eligibility_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    eligible: Mapped[bool] = mapped_column(Boolean)
    decided_on: Mapped[date] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text)
    reasons_lang: Mapped[str] = mapped_column(String(8), default="en")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[Account] = relationship()


class RecordChanged(RuntimeError):
    """Raised when code tries to change or remove a signed step or a recorded CHC record."""


def _refuse(mapper: Any, connection: Any, target: Any) -> None:
    """A sign-off or a recorded assessment or decision is never changed: a later one is a new row."""
    raise RecordChanged(f"{type(target).__name__} rows are never changed or removed")


for _table in (PhbStep, ChcAssessment, ChcEligibility):
    event.listen(_table, "before_update", _refuse)
    event.listen(_table, "before_delete", _refuse)
