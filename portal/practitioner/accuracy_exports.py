"""An accuracy report to take away: every case and the outliers as CSV, and the report as an accessible PDF."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, abort
from flask_babel import gettext

from portal import accuracy_service
from portal.accuracy_report import DIMENSIONS
from portal.formatting import format_money
from portal.models import Job, JobStatus, Role
from portal.practitioner import bp
from portal.practitioner.accuracy import figure_rows, outlier_reason, own_job
from portal.practitioner.accuracy_words import explanation_words, fairness_rows
from portal.security import roles_required

#: A cell starting with one of these would be read as a formula by a spreadsheet: such text gets a leading '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text for a CSV cell that a spreadsheet shows as text, never runs (numbers pass as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(filename: str, header: list[str], rows: list[list[Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _done(job_id: int) -> tuple[Job, dict[str, Any]]:
    job = own_job(job_id, accuracy_service.ACCURACY_JOB)
    result, _ = accuracy_service.shown_result(job.result or {})
    if job.status != JobStatus.DONE or "figures" not in result:
        abort(404)
    return job, result


def _pounds(pence: int) -> str:
    return f"{pence / 100:.2f}"


@bp.route("/accuracy/<int:job_id>/cases.csv")
@roles_required(Role.ADMIN)
def accuracy_report_csv(job_id: int) -> Response:
    """Every case of an accuracy test: its groups, estimate, actual cost, difference and whether it stands out."""
    job, result = _done(job_id)
    outliers = set(result["outliers"])
    present = [d for d in DIMENSIONS if any(d in (c[4] if len(c) > 4 else {}) for c in result["cases"])]
    rows = []
    for c in result["cases"]:
        groups = c[4] if len(c) > 4 else {}
        difference = f"{(c[1] - c[2]) / c[2] * 100:.1f}" if c[2] else ""
        rows.append(
            [
                c[0],
                *(groups.get(d, "") for d in present),
                _pounds(c[1]),
                _pounds(c[2]),
                difference,
                _pounds(c[3]),
                "yes" if c[0] in outliers else "no",
            ]
        )
    header = [
        "case_id",
        *present,
        "estimate",
        "actual_weekly_cost",
        "difference_percent",
        "additive_estimate",
        "outlier",
    ]
    return _csv(f"accuracy-{job.id}-cases.csv", header, rows)


@bp.route("/accuracy/<int:job_id>/outliers.csv")
@roles_required(Role.ADMIN)
def accuracy_outliers_csv(job_id: int) -> Response:
    """The outliers, the furthest first, with what drives each difference and what to check."""
    job, result = _done(job_id)
    by_id = {c[0]: c for c in result["cases"]}
    rows = []
    for case_id in result["outliers"]:
        c = by_id[case_id]
        words = explanation_words(result.get("explained", {}).get(case_id))
        rows.append(
            [
                case_id,
                _pounds(c[2]),
                _pounds(c[1]),
                _pounds(c[2] - c[1]),
                outlier_reason(c[2], c[1]),
                " ".join([words["gap"], words["worth"]]) if words else "",
                " | ".join(words["lines"]) if words else "",
                " | ".join(words["checks"]) if words else "",
            ]
        )
    header = [
        "case_id",
        "actual_weekly_cost",
        "estimate",
        "difference",
        "why",
        "what_the_difference_is",
        "estimate_lines",
        "check_first",
    ]
    return _csv(f"accuracy-{job.id}-outliers.csv", header, rows)


@bp.route("/accuracy/<int:job_id>/report.pdf")
@roles_required(Role.ADMIN)
def accuracy_report_pdf(job_id: int) -> Response:
    """The report as an accessible (tagged PDF/UA) document: figures, groups and outliers."""
    from portal.i18n.web import current_code
    from portal.pdf import pdf_response, render_pdf

    job, result = _done(job_id)
    sections = [
        {
            "title": gettext("How close the estimates are"),
            "key_heading": gettext("Measure"),
            "value_heading": gettext("This configuration (additive “£ per point” fit)"),
            "rows": [
                {"key": row["name"], "value": f"{row['ours']} ({row['additive']})"}
                for row in figure_rows(result["figures"], result["additive"])
            ],
        }
    ]
    fairness = fairness_rows(result.get("fairness"))
    if fairness:
        sections.append(
            {
                "title": gettext("Accuracy for each group of people"),
                "key_heading": gettext("Group"),
                "value_heading": gettext("Figures"),
                "rows": [
                    {
                        "key": f"{row['dimension']}: {row['value']}",
                        "value": gettext(
                            "%(count)s cases; median error %(mdape)s; median difference %(bias)s; %(within)s "
                            "within 20%%",
                            count=row["count"],
                            mdape=row["mdape"],
                            bias=row["bias"],
                            within=row["within_20"],
                        )
                        + "\n"
                        + row["note"],
                    }
                    for row in fairness["rows"]
                ],
            }
        )
    by_id = {c[0]: c for c in result["cases"]}
    outlier_rows = []
    for case_id in result["outliers"][: accuracy_service.EXPLAINED_OUTLIERS]:
        c = by_id[case_id]
        words = explanation_words(result.get("explained", {}).get(case_id))
        lines = [
            gettext(
                "Actual %(actual)s, estimate %(estimate)s",
                actual=format_money(c[2]),
                estimate=format_money(c[1]),
            )
        ]
        if words:
            lines += [words["gap"] + " " + words["worth"], *words["lines"], *words["checks"]]
        outlier_rows.append({"key": case_id, "value": "\n".join(lines)})
    if outlier_rows:
        sections.append(
            {
                "title": gettext("Outliers to investigate"),
                "key_heading": gettext("Case"),
                "value_heading": gettext("What drives the difference"),
                "rows": outlier_rows,
            }
        )
    title = gettext("Accuracy report")
    pdf = render_pdf(
        "answers.html",
        lang=current_code(),
        title=title,
        sections=sections,
        reference=str(job.id),
        notes=[
            gettext(
                "%(count)s cases tested against %(label)s.",
                count=result["count"],
                label=result["config"]["label"],
            )
        ],
    )
    return pdf_response(pdf, f"accuracy-{job.id}.pdf")
