"""Calibration: fitting a configuration's coefficients to an organisation's own cases, as a job.

:func:`calibration_job` fits the coefficients with :func:`portal.engine.calibrate.fit`, reports cross-validated
figures and saves the result as a new draft.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update

from portal.accuracy_report import fairness, flagged_groups
from portal.accuracy_service import decode_cases, figures_dict, kept_alive, version_config
from portal.audit import record
from portal.engine import Configuration, NeedsProfile, estimate
from portal.engine.profile import FIELD_NAMES
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


@handler(CALIBRATION_JOB, heavy=True)
def calibration_job(job: Job) -> dict[str, Any]:
    """Fit the coefficients to the cases, with cross-validated figures, and save the result as a draft.

    Safe to run twice: the draft, the outcome and the removal of the cases are saved in one transaction, and
    only while this worker still holds the job; a second run finds the outcome and returns it.
    """
    from portal.engine.calibrate import accuracy, held_out_report
    from portal.engine.local import calibrate, rate_changes

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

        # shrink toward the configuration tested (the one in force, else the shipped one): a small sample moves
        # it only as far as the evidence supports; one price factor at most, every moved rate listed below
        result = calibrate(cases, base, folds=folds, progress=progress, flagged=flagged_groups(cases))
        keeper.set("fitting|0|0")
        fitted = result.config
        held_out = held_out_report(cases, result.held_out, result.folds, base)
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
        "strength": "factor" if result.factor_only else result.strength,
        "price_factor": round(result.price_factor, 4),
        "rates_changed": [[kind, unit, old, new] for kind, unit, old, new in rate_changes(base, fitted)],
        "pounds": changes_in_pounds(base, fitted, cases),
        # the calibration must not buy overall accuracy with one group's bias: groups before and held out
        "fairness_before": fairness(cases, [estimate(c.profile, base).total_weekly_pence for c in cases]),
        "fairness_held_out": fairness(cases, list(result.held_out)),
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


# -- what calibration changed, in pounds ------------------------------------------------------------------

#: Example people on whom a calibrated draft's effect is shown (the Needs Profile fields that are not 0).
EXAMPLE_PROFILES: dict[str, dict[str, Any]] = {
    "older_person": {
        "client_group": "older_people",
        "lives_alone": 1,
        "memory_cognition": 1,
        "mobility": 2,
        "need_nutrition": 2,
        "need_hygiene": 2,
        "need_dressing": 2,
        "need_home_environment": 2,
        "need_medication": 1,
    },
    "learning_disability": {
        "client_group": "learning_disability",
        "setting": "supported_living",
        "behaviour_challenges": 1,
        "need_nutrition": 2,
        "need_hygiene": 2,
        "need_home_environment": 3,
        "need_relationships": 2,
        "need_community": 3,
        "need_work_learning": 2,
        "need_medication": 2,
        "night": 2,
    },
    "mental_health": {
        "client_group": "mental_health",
        "lives_alone": 1,
        "fluctuating": 1,
        "need_nutrition": 1,
        "need_home_environment": 2,
        "need_relationships": 2,
        "need_community": 2,
        "need_mental_health": 3,
        "need_medication": 2,
    },
}


def example_profile(key: str) -> NeedsProfile:
    """One of :data:`EXAMPLE_PROFILES` as a Needs Profile (every other field 0, living in the community)."""
    values: dict[str, Any] = dict.fromkeys(FIELD_NAMES, 0)
    values.update(client_group="older_people", setting="community")
    values.update(EXAMPLE_PROFILES[key])
    return NeedsProfile.from_mapping(values)


def changes_in_pounds(before: Configuration, after: Configuration, cases: Sequence[Any]) -> dict[str, Any]:
    """What a new configuration changes, in pence a week: for each example person (before, after), and for each
    line of the allocation summary over the organisation's own cases, the median and the largest change."""
    examples = []
    for key in EXAMPLE_PROFILES:
        profile = example_profile(key)
        examples.append(
            [key, estimate(profile, before).total_weekly_pence, estimate(profile, after).total_weekly_pence]
        )
    by_line: dict[str, list[int]] = {}
    totals: list[int] = []
    for case in cases:
        old = estimate(case.profile, before)
        new = estimate(case.profile, after)
        totals.append(new.total_weekly_pence - old.total_weekly_pence)
        old_lines = {line.key: line.amount_pence for line in old.lines}
        for line in new.lines:
            by_line.setdefault(line.key, []).append(line.amount_pence - old_lines.get(line.key, 0))
    lines = [
        [key, int(statistics.median(changes)), max(changes, key=abs)]
        for key, changes in by_line.items()
        if any(changes)
    ]
    total = [int(statistics.median(totals)), max(totals, key=abs)] if totals else [0, 0]
    return {"examples": examples, "lines": lines, "total": total}
