"""The health check's findings: can we reach the database, and is the job queue moving?

``/healthz`` answers 200 while the database answers (so a load balancer keeps the web process), and 503 when
it does not. The job queue is reported beside it: a due job waiting longer than ``HEALTH_JOB_WAIT_SECONDS``
means no worker is taking jobs (none running, or none that can reach the database), which the web process
cannot fix, so it is "degraded", not a reason to take the web process out of service.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.models import Job, JobStatus, utcnow


def report() -> tuple[dict[str, Any], int]:
    """The findings, and the HTTP status to answer with."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        # Say what kind of failure, never the driver's message (it can name hosts and users).
        return {
            "status": "down",
            "database": {
                "ok": False,
                "problem": f"the database does not answer ({error.__class__.__name__})",
            },
            "jobs": {"ok": False, "problem": "unknown while the database does not answer"},
        }, 503
    jobs = _jobs()
    status = "ok" if jobs["ok"] else "degraded"
    return {"status": status, "database": {"ok": True}, "jobs": jobs}, 200


def _jobs() -> dict[str, Any]:
    """Due jobs waiting, how long the oldest has waited, and failures in the last day."""
    now = utcnow()
    due = (Job.status == JobStatus.PENDING) & (Job.run_after <= now)
    waiting, oldest = db.session.execute(select(func.count(Job.id), func.min(Job.run_after)).where(due)).one()
    stuck = db.session.scalar(
        select(func.count(Job.id)).where(Job.status == JobStatus.RUNNING, Job.lease_until < now)
    )
    failed = db.session.scalar(
        select(func.count(Job.id)).where(
            Job.status == JobStatus.FAILED, Job.finished_at >= now - timedelta(days=1)
        )
    )
    db.session.rollback()
    if oldest is not None and oldest.tzinfo is None:  # SQLite forgets the zone in aggregates
        oldest = oldest.replace(tzinfo=now.tzinfo)
    waited = int((now - oldest).total_seconds()) if oldest is not None else 0
    limit = current_app.config["HEALTH_JOB_WAIT_SECONDS"]
    findings: dict[str, Any] = {
        "ok": waited <= limit,
        "waiting": int(waiting),
        "oldest_waiting_seconds": waited,
        "running_past_lease": int(stuck or 0),
        "failed_last_day": int(failed or 0),
    }
    if waited > limit:
        findings["problem"] = (
            f"a job has waited {waited} s (more than {limit} s): is a worker running, and can it reach the database?"
        )
    return findings
