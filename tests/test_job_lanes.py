"""Heavy jobs (accuracy tests, calibration) run in a lane of their own, with a time limit."""

from __future__ import annotations

import threading
import time

from portal.extensions import db
from portal.jobs import (
    HEAVY,
    TimeLimitExceeded,
    check_time_limit,
    claim,
    enqueue,
    handler,
    run_job,
    work_in_lanes,
)
from portal.models import Job, JobStatus

STARTED = threading.Event()
RELEASE = threading.Event()
LIGHT_DONE: list[int] = []


@handler("test-heavy", heavy=True)
def _heavy(job: Job) -> dict:
    STARTED.set()
    RELEASE.wait(20)  # a long calibration, until the test lets it finish
    return {"heavy": True}


@handler("test-light")
def _light(job: Job) -> dict:
    LIGHT_DONE.append(job.payload["n"])
    return {}


@handler("test-slow", heavy=True)
def _slow(job: Job) -> dict:
    check_time_limit(time.monotonic() - 10_000)  # started long ago
    return {}


def test_accuracy_and_calibration_are_heavy():
    import portal.accuracy_service  # noqa: F401 - registers the handlers
    import portal.calibration_service  # noqa: F401

    assert {"accuracy", "calibration"} <= HEAVY


def test_the_lanes_split_the_kinds(app):
    enqueue("test-heavy", {})
    enqueue("test-light", {"n": 1})
    db.session.commit()
    assert claim("w", heavy=False).kind == "test-light"
    assert claim("w", heavy=False) is None  # the light lane never takes a heavy job
    assert claim("w", heavy=True).kind == "test-heavy"


def test_an_email_is_sent_while_a_long_calibration_runs(app):
    STARTED.clear()
    RELEASE.clear()
    LIGHT_DONE.clear()
    enqueue("test-heavy", {})
    db.session.commit()
    stop = threading.Event()
    done: list[int] = []
    real_app = app._get_current_object() if hasattr(app, "_get_current_object") else app

    def run() -> None:
        with real_app.app_context():
            done.append(work_in_lanes(real_app, stop=stop, poll_seconds=0.05))

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert STARTED.wait(10)  # the heavy job is running...
        enqueue("test-light", {"n": 7})
        db.session.commit()
        deadline = time.monotonic() + 10
        while not LIGHT_DONE and time.monotonic() < deadline:
            time.sleep(0.05)
        assert LIGHT_DONE == [7]  # ...and the light one did not wait for it
    finally:
        RELEASE.set()
        stop.set()
        worker.join(20)
    assert done == [2]


def test_a_job_over_its_time_limit_fails_and_is_not_retried(app):
    enqueue("test-slow", {})
    db.session.commit()
    job = claim("w", heavy=True)
    run_job(job, "w")
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.FAILED and "time limit" in job.last_error
    assert job.attempts == 1


def test_the_time_limit_is_read_from_the_configuration(app):
    app.config["JOB_TIME_LIMIT_SECONDS"] = 5
    check_time_limit(time.monotonic() - 4)
    try:
        check_time_limit(time.monotonic() - 6)
    except TimeLimitExceeded:
        pass
    else:
        raise AssertionError("not over time")
