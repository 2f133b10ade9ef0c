"""The job table: written with the change that causes it, taken by one worker only, never lost."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.jobs import claim, enqueue, handler, run_job, work
from portal.mail import queue_email
from portal.models import Job, JobStatus, OutboxMessage, utcnow
from tests.conftest import _free_port

CALLS: list[int] = []


@handler("test-record")
def _record(job: Job) -> dict:
    CALLS.append(job.payload["n"])
    return {"seen": job.payload["n"]}


@handler("test-fail")
def _fail(job: Job) -> dict:
    raise RuntimeError("the printer is on fire")


def test_a_job_is_only_saved_with_the_change_that_caused_it(app):
    enqueue("test-record", {"n": 1})
    db.session.rollback()
    assert db.session.scalar(select(Job)) is None
    enqueue("test-record", {"n": 2})
    db.session.commit()
    assert db.session.scalar(select(Job)).payload == {"n": 2}


def test_unknown_kind_is_refused_when_queued(app):
    with pytest.raises(ValueError, match="no handler"):
        enqueue("no-such-kind", {})


def test_worker_does_jobs_in_order_and_records_results(app):
    CALLS.clear()
    for n in range(3):
        enqueue("test-record", {"n": n})
    db.session.commit()
    assert work(until_empty=True) == 3
    assert CALLS == [0, 1, 2]
    jobs = db.session.scalars(select(Job).order_by(Job.id)).all()
    assert [j.status for j in jobs] == [JobStatus.DONE] * 3
    assert jobs[0].result == {"seen": 0} and jobs[0].finished_at is not None


def test_a_failing_job_is_retried_later_then_marked_failed(app):
    job = enqueue("test-fail", {})
    job.max_attempts = 2
    db.session.commit()
    assert work(until_empty=True) == 1
    db.session.refresh(job)
    assert job.status == JobStatus.PENDING and "on fire" in job.last_error
    assert job.run_after > utcnow()  # backed off
    assert work(until_empty=True) == 0  # not due yet
    later = utcnow() + timedelta(hours=2)
    taken = claim("worker-b", now=later)
    run_job(taken, "worker-b")
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED and job.attempts == 2


def test_a_job_whose_worker_died_is_taken_again_after_its_lease(app):
    enqueue("test-record", {"n": 7})
    db.session.commit()
    first = claim("worker-that-dies")
    assert first is not None
    # Another worker cannot take it while the lease runs...
    assert claim("worker-b") is None
    # ...but can once it has run out.
    later = utcnow() + timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1)
    again = claim("worker-b", now=later)
    assert again is not None and again.id == first.id and again.attempts == 2
    # The dead worker's late report is ignored: only the holder may finish a job.
    CALLS.clear()
    run_job(again, "worker-b")
    db.session.refresh(again)
    assert again.status == JobStatus.DONE and again.locked_by == "worker-b"


def _claim_in_thread(app: Flask, name: str, barrier: threading.Barrier, results: dict) -> None:
    """Claim jobs until none are left, each thread on its own connection."""
    with app.app_context():
        barrier.wait()
        taken = []
        while (job := claim(name)) is not None:
            taken.append(job.id)
        results[name] = taken
        db.session.remove()


def test_two_workers_never_take_the_same_job(app):
    for n in range(40):
        enqueue("test-record", {"n": n})
    db.session.commit()
    barrier = threading.Barrier(4)
    results: dict[str, list[int]] = {}
    threads = [
        threading.Thread(target=_claim_in_thread, args=(app, f"w{i}", barrier, results)) for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [job_id for taken in results.values() for job_id in taken]
    assert len(every) == 40
    assert len(set(every)) == 40, "a job was taken by two workers"


class SlowInbox:
    """An SMTP server that stalls on the first message (so a worker can be killed mid-send)."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.first_arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        from email import message_from_bytes

        message = message_from_bytes(envelope.content)
        self.received.append(message["Message-ID"])
        if len(self.received) == 1:
            self.first_arrived.set()
            await asyncio.sleep(30)
        return "250 OK"


def test_a_worker_killed_while_sending_loses_nothing(app, app_config):
    from aiosmtpd.controller import Controller

    inbox = SlowInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        queue_email(
            "alex@example.org",
            "password_reset",
            "en",
            name="Alex",
            link="http://x/y",
            hours=1,
            days=7,
            organisation="",
        )
        db.session.commit()
        message_id = db.session.scalar(select(OutboxMessage.message_id))
        env = {
            **os.environ,
            "PORTAL_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
            "PORTAL_MAIL_HOST": "127.0.0.1",
            "PORTAL_MAIL_PORT": str(port),
            "PORTAL_SECRET_KEY": "test-only-key-" + "x" * 32,
            "PORTAL_JOB_LEASE_SECONDS": "2",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "worker", "--poll", "0.2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert inbox.first_arrived.wait(60), "the worker never started sending"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        # The email's job: a worker also queues its recurring jobs (review reminders) as it starts.
        job = db.session.scalar(select(Job).filter_by(kind="email"))
        db.session.refresh(job)
        assert job.status == JobStatus.RUNNING  # cut short: not done, not lost
        time.sleep(2.1)  # the dead worker's lease runs out
        app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=port)
        inbox.first_arrived.clear()
        done = threading.Thread(target=lambda: _work_in_context(app))
        done.start()
        done.join(60)
        db.session.refresh(job)
        assert job.status == JobStatus.DONE
        # The same message went out again, recognisably the same one.
        assert inbox.received == [message_id, message_id]
    finally:
        controller.stop()


def _work_in_context(app: Flask) -> None:
    with app.app_context():
        work(until_empty=True)
        db.session.remove()
