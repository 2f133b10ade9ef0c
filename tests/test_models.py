"""The data model: migrations match the models, the audit trail is append-only, case moves are rules."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal.audit import record
from portal.extensions import db
from portal.models import AuditEvent, AuditTrailError, CaseStatus, new_reference


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_audit_events_cannot_be_changed_or_deleted_by_the_application(app, make_account):
    account = make_account()
    event = record("test.happened", actor=account, detail={"before": 1, "after": 2}, reason="because")
    db.session.commit()
    event.reason = "rewritten"
    with pytest.raises(AuditTrailError):
        db.session.commit()
    db.session.rollback()
    event = db.session.scalar(select(AuditEvent))
    db.session.delete(event)
    with pytest.raises(AuditTrailError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent)).reason == "because"


def test_postgresql_itself_refuses_to_change_the_audit_trail(app, make_account):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    record("test.happened", actor=make_account())
    db.session.commit()
    for statement in ("UPDATE audit_events SET reason = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(AuditEvent)) is not None


def test_references_are_readable_and_unambiguous():
    references = {new_reference() for _ in range(500)}
    assert len(references) == 500
    for reference in references:
        assert reference.startswith("CP-") and len(reference) == 12
        assert not set(reference[3:].replace("-", "")) & set("01OI")


def test_demo_seed_has_four_organisations_and_every_role_in_two(app):
    from portal.demo import DEMO_PEOPLE, demo_accounts, seed_demo, seed_demo_cases
    from portal.models import Case

    seed_demo()
    seed_demo()  # safe to run twice
    with app.test_request_context():
        seed_demo_cases()
        seed_demo_cases()
    from portal.models import Account, Role

    sent = (
        db.session.query(Case)
        .filter(Case.status == CaseStatus.SENT, Case.created_by.has(Account.role == Role.CITIZEN))
        .all()
    )
    assert len(sent) == len(DEMO_PEOPLE)  # the carer's; the demo ICB's staff took theirs with the person
    assert all(case.organisation_id for case in sent) and any(case.urgent for case in sent)
    rows = demo_accounts()
    by_org: dict[str, set[str]] = {}
    for _email, role, org in rows:
        by_org.setdefault(org, set()).add(role)
    from portal.models import Organisation

    assert db.session.query(Organisation).count() >= 4
    full = [org for org, roles in by_org.items() if org and {"assessor", "approver", "admin"} <= roles]
    assert len(full) >= 2
    assert {"citizen", "deployment_admin"} <= by_org[""]
    assert len(rows) == len({email for email, _, _ in rows})


def test_demo_section_117_partnership_has_a_pooled_split_and_people_entitled_to_aftercare(app):
    from datetime import date

    from portal import section117
    from portal.demo import seed_demo, seed_demo_cases
    from portal.demo_section117 import seed_section117_demo
    from portal.models import Case, Organisation

    seed_demo()
    with app.test_request_context():
        seed_demo_cases()
    assert seed_section117_demo() == 3
    assert seed_section117_demo() == 0  # safe to run twice
    riverside = db.session.query(Organisation).filter_by(slug="riverside").one()
    assert riverside.kind.value == "partnership"
    split = section117.pooled_split_in_force(riverside, date.today())
    assert split is not None and str(split.council_percent) == "57.50"
    daniel = db.session.query(Case).filter_by(person_name="Daniel Osei").one()
    assert section117.is_aftercare(daniel)
    # The second detention fixed the responsible bodies again.
    assert section117.standing(daniel.person, riverside).council == "Riverside Borough Council"
    assert (
        section117.standing(daniel.person, riverside, date(2024, 1, 1)).council == "Westmoor County Council"
    )
    assert section117.split_for(daniel).kind == "pooled"
