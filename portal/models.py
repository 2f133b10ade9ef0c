"""The tables, as SQLAlchemy 2 typed models.

The shape follows PRODUCT.md ("Words we use, and the shape of the data"): organisations, people, accounts,
cases with their immutable history (snapshots, estimates, validations, decisions), the append-only audit
trail and the job table that carries outbox messages. docs/decisions/0001-data-model.md explains the contract.
"""

from __future__ import annotations

import enum
import secrets
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from portal.extensions import db


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Refuse naive datetimes: every time in the portal is explicit about its zone."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Attach UTC to values SQLite returns without a zone."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_public_id() -> str:
    """An unguessable identifier for use in URLs (never the integer primary key)."""
    return uuid.uuid4().hex


_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read out on the phone


def new_reference() -> str:
    """A case reference a person can read out, e.g. ``CP-7F3K-9Q2M``."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"CP-{chars[:4]}-{chars[4:]}"


class Role(enum.StrEnum):
    """What an account may do. Citizens act for themselves and people they care for."""

    CITIZEN = "citizen"
    ASSESSOR = "assessor"
    APPROVER = "approver"
    ADMIN = "admin"
    DEPLOYMENT_ADMIN = "deployment_admin"

    @property
    def is_staff(self) -> bool:
        """Staff roles belong to one organisation."""
        return self in (Role.ASSESSOR, Role.APPROVER, Role.ADMIN)


class OrganisationKind(enum.StrEnum):
    """A council, an NHS body, or a partnership of both (a Section 117 pool is one)."""

    COUNCIL = "council"
    ICB = "icb"
    PARTNERSHIP = "partnership"


class CaseStatus(enum.StrEnum):
    """The life of a case; the allowed moves are in :mod:`portal.cases`."""

    DRAFT = "draft"
    SENT = "sent"
    CLAIMED = "claimed"
    WAITING_FOR_PERSON = "waiting_for_person"
    WAITING_FOR_APPROVAL = "waiting_for_approval"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class CaseKind(enum.StrEnum):
    """Why a case exists: a first assessment, or a new case linked to a decided one (which never changes)."""

    ASSESSMENT = "assessment"
    CORRECTION = "correction"
    REVIEW = "review"
    RECONSIDERATION = "reconsideration"


class Authority(enum.StrEnum):
    """On what authority an account acts for a person."""

    SELF = "self"
    CONSENT = "consent"
    LPA_OR_DEPUTY = "lpa_or_deputy"
    BEST_INTERESTS = "best_interests"


class JobStatus(enum.StrEnum):
    """Where a job is in its life."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column stored as its string value (no native PostgreSQL type to migrate)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class Organisation(db.Model):  # type: ignore[name-defined]
    """A council, an NHS body or a partnership with its own configuration, staff and cases."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    duty_phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    shares_benchmarking: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Settings the organisation's admin edits (urgent-risk wording per language, validation rule, limits).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    postcode_districts: Mapped[list[PostcodeDistrict]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="PostcodeDistrict.district"
    )


class PostcodeDistrict(db.Model):  # type: ignore[name-defined]
    """A postcode district (the part before the space, e.g. ``LS6``) an organisation serves."""

    __tablename__ = "postcode_districts"
    __table_args__ = (UniqueConstraint("organisation_id", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    district: Mapped[str] = mapped_column(String(8), index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="postcode_districts")


class Account(db.Model):  # type: ignore[name-defined]
    """Who signs in: a citizen (for themselves and people they care for) or a member of staff."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.CITIZEN)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # PHB governance level of sign-off for staff (2 to 4; level 1 is the person's own decisions).
    approval_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    # Staff: email me when something needs me (a link only, no personal data); each member of staff can turn it off.
    staff_emails: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change: every signed-in session carries it, so old sessions end.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the person closed the account (its email and password are erased then; see decision 0008).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()

    # Flask-Login protocol -------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        """Every loaded account is signed in."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Accounts are never anonymous."""
        return False

    def get_id(self) -> str:
        """The session key: public id plus session version, so a password change ends old sessions."""
        return f"{self.public_id}:{self.session_version}"

    @property
    def is_staff(self) -> bool:
        """Whether the account is an assessor, approver or organisation admin."""
        return self.role.is_staff


class Person(db.Model):  # type: ignore[name-defined]
    """The one who may need care and support."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    postcode: Mapped[str] = mapped_column(String(10), default="")
    # The postal address before the postcode, for letters (a person assessed on the phone has no account).
    address_line_1: Mapped[str] = mapped_column(String(100), default="", server_default="")
    address_line_2: Mapped[str] = mapped_column(String(100), default="", server_default="")
    town: Mapped[str] = mapped_column(String(100), default="", server_default="")
    nhs_number: Mapped[str] = mapped_column(String(10), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def postal_address(self) -> list[str]:
        """The address as an envelope shows it, a line each; empty when no street address is recorded."""
        if not self.address_line_1:
            return []
        return [line for line in (self.address_line_1, self.address_line_2, self.town, self.postcode) if line]


class PersonLink(db.Model):  # type: ignore[name-defined]
    """That an account acts for a person, and on what authority ("carer" is this, not a role)."""

    __tablename__ = "person_links"
    __table_args__ = (UniqueConstraint("account_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    authority: Mapped[Authority] = mapped_column(_enum(Authority, "authority"))
    relationship_to_person: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship()
    person: Mapped[Person] = relationship()


class Case(db.Model):  # type: ignore[name-defined]
    """The envelope for one assessment of one person."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_queue", "organisation_id", "status", "risk_rank", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    reference: Mapped[str] = mapped_column(String(16), unique=True, default=new_reference)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, "case_status"), default=CaseStatus.DRAFT)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    # The working copy of the answers while the case is a draft; what was sent lives in snapshots.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    questionnaire_version: Mapped[str] = mapped_column(String(32), default="")
    # The tool the case is completed with (portal/tools, decision 0015) and the hash of its files when the case
    # was started, then sent; a case from before tools were data is the adult self-assessment's.
    tool_key: Mapped[str] = mapped_column(
        String(40), default="adult_social_care", server_default="adult_social_care"
    )
    tool_version: Mapped[str] = mapped_column(String(64), default="", server_default="")
    self_funder: Mapped[bool] = mapped_column(Boolean, default=False)
    # Queue columns, written when the case is sent, so the queue filters and sorts on indexes.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_rank: Mapped[int] = mapped_column(Integer, default=0)
    client_group: Mapped[str] = mapped_column(String(32), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Another open case of the same person (same name and date of birth) was sent to the same organisation.
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    person_name: Mapped[str] = mapped_column(String(200), default="", index=True)  # for the queue's search
    # A correction, review or reconsideration is a new case that follows a decided one (portal/cases.py).
    kind: Mapped[CaseKind] = mapped_column(_enum(CaseKind, "case_kind"), default=CaseKind.ASSESSMENT)
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    # The first case of the person's line of decisions this one belongs to (None for a first case: its own line),
    # set when a linked case is started and never changed: a line's cases are found in one indexed query.
    line_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    # Why staff closed it (a duplicate, say), in the words the person reads.
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    # An unsent draft the person deleted: its answers are erased; the row stays for the audit trail's sake.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    person: Mapped[Person] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    created_by: Mapped[Account] = relationship(foreign_keys=[created_by_id])
    holder: Mapped[Account | None] = relationship(foreign_keys=[holder_id])


class Snapshot(db.Model):  # type: ignore[name-defined]
    """The answers exactly as sent, with the questionnaire version; never changed afterwards."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    questionnaire_version: Mapped[str] = mapped_column(String(32))
    completed_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    authority: Mapped[Authority] = mapped_column(_enum(Authority, "authority"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Estimate(db.Model):  # type: ignore[name-defined]
    """A budget the engine computed, kept in full with the versions that produced it."""

    __tablename__ = "estimates"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), nullable=True)
    purpose: Mapped[str] = mapped_column(String(32), default="self_assessment")
    engine_version: Mapped[str] = mapped_column(String(32))
    config_label: Mapped[str] = mapped_column(String(100))
    config_hash: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    total_weekly_pence: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Which funding split was applied: the lines' funders, a partnership's pooled split or one agreed for the
    # person (portal.section117.split_for), with its figures and date, as it was on the day.
    split_basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Validation(db.Model):  # type: ignore[name-defined]
    """The assessor's overlay on a snapshot: per answer, agreed or amended (with reason), and notes."""

    __tablename__ = "validations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    practitioner_items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    path_taken: Mapped[str] = mapped_column(String(16), default="full")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Decision(db.Model):  # type: ignore[name-defined]
    """A confirmed budget, its reasons and its sign-offs."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    estimate_id: Mapped[int] = mapped_column(ForeignKey("estimates.id"))
    # None when the decision is that no needs are eligible: a decision without a budget.
    confirmed_weekly_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What the person pays towards it, when a separate financial assessment has set it.
    contribution_pence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_lang: Mapped[str] = mapped_column(String(8), default="en")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    required_level: Mapped[int] = mapped_column(Integer, default=2)
    outcome: Mapped[str] = mapped_column(String(24), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The review this decision brings, worked out once when it is made (portal.review_due.store_next_review): due
    # by this day, the window (or reminder time) opening on the other. None for a decision without a budget, after
    # a review that ended the support, or while not (yet) approved. Only the latest decision of a line counts.
    review_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    review_window_from: Mapped[date | None] = mapped_column(Date, nullable=True)


class Approval(db.Model):  # type: ignore[name-defined]
    """One sign-off (or return) of a decision at a level of the governance framework."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    outcome: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConfigurationVersion(db.Model):  # type: ignore[name-defined]
    """A version of an organisation's engine configuration (or the deployment's default, with no organisation).

    A draft is edited; publishing gives it an effective date, and from that day it is the one in force. The
    content is the canonical YAML the engine reads, identified by its hash (the effective date is not in it).
    """

    __tablename__ = "configuration_versions"
    __table_args__ = (
        Index("ix_configuration_versions_in_force", "organisation_id", "status", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    label: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft, published
    effective_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CaseMessage(db.Model):  # type: ignore[name-defined]
    """A question from the assessor to the person, or the person's answer to one."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(16))  # "question" or "answer"
    # How it was asked or answered: "online", or, for a person without an account, "phone", "letter" or
    # "in_person" (the member of staff holding the case records those: portal.case_record.OFFLINE_CHANNELS).
    channel: Mapped[str] = mapped_column(String(16), default="online", server_default="online")
    body: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Account] = relationship()


class Document(db.Model):  # type: ignore[name-defined]
    """A rendered document kept with the case, such as a decision letter (PDF) in the person's language."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Review(db.Model):  # type: ignore[name-defined,misc]
    """A review case's own record: the person's words (first person, strengths based) and what the practitioner
    records (who took part, a carer's assessment offered, mental capacity considered, outcome, next review).

    It belongs to one review case and, like the case, never changes once the case is decided (portal/reviews.py).
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    # The person's own sections, in their words (or written with them), and the language they were written in.
    working: Mapped[str] = mapped_column(Text, default="")
    worries: Mapped[str] = mapped_column(Text, default="")
    matters: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    plan_meets: Mapped[str] = mapped_column(String(16), default="")  # yes, partly, no ("" not said)
    plan_meets_note: Mapped[str] = mapped_column(Text, default="")
    words_lang: Mapped[str] = mapped_column(String(8), default="en")
    # What the practitioner records.
    held_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    review_type: Mapped[str] = mapped_column(String(24), default="")
    took_part: Mapped[str] = mapped_column(Text, default="")
    carer_assessment: Mapped[str] = mapped_column(String(16), default="")  # offered, not_offered, no_carer
    carer_assessment_note: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[str] = mapped_column(String(24), default="")  # has_capacity, lacks_capacity
    capacity_note: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(24), default="")
    next_review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ReviewReminder(db.Model):  # type: ignore[name-defined,misc]
    """That a person was reminded of a review due on a day: at most one per person, organisation and due date."""

    __tablename__ = "review_reminders"
    __table_args__ = (UniqueConstraint("person_id", "organisation_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))  # the case whose decision is in force
    due_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))  # email, letter
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reconsideration(db.Model):  # type: ignore[name-defined,misc]
    """A request for a decision to be looked at again: who asked, why, and what they want considered; once the
    new decision is made, how it ended. The reconsideration itself is a case (``kind = reconsideration``,
    ``follows_id`` the decided case asked about), which this row describes."""

    __tablename__ = "reconsiderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    reason: Mapped[str] = mapped_column(Text)
    considered: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(8), default="en")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "" while it is being looked at; then "upheld" (the same budget) or "changed".
    outcome: Mapped[str] = mapped_column(String(16), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    days_taken: Mapped[int | None] = mapped_column(Integer, nullable=True)


class EvidenceFile(db.Model):  # type: ignore[name-defined,misc]
    """A file the person added for the council to consider (a PDF or a photo), checked by its content."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(db.Model):  # type: ignore[name-defined]
    """Append-only: who did what, when, to what, and why. Never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")


class AuditTrailError(RuntimeError):
    """Raised when code tries to change or remove an audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_audit_update(mapper: Any, connection: Any, target: AuditEvent) -> None:
    """The audit trail is append-only inside the application too."""
    raise AuditTrailError("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_audit_delete(mapper: Any, connection: Any, target: AuditEvent) -> None:
    """The audit trail is append-only inside the application too."""
    raise AuditTrailError("audit events cannot be deleted")


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    """An email, fully rendered in the recipient's language, waiting to be (or already) sent."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Fixed when the message is written, so a resend after a crash is recognisably the same message.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    kind: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Job(db.Model):  # type: ignore[name-defined]
    """Work done off the request by a worker command; see :mod:`portal.jobs`."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_ready", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus, "job_status"), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    progress: Mapped[str] = mapped_column(String(200), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PasswordToken(db.Model):  # type: ignore[name-defined]
    """A one-time link to set or reset a password; only its hash is stored."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16), default="reset")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship()


class Throttle(db.Model):  # type: ignore[name-defined]
    """A counter of failed sign-ins (or reset emails, or registrations) under one key; see portal/throttle.py.

    The key is a hash of what was typed and where from, never an account id, so it says nothing about who
    has an account.
    """

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ReceivedEmail(db.Model):  # type: ignore[name-defined]
    """A message caught by the demo's local SMTP sink, for the deployment admin to read."""

    __tablename__ = "received_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), default="")
    mail_from: Mapped[str] = mapped_column(String(254), default="")
    rcpt_to: Mapped[str] = mapped_column(String(1000), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionRecord(db.Model):  # type: ignore[name-defined]
    """A browser session, kept on the server: the cookie carries only a random token whose hash is here.

    Signing out (or the session reaching its idle or absolute limit) marks the record ended, so every copy of
    the cookie stops working at once. See :mod:`portal.sessions`.
    """

    __tablename__ = "session_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    # The session's values (language, CSRF secret, flashed messages, who is signed in) as tagged JSON.
    data: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    idle_seconds: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_reason: Mapped[str] = mapped_column(String(32), default="")

    account: Mapped[Account | None] = relationship()


class HeldInput(db.Model):  # type: ignore[name-defined]
    """What a person typed into a question when the form could not be saved (their session had ended,
    they had signed out elsewhere, or the case had been sent from another window).

    It is never saved as an answer: the question page shows it back once they are signed in, and they press
    Save. Rows older than a day are deleted (:func:`portal.held.purge`).
    """

    __tablename__ = "held_inputs"
    __table_args__ = (Index("ix_held_inputs_lookup", "account_id", "case_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class EmailChange(db.Model):  # type: ignore[name-defined]
    """A request to change an account's email address, confirmed by a one-time link sent to the new one."""

    __tablename__ = "email_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    new_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship()


# The NHS tables (PHB sign-offs, the CHC record) and the Section 117 tables join the same metadata.
from portal import health_models, section117_models  # noqa: E402,F401
