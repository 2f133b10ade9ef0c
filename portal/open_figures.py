"""Open figures: an organisation's decisions, how many people asked for one to be looked at again, how long the new
decision took and how many were changed, by month (issue 16 item 6). Public, with no sign-in, as a page and a CSV.

Each month counts the decisions made that month (the budgets confirmed, or decided with no budget) and the
requests made that month; of those requests, the median number of days to the new decision and how many were
changed. No personal data is read out, and no small number is shown: a count under :data:`MIN_SHOWN` is "fewer
than 5", a median of fewer than that many new decisions is not shown, and there are no totals, so a hidden cell
cannot be worked out from the others (the requests changed are a part of the requests made, and neither the
requests upheld nor those still being looked at are shown beside them).

The figures come from one grouped query over the decisions and the requests together.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, gettext
from sqlalchemy import Integer, String, cast, func, literal, null, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from portal.extensions import db
from portal.models import Case, Decision, Organisation, Reconsideration

MIN_SHOWN = 5


class year_month(FunctionElement[str]):  # noqa: N801 - reads as the SQL function it stands for
    """The UTC year and month of a timestamp as "YYYY-MM", on SQLite and PostgreSQL alike."""

    type = String()
    inherit_cache = True


@compiles(year_month)
def _year_month_sqlite(element: year_month, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(year_month, "postgresql")
def _year_month_postgresql(element: year_month, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM')"


@dataclass(frozen=True)
class Month:
    """One month's figures, as counted (the words hide the small ones)."""

    month: str  # "YYYY-MM"
    decisions: int
    asked: int
    changed: int
    decided: int  # of the requests made that month, how many have their new decision
    median_days: float | None


def _median(days: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times), or None for none."""
    total = sum(n for _, n in days)
    if not total:
        return None
    ordered = sorted(days)

    def nth(k: int) -> int:
        seen = 0
        for value, n in ordered:
            seen += n
            if k < seen:
                return value
        raise IndexError(k)

    middle = total // 2
    return float(nth(middle)) if total % 2 else (nth(middle - 1) + nth(middle)) / 2


def monthly(organisation: Organisation) -> list[Month]:
    """The organisation's figures for every month with a decision or a request, the latest first."""
    decisions = (
        select(
            year_month(Decision.created_at).label("month"),
            literal("decision").label("what"),
            cast(null(), Integer).label("days"),
            literal("").label("outcome"),
        )
        .join(Case, Case.id == Decision.case_id)
        .where(Case.organisation_id == organisation.id, Decision.outcome == "approved")
    )
    requests = select(
        year_month(Reconsideration.asked_at).label("month"),
        literal("asked").label("what"),
        Reconsideration.days_taken.label("days"),
        Reconsideration.outcome.label("outcome"),
    ).where(Reconsideration.organisation_id == organisation.id)
    events = union_all(decisions, requests).subquery()
    columns: list[ColumnElement[Any]] = [events.c.month, events.c.what, events.c.days, events.c.outcome]
    rows = db.session.execute(select(*columns, func.count()).group_by(*columns)).all()
    months: dict[str, dict[str, Any]] = {}
    for month, what, days, outcome, count in rows:
        figures = months.setdefault(month, {"decisions": 0, "asked": 0, "changed": 0, "days": []})
        if what == "decision":
            figures["decisions"] += count
            continue
        figures["asked"] += count
        if outcome == "changed":
            figures["changed"] += count
        if days is not None:
            figures["days"].append((int(days), count))
    return [
        Month(
            month=month,
            decisions=f["decisions"],
            asked=f["asked"],
            changed=f["changed"],
            decided=sum(n for _, n in f["days"]),
            median_days=_median(f["days"]),
        )
        for month, f in sorted(months.items(), reverse=True)
    ]


# -- in words --------------------------------------------------------------------------------------------


def count_words(count: int) -> str:
    """A count as published: "fewer than 5" below :data:`MIN_SHOWN`."""
    if count < MIN_SHOWN:
        return str(gettext("fewer than %(number)s", number=MIN_SHOWN))
    return str(format_decimal(count))


def median_words(month: Month) -> str:
    """The median days to the new decision, or why it is not shown."""
    if month.decided == 0:
        return str(gettext("none decided yet"))
    if month.decided < MIN_SHOWN or month.median_days is None:
        return str(gettext("not shown: fewer than %(number)s decided", number=MIN_SHOWN))
    return str(format_decimal(month.median_days, format="#,##0.#"))


def month_words(month: str) -> str:
    """ "December 2026" in the page's language."""
    year, number = month.split("-")
    return str(format_date(date(int(year), int(number), 1), "MMMM yyyy"))


def headings() -> list[str]:
    """The columns, in the page's language (the page's table and the CSV share them)."""
    return [
        gettext("Month"),
        gettext("Decisions made"),
        gettext("People who asked for a decision to be looked at again"),
        gettext("Median days to the new decision"),
        gettext("Decisions changed after being looked at again"),
    ]


def rows(organisation: Organisation) -> list[list[str]]:
    """The published table: a row a month, every small number hidden."""
    return [
        [
            month_words(m.month),
            count_words(m.decisions),
            count_words(m.asked),
            median_words(m),
            count_words(m.changed),
        ]
        for m in monthly(organisation)
    ]


def as_csv(organisation: Organisation) -> str:
    """The same table as CSV (the month as YYYY-MM, so it sorts and is read by any program)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings())
    for m in monthly(organisation):
        writer.writerow(
            [m.month, count_words(m.decisions), count_words(m.asked), median_words(m), count_words(m.changed)]
        )
    return out.getvalue()
