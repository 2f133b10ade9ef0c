"""Which organisations have the NHS pages on the staff home: the rules are chc.transition_applies (young people
moving to adult services: NHS bodies, not a council) and section117.pooled_split_applies (a partnership's pooled
split); the home page asks them, and the pages themselves refuse (404) an organisation they do not apply to."""

from __future__ import annotations

import pytest

from portal import chc, section117
from portal.models import OrganisationKind, Role
from tests.conftest import check_page, sign_in

TRANSITION = "/staff/young-people-moving-to-adult-services"
POOLED = "/staff/organisation/pooled-split"


@pytest.mark.parametrize(
    ("kind", "applies"),
    [(OrganisationKind.COUNCIL, False), (OrganisationKind.ICB, True), (OrganisationKind.PARTNERSHIP, True)],
)
def test_young_people_moving_to_adult_services_are_an_nhs_bodys(
    app, make_organisation, make_account, kind, applies
):
    organisation = make_organisation(f"A {kind.value}", kind=kind)
    assert chc.transition_applies(organisation) is applies
    for role in (Role.ASSESSOR, Role.APPROVER, Role.ADMIN):
        client = app.test_client()
        sign_in(client, make_account(role, organisation=organisation, level=4))
        home = check_page(client.get("/staff/").get_data(as_text=True))
        assert (home.select_one(f"a[href='{TRANSITION}']") is not None) is applies, role
        assert client.get(TRANSITION).status_code == (200 if applies else 404), role
    assert chc.transition_applies(None) is False


@pytest.mark.parametrize(
    ("kind", "applies"),
    [(OrganisationKind.COUNCIL, False), (OrganisationKind.ICB, False), (OrganisationKind.PARTNERSHIP, True)],
)
def test_only_a_partnership_has_a_pooled_split(app, make_organisation, make_account, kind, applies):
    organisation = make_organisation(f"A {kind.value}", kind=kind)
    assert section117.pooled_split_applies(organisation) is applies
    admin = app.test_client()
    sign_in(admin, make_account(Role.ADMIN, organisation=organisation, level=4))
    home = check_page(admin.get("/staff/").get_data(as_text=True))
    assert (home.select_one(f"a[href='{POOLED}']") is not None) is applies
    assert admin.get(POOLED).status_code == (200 if applies else 404)
    assessor = app.test_client()
    sign_in(assessor, make_account(Role.ASSESSOR, organisation=organisation, level=4))
    assert assessor.get(POOLED).status_code == 403  # an admin's page, in any organisation
    assert section117.pooled_split_applies(None) is False


def test_a_pooled_split_is_refused_by_the_service_outside_a_partnership(make_organisation, make_account):
    icb = make_organisation("An ICB", kind=OrganisationKind.ICB)
    admin = make_account(Role.ADMIN, organisation=icb, level=4)
    with pytest.raises(section117.Refused) as refused:
        section117.record_pooled_split(admin, icb, council_percent="50", effective_from=None, reason="Pooled")
    assert refused.value.code == "not_partnership"
