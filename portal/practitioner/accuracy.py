"""Accuracy testing pages: upload local cases, the report, and starting a calibration on them.

The rules live in :mod:`portal.accuracy_service` and :mod:`portal.calibration_service`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_currency, format_decimal, format_percent, gettext, lazy_gettext
from flask_login import current_user
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import SelectField, SubmitField

from portal import accuracy_service, calibration_service, version_service
from portal.engine import CLIENT_GROUPS, SETTINGS
from portal.engine.profile import INT_FIELDS
from portal.extensions import db
from portal.formatting import format_money
from portal.forms import (
    Form,
    SelectInput,
    SubmitInput,
    error_summary,
)
from portal.models import Job, JobStatus, Role
from portal.practitioner import bp
from portal.practitioner.accuracy_words import explanation_words, fairness_rows
from portal.practitioner.config_forms import ConfirmForm, own_organisation, own_version, version_choices
from portal.request_guard import accepts_uploads
from portal.security import roles_required

TABLE_ROWS = 200  # rows of the accuracy table on one page
LISTED_OUTLIERS = 200
PLOTTED_POINTS = 5_000

# -- accuracy testing -----------------------------------------------------------------------------------


class FileInput(GovFileInput):
    """A file upload whose hidden "Error:" prefix is translated."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        if params.get("errorMessage"):
            params["errorMessage"]["visuallyHiddenText"] = gettext("Error")
        return params


class UploadForm(Form):
    """A CSV of local cases with their actual costs, and the configuration to test."""

    cases = FileField(
        lazy_gettext("Cases file (CSV)"),
        widget=FileInput(),
        description=lazy_gettext(
            "One case a row, with the Needs Profile columns, case_id and actual_weekly_cost. "
            "Optionally add age_band, sex and ethnicity to see accuracy for those groups too. "
            "Up to 5 MB and 20,000 cases."
        ),
    )
    version = SelectField(lazy_gettext("Configuration to test"), widget=SelectInput(), validate_choice=False)
    submit = SubmitField(lazy_gettext("Test accuracy"), widget=SubmitInput())


def _allowed(column: str | None) -> str:
    """The values a profile column accepts, in words."""
    if column in ("client_group", "setting"):
        return ", ".join(CLIENT_GROUPS if column == "client_group" else SETTINGS)
    if column and column.startswith("unpaid_"):
        return "0, 0.25, 0.5, 0.75 " + gettext("or") + " 1"
    top = INT_FIELDS.get(column or "", 1)
    return gettext("a whole number from 0 to %(top)s", top=top)


#: One wording for each of the engine's :data:`portal.engine.case_file.CASE_CODES`, from the problem's values and
#: column (tests/practitioner/test_accuracy_report.py checks every code has one).
CASE_PROBLEM_WORDS: dict[str, Callable[[dict[str, Any], str | None], str]] = {
    "invalid": lambda v, c: gettext("is not allowed"),
    "unreadable": lambda v, c: gettext("The file cannot be read"),
    "too_large": lambda v, c: gettext("The file must be %(size)s MB or smaller", size=v["megabytes"]),
    "not_utf8": lambda v, c: gettext("The file is not UTF-8 text: save it as CSV UTF-8"),
    "empty_file": lambda v, c: gettext("The file is empty"),
    "no_header": lambda v, c: gettext("The file is empty"),
    "not_csv": lambda v, c: gettext("is not valid CSV (check the quotes on this row)"),
    "missing_column": lambda v, c: gettext("is missing from the first row (the header)"),
    "unknown_column": lambda v, c: gettext("is not a column of the cases format"),
    "repeated_column": lambda v, c: gettext("a column name is repeated in the header"),
    "too_many_cases": lambda v, c: gettext(
        "the file has more than %(max)s cases", max=format_decimal(v["max"])
    ),
    "wrong_width": lambda v, c: gettext(
        "the row has %(values)s values but the header has %(columns)s columns",
        values=v["values"],
        columns=v["columns"],
    ),
    "no_cases": lambda v, c: gettext("The file has no cases"),
    "empty_id": lambda v, c: gettext("is empty"),
    "repeated_id": lambda v, c: gettext(
        "repeats %(id)s, first used on row %(row)s", id=v["id"], row=v["first_row"]
    ),
    "bad_value": lambda v, c: gettext(
        "must be %(allowed)s (it is %(got)s)", allowed=_allowed(c), got=repr(v["got"])
    ),
    "cost_shape": lambda v, c: gettext(
        "must be an amount in pounds and pence, like 412.50 (it is %(got)s)", got=repr(v["got"])
    ),
    "cost_not_positive": lambda v, c: gettext(
        "must be an amount in pounds above 0 (it is %(got)s)", got=repr(v["got"])
    ),
    "cost_too_high": lambda v, c: gettext(
        "must be at most %(amount)s a week (it is %(got)s)",
        amount=format_money(v["max_pence"]),
        got=repr(v["got"]),
    ),
    "group_too_long": lambda v, c: gettext("use %(max)s characters or fewer", max=v["max"]),
}


def case_problem(code: str, values: dict[str, Any], column: str | None) -> str:
    """A problem of the cases file in the admin's language, from its code and values."""
    words = CASE_PROBLEM_WORDS.get(code, CASE_PROBLEM_WORDS["invalid"])
    try:
        return words(values, column)
    except KeyError:
        return CASE_PROBLEM_WORDS["invalid"]({}, column)


@bp.route("/accuracy", methods=["GET", "POST"])
@accepts_uploads("cases")
@roles_required(Role.ADMIN)
def accuracy() -> Any:
    """Upload local cases with their actual costs to see how close the estimates are."""
    from portal.engine.case_file import CaseFileError

    organisation = own_organisation()
    form = UploadForm()  # a request above the app's MAX_CONTENT_LENGTH (5 MB) is a 413 page before this
    in_force = version_service.in_force_row(organisation)
    in_force_words = gettext(
        "The one in force today: %(label)s", label=version_service.configuration(in_force).label
    )
    form.version.choices = [("", in_force_words)] + version_choices(organisation)
    if request.method == "GET" and request.args.get("version") in dict(form.version.choices):
        form.version.data = request.args["version"]
    problems: list[dict[str, Any]] = []
    more = 0
    if form.validate_on_submit():
        upload = request.files.get(form.cases.name)
        if form.version.data not in dict(form.version.choices):
            form.version.errors = [gettext("Select the configuration to test")]
        elif upload is None or not upload.filename:
            form.cases.errors = [gettext("Choose a CSV file of cases")]
        else:
            data = upload.stream.read(accuracy_service.MAX_UPLOAD_BYTES + 1)
            try:
                cases = accuracy_service.parse_upload(data)
            except CaseFileError as error:
                for (row_no, column, _), (code, values) in list(
                    zip(error.problems, error.codes, strict=True)
                )[:100]:
                    problems.append(
                        {"row": row_no, "column": column, "problem": case_problem(code, values, column)}
                    )
                more = max(0, len(error.problems) - 100)
                form.cases.errors = [
                    gettext("The file has a problem: see the list below. Nothing has been saved.")
                    if len(error.problems) == 1
                    else gettext(
                        "The file has %(count)s problems: see the list below. Nothing has been saved.",
                        count=format_decimal(len(error.problems)),
                    )
                ]
            else:
                if form.version.data == "":
                    source = in_force
                elif form.version.data == version_service.SHIPPED:
                    source = None
                else:
                    source = own_version(form.version.data)
                job = accuracy_service.start_accuracy(
                    organisation, current_user, cases, source, filename=upload.filename or ""
                )
                db.session.commit()
                return redirect(url_for(".accuracy_report", job_id=job.id), code=303)
    errors = error_summary(form) if form.errors else None
    if errors and problems:
        for item in errors["errorList"]:
            if item["href"] == f"#{form.cases.id}":
                item["href"] = "#problems"  # the list of what to fix, rather than the file box
    return render_template(
        "practitioner/config/accuracy.html",
        form=form,
        problems=problems,
        more=more,
        reports=accuracy_service.recent_reports(organisation),
        errors=errors,
        sync_limit=format_decimal(accuracy_service.SYNC_CASES),
    )


def own_job(job_id: int, kind: str) -> Job:
    job = accuracy_service.find_job(own_organisation(), job_id, kind)
    if job is None:
        abort(404)
    return job


def outlier_reason(actual: int, estimate: int) -> str:
    """Why a case stands out, e.g. "Actual cost 3.1 times the estimate"."""
    if estimate <= 0:
        return gettext("The estimate is £0, but the actual cost is %(amount)s", amount=format_money(actual))
    ratio = actual / estimate
    if ratio >= 1:
        return gettext("Actual cost %(ratio)s times the estimate", ratio=format_decimal(ratio, format="0.0"))
    return gettext(
        "Estimate %(ratio)s times the actual cost",
        ratio=format_decimal(1 / ratio if ratio else math.inf, format="0.0"),
    )


def whole_pounds(pence: float) -> str:
    """An amount in whole pounds for an axis, e.g. "£1,500"."""
    return str(format_currency(Decimal(int(pence)) / 100, "GBP", format="¤#,##0", currency_digits=False))


def _nice(value: float) -> float:
    """A round number at or above ``value`` for the top of an axis (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def scatter(cases: Sequence[Sequence[Any]], outliers: set[str]) -> dict[str, Any]:
    """Coordinates for the estimate-against-actual plot (actual across, estimate up), with axis ticks."""
    width, height = 640, 460
    left, right, top, bottom = 90, 40, 20, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    top_pence = _nice(max([max(c[1], c[2]) for c in cases] + [100]))
    shown = list(cases)
    sampled = False
    if len(shown) > PLOTTED_POINTS:
        stride = math.ceil(len(shown) / PLOTTED_POINTS)
        shown = [c for i, c in enumerate(cases) if i % stride == 0 or c[0] in outliers]
        sampled = True

    def x(pence: float) -> float:
        return round(left + pence / top_pence * plot_w, 1)

    def y(pence: float) -> float:
        return round(top + plot_h - pence / top_pence * plot_h, 1)

    ticks = [top_pence * i / 5 for i in range(6)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "bottom_y": top + plot_h,
        "right_x": left + plot_w,
        "plot_w": plot_w,
        "plot_h": plot_h,
        "x_ticks": [{"at": x(t), "text": whole_pounds(t)} for t in ticks],
        "y_ticks": [{"at": y(t), "text": whole_pounds(t)} for t in ticks],
        "points": [{"x": x(c[2]), "y": y(c[1])} for c in shown if c[0] not in outliers],
        "flagged": [{"x": x(c[2]), "y": y(c[1])} for c in shown if c[0] in outliers],
        "sampled": sampled,
        "shown": len(shown),
        "band_hi": {"x": x(top_pence / 1.2), "y": y(top_pence)},
        "band_lo": {"x": x(top_pence), "y": y(top_pence / 1.2)},
        "diag": {"x": x(top_pence), "y": y(top_pence)},
    }


def figure_rows(figures: dict[str, Any], additive: dict[str, Any]) -> list[dict[str, str]]:
    """The accuracy figures side by side, in words."""

    def pct(value: float) -> str:
        return str(format_percent(value, format="#,##0.0%"))

    return [
        {
            "name": gettext("R² (share of the variation in actual cost explained)"),
            "ours": format_decimal(figures["r2"], format="0.00"),
            "additive": format_decimal(additive["r2"], format="0.00"),
        },
        {
            "name": gettext("Median absolute percentage error"),
            "ours": pct(figures["mdape"]),
            "additive": pct(additive["mdape"]),
        },
        {
            "name": gettext("Cases within %(percent)s%% of actual cost", percent=10),
            "ours": pct(figures["within_10"]),
            "additive": pct(additive["within_10"]),
        },
        {
            "name": gettext("Cases within %(percent)s%% of actual cost", percent=20),
            "ours": pct(figures["within_20"]),
            "additive": pct(additive["within_20"]),
        },
        {
            "name": gettext("Cases flagged as outliers"),
            "ours": format_decimal(figures["outliers"]),
            "additive": format_decimal(additive["outliers"]),
        },
    ]


@bp.route("/accuracy/<int:job_id>")
@roles_required(Role.ADMIN)
def accuracy_report(job_id: int) -> str:
    """An accuracy test: the figures beside the additive fit, the plot, the outliers and every case."""
    job = own_job(job_id, accuracy_service.ACCURACY_JOB)
    payload = job.payload
    result, left_out = accuracy_service.shown_result(job.result or {})
    done = job.status == JobStatus.DONE and "figures" in result
    context: dict[str, Any] = {
        "job": job,
        "payload": payload,
        "done": done,
        "result": result,
        "action": ConfirmForm(),
        "can_calibrate": False,
        "progress": progress_text(job),
        "left_out": left_out,
    }
    if done:
        cases = result["cases"]
        outliers = set(result["outliers"])
        try:
            page = max(1, min(10_000, int(request.args.get("page", "1"))))
        except ValueError:
            page = 1
        pages = max(1, math.ceil(len(cases) / TABLE_ROWS))
        page = min(page, pages)
        by_id = {c[0]: c for c in cases}
        context.update(
            figures=figure_rows(result["figures"], result["additive"]),
            plot=scatter(cases, outliers),
            table=[
                {
                    "id": c[0],
                    "estimate": format_money(c[1]),
                    "actual": format_money(c[2]),
                    "additive": format_money(c[3]),
                    "difference": format_percent((c[1] - c[2]) / c[2], format="+#,##0%;-#,##0%")
                    if c[2]
                    else "",
                    "outlier": c[0] in outliers,
                }
                for c in cases[(page - 1) * TABLE_ROWS : page * TABLE_ROWS]
            ],
            page=page,
            pages=pages,
            outlier_rows=[
                {
                    "id": case_id,
                    "actual": format_money(by_id[case_id][2]),
                    "estimate": format_money(by_id[case_id][1]),
                    "reason": outlier_reason(by_id[case_id][2], by_id[case_id][1]),
                    "explained": explanation_words(result.get("explained", {}).get(case_id)),
                }
                for case_id in result["outliers"][:LISTED_OUTLIERS]
            ],
            fairness=fairness_rows(result.get("fairness")),
            outlier_count=len(result["outliers"]),
            can_calibrate=len(payload.get("cases") or []) >= calibration_service.MIN_CALIBRATION_CASES,
            too_few=0 < len(payload.get("cases") or []) < calibration_service.MIN_CALIBRATION_CASES,
            listed_outliers=LISTED_OUTLIERS,
            table_rows=TABLE_ROWS,
            suggested_range=accuracy_service.indicative_range(result["cases"]),
        )
    return render_template("practitioner/config/accuracy_report.html", **context)


@bp.route("/accuracy/<int:job_id>/calibrate", methods=["POST"])
@roles_required(Role.ADMIN)
def accuracy_calibrate(job_id: int) -> Response:
    """Start a calibration on an accuracy test's cases (a job; its page shows progress)."""
    job = own_job(job_id, accuracy_service.ACCURACY_JOB)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".accuracy_report", job_id=job.id), code=303)
    started = calibration_service.start_calibration(own_organisation(), current_user, job)
    if started is None:
        flash(
            gettext(
                "These cases are no longer kept, or there are too few of them. Upload the file again to "
                "calibrate on it."
            ),
            "info",
        )
        return redirect(url_for(".accuracy_report", job_id=job.id), code=303)
    db.session.commit()
    return redirect(url_for(".calibration_status", job_id=started.id), code=303)


@bp.route("/accuracy/<int:job_id>/range", methods=["POST"])
@roles_required(Role.ADMIN)
def accuracy_range(job_id: int) -> Any:
    """Make a draft whose indicative range is this test's middle 80% of actual cost ÷ estimate."""
    job = own_job(job_id, accuracy_service.ACCURACY_JOB)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".accuracy_report", job_id=job.id), code=303)
    draft = accuracy_service.create_range_draft(own_organisation(), current_user, job)
    if draft is None:
        flash(
            gettext("This test has too few cases, or its configuration is gone, to set a range from it."),
            "info",
        )
        return redirect(url_for(".accuracy_report", job_id=job.id), code=303)
    db.session.commit()
    flash(gettext("A draft with the new range is ready. Check it, then publish it."), "success")
    return redirect(url_for(".config_version", version_id=draft.public_id), code=303)


@bp.route("/accuracy/<int:job_id>/delete-cases", methods=["POST"])
@roles_required(Role.ADMIN)
def accuracy_forget(job_id: int) -> Response:
    """Remove the uploaded cases now (the report stays)."""
    job = own_job(job_id, accuracy_service.ACCURACY_JOB)
    if ConfirmForm().validate_on_submit() and job.status in (JobStatus.DONE, JobStatus.FAILED):
        if job.payload.get("cases"):
            job.payload = {**job.payload, "cases": [], "cases_removed": True}
            from portal.audit import record

            record(
                "accuracy.cases_deleted",
                actor=current_user,
                organisation=own_organisation(),
                detail={"job_id": job.id},
            )
            db.session.commit()
        flash(gettext("The uploaded cases have been deleted. The report stays."), "success")
    return redirect(url_for(".accuracy_report", job_id=job.id), code=303)


PROGRESS_WORDS = {
    "accuracy": lazy_gettext("Estimating every case"),
    "cross_validating": lazy_gettext("Cross-validating: fold %(step)s of %(total)s"),
    "fitting": lazy_gettext("Fitting the coefficients to every case"),
    "saving": lazy_gettext("Saving the draft"),
}


def progress_text(job: Job) -> str:
    """How far a job has got, in words."""
    step, _, rest = (job.progress or "").partition("|")
    done, _, total = rest.partition("|")
    if step not in PROGRESS_WORDS:
        return gettext("Waiting for a worker to start it") if job.status == JobStatus.PENDING else ""
    if step == "cross_validating":
        if done in ("", "0"):
            return gettext("Cross-validating: starting")
        return str(PROGRESS_WORDS[step]) % {"step": done, "total": total}
    return str(PROGRESS_WORDS[step])
