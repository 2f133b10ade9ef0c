"""The range shown with each estimate comes from an accuracy test: the middle 80% of actual cost ÷ estimate,
published by an admin as a configuration version (versioned and hashed with the rest) (issue 13 item 4)."""

from __future__ import annotations

from fractions import Fraction

from portal import accuracy_service, version_service
from portal.engine import demo_configuration
from portal.models import AuditEvent, ConfigurationVersion
from tests.conftest import check_page, csrf_from, sign_in
from tests.practitioner.test_configuration_pages import csv_bytes, upload


def test_the_range_is_the_middle_80_percent_of_actual_over_estimate():
    # Ratios 0.70, 0.75, …, 1.65 (20 cases): the 10th and 90th percentiles are 0.79 and 1.56.
    rows = [[f"c{i}", 10000, 7000 + 500 * i] for i in range(20)]
    assert accuracy_service.indicative_range(rows) == (21, 56)
    assert accuracy_service.indicative_range(rows[:19]) is None  # too few cases to say
    # A model that always estimates exactly gets no range, never a negative one.
    assert accuracy_service.indicative_range([[f"c{i}", 100, 100] for i in range(30)]) == (0, 0)


def test_the_shipped_range_is_plausible():
    config = demo_configuration()
    assert Fraction(5, 100) <= config.range_below <= Fraction(50, 100)
    assert Fraction(5, 100) <= config.range_above <= Fraction(80, 100)


def test_an_admin_makes_a_draft_with_the_range_from_an_accuracy_test(app, client, staff, org):
    sign_in(client, staff["admin"])
    report_url = upload(app, client, csv_bytes(40)).headers["Location"]
    page = check_page(client.get(report_url).get_data(as_text=True))
    assert "The range shown with each estimate" in page.get_text()
    form = next(f for f in page.select("form") if f["action"].endswith("/range"))
    response = client.post(form["action"], data={"csrf_token": csrf_from(str(form))})
    assert response.status_code == 303 and "/configuration/" in response.headers["Location"]

    draft = (
        ConfigurationVersion.query.filter_by(organisation_id=org.id, status="draft")
        .order_by(ConfigurationVersion.id.desc())
        .first()
    )
    config = version_service.configuration(draft)
    event = AuditEvent.query.filter_by(action="configuration.range_from_accuracy").one()
    below, above = event.detail["below_percent"], event.detail["above_percent"]
    assert config.range_below == Fraction(below, 100) and config.range_above == Fraction(above, 100)
    assert config.content_hash == draft.content_hash != demo_configuration().content_hash
    assert (below, above) != (10, 10)  # from the cases, not today's fixed ±10%

    # Only the organisation's admin may do it.
    other = app.test_client()
    sign_in(other, staff["assessor"])
    token = csrf_from(other.get("/account/sign-out").get_data(as_text=True))
    assert other.post(form["action"], data={"csrf_token": token}).status_code == 403
