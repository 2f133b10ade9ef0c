"""When reviews fall due, the staff list of reviews due and overdue, and the reminders sent before one is due.

The default frequencies are data (``portal/review_frequencies.yaml``), keyed by the tool a case was completed with.
A person's line of decisions (an assessment and the corrections, reviews and reconsiderations that follow it) has
one review due at a time:

- before any review has been decided, the first review falls in a window after the first decision (by default six
  to eight weeks after the plan was agreed), and is due by its end;
- after a review, on the next review date that review recorded (agreed with the person, and never later than the
  tool's longest interval, which :func:`portal.reviews.problems_with` enforces).

A line whose decision in force has no budget has nothing to review. A review already under way is shown as such.

The list walks every line (:func:`reviews_due`); the count the staff queue shows (:func:`counts`) is one indexed
query instead, on what each decision stored when it was made (:func:`store_next_review`: its review's due date and
window) and each case's line (``Case.line_id``). ``tests/test_review_due_count.py`` holds the two to the same
answers.
Reminders are a worker job (:func:`send_reminders`): at most one per person, organisation and due date, whichever
worker runs it and however often (a unique row, written in the same transaction as the email or letter).
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Date, and_, bindparam, exists, func, or_, select, update
from sqlalchemy import case as when
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal.case_record import latest_snapshot_or_none
from portal.extensions import db
from portal.jobs import enqueue, handler, recurring
from portal.models import (
    Account,
    Case,
    CaseKind,
    CaseStatus,
    Decision,
    Document,
    Job,
    JobStatus,
    PersonLink,
    Review,
    ReviewReminder,
    utcnow,
)

FREQUENCIES_FILE = Path(__file__).with_name("review_frequencies.yaml")
_INTERVAL = re.compile(r"^\s*(\d{1,3})\s+(weeks?|months?)\s*$")


@dataclass(frozen=True)
class Interval:
    """A number of weeks or calendar months."""

    count: int
    unit: str  # "weeks" or "months"

    @classmethod
    def parse(cls, text: str) -> Interval:
        """``"8 weeks"``, ``"12 months"``; anything else is refused."""
        match = _INTERVAL.match(str(text))
        if match is None:
            raise ValueError(f"not an interval: {text!r} (say, '8 weeks' or '12 months')")
        unit = match.group(2)
        return cls(int(match.group(1)), unit if unit.endswith("s") else unit + "s")

    def after(self, day: date) -> date:
        """The day this long after ``day`` (a month later on the 31st is the month's last day)."""
        if self.unit == "weeks":
            return day + timedelta(weeks=self.count)
        months = day.month - 1 + self.count
        year, month = day.year + months // 12, months % 12 + 1
        return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))

    def before(self, day: date) -> date:
        """The day this long before ``day``."""
        if self.unit == "weeks":
            return day - timedelta(weeks=self.count)
        months = day.year * 12 + day.month - 1 - self.count
        year, month = months // 12, months % 12 + 1
        return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Frequency:
    """A tool's default review frequency."""

    first_from: Interval
    first_by: Interval
    then_every: Interval


@dataclass(frozen=True)
class Frequencies:
    """Every tool's frequency, the default tool's key, and how long before a review the person is reminded."""

    tools: dict[str, Frequency]
    default_tool: str
    remind_before: Interval

    def of(self, tool: str) -> Frequency:
        """The tool's frequency, or the default tool's for a tool with none of its own."""
        return self.tools.get(tool) or self.tools[self.default_tool]


def load_frequencies(text: str) -> Frequencies:
    """Read and check the frequencies file (a mistake names the key)."""
    data = yaml.safe_load(text) or {}
    tools: dict[str, Frequency] = {}
    for key, entry in (data.get("tools") or {}).items():
        try:
            first = entry["first_review"]
            frequency = Frequency(
                Interval.parse(first["from"]),
                Interval.parse(first["by"]),
                Interval.parse(entry["then_every"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"review frequencies, tool {key!r}: {error}") from None
        if frequency.first_by.after(date(2000, 1, 1)) < frequency.first_from.after(date(2000, 1, 1)):
            raise ValueError(
                f"review frequencies, tool {key!r}: the first review's window ends before it starts"
            )
        tools[str(key)] = frequency
    default = str(data.get("default_tool", ""))
    if default not in tools:
        raise ValueError(f"review frequencies: the default tool {default!r} has no frequency")
    return Frequencies(tools, default, Interval.parse(data.get("remind_before", "4 weeks")))


@functools.cache
def frequencies() -> Frequencies:
    """The shipped defaults (a read-only file, so kept for the process)."""
    return load_frequencies(FREQUENCIES_FILE.read_text(encoding="utf-8"))


def tool_key(case: Case) -> str:
    """The tool the case was completed with (``cases.tool_key``, decision 0015)."""
    return case.tool_key or frequencies().default_tool


def frequency_for(case: Case) -> Frequency:
    """The default review frequency of the case's tool."""
    return frequencies().of(tool_key(case))


def latest_next_review(case: Case, held_on: date) -> date:
    """The latest a next review may be set after a review held on ``held_on`` (the tool's longest interval)."""
    return frequency_for(case).then_every.after(held_on)


# -- what is due ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """The review due in one person's line."""

    case: Case  # the case whose decision is in force
    decision: Decision
    due_on: date
    window_from: date  # the first review's window opens; later reviews: the day the reminder goes
    first: bool
    under_way: Case | None
    state: str  # under_way, overdue, due, upcoming

    @property
    def person_name(self) -> str:
        """The person, as the case has them."""
        return self.case.person.name


def _state(due_on: date, window_from: date, under_way: Case | None, today: date) -> str:
    if under_way is not None:
        return "under_way"
    if today > due_on:
        return "overdue"
    if today >= window_from:
        return "due"
    return "upcoming"


def _lines(cases: list[Case]) -> list[list[Case]]:
    """The organisation's cases grouped into lines (each first case with everything linked after it)."""
    by_id = {c.id: c for c in cases}
    root_of: dict[int, int] = {}

    def root(case: Case) -> int:
        seen = case
        while seen.follows_id is not None and seen.follows_id in by_id:
            seen = by_id[seen.follows_id]
        return seen.id

    groups: dict[int, list[Case]] = {}
    for case in sorted(cases, key=lambda c: c.id):
        root_of[case.id] = root(case)
        groups.setdefault(root_of[case.id], []).append(case)
    return list(groups.values())


def due_in_line(
    members: list[Case],
    decisions: dict[int, Decision],
    reviews: dict[int, Review],
    today: date,
) -> Due | None:
    """The review due in one line (its cases oldest first, their approved decisions and review records)."""
    decided = [c for c in members if c.status == CaseStatus.DECIDED and c.id in decisions]
    if not decided:
        return None
    in_force = max(decided, key=lambda c: (decisions[c.id].created_at, c.id))
    decision = decisions[in_force.id]
    if decision.confirmed_weekly_pence is None:
        return None  # no eligible needs: no plan to review
    under_way = next(
        (
            c
            for c in members
            if c.kind == CaseKind.REVIEW
            and c.status not in (CaseStatus.DECIDED, CaseStatus.WITHDRAWN)
            and c.deleted_at is None
        ),
        None,
    )
    done = [c for c in decided if c.kind == CaseKind.REVIEW and c.id in reviews]
    frequency = frequency_for(in_force)
    remind = frequencies().remind_before
    if done:
        last = max(done, key=lambda c: (decisions[c.id].created_at, c.id))
        next_on = reviews[last.id].next_review_on
        if next_on is None:
            return None  # the last review ended the support
        return Due(
            in_force,
            decision,
            next_on,
            remind.before(next_on),
            False,
            under_way,
            _state(next_on, remind.before(next_on), under_way, today),
        )
    agreed = min(decisions[c.id].created_at for c in decided).date()
    due_on = frequency.first_by.after(agreed)
    opens = frequency.first_from.after(agreed)
    return Due(in_force, decision, due_on, opens, True, under_way, _state(due_on, opens, under_way, today))


def reviews_due(organisation_id: int, today: date | None = None) -> list[Due]:
    """Every line of the organisation with a review to come, overdue first, then by due date."""
    today = today or utcnow().date()
    members = list(db.session.scalars(select(Case).where(Case.organisation_id == organisation_id)))
    ids = [c.id for c in members]
    decisions: dict[int, Decision] = {}
    for decision in db.session.scalars(
        select(Decision)
        .where(Decision.case_id.in_(ids), Decision.outcome == "approved")
        .order_by(Decision.id)
    ):
        decisions[decision.case_id] = decision  # the latest approved decision of each case
    reviews = {r.case_id: r for r in db.session.scalars(select(Review).where(Review.case_id.in_(ids)))}
    found = [due for line in _lines(members) if (due := due_in_line(line, decisions, reviews, today))]
    order = {"overdue": 0, "due": 1, "under_way": 2, "upcoming": 3}
    return sorted(found, key=lambda d: (order[d.state], d.due_on, d.case.id))


def counts(organisation_id: int | None, today: date | None = None) -> dict[str, int]:
    """How many reviews of the organisation are overdue, due, under way and coming up (for the staff queue).

    One query: the organisation's decided cases (``ix_cases_queue``), each with its approved decision's stored
    review (``ix_decisions_case_id``), where no later decision in the same line replaced it and, for the state, no
    review of the line is open (``ix_cases_line_id``). The same answers as counting :func:`reviews_due`.
    """
    if organisation_id is None:
        return dict.fromkeys(_STATES, 0)
    today = today or utcnow().date()
    row = db.session.execute(_counts_statement(), {"organisation_id": organisation_id, "today": today}).one()
    return dict(zip(_STATES, (int(n) for n in row), strict=True))


_STATES = ("under_way", "overdue", "due", "upcoming")


@functools.cache
def _counts_statement() -> Any:
    """The statement of :func:`counts`, built once: aliases and their columns cost more to build than to run."""
    today = bindparam("today", type_=Date)
    line = func.coalesce(Case.line_id, Case.id)
    other, other_decision, review = aliased(Case), aliased(Decision), aliased(Case)
    replaced = exists().where(
        other_decision.case_id == other.id,
        or_(other.line_id == line, other.id == line),
        other.status == CaseStatus.DECIDED,
        other_decision.outcome == "approved",
        or_(
            other_decision.created_at > Decision.created_at,
            and_(other_decision.created_at == Decision.created_at, other.id > Case.id),
        ),
    )
    under_way = exists().where(
        review.line_id == line,
        review.kind == CaseKind.REVIEW,
        review.status.not_in((CaseStatus.DECIDED, CaseStatus.WITHDRAWN)),
        review.deleted_at.is_(None),
    )
    tests = (  # in the order of _STATES
        under_way,
        and_(~under_way, Decision.review_due_on < today),
        and_(~under_way, Decision.review_due_on >= today, Decision.review_window_from <= today),
        and_(~under_way, Decision.review_window_from > today),
    )
    return (
        select(*(func.coalesce(func.sum(when((test, 1), else_=0)), 0) for test in tests))
        .select_from(Case)
        .join(Decision, Decision.case_id == Case.id)
        .where(
            Case.organisation_id == bindparam("organisation_id"),
            Case.status == CaseStatus.DECIDED,
            Decision.outcome == "approved",
            Decision.review_due_on.is_not(None),
            ~replaced,
        )
    )


def store_next_review(case: Case) -> None:
    """Keep on the decision just made in the case's line the review it brings (due date and window), for
    :func:`counts`. The budget services call it with every approved decision, in the same transaction; nothing
    stored is ever changed (a later decision in the line stores its own and replaces it)."""
    due = due_for_case(case)
    if due is not None:
        due.decision.review_due_on = due.due_on
        due.decision.review_window_from = due.window_from
        db.session.flush()


def backfill_next_reviews(connection: Connection) -> int:
    """Set every linked case's line and, on the decision in force of every line, the review it brings (migration
    0016, for cases decided before these were stored). Core statements only, on ``connection``; returns how many
    decisions it set."""
    from types import SimpleNamespace

    columns = (Case.id, Case.follows_id, Case.status, Case.kind, Case.deleted_at, Case.tool_key)
    rows = [SimpleNamespace(**row._mapping) for row in connection.execute(select(*columns).order_by(Case.id))]
    by_id = {row.id: row for row in rows}
    for row in rows:  # oldest first: a case follows an older one, whose line is already known
        earlier = by_id.get(row.follows_id) if row.follows_id is not None else None
        row.line_id = (earlier.line_id or earlier.id) if earlier is not None else None
        if row.line_id is not None:
            cases = Case.__table__
            connection.execute(
                update(cases)
                .where(cases.c.id == row.id)
                .values(line_id=row.line_id, updated_at=cases.c.updated_at)  # not a change to the case
            )
    decisions = {
        d.case_id: d
        for d in (
            SimpleNamespace(**d._mapping)
            for d in connection.execute(
                select(Decision.id, Decision.case_id, Decision.created_at, Decision.confirmed_weekly_pence)
                .where(Decision.outcome == "approved")
                .order_by(Decision.id)
            )
        )
    }
    records = {
        r.case_id: r
        for r in (
            SimpleNamespace(**r._mapping)
            for r in connection.execute(select(Review.case_id, Review.next_review_on))
        )
    }
    lines: dict[int, list[Any]] = {}
    for row in rows:
        lines.setdefault(row.line_id or row.id, []).append(row)
    set_ = 0
    for members in lines.values():
        due = due_in_line(members, decisions, records, utcnow().date())  # type: ignore[arg-type]
        if due is not None:
            connection.execute(
                update(Decision)
                .where(Decision.id == due.decision.id)
                .values(review_due_on=due.due_on, review_window_from=due.window_from)
            )
            set_ += 1
    return set_


def due_for_case(case: Case, today: date | None = None) -> Due | None:
    """The review due in this case's line."""
    from portal import cases as lifecycle

    today = today or utcnow().date()
    members = lifecycle.chain(case)
    ids = [c.id for c in members]
    decisions = {
        d.case_id: d
        for d in db.session.scalars(
            select(Decision)
            .where(Decision.case_id.in_(ids), Decision.outcome == "approved")
            .order_by(Decision.id)
        )
    }
    reviews = {r.case_id: r for r in db.session.scalars(select(Review).where(Review.case_id.in_(ids)))}
    return due_in_line(members, decisions, reviews, today)


# -- reminders -------------------------------------------------------------------------------------------------


def preferred_contact(case: Case) -> str:
    """How the person asked to be contacted, from the answers as last sent ("" if not said)."""
    snapshot = latest_snapshot_or_none(case)
    value = (snapshot.answers or {}).get("preferred-contact") if snapshot is not None else None
    return str(value or "")


def _accounts_for(case: Case) -> list[Account]:
    return list(
        db.session.scalars(
            select(Account)
            .join(PersonLink, PersonLink.account_id == Account.id)
            .where(
                PersonLink.person_id == case.person_id,
                Account.closed_at.is_(None),
                Account.is_active.is_(True),
            )
            .order_by(Account.id)
        )
    )


def channel_for(case: Case) -> str:
    """Email when someone with an email address acts for the person and they did not ask for letters; else a letter."""
    accounts = [a for a in _accounts_for(case) if a.email]
    if not accounts or preferred_contact(case) == "letter":
        return "letter"
    return "email"


def remind(due: Due) -> ReviewReminder | None:
    """Remind the person of one review due, once: None when they have been reminded of this due date already."""
    from portal.mail import link_to, queue_email

    case = due.case
    assert case.organisation_id is not None
    exists = db.session.scalar(
        select(ReviewReminder.id).filter_by(
            person_id=case.person_id, organisation_id=case.organisation_id, due_on=due.due_on
        )
    )
    if exists is not None:
        return None
    channel = channel_for(case)
    try:
        with db.session.begin_nested():
            reminder = ReviewReminder(
                person_id=case.person_id,
                organisation_id=case.organisation_id,
                case_id=case.id,
                due_on=due.due_on,
                channel=channel,
            )
            db.session.add(reminder)
            db.session.flush()
            if channel == "email":
                link = link_to("selfassess.status", case_id=case.public_id)
                for account in _accounts_for(case):
                    queue_email(
                        account.email,
                        "review_due",
                        account.locale,
                        name=account.name,
                        person_name=case.person.name,
                        organisation=case.organisation.name if case.organisation else "",
                        due_on=due.due_on,
                        status_link=link,
                    )
            else:
                enqueue(
                    "review_reminder_letter", {"reminder_id": reminder.id, "lang": _letter_language(case)}
                )
            from portal.audit import record

            record(
                "review.reminded", case=case, detail={"due_on": due.due_on.isoformat(), "channel": channel}
            )
    except IntegrityError:
        return None  # another worker reminded them of this due date first
    return reminder


def _letter_language(case: Case) -> str:
    accounts = _accounts_for(case)
    return accounts[0].locale if accounts else "en"


def send_reminders(today: date | None = None) -> int:
    """Remind everyone whose review is due within the reminder time or overdue, and not under way; once each."""
    from portal.models import Organisation

    today = today or utcnow().date()
    sent = 0
    for organisation_id in db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all():
        for due in reviews_due(organisation_id, today):
            if due.state in ("due", "overdue") and today >= frequencies().remind_before.before(due.due_on):
                if remind(due) is not None:
                    sent += 1
                db.session.commit()
    return sent


#: When the daily reminders job runs (UTC).
REMINDER_TIME = time(7, 0)


@recurring
def schedule_reminders(now: datetime | None = None) -> Job | None:
    """Queue the daily reminders job unless one is already waiting (the worker calls this as it starts)."""
    waiting = db.session.scalar(
        select(Job.id)
        .where(Job.kind == "review_reminders", Job.status.in_((JobStatus.PENDING, JobStatus.RUNNING)))
        .limit(1)
    )
    if waiting is not None:
        return None
    now = now or utcnow()
    return enqueue("review_reminders", {}, run_after=now)


@handler("review_reminders")
def run_reminders(job: Job) -> dict[str, Any]:
    """Send the reminders due today, then queue tomorrow's run (safe to run twice: reminders are once per due date)."""
    sent = send_reminders()
    tomorrow = datetime.combine(utcnow().date() + timedelta(days=1), REMINDER_TIME, tzinfo=utcnow().tzinfo)
    enqueue("review_reminders", {}, run_after=tomorrow)
    db.session.commit()
    return {"sent": sent}


@handler("review_reminder_letter")
def render_reminder_letter(job: Job) -> dict[str, Any]:
    """Render the reminder letter for a person without email, kept with the case for staff to print and post."""
    from flask_babel import force_locale, gettext

    from portal.i18n import babel_locale
    from portal.pdf import render_pdf

    reminder = db.session.get(ReviewReminder, job.payload["reminder_id"])
    if reminder is None:
        raise LookupError(f"review reminder {job.payload['reminder_id']} is missing")
    case = db.session.get(Case, reminder.case_id)
    assert case is not None
    lang = job.payload.get("lang", "en")
    with force_locale(babel_locale(lang)):
        title = gettext("Your review is due")
    pdf = render_pdf(
        "review_reminder.html",
        lang=lang,
        title=title,
        person_name=case.person.name,
        reference=case.reference,
        organisation=case.organisation,
        due_on=reminder.due_on,
    )
    filename = f"review-reminder-{case.reference}-{reminder.due_on.isoformat()}-{lang}.pdf"
    existing = db.session.scalar(
        select(Document).filter_by(case_id=case.id, kind="review_reminder", filename=filename)
    )
    if existing is not None:
        existing.content = pdf
    else:
        db.session.add(
            Document(case_id=case.id, kind="review_reminder", lang=lang, filename=filename, content=pdf)
        )
    db.session.commit()
    return {"bytes": len(pdf)}


def reminder_letters(case: Case) -> list[Document]:
    """The reminder letters kept with a case, newest first, for staff to print and post."""
    return list(
        db.session.scalars(
            select(Document).filter_by(case_id=case.id, kind="review_reminder").order_by(Document.id.desc())
        )
    )
