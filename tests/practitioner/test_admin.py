"""An organisation's admin: staff accounts (add, role and level, deactivate) and the organisation's settings."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.jobs import work
from portal.models import Account, AuditEvent, Organisation, Role
from portal.organisation_rules import Limit, OrganisationRules
from tests.conftest import check_page, csrf_from, sign_in

# Every admin endpoint, with the URL values it needs ("member" and "leaver" are filled in per test).
ENDPOINTS = {
    "practitioner.admin_staff": {},
    "practitioner.admin_new_staff": {},
    "practitioner.admin_staff_member": {"public_id": "member"},
    "practitioner.admin_deactivate_staff": {"public_id": "member"},
    "practitioner.admin_reactivate_staff": {"public_id": "leaver"},
    "practitioner.admin_settings": {},
    "practitioner.admin_contacts": {},
    "practitioner.admin_urgent_wording": {},
    "practitioner.admin_validation": {},
    "practitioner.admin_limits": {},
}
FORM_ENDPOINTS = sorted(
    e for e in ENDPOINTS if e not in ("practitioner.admin_staff", "practitioner.admin_settings")
)


@pytest.fixture
def org(make_organisation):
    return make_organisation("Northfield City Council")


@pytest.fixture
def people(make_account, make_organisation, org):
    """One account of each role, a member of staff and a leaver in ``org``, and another organisation's admin."""
    other = make_organisation("Southmere Borough Council")
    leaver = make_account(Role.ASSESSOR, organisation=org, level=2, name="Lee Leaver")
    leaver.is_active = False
    db.session.commit()
    return {
        Role.CITIZEN: make_account(Role.CITIZEN),
        Role.ASSESSOR: make_account(Role.ASSESSOR, organisation=org, level=2, name="Sam Assessor"),
        Role.APPROVER: make_account(Role.APPROVER, organisation=org, level=3, name="Pat Approver"),
        Role.ADMIN: make_account(Role.ADMIN, organisation=org, level=4, name="Ada Admin"),
        Role.DEPLOYMENT_ADMIN: make_account(Role.DEPLOYMENT_ADMIN),
        "leaver": leaver,
        "other_admin": make_account(Role.ADMIN, organisation=other, level=4, name="Olu Other"),
    }


def url(app, endpoint, people, **extra):
    values = dict(ENDPOINTS.get(endpoint, {}))
    if values.get("public_id") == "member":
        values["public_id"] = people[Role.ASSESSOR].public_id
    elif values.get("public_id") == "leaver":
        values["public_id"] = people["leaver"].public_id
    values.update(extra)
    with app.test_request_context():
        return url_for(endpoint, **values)


def post_form(client, path, data):
    """Post a form with the CSRF token from its own page."""
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def audit(action):
    return db.session.scalars(select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def rules_of(org):
    return OrganisationRules.from_settings(fresh(org).settings)


def error_links(page):
    return {a["href"]: a.get_text(strip=True) for a in page.select(".govuk-error-summary a")}


# Roles ---------------------------------------------------------------------------------------------------


def test_every_admin_endpoint_is_for_admins_only(app):
    for endpoint in ENDPOINTS:
        assert app.view_functions[endpoint].allowed_roles == frozenset({Role.ADMIN})


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("role", list(Role))
def test_admin_pages_by_role(app, client, people, endpoint, role):
    path = url(app, endpoint, people)
    response = client.get(path)
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    sign_in(client, people[role])
    expected = 200 if role == Role.ADMIN else 403
    assert client.get(path).status_code == expected


@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS)
@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_posts_by_other_roles_are_refused_and_change_nothing(app, client, people, org, endpoint, role):
    sign_in(client, people[role])
    token = csrf_from(client.get("/account/sign-out").get_data(as_text=True))
    before = (fresh(org).settings, fresh(org).contact_email)
    response = client.post(
        url(app, endpoint, people),
        data={
            "csrf_token": token,
            "name": "Mallory",
            "email": "mallory@example.org",
            "role": "admin",
            "approval_level": "4",
            "contact_email": "mallory@example.org",
            "weekly_2": "1",
            "light_max": "1",
            "full_check_percent": "1",
            "wording_en": "Mallory was here",
        },
    )
    assert response.status_code == 403
    assert (fresh(org).settings, fresh(org).contact_email) == before
    assert fresh(people[Role.ASSESSOR]).role == Role.ASSESSOR
    assert fresh(people[Role.ASSESSOR]).is_active
    assert db.session.scalar(select(Account).filter_by(email="mallory@example.org")) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("staff.%"))) is None


@pytest.mark.parametrize(
    "endpoint",
    [
        "practitioner.admin_staff_member",
        "practitioner.admin_deactivate_staff",
        "practitioner.admin_reactivate_staff",
    ],
)
def test_another_organisations_admin_gets_404_for_our_staff(app, client, people, endpoint):
    sign_in(client, people["other_admin"])
    path = url(app, endpoint, people)
    assert client.get(path).status_code == 404
    token = csrf_from(client.get("/staff/organisation/staff/new").get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, "role": "admin", "approval_level": "4"})
    assert response.status_code == 404
    assert fresh(people[Role.ASSESSOR]).role == Role.ASSESSOR
    assert fresh(people[Role.ASSESSOR]).is_active and not fresh(people["leaver"]).is_active


def test_unknown_staff_and_non_staff_are_404(app, client, people):
    sign_in(client, people[Role.ADMIN])
    assert client.get("/staff/organisation/staff/no-such-person").status_code == 404
    assert client.get(f"/staff/organisation/staff/{people[Role.CITIZEN].public_id}").status_code == 404
    assert (
        client.get(f"/staff/organisation/staff/{people[Role.DEPLOYMENT_ADMIN].public_id}").status_code == 404
    )


# Staff list ----------------------------------------------------------------------------------------------


def test_staff_list_shows_only_this_organisations_staff(client_request, client, people):
    sign_in(client, people[Role.ADMIN])
    page = client_request.get("practitioner.admin_staff")
    text = page.get_text(" ", strip=True)
    for name in ("Sam Assessor", "Pat Approver", "Ada Admin", "Lee Leaver"):
        assert name in text
    assert "Olu Other" not in text
    assert "Deactivated" in text
    nav = page.select_one("nav[aria-label='Organisation admin']")
    assert nav.select_one("a[aria-current=page]")["href"] == "/staff/organisation/staff"
    assert page.select_one(f"a[href='/staff/organisation/staff/{people[Role.ASSESSOR].public_id}']")
    assert page.select_one("a[href='/staff/organisation/staff/new']")


def test_staff_list_is_paginated(client_request, client, people, make_account, org):
    for n in range(30):
        make_account(Role.ASSESSOR, organisation=org, level=2, name=f"Member {n:02d}")
    sign_in(client, people[Role.ADMIN])
    first = client_request.get("practitioner.admin_staff")
    assert len(first.select("tbody tr")) == 25
    assert first.select_one(".govuk-pagination a[rel=next]")["href"] == "/staff/organisation/staff?page=2"
    second = client_request.get("practitioner.admin_staff", _query="page=2")
    assert len(second.select("tbody tr")) == 34 - 25
    assert second.select_one(".govuk-pagination__item--current a").get_text(strip=True) == "2"
    # Nonsense and far-off pages are not errors.
    assert len(client_request.get("practitioner.admin_staff", _query="page=abc").select("tbody tr")) == 25
    assert len(client_request.get("practitioner.admin_staff", _query="page=-3").select("tbody tr")) == 25
    last = client_request.get("practitioner.admin_staff", _query="page=99999999999999999999")
    assert len(last.select("tbody tr")) == 9


# Adding staff ----------------------------------------------------------------------------------------------


def test_adding_staff_emails_a_set_password_link(client, client_request, people, org, smtp_server):
    admin = people[Role.ADMIN]
    sign_in(client, admin)
    page = client_request.get("practitioner.admin_new_staff")
    hints = page.select_one("#approval_level-hint").find_parent("fieldset").get_text(" ", strip=True)
    assert "commissioning, quality and finance" in hints
    assert "how the budget was set" in hints
    response = client_request.post(
        "practitioner.admin_new_staff",
        {
            "name": "Nia Newstart",
            "email": "Nia@Northfield.example.org",
            "role": "approver",
            "approval_level": "3",
        },
        _status=303,
    )
    assert response.headers["Location"] == "/staff/organisation/staff"
    member = db.session.scalar(select(Account).filter_by(email="nia@northfield.example.org"))
    assert member.role == Role.APPROVER and member.approval_level == 3
    assert member.organisation_id == org.id and member.password_hash is None and member.is_active
    (event,) = audit("staff.created")
    assert event.actor_id == admin.id and event.organisation_id == org.id
    assert event.detail["account"] == member.public_id
    assert event.detail["after"]["role"] == "approver" and event.detail["after"]["approval_level"] == 3

    work(until_empty=True)
    (message,) = smtp_server.messages
    assert message["To"] == "nia@northfield.example.org"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Northfield City Council" in body
    link = re.search(r"http://localhost(/account/reset-password/\S+)", body).group(1)
    newcomer = client.application.test_client()
    response = post_form(
        newcomer, link, {"password": "a brand new password", "confirm": "a brand new password"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    assert newcomer.get("/staff/").status_code == 200


def test_adding_staff_explains_each_problem_and_keeps_what_was_typed(client, client_request, people):
    sign_in(client, people[Role.ADMIN])
    page = client_request.post(
        "practitioner.admin_new_staff",
        {
            "name": "",
            "email": people[Role.APPROVER].email.upper(),
            "role": "deployment_admin",
            "approval_level": "1",
        },
        _errors=True,
    )
    errors = error_links(page)
    assert errors["#name"] == "Enter their full name"
    assert errors["#email"] == "This email address is already on your staff list"
    assert errors["#role"] == "Select their role"
    assert errors["#approval_level"] == "Select their approval level"
    assert page.select_one("#email")["value"] == people[Role.APPROVER].email.upper()
    assert page.select_one("#email-error")
    page = client_request.post(
        "practitioner.admin_new_staff",
        {"name": "x" * 5000, "email": "not an email", "role": "", "approval_level": ""},
        _errors=True,
    )
    errors = error_links(page)
    assert errors["#name"] == "The name must be 200 characters or fewer"
    assert errors["#email"].startswith("Enter an email address in the correct format")
    assert db.session.scalar(select(Account).filter_by(role=Role.DEPLOYMENT_ADMIN, name="")) is None
    assert audit("staff.created") == []


# Changing and deactivating staff --------------------------------------------------------------------------


def test_changing_role_and_level_is_audited(client, client_request, people):
    admin, member = people[Role.ADMIN], people[Role.ASSESSOR]
    sign_in(client, admin)
    page = client_request.get("practitioner.admin_staff_member", public_id=member.public_id)
    assert page.select_one("input[name=role][value=assessor]").has_attr("checked")
    assert page.select_one("input[name=approval_level][value='2']").has_attr("checked")
    client_request.post(
        "practitioner.admin_staff_member",
        {"role": "approver", "approval_level": "3"},
        public_id=member.public_id,
        _status=303,
    )
    member = fresh(member)
    assert member.role == Role.APPROVER and member.approval_level == 3
    (event,) = audit("staff.changed")
    assert event.actor_id == admin.id
    assert event.detail == {
        "account": member.public_id,
        "before": {"role": "assessor", "approval_level": 2},
        "after": {"role": "approver", "approval_level": 3},
    }
    # Saving without a change writes nothing more to the audit trail.
    client_request.post(
        "practitioner.admin_staff_member",
        {"role": "approver", "approval_level": "3"},
        public_id=member.public_id,
        _status=303,
    )
    assert len(audit("staff.changed")) == 1


def test_bad_role_or_level_is_an_error_not_a_500(client, client_request, people):
    member = people[Role.ASSESSOR]
    sign_in(client, people[Role.ADMIN])
    page = client_request.post(
        "practitioner.admin_staff_member",
        {"role": "superuser", "approval_level": "99"},
        public_id=member.public_id,
        _errors=True,
    )
    assert set(error_links(page)) == {"#role", "#approval_level"}
    assert fresh(member).role == Role.ASSESSOR


def test_an_admin_cannot_remove_their_own_admin_role(client, client_request, people):
    admin = people[Role.ADMIN]
    sign_in(client, admin)
    page = client_request.post(
        "practitioner.admin_staff_member",
        {"role": "assessor", "approval_level": "4"},
        public_id=admin.public_id,
        _errors=True,
    )
    assert error_links(page)["#role"] == "You cannot remove your own admin role. Ask another admin to do it"
    assert fresh(admin).role == Role.ADMIN
    assert audit("staff.changed") == []


def test_deactivating_ends_their_sessions_and_stops_sign_in(app, client, client_request, people):
    admin, member = people[Role.ADMIN], people[Role.ASSESSOR]
    theirs = app.test_client()
    sign_in(theirs, member)
    assert theirs.get("/staff/").status_code == 200
    version = member.session_version

    sign_in(client, admin)
    page = client_request.get("practitioner.admin_deactivate_staff", public_id=member.public_id)
    assert page.h1.get_text(strip=True) == "Deactivate Sam Assessor's account?"
    response = client_request.post(
        "practitioner.admin_deactivate_staff", {}, public_id=member.public_id, _status=303
    )
    assert response.headers["Location"] == f"/staff/organisation/staff/{member.public_id}"
    member = fresh(member)
    assert not member.is_active and member.session_version == version + 1
    (event,) = audit("staff.deactivated")
    assert event.actor_id == admin.id
    assert event.detail == {
        "account": member.public_id,
        "before": {"is_active": True},
        "after": {"is_active": False},
    }

    # Their open session has ended, and they cannot sign in again.
    response = theirs.get("/staff/")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    sign_in(theirs, member)
    assert theirs.get("/staff/").status_code == 302
    # A second confirmation does nothing more.
    token = csrf_from(client.get("/staff/organisation/staff/new").get_data(as_text=True))
    response = client.post(
        f"/staff/organisation/staff/{member.public_id}/deactivate", data={"csrf_token": token}
    )
    assert response.status_code == 303 and len(audit("staff.deactivated")) == 1


def test_reactivating_lets_them_sign_in_again(app, client, client_request, people):
    leaver = people["leaver"]
    sign_in(client, people[Role.ADMIN])
    client_request.get("practitioner.admin_reactivate_staff", public_id=leaver.public_id)
    client_request.post("practitioner.admin_reactivate_staff", {}, public_id=leaver.public_id, _status=303)
    assert fresh(leaver).is_active
    (event,) = audit("staff.reactivated")
    assert event.detail["before"] == {"is_active": False} and event.detail["after"] == {"is_active": True}
    theirs = app.test_client()
    sign_in(theirs, leaver)
    assert theirs.get("/staff/").status_code == 200


def test_an_admin_cannot_deactivate_themselves(client, client_request, people):
    admin = people[Role.ADMIN]
    sign_in(client, admin)
    page = client.get(f"/staff/organisation/staff/{admin.public_id}").get_data(as_text=True)
    assert "You cannot deactivate your own account" in page
    assert f"/staff/organisation/staff/{admin.public_id}/deactivate" not in page
    token = csrf_from(page)
    response = client.post(
        f"/staff/organisation/staff/{admin.public_id}/deactivate", data={"csrf_token": token}
    )
    assert response.status_code == 200
    parsed = check_page(response.get_data(as_text=True), errors=True)
    assert error_links(parsed) == {
        "#problem": "You cannot deactivate your own account. Ask another admin to do it"
    }
    assert parsed.select_one("#problem")
    assert fresh(admin).is_active and audit("staff.deactivated") == []


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(
    client, client_request, people, make_account, org, monkeypatch
):
    """The check holds even when two admins act at once: here each sees the other as the last one left."""
    from portal import staff_service

    colleague = make_account(Role.ADMIN, organisation=org, level=4, name="Cal Colleague")
    sign_in(client, people[Role.ADMIN])
    monkeypatch.setattr(staff_service, "_other_active_admins", lambda member: 0)
    token = csrf_from(client.get("/staff/organisation/staff/new").get_data(as_text=True))
    response = client.post(
        f"/staff/organisation/staff/{colleague.public_id}/deactivate", data={"csrf_token": token}
    )
    assert response.status_code == 200
    page = check_page(response.get_data(as_text=True), errors=True)
    assert (
        error_links(page)["#problem"]
        == "Cal Colleague is the only active admin. Make someone else an admin first"
    )
    page = client_request.post(
        "practitioner.admin_staff_member",
        {"role": "assessor", "approval_level": "4"},
        public_id=colleague.public_id,
        _errors=True,
    )
    assert (
        error_links(page)["#role"]
        == "Cal Colleague is the only active admin. Make someone else an admin first"
    )
    colleague = fresh(colleague)
    assert colleague.is_active and colleague.role == Role.ADMIN
    monkeypatch.undo()
    # With the real count there is another admin (the one signed in), so it is allowed.
    client_request.post("practitioner.admin_deactivate_staff", {}, public_id=colleague.public_id, _status=303)
    assert not fresh(colleague).is_active


# Settings ------------------------------------------------------------------------------------------------


def test_settings_summary_shows_the_rules(client, client_request, people, org):
    org.settings = {
        "urgent_wording": {"cy": "Ffoniwch y tîm dyletswydd"},
        "validation": {"light_max_weekly_pence": 25050, "full_check_percent": 15},
        "approval_limits": {"2": {"weekly_pence": 40000, "percent_over": "12.5"}, "3": {}, "4": {}},
    }
    db.session.commit()
    sign_in(client, people[Role.ADMIN])
    page = client_request.get("practitioner.admin_settings")
    text = page.get_text(" ", strip=True)
    assert "£250.50 a week" in text and "15%" in text
    assert "Up to £400.00 a week, and up to 12.5% above the calculated budget" in text
    assert "No limit" in text
    assert page.select_one("dd[lang=cy]").get_text(strip=True) == "Ffoniwch y tîm dyletswydd"
    nav = page.select_one("nav[aria-label='Organisation admin']")
    assert nav.select_one("a[aria-current=page]")["href"] == "/staff/organisation/settings"
    for name in ("contacts", "urgent-wording", "validation", "approval-limits"):
        assert page.select_one(f"a[href='/staff/organisation/settings/{name}']")


def test_contacts_are_validated_saved_and_audited(client, client_request, people, org):
    admin = people[Role.ADMIN]
    sign_in(client, admin)
    page = client_request.post(
        "practitioner.admin_contacts",
        {
            "contact_email": "nope",
            "contact_phone": "call us",
            "duty_phone": "12",
            "website": "javascript:alert(1)",
        },
        _errors=True,
    )
    errors = error_links(page)
    assert set(errors) == {"#contact_email", "#contact_phone", "#duty_phone", "#website"}
    assert errors["#contact_phone"].startswith("Enter a phone number")
    assert page.select_one("#website")["value"] == "javascript:alert(1)"
    assert audit("organisation.settings_changed") == []

    client_request.post(
        "practitioner.admin_contacts",
        {
            "contact_email": "Adults@Northfield.example.org",
            "contact_phone": "0113 496 0000",
            "duty_phone": "+44 (0)113 496 0999",
            "website": "www.northfield.example.org/care",
        },
        _status=303,
    )
    organisation = fresh(org)
    assert organisation.contact_email == "adults@northfield.example.org"
    assert organisation.duty_phone == "+44 (0)113 496 0999"
    assert organisation.website == "https://www.northfield.example.org/care"
    (event,) = audit("organisation.settings_changed")
    assert event.actor_id == admin.id and event.organisation_id == org.id
    assert event.detail["section"] == "contacts"
    assert event.detail["before"]["contact_email"] == "care@northfield-city-council.example.org"
    assert event.detail["after"]["website"] == "https://www.northfield.example.org/care"


def test_urgent_wording_is_saved_per_language_through_the_rules(client, client_request, people, org):
    sign_in(client, people[Role.ADMIN])
    page = client_request.get("practitioner.admin_urgent_wording")
    for code, name in (("en", "English"), ("cy", "Cymraeg"), ("pl", "Polski"), ("ur", "اردو")):
        textarea = page.select_one(f"#wording_{code}")
        assert textarea.name == "textarea" and textarea["lang"] == code
        assert page.select_one(f"label[for=wording_{code}]").get_text(strip=True) == name
    assert page.select_one("#wording_ur")["dir"] == "rtl"

    client_request.post(
        "practitioner.admin_urgent_wording",
        {
            "wording_en": "Call our duty team on 0113 496 0999.\r\nOut of hours: 0113 496 0000.",
            "wording_ur": "  فون کریں ",
            "wording_cy": "",
            "wording_pl": "",
        },
        _status=303,
    )
    rules = rules_of(org)
    assert dict(rules.urgent_wording) == {
        "en": "Call our duty team on 0113 496 0999.\nOut of hours: 0113 496 0000.",
        "ur": "فون کریں",
    }
    (event,) = audit("organisation.settings_changed")
    assert event.detail["section"] == "urgent_wording"
    assert event.detail["before"] == {} and event.detail["after"] == dict(rules.urgent_wording)

    page = client_request.post(
        "practitioner.admin_urgent_wording",
        {"wording_en": "ok", "wording_pl": "x" * 1001},
        _errors=True,
    )
    assert error_links(page)["#wording_pl"] == "The wording in Polski must be 1000 characters or fewer"
    assert page.select_one("#wording_pl").get_text() == "x" * 1001
    assert rules_of(org).urgent_wording["en"].startswith("Call our duty team")


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("300", 30000),
        ("300.00", 30000),
        ("£300", 30000),
        ("£1,250.5", 125050),
        (" £ 99.99 ", 9999),
        ("", None),
    ],
)
def test_validation_rule_parses_pounds(client, client_request, people, org, typed, pence):
    sign_in(client, people[Role.ADMIN])
    client_request.post(
        "practitioner.admin_validation", {"light_max": typed, "full_check_percent": "25"}, _status=303
    )
    rule = rules_of(org).validation
    assert rule.light_max_weekly_pence == pence and rule.full_check_percent == 25
    (event,) = audit("organisation.settings_changed")
    assert event.detail["section"] == "validation"
    assert event.detail["before"] == {"light_max_weekly_pence": 30000, "full_check_percent": 10}
    assert event.detail["after"] == {"light_max_weekly_pence": pence, "full_check_percent": 25}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"light_max": "lots", "full_check_percent": "10"},
            "#light_max",
            "Enter the light check maximum in pounds, like 300 or 300.50",
        ),
        (
            {"light_max": "300,50", "full_check_percent": "10"},
            "#light_max",
            "Use a full stop before the pence, and commas only between thousands, like 1,240.95",
        ),
        (
            {"light_max": "-5", "full_check_percent": "10"},
            "#light_max",
            "The light check maximum must be £0 or more",
        ),
        (
            {"light_max": "3.001", "full_check_percent": "10"},
            "#light_max",
            "Enter the light check maximum to the nearest penny, like 300.50",
        ),
        (
            {"light_max": "9" * 5000, "full_check_percent": "10"},
            "#light_max",
            "Enter the light check maximum in pounds, like 300 or 300.50",
        ),
        (
            {"light_max": "200000", "full_check_percent": "10"},
            "#light_max",
            "The light check maximum must be £25,000.00 or less",
        ),
        (
            {"light_max": "300", "full_check_percent": "101"},
            "#full_check_percent",
            "The share still checked in full must be 100 or less",
        ),
        (
            {"light_max": "300", "full_check_percent": "101 %"},
            "#full_check_percent",
            "The share still checked in full must be 100 or less",
        ),
        (
            {"light_max": "300", "full_check_percent": "12.5"},
            "#full_check_percent",
            "Enter the share still checked in full as a whole number, like 10",
        ),
        (
            {"light_max": "300", "full_check_percent": ""},
            "#full_check_percent",
            "Enter the share still checked in full, from 0 to 100",
        ),
        ({"light_max": "300"}, "#full_check_percent", "Enter the share still checked in full, from 0 to 100"),
    ],
)
def test_validation_rule_refuses_bad_input(client, client_request, people, org, data, field, message):
    sign_in(client, people[Role.ADMIN])
    page = client_request.post("practitioner.admin_validation", data, _errors=True)
    assert error_links(page)[field] == message
    assert message in page.select_one(f"{field}-error").get_text()
    if "light_max" in data:
        assert page.select_one("#light_max")["value"] == data["light_max"].strip()
    assert fresh(org).settings == {}
    assert audit("organisation.settings_changed") == []


def test_approval_limits_are_saved_through_the_rules_and_audited(client, client_request, people, org):
    admin = people[Role.ADMIN]
    sign_in(client, admin)
    page = client_request.get("practitioner.admin_limits")
    assert page.select_one("#weekly_2")["value"] == "500" and page.select_one("#percent_2")["value"] == "10"
    assert page.select_one("#weekly_4")["value"] == ""
    assert "the stricter applies" in page.get_text()
    client_request.post(
        "practitioner.admin_limits",
        {
            "weekly_2": "£450.50",
            "percent_2": "",
            "weekly_3": "1,200",
            "percent_3": "20%",
            "weekly_4": "",
            "percent_4": "30",
        },
        _status=303,
    )
    limits = rules_of(org).limits
    assert limits[2] == Limit(weekly_pence=45050, percent_over=None)
    assert limits[3] == Limit(weekly_pence=120000, percent_over=Decimal(20))
    assert limits[4] == Limit(weekly_pence=None, percent_over=Decimal(30))
    (event,) = audit("organisation.settings_changed")
    assert event.actor_id == admin.id
    assert event.detail["section"] == "approval_limits"
    assert event.detail["before"]["2"] == {"weekly_pence": 50000, "percent_over": "10"}
    assert event.detail["after"] == {
        "2": {"weekly_pence": 45050, "percent_over": None},
        "3": {"weekly_pence": 120000, "percent_over": "20"},
        "4": {"weekly_pence": None, "percent_over": "30"},
    }
    # Other settings are kept untouched by a save of one section.
    assert rules_of(org).validation.light_max_weekly_pence == 30000


def test_approval_limits_refuse_bad_input(client, client_request, people, org):
    sign_in(client, people[Role.ADMIN])
    page = client_request.post(
        "practitioner.admin_limits",
        {
            "weekly_2": "five hundred",
            "percent_2": "101.555",
            "weekly_3": "x" * 100_000,
            "percent_3": "-1",
            "weekly_4": "1e9",
            "percent_4": "5000",
        },
        _errors=True,
    )
    errors = error_links(page)
    assert errors == {
        "#weekly_2": "Enter level 2's weekly amount in pounds, like 500 or 500.50",
        "#percent_2": "Enter level 2's percentage with no more than 2 decimal places, like 12.5",
        "#weekly_3": "Enter level 3's weekly amount in pounds, like 500 or 500.50",
        "#percent_3": "Level 3's percentage must be 0 or more",
        "#weekly_4": "Enter level 4's weekly amount in pounds, like 500 or 500.50",
        "#percent_4": "Level 4's percentage must be 1000 or less",
    }
    assert page.select_one("#weekly_2")["value"] == "five hundred"
    page = client_request.post(
        "practitioner.admin_limits",
        {
            "weekly_2": "500",
            "percent_2": "10",
            "weekly_3": "400",
            "percent_3": "5",
            "weekly_4": "",
            "percent_4": "",
        },
        _errors=True,
    )
    assert error_links(page) == {
        "#weekly_3": "Level 3's weekly amount must be at least level 2's, £500.00",
        "#percent_3": "Level 3's percentage must be at least level 2's, 10%",
    }
    assert fresh(org).settings == {}
    assert audit("organisation.settings_changed") == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "practitioner.admin_contacts",
        "practitioner.admin_urgent_wording",
        "practitioner.admin_validation",
        "practitioner.admin_limits",
        "practitioner.admin_new_staff",
        "practitioner.admin_staff_member",
        "practitioner.admin_deactivate_staff",
    ],
)
def test_posts_without_a_csrf_token_change_nothing(app, client, people, org, endpoint):
    sign_in(client, people[Role.ADMIN])
    response = client.post(
        url(app, endpoint, people),
        data={
            "contact_email": "x@example.org",
            "wording_en": "x",
            "light_max": "1",
            "full_check_percent": "1",
            "weekly_2": "1",
            "name": "X",
            "email": "x@example.org",
            "role": "admin",
            "approval_level": "4",
        },
    )
    assert response.status_code == 303
    assert fresh(org).settings == {} and fresh(org).contact_email != "x@example.org"
    assert fresh(people[Role.ASSESSOR]).is_active and fresh(people[Role.ASSESSOR]).role == Role.ASSESSOR
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action != "account.signed_in")) is None


def test_saving_unchanged_settings_writes_no_audit_event(client, client_request, people, org):
    sign_in(client, people[Role.ADMIN])
    client_request.post(
        "practitioner.admin_validation", {"light_max": "300", "full_check_percent": "10"}, _status=303
    )
    assert audit("organisation.settings_changed") == []


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_admin_pages_have_the_basics(client, client_request, people, endpoint):
    sign_in(client, people[Role.ADMIN])
    values = {
        k: (people[Role.ASSESSOR] if v == "member" else people["leaver"]).public_id
        for k, v in ENDPOINTS[endpoint].items()
    }
    page = client_request.get(endpoint, **values)
    assert page.title.get_text().startswith(page.h1.get_text(" ", strip=True))
    assert not page.select("[style]") and not page.select("script:not([src]):not([nonce])")


def test_admin_pages_work_in_welsh_and_urdu(client, client_request, people):
    sign_in(client, people[Role.ADMIN])
    client_request.get("practitioner.admin_limits", _query="lang=cy", _lang="cy")
    client_request.get("practitioner.admin_staff", _query="lang=ur", _lang="ur")


# Parsing -------------------------------------------------------------------------------------------------


text = st.text(max_size=40) | st.sampled_from(
    [
        "",
        "0",
        "-0",
        "£",
        "£-1",
        "1e309",
        "NaN",
        "100.001",
        "9" * 300,
        "\x00",
        "1,2,3",
        "٣",
        "10%",
        "£1,000.00",
    ]
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.fixed_dictionaries(
        {f"{kind}_{level}": text for kind in ("weekly", "percent") for level in (2, 3, 4)}
    )
)
def test_random_posts_to_the_limits_form_never_fail(client, people, org, data):
    if client.get("/staff/").status_code != 200:
        sign_in(client, people[Role.ADMIN])
    response = post_form(client, "/staff/organisation/settings/approval-limits", data)
    # 400: the request guard refuses a NUL byte before any view sees it.
    assert response.status_code in (200, 303, 400), response.status_code
    assert (response.status_code == 400) == any("\x00" in value for value in data.values())
    if response.status_code == 200:
        check_page(response.get_data(as_text=True), errors=True)
    # Whatever is stored reads back as valid limits that never go down a level.
    limits = rules_of(org).limits
    for level in (2, 3, 4):
        limit = limits[level]
        assert limit.weekly_pence is None or 0 <= limit.weekly_pence <= 2_500_000
        assert limit.percent_over is None or 0 <= limit.percent_over <= 1000
    stored = fresh(org).settings.get("approval_limits")
    if stored is not None:
        assert OrganisationRules.from_settings(fresh(org).settings).to_settings()["approval_limits"] == stored


def test_organisation_settings_keys_written_are_only_the_rules(client, client_request, people, org):
    org.settings = {"someone_elses_setting": {"kept": True}}
    db.session.commit()
    sign_in(client, people[Role.ADMIN])
    client_request.post("practitioner.admin_urgent_wording", {"wording_en": "Call us"}, _status=303)
    saved = db.session.get(Organisation, org.id)
    db.session.refresh(saved)
    assert saved.settings["someone_elses_setting"] == {"kept": True}
    assert saved.settings["urgent_wording"] == {"en": "Call us"}
