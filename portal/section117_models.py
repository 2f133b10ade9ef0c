"""The Section 117 tables: detentions that give the right to aftercare, joint decisions ending it, what a case's
aftercare covers, and how a partnership shares the cost (its pooled split over time, a split agreed for one person).

The rules that fill them are in :mod:`portal.section117`; nothing else writes these rows. Every row is kept: an
ending, a new pooled split or a new agreed split is a new row, so what was in force on any day can be read back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models import Account, Person, UTCDateTime, new_public_id, utcnow


class Detention(db.Model):  # type: ignore[misc,name-defined]
    """A detention under a section of the Mental Health Act 1983 that gives the right to aftercare (section 117).

    The responsible council is the one where the person was ordinarily resident immediately before this
    detention; a later qualifying detention fixes them again (R (Worcestershire CC) v Secretary of State [2023]
    UKSC 31), so the bodies in force are those of the latest qualifying detention.
    """

    __tablename__ = "section117_detentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    section: Mapped[str] = mapped_column(String(8))  # one of portal.section117.QUALIFYING_SECTIONS
    detained_on: Mapped[date] = mapped_column(Date)
    discharged_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # None: still detained
    responsible_council: Mapped[str] = mapped_column(String(200))
    responsible_icb: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship()
    recorded_by: Mapped[Account] = relationship()


class Ending(db.Model):  # type: ignore[misc,name-defined]
    """A joint decision of the council and the ICB, made with the person, that aftercare is no longer needed."""

    __tablename__ = "section117_endings"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    detention_id: Mapped[int] = mapped_column(ForeignKey("section117_detentions.id"))
    ended_on: Mapped[date] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text)
    council_decided_by: Mapped[str] = mapped_column(String(200))
    icb_decided_by: Mapped[str] = mapped_column(String(200))
    person_involved: Mapped[bool] = mapped_column(Boolean)
    person_view: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[Account] = relationship()


class CaseAftercare(db.Model):  # type: ignore[misc,name-defined]
    """For a case of a person entitled to aftercare: lines of the budget that are not aftercare (shown apart),
    and a top-up the person or someone for them pays for preferred accommodation (section 117A)."""

    __tablename__ = "section117_case_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    not_aftercare: Mapped[list[str]] = mapped_column(JSON, default=list)  # allocation-summary line keys
    not_aftercare_reason: Mapped[str] = mapped_column(Text, default="")
    top_up_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    top_up_paid_by: Mapped[str] = mapped_column(String(200), default="")
    top_up_accommodation: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PooledSplit(db.Model):  # type: ignore[misc,name-defined]
    """A partnership's pooled split of aftercare costs from a day on (57.5% council : 42.5% NHS, say).

    A change is a new row from a later day: the row in force on a decision's day is the one used and recorded.
    """

    __tablename__ = "pooled_splits"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    council_percent: Mapped[Any] = mapped_column(Numeric(5, 2))
    effective_from: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[Account] = relationship()


class AgreedSplit(db.Model):  # type: ignore[misc,name-defined]
    """A split the partners agree for one person, with a reason; in force once someone else approves it."""

    __tablename__ = "agreed_splits"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    council_percent: Mapped[Any] = mapped_column(Numeric(5, 2))
    effective_from: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed, approved, refused
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposed_by: Mapped[Account] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id])
