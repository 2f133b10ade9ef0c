"""Calibration: fitting a configuration's coefficients to an organisation's own cases, as a job.

:func:`calibration_job` fits the coefficients with :func:`portal.engine.calibrate.fit`, reports cross-validated
figures and saves the result as a new draft.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update

from portal.accuracy_service import decode_cases, figures_dict, kept_alive, version_config
from portal.audit import record
from portal.extensions import db
from portal.jobs import enqueue, handler
from portal.models import (
    Account,
    Job,
    JobStatus,
    Organisation,
)
from portal.version_service import add_version, unique_label

MIN_CALIBRATION_CASES = 60
CALIBRATION_JOB = "calibration"


def start_calibration(organisation: Organisation, actor: Account, tested: Job) -> Job | None:
    """Queue a calibration on an accuracy test's cases (None when the cases have been removed); audited."""
    rows = tested.payload.get("cases") or []
    if len(rows) < MIN_CALIBRATION_CASES:
        return None
    folds = 5 if len(rows) >= 100 else 3
    payload = {
        "organisation_id": organisation.id,
        "account_id": actor.id,
        "accuracy_job_id": tested.id,
        "version": tested.payload["version"],
        "folds": folds,
        "count": len(rows),
        "cases": rows,
    }
    job = enqueue(CALIBRATION_JOB, payload)
    db.session.flush()
    record(
        "calibration.started",
        actor=actor,
        organisation=organisation,
        detail={
            "job_id": job.id,
            "accuracy_job_id": tested.id,
            "cases": len(rows),
            "folds": folds,
            "version": payload["version"]["public_id"],
        },
    )
    return job


@handler(CALIBRATION_JOB)
def calibration_job(job: Job) -> dict[str, Any]:
    """Fit the coefficients to the cases, with cross-validated figures, and save the result as a draft.

    Safe to run twice: the draft, the outcome and the removal of the cases are saved in one transaction, and
    only while this worker still holds the job; a second run finds the outcome and returns it.
    """
    from portal.engine.calibrate import accuracy, cross_validate, fit

    payload = dict(job.payload)
    if payload.get("outcome"):
        return dict(payload["outcome"])
    organisation = db.session.get(Organisation, payload["organisation_id"])
    actor = db.session.get(Account, payload["account_id"])
    if organisation is None:
        return {"error": "organisation_gone"}
    try:
        source, base = version_config(payload["version"], organisation)
    except LookupError:
        return {"error": "version_gone"}
    cases = decode_cases(payload["cases"])
    folds = int(payload.get("folds", 5))
    locked_by = job.locked_by
    job_id = job.id
    with kept_alive(job) as keeper:
        keeper.set(f"cross_validating|0|{folds}")

        def progress(text: str) -> None:
            match = re.match(r"fold (\d+) of (\d+)", text)
            if match:
                keeper.set(f"cross_validating|{match[1]}|{match[2]}")

        held_out = cross_validate(cases, base, folds=folds, progress=progress)
        keeper.set("fitting|0|0")
        fitted = fit(cases, base)
        in_sample = accuracy(cases, fitted)
        keeper.set("saving|0|0")
    label = unique_label(organisation, base.label, suffix=f" (calibrated on {len(cases)} cases)")
    config = fitted.with_changes(label=label, effective_date=None)
    row = add_version(organisation, config, actor, via="calibration", source=source, source_config=base)
    outcome = {
        "draft": row.public_id,
        "label": row.label,
        "content_hash": row.content_hash,
        "base_label": base.label,
        "cases": len(cases),
        "folds": folds,
        "cross_validated": figures_dict(held_out.figures),
        "additive_cross_validated": figures_dict(held_out.additive),
        "in_sample": figures_dict(in_sample.figures),
        "before": figures_dict(accuracy(cases, base).figures),
    }
    saved = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.locked_by == locked_by, Job.status == JobStatus.RUNNING)
        .values(payload={**payload, "cases": [], "outcome": outcome})
        .execution_options(synchronize_session=False)
    )
    if saved.rowcount != 1:
        db.session.rollback()
        raise RuntimeError("another worker holds this calibration now")
    db.session.commit()
    return outcome
