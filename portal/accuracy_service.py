"""Accuracy testing: an uploaded CSV of local cases tested against a configuration.

The upload is parsed (every bad row and column reported at once, nothing stored), then kept only in the payload of
the job that tests it (small files are tested at once, inside the request) so that the admin can calibrate on it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import select

from portal.accuracy_report import case_groups, explain_outlier, fairness
from portal.audit import record
from portal.engine import Configuration, NeedsProfile
from portal.engine.case_file import MAX_WEEKLY_PENCE
from portal.engine.profile import FIELD_NAMES
from portal.extensions import db
from portal.jobs import check_time_limit, enqueue, handler, heartbeat
from portal.models import (
    Account,
    AuditEvent,
    ConfigurationVersion,
    Job,
    JobStatus,
    Organisation,
    utcnow,
)
from portal.version_service import SHIPPED, add_version, configuration, unique_label

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_CASES = 20_000
SYNC_CASES = (
    500  # up to this many cases (well under a second) are tested inside the request; more go to a job
)
ACCURACY_JOB = "accuracy"
EXPLAINED_OUTLIERS = 200


# -- accuracy testing -----------------------------------------------------------------------------------


def parse_upload(data: bytes) -> list[Any]:
    """The cases of an uploaded CSV; raises ``CaseFileError`` listing every bad row and column."""
    import io

    from portal.engine.case_file import one_problem, read_cases

    if len(data) > MAX_UPLOAD_BYTES:
        raise one_problem(None, None, "the file is larger than 5 MB", "too_large", megabytes=5)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise one_problem(
            None, None, "the file is not UTF-8 text (save it as CSV UTF-8)", "not_utf8"
        ) from None
    return read_cases(io.StringIO(text, newline=""), max_rows=MAX_CASES)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def encode_cases(cases: Sequence[Any]) -> list[list[Any]]:
    """Parsed cases as compact JSON rows: case id, actual pence, the profile fields in order, and (only when the
    file had any) a mapping of the optional group columns (age band, sex, ethnicity)."""
    return [
        [
            case.case_id,
            case.actual_pence,
            *(_plain(getattr(case.profile, name)) for name in FIELD_NAMES),
            *([dict(case.groups)] if case.groups else []),
        ]
        for case in cases
    ]


def decode_cases(rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Cases back from :func:`encode_cases`."""
    from portal.engine.case_file import Case

    out = []
    for row in rows:
        groups = row[-1] if isinstance(row[-1], dict) else {}
        fields = row[2 : len(row) - (1 if groups else 0)]
        profile = NeedsProfile.from_mapping(dict(zip(FIELD_NAMES, fields, strict=True)))
        out.append(Case(str(row[0]), profile, int(row[1]), tuple(sorted(groups.items()))))
    return out


def _version_ref(row: ConfigurationVersion | None, config: Configuration) -> dict[str, Any]:
    return {
        "public_id": row.public_id if row else SHIPPED,
        "label": config.label,
        "hash": config.content_hash,
    }


def version_config(
    ref: dict[str, Any], organisation: Organisation
) -> tuple[ConfigurationVersion | None, Configuration]:
    """The version a job refers to (one of the organisation's, or the deployment's default), or shipped."""
    if ref.get("public_id", SHIPPED) == SHIPPED:
        return None, configuration(None)
    row = db.session.scalar(
        select(ConfigurationVersion).where(ConfigurationVersion.public_id == ref["public_id"])
    )
    if row is None or row.organisation_id not in (organisation.id, None):
        raise LookupError("the configuration version has gone")
    return row, configuration(row)


def figures_dict(figures: Any) -> dict[str, Any]:
    data = figures.to_dict()
    data["outliers"] = len(figures.outliers)
    return data


def run_accuracy(cases: Sequence[Any], config: Configuration) -> dict[str, Any]:
    """The accuracy report as stored in the job result: figures, per-case results and the outliers."""
    from portal.engine.calibrate import accuracy

    report = accuracy(cases, config)
    rows = [
        [c.case_id, c.estimate_pence, c.actual_pence, a.estimate_pence, case_groups(case)]
        for c, a, case in zip(report.cases, report.additive_cases, cases, strict=True)
    ]
    flagged = set(report.outliers)
    outliers = sorted((r for r in rows if r[0] in flagged), key=lambda r: -abs(_log_ratio(r[2], r[1])))
    by_id = {case.case_id: case for case in cases}
    return {
        "config": {"label": config.label, "hash": config.content_hash},
        "count": len(rows),
        "figures": figures_dict(report.figures),
        "additive": figures_dict(report.additive),
        "fairness": fairness(cases, [c.estimate_pence for c in report.cases]),
        "cases": rows,
        "outliers": [r[0] for r in outliers],
        # why each outlier stands out (the ones listed on the page and in the exports)
        "explained": {r[0]: explain_outlier(by_id[r[0]], config) for r in outliers[:EXPLAINED_OUTLIERS]},
    }


def shown_result(result: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A stored report with any case whose amounts no real case has left out (reports stored before uploads
    refused such values could hold a cost of 10^52 pence, which no page can format), and how many were."""
    cases = result.get("cases") or []
    kept = [c for c in cases if 0 < c[2] <= MAX_WEEKLY_PENCE and 0 <= c[1] <= MAX_WEEKLY_PENCE and c[3] >= 0]
    if len(kept) == len(cases):
        return result, 0
    ids = {c[0] for c in kept}
    trimmed = {**result, "cases": kept, "outliers": [i for i in result.get("outliers", []) if i in ids]}
    for c in kept:  # the additive fit is unbounded above: cap it for display
        c[3] = min(c[3], MAX_WEEKLY_PENCE)
    return trimmed, len(cases) - len(kept)


def _log_ratio(actual: int, estimate: int) -> float:
    import math

    return math.log(max(actual, 1) / max(estimate, 1))


def _tested_jobs(organisation: Organisation, limit: int = 50) -> list[int]:
    """Ids of the organisation's accuracy-test jobs, newest first (from the audit trail, which has the org)."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation.id, AuditEvent.action == "accuracy.tested")
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [int(e.detail["job_id"]) for e in events if isinstance(e.detail.get("job_id"), int)]


def recent_reports(organisation: Organisation, limit: int = 10) -> list[dict[str, Any]]:
    """The organisation's latest accuracy tests, for the upload page (from the audit trail)."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation.id, AuditEvent.action == "accuracy.tested")
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [{"at": e.at, **e.detail} for e in events]


def forget_cases(organisation: Organisation, *, keep: int | None = None) -> int:
    """Remove the uploaded cases from the organisation's finished accuracy tests (their reports stay)."""
    removed = 0
    for job_id in _tested_jobs(organisation):
        if job_id == keep:
            continue
        job = db.session.get(Job, job_id)
        if job is None or job.status not in (JobStatus.DONE, JobStatus.FAILED):
            continue
        if job.payload.get("cases"):
            job.payload = {**job.payload, "cases": [], "cases_removed": True}
            removed += 1
    return removed


def start_accuracy(
    organisation: Organisation,
    actor: Account,
    cases: Sequence[Any],
    source: ConfigurationVersion | None,
    *,
    filename: str = "",
) -> Job:
    """Test a configuration on parsed cases: at once for a small file, else as a job; audited.

    The cases are kept in the job's payload so that the admin can calibrate on them; the cases of the
    organisation's earlier tests are removed (their reports stay).
    """
    config = configuration(source)
    forget_cases(organisation)
    payload = {
        "organisation_id": organisation.id,
        "account_id": actor.id,
        "version": _version_ref(source, config),
        "filename": filename[:200],
        "count": len(cases),
        "cases": encode_cases(cases),
    }
    job = enqueue(ACCURACY_JOB, payload)
    now = len(cases) <= SYNC_CASES
    if now:
        job.result = run_accuracy(cases, config)
        job.status = JobStatus.DONE
        job.progress = "done"
        job.finished_at = utcnow()
    db.session.flush()
    record(
        "accuracy.tested",
        actor=actor,
        organisation=organisation,
        detail={
            "job_id": job.id,
            "cases": len(cases),
            "filename": filename[:200],
            "version": payload["version"]["public_id"],
            "label": config.label,
            "content_hash": config.content_hash,
            "run": "now" if now else "queued",
        },
    )
    return job


def find_job(organisation: Organisation, job_id: int, kind: str) -> Job | None:
    """A job of this kind started by the organisation (None for another organisation's: a 404)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != kind or job.payload.get("organisation_id") != organisation.id:
        return None
    return job


# -- the jobs -------------------------------------------------------------------------------------------


class _KeepAlive:
    """Heartbeats a job from a thread while a long computation runs, so its lease never runs out mid-fit.

    ``set`` records how far the job has got (and heartbeats at once); the thread repeats the latest progress
    every third of the lease. It uses its own database session (its own app context).
    """

    def __init__(self, job: Job) -> None:
        self.app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.ref = SimpleNamespace(id=job.id, locked_by=job.locked_by)
        self.progress = ""
        self.started = time.monotonic()
        self.stop = threading.Event()
        self.interval = max(1.0, current_app.config["JOB_LEASE_SECONDS"] / 3)
        self.thread = threading.Thread(target=self._run, name=f"job-{job.id}-heartbeat", daemon=True)

    def set(self, progress: str) -> None:
        """Record progress; raises :class:`portal.jobs.TimeLimitExceeded` once the job is over its time limit."""
        check_time_limit(self.started)
        self.progress = progress
        heartbeat(self.ref, progress)  # type: ignore[arg-type]

    def _run(self) -> None:
        with self.app.app_context():
            while not self.stop.wait(self.interval):
                try:
                    heartbeat(self.ref, self.progress)  # type: ignore[arg-type]
                except Exception:  # noqa: BLE001 - a missed heartbeat is retried at the next tick
                    db.session.rollback()
                    current_app.logger.warning("heartbeat for job %s failed", self.ref.id, exc_info=True)
            db.session.remove()


@contextmanager
def kept_alive(job: Job) -> Iterator[_KeepAlive]:
    keeper = _KeepAlive(job)
    keeper.thread.start()
    try:
        yield keeper
    finally:
        keeper.stop.set()
        keeper.thread.join()


@handler(ACCURACY_JOB, heavy=True)
def accuracy_job(job: Job) -> dict[str, Any]:
    """Test a configuration on a large upload's cases (small ones are tested inside the request)."""
    payload = dict(job.payload)
    organisation = db.session.get(Organisation, payload["organisation_id"])
    if organisation is None:
        return {"error": "organisation_gone"}
    with kept_alive(job) as keeper:
        keeper.set("accuracy|0|1")
        try:
            _, config = version_config(payload["version"], organisation)
        except LookupError:
            return {"error": "version_gone"}
        cases = decode_cases(payload["cases"])
        result = run_accuracy(cases, config)
        keeper.set("accuracy|1|1")
    return result


# -- the indicative range, from an accuracy test ------------------------------------------------------

#: The range an estimate shows covers the middle 80% of actual cost ÷ estimate in an accuracy test.
RANGE_MIDDLE = 0.8
RANGE_MIN_CASES = 20
RANGE_MAX_BELOW = 90  # percent: a range never reaches down to nothing


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks (as numpy's default)."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def indicative_range(rows: Sequence[Sequence[Any]]) -> tuple[int, int] | None:
    """(below, above) in whole percent: the middle 80% of actual ÷ estimate over an accuracy test's cases
    (rows as stored: case id, estimate pence, actual pence, …); None with fewer than 20 usable cases."""
    ratios = sorted(row[2] / row[1] for row in rows if row[1] > 0 and row[2] > 0)
    if len(ratios) < RANGE_MIN_CASES:
        return None
    tail = (1 - RANGE_MIDDLE) / 2

    def whole(percent: float) -> int:  # half up, without the float's noise deciding a .5
        return int(Decimal(f"{percent:.6f}").quantize(Decimal(1), ROUND_HALF_UP))

    below = whole((1 - _quantile(ratios, tail)) * 100)
    above = whole((_quantile(ratios, 1 - tail) - 1) * 100)
    return min(max(below, 0), RANGE_MAX_BELOW), max(above, 0)


def create_range_draft(organisation: Organisation, actor: Account, job: Job) -> ConfigurationVersion | None:
    """A draft of the tested configuration whose indicative range comes from this accuracy test.

    The admin reviews and publishes it like any draft, so the range is versioned and hashed with the rest of
    the configuration. None when the test has too few cases or its configuration is gone.
    """
    result = job.result or {}
    found = indicative_range(result.get("cases") or [])
    if found is None:
        return None
    try:
        source, base = version_config((job.payload or {}).get("version", {}), organisation)
    except LookupError:
        return None
    below, above = found
    config = base.with_changes(
        label=unique_label(organisation, base.label, suffix=" (range from accuracy test)"),
        effective_date=None,
        indicative_range={"below_percent": below, "above_percent": above},
    )
    row = add_version(organisation, config, actor, via="accuracy_range", source=source, source_config=base)
    record(
        "configuration.range_from_accuracy",
        actor=actor,
        organisation=organisation,
        detail={"job_id": job.id, "version": row.public_id, "below_percent": below, "above_percent": above},
    )
    return row
