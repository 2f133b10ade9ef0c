"""A calibration's progress and outcome: the held-out figures, and what it changed in pounds."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import format_decimal, gettext, lazy_gettext

from portal import calibration_service, version_service
from portal.formatting import format_money
from portal.models import JobStatus, Role
from portal.practitioner import bp
from portal.practitioner.accuracy import figure_rows, own_job, progress_text
from portal.practitioner.accuracy_words import fairness_rows
from portal.practitioner.config_forms import own_organisation
from portal.security import roles_required
from portal.vocabulary import line_title, rate_name, unit_name

EXAMPLE_NAMES = {
    "older_person": lazy_gettext("An older person living alone, with some help at home"),
    "learning_disability": lazy_gettext(
        "A person with a learning disability in supported living, with someone nearby most nights"
    ),
    "mental_health": lazy_gettext("A person with mental health needs that vary, living alone"),
}


def signed_money(pence: int) -> str:
    """A change of money a week with its sign: "+£12.50", "−£3.00", "£0.00"."""
    if pence > 0:
        return "+" + format_money(pence)
    if pence < 0:
        return "−" + format_money(-pence)
    return format_money(0)


def pounds_rows(result: dict[str, Any]) -> dict[str, Any] | None:
    """The outcome's changes in words: rates moved by the price factor, example people, lines on own cases."""
    if "pounds" not in result:
        return None
    pounds = result["pounds"]
    factor = result.get("price_factor", 1.0)
    return {
        "strength": (
            gettext("Your cases supported one overall price factor on the configuration you started from.")
            if result.get("strength") == "factor"
            else gettext(
                "Your cases moved the hours as far as cross-validation on them supported, and no further."
            )
        ),
        "factor": (
            gettext(
                "Every rate was multiplied by %(factor)s (%(change)s).",
                factor=format_decimal(factor, format="0.000"),
                change=format_decimal(factor - 1, format="+0.0%;-0.0%"),
            )
            if factor != 1.0
            else gettext("No rate was changed.")
        ),
        "rates": [
            {
                "kind": rate_name(kind),
                "unit": unit_name(unit),
                "before": format_money(old),
                "after": format_money(new),
            }
            for kind, unit, old, new in result.get("rates_changed", [])
        ],
        "examples": [
            {
                "name": str(EXAMPLE_NAMES.get(key, key)),
                "before": format_money(old),
                "after": format_money(new),
                "change": signed_money(new - old),
            }
            for key, old, new in pounds["examples"]
        ],
        "lines": [
            {"name": line_title(key)[0], "median": signed_money(median), "largest": signed_money(largest)}
            for key, median, largest in pounds["lines"]
        ],
        "total": {"median": signed_money(pounds["total"][0]), "largest": signed_money(pounds["total"][1])},
    }


@bp.route("/calibration/<int:job_id>")
@roles_required(Role.ADMIN)
def calibration_status(job_id: int) -> str:
    """A calibration's progress, and when done its held-out figures, what it changed and the new draft."""
    job = own_job(job_id, calibration_service.CALIBRATION_JOB)
    result = job.result or {}
    draft = None
    if job.status == JobStatus.DONE and result.get("draft"):
        draft = version_service.find_version(own_organisation(), result["draft"])
    figures = None
    if job.status == JobStatus.DONE and "cross_validated" in result:
        figures = figure_rows(result["cross_validated"], result["additive_cross_validated"])
    return render_template(
        "practitioner/config/calibration.html",
        job=job,
        result=result,
        draft=draft,
        figures=figures,
        pounds=pounds_rows(result) if job.status == JobStatus.DONE else None,
        fairness=fairness_rows(result.get("fairness_held_out")),
        fairness_before=fairness_rows(result.get("fairness_before")),
        before=figure_rows(result["before"], result["in_sample"]) if "before" in result else None,
        progress=progress_text(job),
        statuses=JobStatus,
    )
