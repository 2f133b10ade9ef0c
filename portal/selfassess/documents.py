"""The person's own PDFs (their answers and their estimate): what a person or a council would file with them.

Both carry the same details: the person's name and date of birth, the council, who filled it in with their
relationship and on what authority, and the reference. The estimate adds the range, each line's reasons quoting
the person's answers, what would change it, and says so when it was worked out from only some of the answers.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext
from markupsafe import Markup

from portal import budgets, case_record
from portal.engine import Estimate
from portal.formatting import format_day, format_money
from portal.models import Authority, Case
from portal.tools import Tool

AUTHORITY_WORDS = {
    Authority.SELF: lazy_gettext("The person, for themselves"),
    Authority.CONSENT: lazy_gettext("With the person's agreement"),
    Authority.LPA_OR_DEPUTY: lazy_gettext(
        "With a lasting power of attorney for health and welfare, or as deputy"
    ),
    Authority.BEST_INTERESTS: lazy_gettext(
        "The person cannot decide this for themselves; acting in their best interests"
    ),
}


def details(case: Case) -> list[dict[str, str]]:
    """The rows at the top of each PDF: who it is about, where it goes, who filled it in and on what authority."""
    person = case.person
    rows = [{"key": gettext("Name"), "value": person.name}]
    if person.date_of_birth:
        rows.append({"key": gettext("Date of birth"), "value": format_day(person.date_of_birth)})
    if case.organisation is not None:
        rows.append({"key": gettext("Council"), "value": case.organisation.name})
    account, link = case_record.filled_in_by(case)
    if account is not None:
        if link is not None and link.authority != Authority.SELF:
            who = gettext(
                "%(name)s (%(relationship)s)", name=account.name, relationship=link.relationship_to_person
            )
        else:
            who = account.name
        rows.append({"key": gettext("Filled in by"), "value": who})
        if link is not None:
            rows.append({"key": gettext("On what authority"), "value": str(AUTHORITY_WORDS[link.authority])})
    rows.append({"key": gettext("Reference"), "value": case.reference, "ltr": "1"})
    return rows


def easy_read_estimate(result: Estimate) -> list[str]:
    """The estimate in Easy Read: short sentences, one idea each (the same as the estimate page opens with)."""
    return [
        gettext("This is how much money the council may pay each week."),
        gettext("About %(weekly)s a week.", weekly=budgets.summary(result).weekly),
        gettext("It is not the final amount."),
        gettext("Someone from the council will check your answers with you."),
        gettext("Then they will tell you the real amount."),
    ]


def estimate_document(
    result: Estimate,
    quotes: budgets.Quotes,
    *,
    partial: bool,
    easy_read: bool = False,
    tool: Tool | None = None,
) -> dict[str, Any]:
    """The context of the estimate PDF: exact figures, the range, reasons and what would change it; with
    Easy Read on, the Easy Read sentences first."""
    lines = budgets.worded_lines(result, quotes=quotes, tool=tool)
    rows = [
        {"key": line.title, "value": Markup("\n").join((line.detail, *line.reasons)), "lang": line.title_lang}
        for line in lines
    ]
    rows.append(
        {"key": gettext("Total a week"), "value": format_money(result.total_weekly_pence), "ltr": "1"}
    )
    notes = easy_read_estimate(result) if easy_read else []
    if partial:
        notes.append(
            gettext(
                "This estimate was worked out from only some of the answers, so it may change a lot "
                "when the rest are known."
            )
        )
    notes += [
        gettext(
            "About %(weekly)s a week (%(yearly)s a year).",
            weekly=format_money(result.total_weekly_pence),
            yearly=format_money(result.total_yearly_pence),
        ),
        gettext(
            "It could be between %(low)s and %(high)s a week.",
            low=format_money(result.range_low_pence),
            high=format_money(result.range_high_pence),
        ),
        gettext(
            "This is only an indication, worked out from your answers. Someone from the council will check "
            "your answers with you and then confirm the budget."
        ),
    ]
    sections: list[dict[str, Any]] = [{"title": gettext("How the budget is made up"), "rows": rows}]
    if result.split:
        sections.append(
            {
                "title": gettext("Who pays"),
                "rows": [{"value": sentence} for sentence in budgets.split_words(result)],
                "list": True,
            }
        )
    changes = budgets.changes_words(result, tool)
    if changes:
        sections.append(
            {
                "title": gettext("What would change it"),
                "rows": [{"value": sentence} for sentence in changes],
                "list": True,
            }
        )
    return {"notes": notes, "sections": sections}
