"""The staff and settings services hold the admin's rules: each rule here has a test that fails without it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import settings_service, staff_service
from portal.extensions import db
from portal.models import AuditEvent, Case, CaseStatus, Person, Role
from portal.organisation_rules import Limit, OrganisationRules, ValidationRule


@pytest.fixture
def org(make_organisation):
    return make_organisation("Northfield City Council")


@pytest.fixture
def admin(make_account, org):
    return make_account(Role.ADMIN, organisation=org, level=4, name="Ada Admin")


@pytest.fixture
def colleague(make_account, org):
    return make_account(Role.ADMIN, organisation=org, level=4, name="Cal Colleague")


def events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- staff ----------------------------------------------------------------------------------------------


def test_staff_are_found_only_in_their_own_organisation(make_account, make_organisation, org, admin):
    other = make_organisation("Westmoor County Council")
    outsider = make_account(Role.ASSESSOR, organisation=other, level=2)
    citizen = make_account()
    assert staff_service.member(org.id, admin.public_id) == admin
    assert staff_service.member(org.id, outsider.public_id) is None
    assert staff_service.member(other.id, admin.public_id) is None
    assert staff_service.member(None, citizen.public_id) is None


def test_an_admin_cannot_remove_their_own_admin_role(admin, colleague):
    with pytest.raises(staff_service.StaffRefused) as refused:
        staff_service.change(admin, admin, role=Role.ASSESSOR, level=4)
    assert refused.value.code == "own_admin_role"
    # Another admin may.
    assert staff_service.change(colleague, admin, role=Role.ASSESSOR, level=2)
    assert (admin.role, admin.approval_level) == (Role.ASSESSOR, 2)
    (event,) = events("staff.changed")
    assert event.detail["before"] == {"role": "admin", "approval_level": 4}
    assert event.detail["after"] == {"role": "assessor", "approval_level": 2}


def test_the_last_active_admin_is_kept(admin, colleague):
    """The acting admin was deactivated meanwhile (by a third admin, say): the colleague is the last one."""
    admin.is_active = False
    db.session.commit()
    with pytest.raises(staff_service.StaffRefused) as refused:
        staff_service.change(admin, colleague, role=Role.APPROVER, level=4)
    assert refused.value.code == "only_admin"
    assert staff_service.refusal(admin, colleague, active=False).code == "only_admin"
    with pytest.raises(staff_service.StaffRefused):
        staff_service.set_active(admin, colleague, active=False)
    assert colleague.is_active and colleague.role == Role.ADMIN
    assert events("staff.changed") == [] and events("staff.deactivated") == []


def test_an_admin_cannot_deactivate_themselves(admin, colleague):
    assert staff_service.refusal(admin, admin, active=False).code == "own_account"
    with pytest.raises(staff_service.StaffRefused):
        staff_service.set_active(admin, admin, active=False)
    assert admin.is_active


def test_deactivating_ends_every_session_and_reactivating_is_always_allowed(admin, make_account, org):
    leaver = make_account(Role.ASSESSOR, organisation=org, level=2)
    sessions = leaver.session_version
    assert staff_service.refusal(admin, leaver, active=False) is None
    assert staff_service.set_active(admin, leaver, active=False)
    assert not leaver.is_active and leaver.session_version == sessions + 1
    assert not staff_service.set_active(admin, leaver, active=False)  # already so: nothing changes
    assert len(events("staff.deactivated")) == 1
    assert staff_service.refusal(admin, leaver, active=True) is None
    assert staff_service.set_active(admin, leaver, active=True) and leaver.is_active
    assert leaver.session_version == sessions + 1


def test_a_new_member_has_no_password_and_one_address_is_one_account(admin, org):
    member = staff_service.add(
        admin, org, name="Nia New", email=" Nia@Northfield.Example.org ", role=Role.APPROVER, level=3
    )
    db.session.commit()
    assert member.email == "nia@northfield.example.org" and member.password_hash is None
    assert staff_service.email_in_use("NIA@northfield.example.org")
    assert not staff_service.email_in_use("someone.else@northfield.example.org")
    with pytest.raises(ValueError):
        staff_service.add(admin, org, name="X", email="x@example.org", role=Role.CITIZEN, level=2)
    with pytest.raises(ValueError):
        staff_service.add(admin, org, name="X", email="x@example.org", role=Role.ASSESSOR, level=1)


def test_held_cases_count_only_open_ones(admin, make_account, org):
    holder = make_account(Role.ASSESSOR, organisation=org, level=2)
    person = Person(name="Alex Morgan")
    db.session.add(person)
    db.session.flush()
    for status in (
        CaseStatus.CLAIMED,
        CaseStatus.WAITING_FOR_APPROVAL,
        CaseStatus.DECIDED,
        CaseStatus.WITHDRAWN,
    ):
        db.session.add(
            Case(
                person_id=person.id,
                created_by_id=admin.id,
                organisation_id=org.id,
                holder_id=holder.id,
                status=status,
            )
        )
    db.session.commit()
    assert staff_service.held_cases(holder) == 2


# -- settings -------------------------------------------------------------------------------------------


def test_contacts_are_normalised_and_audited_only_when_changed(admin, org):
    assert settings_service.save_contacts(
        admin, org.id, contact_email=" Care@Northfield.Example.org", website="www.northfield.example.org"
    )
    assert (org.contact_email, org.website) == (
        "care@northfield.example.org",
        "https://www.northfield.example.org",
    )
    assert not settings_service.save_contacts(
        admin,
        org.id,
        contact_email="care@northfield.example.org",
        website="https://www.northfield.example.org",
    )
    assert len(events("organisation.settings_changed")) == 1
    for bad in (
        "javascript:alert(1)",
        "https://user:pw@example.org",
        "https://example",
        "ftp://x.example.org",
    ):
        with pytest.raises(ValueError):
            settings_service.normalise_website(bad)


def test_other_settings_and_wording_in_languages_no_longer_offered_are_kept(admin, org):
    org.settings = {"someone_elses": {"kept": True}, "urgent_wording": {"fr": "Appelez-nous", "en": "Old"}}
    db.session.commit()
    assert settings_service.save_urgent_wording(
        admin, org.id, {"en": "Call us", "cy": ""}, offered=["en", "cy"]
    )
    assert org.settings["someone_elses"] == {"kept": True}
    assert org.settings["urgent_wording"] == {"en": "Call us", "fr": "Appelez-nous"}
    with pytest.raises(ValueError):
        settings_service.save_urgent_wording(admin, org.id, {"en": "x" * 1001}, offered=["en"])


def test_validation_rule_is_stored_and_bounded(admin, org):
    rule = ValidationRule(light_max_weekly_pence=25_050, full_check_percent=15)
    assert settings_service.save_validation_rule(admin, org.id, rule)
    assert OrganisationRules.from_settings(org.settings).validation == rule
    assert not settings_service.save_validation_rule(admin, org.id, rule)
    with pytest.raises(ValueError):
        settings_service.save_validation_rule(admin, org.id, ValidationRule(full_check_percent=101))


def test_approval_limits_never_go_down_a_level(admin, org):
    in_order = {2: Limit(50_000, Decimal(10)), 3: Limit(None, Decimal(10)), 4: Limit(150_000, None)}
    assert settings_service.limits_out_of_order(in_order) == []
    wrong = {2: Limit(50_000, Decimal(10)), 3: Limit(49_999, None), 4: Limit(None, Decimal("9.99"))}
    assert settings_service.limits_out_of_order(wrong) == [
        settings_service.LimitOutOfOrder("weekly", 3, 2, 50_000),
        settings_service.LimitOutOfOrder("percent", 4, 2, Decimal(10)),
    ]
    with pytest.raises(ValueError):
        settings_service.save_limits(admin, org.id, wrong)
    assert settings_service.save_limits(admin, org.id, in_order)
    assert OrganisationRules.from_settings(org.settings).limits == in_order
    (event,) = events("organisation.settings_changed")
    assert event.detail["section"] == "approval_limits"
    assert event.detail["after"]["3"] == {"weekly_pence": None, "percent_over": "10"}
