"""A calibration's progress and outcome."""

from __future__ import annotations

from flask import render_template

from portal import calibration_service, version_service
from portal.models import JobStatus, Role
from portal.practitioner import bp
from portal.practitioner.accuracy import figure_rows, own_job, progress_text
from portal.practitioner.config_forms import own_organisation
from portal.security import roles_required


@bp.route("/calibration/<int:job_id>")
@roles_required(Role.ADMIN)
def calibration_status(job_id: int) -> str:
    """A calibration's progress, and when done its held-out figures and the new draft."""
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
        before=figure_rows(result["before"], result["in_sample"]) if "before" in result else None,
        progress=progress_text(job),
        statuses=JobStatus,
    )
