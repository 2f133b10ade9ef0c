"""Work done off the request: a job table in the database and a worker that takes jobs from it.

A job is written in the same transaction as the change that causes it (:func:`enqueue` only adds it to the
session), so either both happen or neither does. A worker *claims* a job with one conditional UPDATE that
only succeeds while the job is still free, so two workers never take the same job on SQLite or PostgreSQL.
A claim is a lease: a worker that dies leaves the job ``running`` with a lease that runs out, after which
any worker takes it again. Handlers must therefore be safe to run twice; emails are, because each carries the
Message-ID fixed when it was written (see :mod:`portal.mail`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import InterfaceError, OperationalError

from portal.extensions import db
from portal.models import Job, JobStatus, utcnow

log = logging.getLogger(__name__)

Handler = Callable[[Job], dict[str, Any] | None]
HANDLERS: dict[str, Handler] = {}
#: Kinds of job that can take minutes (accuracy tests, calibration). A worker runs them in a lane of their own,
#: so that one long calibration never holds up emails and letters (see :func:`work`).
HEAVY: set[str] = set()


def handler(kind: str, *, heavy: bool = False) -> Callable[[Handler], Handler]:
    """Register the function that does jobs of ``kind`` (``heavy``: minutes of computation, in its own lane)."""

    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        if heavy:
            HEAVY.add(kind)
        return func

    return register


#: Functions that queue a recurring job unless one is already waiting (the daily review reminders): a worker
#: process calls :func:`start_recurring` as it starts, so the chain of runs begins whichever host starts first.
RECURRING: list[Callable[[], object]] = []


def recurring(func: Callable[[], object]) -> Callable[[], object]:
    """Register a function that queues a recurring job unless one is waiting (see :data:`RECURRING`)."""
    RECURRING.append(func)
    return func


def start_recurring() -> None:
    """Queue each recurring job that has none waiting, and commit."""
    for func in RECURRING:
        func()
    db.session.commit()


class TimeLimitExceeded(RuntimeError):
    """A heavy job ran past its time limit (``JOB_TIME_LIMIT_SECONDS``): it fails rather than run on."""


def check_time_limit(started: float) -> None:
    """Raise :class:`TimeLimitExceeded` once a job started at ``started`` (``time.monotonic()``) is over time."""
    limit = float(current_app.config.get("JOB_TIME_LIMIT_SECONDS", 900))
    if time.monotonic() - started > limit:
        raise TimeLimitExceeded(f"over the time limit of {limit:g} seconds")


def enqueue(kind: str, payload: dict[str, Any], *, run_after: datetime | None = None) -> Job:
    """Add a job to the current transaction; it is only visible to workers once the caller commits."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for jobs of kind {kind!r}")
    job = Job(kind=kind, payload=payload, run_after=run_after or utcnow())
    db.session.add(job)
    return job


def worker_name() -> str:
    """A name for this worker, unique across hosts and processes."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _claimable(now: datetime) -> Any:
    """Jobs that are due, or whose worker's lease has run out."""
    return or_(
        and_(Job.status == JobStatus.PENDING, Job.run_after <= now),
        and_(Job.status == JobStatus.RUNNING, Job.lease_until < now),
    )


def _lane(heavy: bool | None) -> Any:
    """Jobs of one lane: heavy kinds only (True), every other kind (False), or all (None)."""
    if heavy is None:
        return and_(True)
    return Job.kind.in_(sorted(HEAVY)) if heavy else Job.kind.not_in(sorted(HEAVY))


def claim(worker: str, *, now: datetime | None = None, heavy: bool | None = None) -> Job | None:
    """Take the oldest job that is free (of one lane, if given), or None. Safe when many workers call it at once."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
    candidates = db.session.scalars(
        select(Job.id).where(_claimable(now), _lane(heavy)).order_by(Job.id).limit(10)
    ).all()
    db.session.rollback()  # end the read before trying to write
    for job_id in candidates:
        # The WHERE repeats the test: if another worker got there first, this updates nothing.
        result = db.session.execute(
            update(Job)
            .where(Job.id == job_id, _claimable(now))
            .values(
                status=JobStatus.RUNNING,
                locked_by=worker,
                lease_until=now + lease,
                attempts=Job.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:
            job = db.session.get(Job, job_id, populate_existing=True)
            return job
    return None


def heartbeat(job: Job, progress: str = "") -> None:
    """Extend a long job's lease and record how far it has got."""
    lease = timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
    db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == job.locked_by)
        .values(lease_until=utcnow() + lease, progress=progress[:200])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _finish(job: Job, worker: str, **values: Any) -> None:
    """Record the outcome, only if this worker still holds the job."""
    db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.locked_by == worker, Job.status == JobStatus.RUNNING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def run_job(job: Job, worker: str) -> None:
    """Do one claimed job and record done, retry later, or failed."""
    func = HANDLERS.get(job.kind)
    if job.attempts > job.max_attempts or func is None:
        reason = "too many attempts" if func else f"no handler for {job.kind!r}"
        _finish(
            job, worker, status=JobStatus.FAILED, last_error=reason, finished_at=utcnow(), lease_until=None
        )
        return
    try:
        result = func(job) or {}
    except Exception as error:  # noqa: BLE001 - any failure of a job is recorded, never lost
        db.session.rollback()
        log.exception("job %s (%s) failed", job.id, job.kind)
        if job.attempts >= job.max_attempts or isinstance(error, TimeLimitExceeded):  # over time: never again
            _finish(job, worker, status=JobStatus.FAILED, last_error=repr(error)[:2000], finished_at=utcnow())
        else:
            backoff = timedelta(seconds=min(3600, 5 * 2**job.attempts))
            _finish(
                job,
                worker,
                status=JobStatus.PENDING,
                last_error=repr(error)[:2000],
                run_after=utcnow() + backoff,
                lease_until=None,
                locked_by=None,
            )
        return
    _finish(job, worker, status=JobStatus.DONE, result=result, finished_at=utcnow(), lease_until=None)


def run_once(worker: str | None = None, *, heavy: bool | None = None) -> bool:
    """Claim and do one job (of one lane, if given); False when there was nothing to do."""
    worker = worker or worker_name()
    job = claim(worker, heavy=heavy)
    if job is None:
        return False
    run_job(job, worker)
    return True


def work(
    *,
    stop: threading.Event | None = None,
    poll_seconds: float = 1.0,
    max_jobs: int | None = None,
    until_empty: bool = False,
    heavy: bool | None = None,
) -> int:
    """Do jobs until stopped (or until the queue is empty, or ``max_jobs``); return how many were done.

    ``heavy`` picks a lane: True for the heavy kinds only, False for every other kind, None for all. A worker
    process runs both lanes side by side (:func:`work_in_lanes`), so emails never wait behind a calibration.
    """
    worker = worker_name()
    done = 0
    outage = 0  # database failures in a row
    while stop is None or not stop.is_set():
        if max_jobs is not None and done >= max_jobs:
            break
        try:
            did = run_once(worker, heavy=heavy)
        except (OperationalError, InterfaceError) as error:
            # The database is down or unreachable (a restart, a failover, the network): wait and try again,
            # longer each time, rather than exit. A job cut short keeps its lease and is taken again later.
            _forget_connection()
            if until_empty:
                raise
            cfg = current_app.config
            delay = min(cfg["WORKER_RETRY_MAX_SECONDS"], cfg["WORKER_RETRY_FIRST_SECONDS"] * 2**outage)
            outage += 1
            log.warning(
                "database unavailable (%s, %d in a row); trying again in %.1f s",
                error.__class__.__name__,
                outage,
                delay,
            )
            _pause(stop, delay)
            continue
        if outage:
            log.warning("database available again after %d failed attempts", outage)
            outage = 0
        if did:
            done += 1
            continue
        if until_empty:
            break
        _pause(stop, poll_seconds)
    return done


def _pause(stop: threading.Event | None, seconds: float) -> None:
    """Wait, waking early if stopped."""
    if stop is not None:
        stop.wait(seconds)
    else:
        time.sleep(seconds)


def _forget_connection() -> None:
    """Drop the session's broken connection, so the next attempt opens a new one."""
    with contextlib.suppress(OperationalError, InterfaceError):
        db.session.rollback()
    db.session.remove()


def work_in_lanes(
    app: Any, *, stop: threading.Event, poll_seconds: float = 1.0, until_empty: bool = False
) -> int:
    """Run the heavy lane in a thread of its own beside the light lane (emails, letters); return jobs done."""
    counts = {"heavy": 0}

    def heavy_lane() -> None:
        with app.app_context():
            counts["heavy"] = work(stop=stop, poll_seconds=poll_seconds, until_empty=until_empty, heavy=True)

    thread = threading.Thread(target=heavy_lane, name="jobs-heavy", daemon=True)
    thread.start()
    try:
        light = work(stop=stop, poll_seconds=poll_seconds, until_empty=until_empty, heavy=False)
    finally:
        if not until_empty:
            stop.set()
        thread.join()
    return light + counts["heavy"]
