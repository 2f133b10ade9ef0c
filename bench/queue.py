"""Queue page server time with 10,000 sent cases, and the decision letter's render time.

    .venv/bin/python bench/queue.py            # SQLite in a temporary file
    PORTAL_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench .venv/bin/python bench/queue.py

Prints one line per queue view as "median N ms, p95 N ms" (server time: the request through the WSGI app,
template rendering included, no network), then "letter N s". Targets: each p95 under 100 ms on SQLite; the
letter under 0.5 s.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASES = int(os.environ.get("PORTAL_BENCH_CASES", "10000"))
ROUNDS = 60


def build_app(url: str):  # noqa: ANN201 - a script
    """The app on a fresh, migrated database."""
    from flask_migrate import upgrade

    from portal.app import create_app
    from portal.config import TestConfig

    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, TESTING=False)
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def fill(app) -> tuple[str, str]:  # noqa: ANN001
    """10,000 sent cases across two organisations; returns the assessor's and approver's emails."""
    from sqlalchemy import insert

    from portal.extensions import db
    from portal.models import Account, Case, CaseStatus, Organisation, OrganisationKind, Person, Role, utcnow
    from portal.security import hash_password

    rng = random.Random(7)
    with app.app_context():
        orgs = [
            Organisation(name=f"Bench Council {i}", slug=f"bench-{i}", kind=OrganisationKind.COUNCIL)
            for i in (1, 2)
        ]
        db.session.add_all(orgs)
        db.session.flush()
        password = hash_password("bench password")
        citizen = Account(email="citizen@bench.example.org", name="Citizen", password_hash=password)
        assessor = Account(
            email="assessor@bench.example.org",
            name="Assessor",
            role=Role.ASSESSOR,
            organisation_id=orgs[0].id,
            approval_level=2,
            password_hash=password,
        )
        approver = Account(
            email="approver@bench.example.org",
            name="Approver",
            role=Role.APPROVER,
            organisation_id=orgs[0].id,
            approval_level=3,
            password_hash=password,
        )
        db.session.add_all([citizen, assessor, approver])
        db.session.flush()
        groups = ["older_people", "physical_disability", "learning_disability", "mental_health", "autism"]
        first = ["Alex", "Sam", "Priya", "Tomasz", "Gwen", "Daniel", "Ruth", "Aisha", "Margaret", "Owen"]
        last = ["Morgan", "Patel", "Nowak", "Price", "Osei", "Levy", "Rahman", "Hughes", "Jones", "Evans"]
        now = utcnow()
        people = [
            {
                "name": f"{rng.choice(first)} {rng.choice(last)} {i}",
                "date_of_birth": date(1930, 1, 1) + timedelta(days=rng.randrange(25_000)),
                "postcode": "NF1 1AA",
                "nhs_number": "",
                "created_at": now,
            }
            for i in range(CASES)
        ]
        db.session.execute(insert(Person), people)
        person_ids = [row[0] for row in db.session.execute(db.select(Person.id).order_by(Person.id))]
        statuses = (
            [CaseStatus.SENT] * 6
            + [CaseStatus.CLAIMED] * 2
            + [CaseStatus.WAITING_FOR_PERSON, CaseStatus.DECIDED]
        )
        cases = []
        for i, person_id in enumerate(person_ids):
            status = rng.choice(statuses)
            risk = rng.choices((0, 1, 2), weights=(85, 12, 3))[0]
            cases.append(
                {
                    "public_id": f"{i:032x}",
                    "reference": f"CP-{i:04d}-{i % 9999:04d}",
                    "person_id": person_id,
                    "organisation_id": orgs[i % 2].id,
                    "status": status,
                    "created_by_id": citizen.id,
                    "holder_id": assessor.id if status != CaseStatus.SENT and i % 3 == 0 else None,
                    "answers": {},
                    "questionnaire_version": "1/1.0.0",
                    "self_funder": False,
                    "urgent": risk == 2,
                    "risk_rank": risk,
                    "client_group": rng.choice(groups),
                    "possible_duplicate": False,
                    "sent_at": now - timedelta(minutes=rng.randrange(60 * 24 * 90)),
                    "person_name": people[i]["name"],
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        db.session.execute(insert(Case), cases)
        db.session.commit()
        return assessor.email, approver.email


def time_queue(app, email: str) -> None:  # noqa: ANN001
    """Median and 95th percentile server time for the queue, unfiltered and filtered."""
    client = app.test_client()
    page = client.get("/account/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/account/sign-in", data={"csrf_token": token, "email": email, "password": "bench password"})
    views = {
        "queue, no filter": "/staff/queue",
        "queue, filtered (unassigned, one client group, waiting 7+ days)": "/staff/queue?status=sent&holder=unassigned&client_group=older_people&waiting=7",
        "queue, search by name": "/staff/queue?q=priya",
        "queue, page 20": "/staff/queue?page=20",
    }
    for label, url in views.items():
        assert client.get(url).status_code == 200  # warm up
        samples = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"{label}: median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms")


def time_letter(app) -> None:  # noqa: ANN001
    """The decision letter's render time (median of several, after a warm-up)."""
    from types import SimpleNamespace

    from portal.pdf import render_pdf

    context = {
        "person_name": "Alex Morgan",
        "reference": "CP-ABCD-EFGH",
        "organisation": SimpleNamespace(
            name="Northfield City Council",
            contact_email="care@northfield.example.org",
            contact_phone="0300 555 0101",
        ),
        "decided_on": date(2026, 11, 23),
        "weekly_pence": 24095,
        "yearly_pence": 1257270,
        "lines": [
            {
                "label": "Carrying out essential daily living tasks",
                "funder_label": "Council",
                "amount_pence": 9800,
                "detail": "£98.00 which could provide 7 hours per week",
            }
        ]
        * 6,
        "reasons": ["Two carers are needed for every visit."],
        "reason_written_in": "en",
        "contribution_note": "",
        "review_rights": [
            {"funder_label": "Council", "ombudsman": "the Local Government and Social Care Ombudsman"}
        ],
        "signed_off_by": [{"level": 2, "name": "Asha Assessor", "on": date(2026, 11, 23)}],
    }
    with app.test_request_context():
        render_pdf("decision_letter.html", lang="en", title="Decision", **context)
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            render_pdf("decision_letter.html", lang="en", title="Decision", **context)
            samples.append(time.perf_counter() - started)
    print(f"letter {statistics.median(samples):.2f} s")


def main() -> None:
    """Build, fill, measure."""
    url = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        if not url:
            url = f"sqlite:///{tmp}/bench.db"
        from portal.config import normalise_database_url

        app = build_app(normalise_database_url(url))
        started = time.perf_counter()
        assessor, _approver = fill(app)
        print(f"{CASES} sent cases written in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        time_queue(app, assessor)
        time_letter(app)


if __name__ == "__main__":
    main()
