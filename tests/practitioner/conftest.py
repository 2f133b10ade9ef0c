"""A sent case, and the staff of its organisation and of another one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, Role
from tests.conftest import sign_in
from tests.journey.helpers import answer_all, post, start


def high_needs(question):
    """Answers with real needs and no unpaid help, so the budget has several lines."""
    from tests.journey.helpers import first_option

    values = [o.value for o in question.options]
    if question.id == "paying-for-care":
        return "no"
    if question.id.endswith("-unpaid") and "none" in values:
        return "none"
    if "some" in values:
        return "some"
    return first_option(question)


@pytest.fixture
def org(make_organisation):
    return make_organisation("Northfield City Council", districts=("NF1",))


@pytest.fixture
def other_org(make_organisation):
    return make_organisation("Westmoor County Council", districts=("WM1",))


@pytest.fixture
def staff(make_account, org, other_org):
    return {
        "assessor": make_account(
            Role.ASSESSOR,
            organisation=org,
            level=2,
            email="assessor@northfield.example.org",
            name="Asha Assessor",
        ),
        "assessor2": make_account(
            Role.ASSESSOR,
            organisation=org,
            level=2,
            email="assessor2@northfield.example.org",
            name="Ben Assessor",
        ),
        "approver": make_account(
            Role.APPROVER,
            organisation=org,
            level=3,
            email="approver@northfield.example.org",
            name="Cara Approver",
        ),
        "senior": make_account(
            Role.APPROVER, organisation=org, level=4, email="senior@northfield.example.org", name="Dev Senior"
        ),
        "admin": make_account(Role.ADMIN, organisation=org, level=4, email="admin@northfield.example.org"),
        "outsider": make_account(
            Role.ASSESSOR, organisation=other_org, level=4, email="assessor@westmoor.example.org"
        ),
        "outsider_admin": make_account(
            Role.ADMIN, organisation=other_org, level=4, email="admin@westmoor.example.org"
        ),
    }


@pytest.fixture
def citizen(make_account):
    return make_account(email="alex@example.org", name="Alex Morgan")


@pytest.fixture
def sent_case(app, citizen, org):
    """A case sent by a citizen through the real pages (each answer posted to its page; the journey tests read them)."""
    client = app.test_client()
    sign_in(client, citizen)
    case_id = start(client)
    answer_all(client, case_id, choose=high_needs, read_pages=False)
    response = post(client, f"/my/cases/{case_id}/send", {"confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    return db.session.scalar(select(Case).filter_by(public_id=case_id))
