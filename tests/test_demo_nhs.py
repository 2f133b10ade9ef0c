"""The demo ICB: staff, adult Continuing Healthcare and children's Continuing Care cases, a young person near 18."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal import chc, phb, transition
from portal.extensions import db
from portal.models import Account, Case, Organisation, Role


def test_the_demo_icb_has_staff_and_example_cases(app):
    from portal.demo import seed_demo, seed_demo_cases

    seed_demo()
    with app.test_request_context():
        seed_demo_cases()
        seed_demo_cases()  # safe to run twice
    icb = db.session.scalar(select(Organisation).filter_by(slug="eastbrook"))
    staff = db.session.scalars(select(Account).filter_by(organisation_id=icb.id)).all()
    assert {a.role for a in staff} == {Role.ASSESSOR, Role.APPROVER, Role.ADMIN}
    assert sorted(a.approval_level for a in staff) == [2, 2, 3, 4, 4]
    cases = {c.person_name: c for c in db.session.scalars(select(Case).filter_by(organisation_id=icb.id))}
    assert set(cases) == {"Peter Okonkwo", "Irene Walsh", "Jordan Bell", "Maya Singh"}
    peter = cases["Peter Okonkwo"]
    assert chc.latest_eligibility(peter).eligible
    assert chc.latest_assessment(peter).domains["breathing"] == "severe"
    assert phb.form_in_force(peter) == phb.PhbForm.DIRECT_PAYMENT
    assert phb.next_step(peter) == phb.Step.PLAN
    assert chc.latest_eligibility(cases["Irene Walsh"]) is None
    young = chc.approaching_adult_services(icb.id, date.today())
    by_name = {y.person.name: y for y in young}
    assert by_name["Jordan Bell"].stage == transition.Stage.DECISION
    assert by_name["Jordan Bell"].adult_decision is None
    assert by_name["Maya Singh"].stage == transition.Stage.NOT_YET
