"""Roles are declared on every staff route and enforced: a wrong user gets 403, or 404 for a hidden thing."""

from __future__ import annotations

import pytest

from portal.models import Role
from tests.conftest import sign_in

# Endpoints that take no URL values, and who may see each (200); everyone else signed in gets 403.
STAFF_PAGES = {
    "practitioner.home": {Role.ASSESSOR, Role.APPROVER, Role.ADMIN, Role.DEPLOYMENT_ADMIN},
    "practitioner.organisations": {Role.DEPLOYMENT_ADMIN},
    "practitioner.new_organisation": {Role.DEPLOYMENT_ADMIN},
    "practitioner.mailbox": {Role.DEPLOYMENT_ADMIN},
    "practitioner.queue": {Role.ASSESSOR, Role.APPROVER, Role.ADMIN},
    "practitioner.approvals": {Role.APPROVER, Role.ADMIN},
    **{
        f"practitioner.{name}": {Role.ADMIN}
        for name in (
            "admin_staff",
            "admin_new_staff",
            "admin_settings",
            "admin_contacts",
            "admin_urgent_wording",
            "admin_validation",
            "admin_limits",
            "admin_tools",
            "config_versions",
            "benchmarking",
            "accuracy",
        )
    },
}


def test_every_practitioner_endpoint_declares_its_roles(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("practitioner.")
        and not getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
    ]
    assert missing == []


def test_role_decorator_refuses_unknown_roles():
    from portal.security import roles_required

    with pytest.raises(TypeError):
        roles_required("superuser")
    with pytest.raises(TypeError):
        roles_required()


@pytest.fixture
def accounts(make_account, make_organisation):
    organisation = make_organisation("Northfield City Council")
    return {
        Role.CITIZEN: make_account(Role.CITIZEN),
        Role.ASSESSOR: make_account(Role.ASSESSOR, organisation=organisation, level=2),
        Role.APPROVER: make_account(Role.APPROVER, organisation=organisation, level=3),
        Role.ADMIN: make_account(Role.ADMIN, organisation=organisation, level=4),
        Role.DEPLOYMENT_ADMIN: make_account(Role.DEPLOYMENT_ADMIN),
    }


@pytest.mark.parametrize("endpoint", sorted(STAFF_PAGES))
@pytest.mark.parametrize("role", list(Role))
def test_staff_page_by_role(app, client, accounts, endpoint, role):
    from flask import url_for

    with app.test_request_context():
        url = url_for(endpoint)
    assert client.get(url).status_code == 302  # anonymous: sent to sign in
    sign_in(client, accounts[role])
    expected = 200 if role in STAFF_PAGES[endpoint] else 403
    assert client.get(url).status_code == expected


def test_citizen_pages_refuse_staff(client, accounts):
    assert client.get("/my/").status_code == 302
    sign_in(client, accounts[Role.ASSESSOR])
    assert client.get("/my/").status_code == 403


def test_mailbox_is_hidden_when_the_sink_is_off(app, client, accounts):
    app.config["MAIL_SINK_ENABLED"] = False
    sign_in(client, accounts[Role.DEPLOYMENT_ADMIN])
    assert client.get("/staff/mailbox").status_code == 404
    assert client.get("/staff/mailbox/1").status_code == 404
